package org.stylealign.metrics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.HostTensor;
import org.stylealign.io.SafeTensors;
import org.stylealign.model.Convolution;
import org.stylealign.model.Devices;
import org.stylealign.model.Scalars;

import java.io.PrintStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The default feature network: a small CNN classifier of the project's image domains at 32 px. Four 3x3
 * convolutions (32, 64, 128, 128 channels, leaky ReLU, 2x2 average pooling after the first three), global average
 * pooling to 128 features (the penultimate layer: FID/KID features) and a linear layer to one logit per domain (its
 * softmax is the domain classifier). Trained from scratch on built domains with Adam and cross-entropy; the weights
 * are stored in safetensors with the class names as metadata.
 */
public final class DomainFeatures implements FeatureExtractor {

    public static final int SIZE = 32;
    static final int[] WIDTHS = {32, 64, 128, 128};
    static final String META_CLASSES = "domain_features.classes";
    static final String META_SIZE = "domain_features.size";
    /** The classifier trained by the project on the DiceBear domains (models/README.md says how). */
    public static final String BUNDLED = "/org/stylealign/metrics/domain-features.safetensors";

    private final List<String> classes;
    private final NDManager manager;
    private final Scalars scalars;
    private final Map<String, NDArray> params;

    private DomainFeatures(List<String> classes, Map<String, HostTensor> weights) {
        this.classes = List.copyOf(classes);
        this.manager = NDManager.newBaseManager(Devices.preferred());
        this.scalars = new Scalars(manager);
        this.params = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes(classes.size()).entrySet()) {
            HostTensor h = weights.get(e.getKey());
            if (h == null || !new Shape(h.shape()).equals(e.getValue())) {
                manager.close();
                throw new IllegalArgumentException("domain features: tensor " + e.getKey() + " is "
                        + (h == null ? "missing" : "of shape " + h.shapeString()) + ", expected " + e.getValue());
            }
            try (NDArray wrapped = manager.create(h.values(), e.getValue())) {
                NDArray owned = wrapped.duplicate(); // libtorch-owned, not over the Java array
                owned.attach(manager);
                params.put(e.getKey(), owned);
            }
        }
    }

    static Map<String, Shape> shapes(int classes) {
        Map<String, Shape> s = new LinkedHashMap<>();
        int in = 3;
        for (int i = 0; i < WIDTHS.length; i++) {
            s.put("conv" + i + ".weight", new Shape(WIDTHS[i], in, 3, 3));
            s.put("conv" + i + ".bias", new Shape(WIDTHS[i]));
            in = WIDTHS[i];
        }
        s.put("fc.weight", new Shape(classes, in));
        s.put("fc.bias", new Shape(classes));
        return s;
    }

    /** Freshly initialised (He-normal) weights. */
    static DomainFeatures init(List<String> classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, HostTensor> w = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes(classes.size()).entrySet()) {
            long[] shape = e.getValue().getShape();
            float[] v = new float[(int) e.getValue().size()];
            if (e.getKey().endsWith(".weight")) {
                double std = Math.sqrt(2.0 / (e.getValue().size() / shape[0]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * std);
                }
            }
            w.put(e.getKey(), new HostTensor(shape, v));
        }
        return new DomainFeatures(classes, w);
    }

    public static DomainFeatures load(Path file) throws CheckpointException {
        SafeTensors.Contents c = SafeTensors.read(file);
        return fromContents(c, file.toString());
    }

    /** The classifier bundled with the workbench, or empty when this build has none. */
    public static java.util.Optional<DomainFeatures> bundled() throws CheckpointException {
        try (InputStream in = DomainFeatures.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                return java.util.Optional.empty();
            }
            Path tmp = Files.createTempFile("domain-features-", ".safetensors");
            try {
                Files.write(tmp, in.readAllBytes());
                return java.util.Optional.of(load(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot read the bundled domain classifier: " + e.getMessage(), e);
        }
    }

    private static DomainFeatures fromContents(SafeTensors.Contents c, String source) throws CheckpointException {
        String names = c.metadata().get(META_CLASSES);
        if (names == null || names.isBlank()) {
            throw new CheckpointException(source + ": not a domain-feature network (no '" + META_CLASSES
                    + "' metadata)");
        }
        try {
            return new DomainFeatures(List.of(names.split(",")), c.tensors());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": " + e.getMessage(), e);
        }
    }

    public void save(Path file) throws CheckpointException {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        params.forEach((k, v) -> w.put(k, new HostTensor(v.getShape().getShape(), v.toFloatArray())));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_CLASSES, String.join(",", classes));
        meta.put(META_SIZE, Integer.toString(SIZE));
        SafeTensors.write(file, w, meta, false);
    }

    public List<String> classes() {
        return classes;
    }

    @Override
    public String name() {
        return "domain-cnn-" + SIZE + "px(" + String.join(",", classes) + ")";
    }

    /** Returns {features [N, 128], logits [N, K]} in the manager of {@code images}. */
    NDList forward(NDArray images) {
        NDManager m = images.getManager();
        NDArray x = FeatureExtractor.resize(FeatureExtractor.rgb(images, m), SIZE, m);
        for (int i = 0; i < WIDTHS.length; i++) {
            x = Convolution.conv2d(x, params.get("conv" + i + ".weight"), params.get("conv" + i + ".bias"), 1, 1, 1, 1);
            x = Activation.leakyRelu(x, 0.2f);
            if (i < WIDTHS.length - 1) {
                x = Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
            }
        }
        long hw = x.getShape().get(2) * x.getShape().get(3);
        // (a persistent scalar: x.div(number) inside a differentiated graph is the NaN trap)
        NDArray features = x.sum(new int[] {2, 3}).mul(scalars.of(1f / hw));
        NDArray wt = params.get("fc.weight").transpose();
        wt.attach(m); // a transient view: freed with the caller's manager, not kept by the network's
        NDArray logits = features.matMul(wt).add(params.get("fc.bias"));
        return new NDList(features, logits);
    }

    @Override
    public float[][] features(NDArray images) {
        return rows(batched(images, 0));
    }

    /** Softmax probabilities [N][K] of the domains in {@link #classes()}. */
    public float[][] probabilities(NDArray images) {
        return rows(batched(images, 1));
    }

    private NDArray batched(NDArray images, int which) {
        long n = images.getShape().get(0);
        List<float[]> parts = new ArrayList<>();
        long d = 0;
        for (long s = 0; s < n; s += 64) {
            try (NDManager m = manager.newSubManager()) {
                NDArray part = images.get(s + ":" + Math.min(n, s + 64)).duplicate();
                part.attach(m);
                NDArray y = forward(part).get(which);
                if (which == 1) {
                    y = y.softmax(1);
                }
                d = y.getShape().get(1);
                parts.add(y.toFloatArray());
            }
        }
        float[] all = new float[(int) (n * d)];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        NDArray out = images.getManager().create(all, new Shape(n, d));
        NDArray owned = out.duplicate();
        owned.attach(images.getManager());
        out.close();
        return owned;
    }

    private static float[][] rows(NDArray a) {
        int n = (int) a.getShape().get(0);
        int d = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        return out;
    }

    /** A labelled image source: images [n, C, H, W] in [-1, 1] for the given indices. */
    public interface Source {
        String name();

        int size();

        NDArray images(NDManager m, int[] indices);

        static Source of(String name, ImageDataset ds) {
            return new Source() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public int size() {
                    return ds.size();
                }

                @Override
                public NDArray images(NDManager m, int[] idx) {
                    org.stylealign.data.Batch b = ds.loader(idx, idx.length).load(m, idx, 0);
                    NDArray owned = b.images().duplicate();
                    owned.attach(m);
                    b.close();
                    return owned;
                }
            };
        }
    }

    /**
     * Trains a classifier of the sources (one class each) from scratch: balanced batches (batch / K images per
     * class, drawn with replacement, mirrored at random), Adam (lr 1e-3), cross-entropy.
     */
    public static DomainFeatures train(List<Source> sources, int steps, int batch, long seed, PrintStream log) {
        List<String> names = sources.stream().map(Source::name).toList();
        DomainFeatures f = init(names, seed);
        int k = sources.size();
        int per = Math.max(1, batch / k);
        SplittableRandom r = new SplittableRandom(seed + 1);
        Map<String, NDArray[]> moments = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : f.params.entrySet()) {
            e.getValue().setRequiresGradient(true);
            moments.put(e.getKey(), new NDArray[] {f.manager.zeros(e.getValue().getShape()),
                    f.manager.zeros(e.getValue().getShape())});
        }
        double lr = 1e-3;
        double b1 = 0.9;
        double b2 = 0.999;
        double avgLoss = Double.NaN;
        for (int step = 1; step <= steps; step++) {
            try (NDManager m = f.manager.newSubManager()) {
                List<NDArray> xs = new ArrayList<>();
                float[] onehot = new float[per * k * k];
                for (int c = 0; c < k; c++) {
                    Source s = sources.get(c);
                    int[] idx = new int[per];
                    for (int i = 0; i < per; i++) {
                        idx[i] = r.nextInt(s.size());
                        onehot[(c * per + i) * k + c] = 1f;
                    }
                    NDArray img = FeatureExtractor.resize(FeatureExtractor.rgb(s.images(m, idx), m), SIZE, m);
                    xs.add(r.nextBoolean() ? img.flip(3) : img);
                }
                NDArray x = NDArrays.concat(new NDList(xs), 0);
                NDArray target = m.create(onehot, new Shape(per * k, k));
                NDArray t = target.duplicate();
                target.close();
                t.attach(m);
                double loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = f.forward(x).get(1);
                    NDArray ce = logits.logSoftmax(1).mul(t).sum().neg().mul(f.scalars.of(1f / (per * k)));
                    gc.backward(ce);
                    loss = ce.getFloat();
                }
                if (!Double.isFinite(loss)) {
                    f.close();
                    throw new IllegalStateException("domain classifier training diverged at step " + step);
                }
                avgLoss = Double.isNaN(avgLoss) ? loss : 0.95 * avgLoss + 0.05 * loss;
                double c1 = 1 - Math.pow(b1, step);
                double c2 = 1 - Math.pow(b2, step);
                for (Map.Entry<String, NDArray> e : f.params.entrySet()) {
                    NDArray p = e.getValue();
                    NDArray[] mv = moments.get(e.getKey());
                    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                        scope.suppressNotUsedWarning(); // frees the update's temporaries (outside any graph)
                        NDArray g = p.getGradient();
                        mv[0].muli(b1).addi(g.mul(1 - b1));
                        mv[1].muli(b2).addi(g.square().mul(1 - b2));
                        NDArray upd = mv[0].div(c1).div(mv[1].div(c2).sqrt().add(1e-8)).mul(lr);
                        p.subi(upd);
                    }
                    JniUtils.zeroGrad((PtNDArray) p);
                }
            }
            if (log != null && (step % 50 == 0 || step == steps)) {
                log.printf(Locale.ROOT, "classifier step %d/%d  loss %.4f%n", step, steps, avgLoss);
            }
        }
        for (NDArray p : f.params.values()) {
            p.setRequiresGradient(false);
        }
        return f;
    }

    @Override
    public void close() {
        manager.close();
    }
}
