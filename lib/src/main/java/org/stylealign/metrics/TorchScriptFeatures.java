package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Features from a user's TorchScript network, e.g. the InceptionV3 file NVlabs' metrics use
 * ({@link #nvlabsInception}: 299 px, pixel values 0..255, called with return_features=True, 2048 features).
 * Inputs are made RGB and resized (bilinear) to the network's size first.
 */
public final class TorchScriptFeatures implements FeatureExtractor {

    /** Pixel range the network expects. */
    public enum Range { MINUS_ONE_TO_ONE, ZERO_TO_255 }

    private final Path file;
    private final int size;
    private final Range range;
    private final boolean returnFeaturesFlag;
    private final int batch;
    private final NDManager manager;
    private final PtSymbolBlock module;

    /**
     * @param size               input size the network expects (images are resized to it)
     * @param returnFeaturesFlag pass {@code True} as a second argument (NVlabs' return_features)
     */
    public TorchScriptFeatures(Path file, int size, Range range, boolean returnFeaturesFlag) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("TorchScript feature network " + file + ": no such file");
        }
        this.file = file;
        this.size = size;
        this.range = range;
        this.returnFeaturesFlag = returnFeaturesFlag;
        this.batch = 32;
        this.manager = NDManager.newBaseManager();
        try {
            module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], false);
        } catch (RuntimeException e) {
            manager.close();
            throw new IllegalArgumentException("cannot load " + file + " as TorchScript: " + e.getMessage(), e);
        }
    }

    /** NVlabs' inception-2015-12-05.pt as stylegan2-ada-pytorch's metrics call it. */
    public static TorchScriptFeatures nvlabsInception(Path file) {
        return new TorchScriptFeatures(file, 299, Range.ZERO_TO_255, true);
    }

    @Override
    public String name() {
        return "torchscript:" + file.getFileName();
    }

    /** The input the network sees: RGB, resized, in its range. */
    public NDArray prepare(NDArray images, NDManager m) {
        NDArray x = FeatureExtractor.resize(FeatureExtractor.rgb(images, m), size, m);
        if (range == Range.ZERO_TO_255) {
            x = x.add(1).mul(127.5f).clip(0, 255); // outside any gradient graph
        }
        return x;
    }

    @Override
    public float[][] features(NDArray images) {
        long n = images.getShape().get(0);
        float[][] out = new float[(int) n][];
        int row = 0;
        for (long s = 0; s < n; s += batch) {
            try (NDManager m = manager.newSubManager()) {
                NDArray part = images.get(s + ":" + Math.min(n, s + batch)).duplicate();
                part.attach(m);
                NDArray x = prepare(part, m);
                IValue[] in = returnFeaturesFlag
                        ? new IValue[] {IValue.from((PtNDArray) x), IValue.from(true)}
                        : new IValue[] {IValue.from((PtNDArray) x)};
                IValue result = IValueUtils.forward(module, in);
                NDArray f;
                try {
                    if (!result.isTensor()) {
                        throw new IllegalArgumentException(file + ": the network returned " + result.getType()
                                + ", expected one tensor of features [N, D]");
                    }
                    f = result.toTensor((PtNDManager) m);
                } finally {
                    result.close();
                    for (IValue v : in) {
                        v.close();
                    }
                }
                long k = f.getShape().get(0);
                if (k != x.getShape().get(0)) {
                    throw new IllegalArgumentException(file + ": returned " + f.getShape() + " for " + x.getShape()
                            + " images");
                }
                f = f.reshape(k, -1);
                int d = (int) f.getShape().get(1);
                float[] flat = f.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < k; i++) {
                    out[row++] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
