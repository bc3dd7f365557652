package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.HostTensor;
import org.stylealign.io.SafeTensors;
import org.stylealign.model.Convolution;
import org.stylealign.model.Devices;
import org.stylealign.model.Scalars;

import java.io.PrintStream;
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

    public static final int SIZE = SmallCnn.SIZE;
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
        try {
            this.params = SmallCnn.load(manager, shapes(classes.size()), weights, "domain features");
        } catch (IllegalArgumentException e) {
            manager.close();
            throw e;
        }
    }

    static Map<String, Shape> shapes(int classes) {
        Map<String, Shape> s = SmallCnn.trunkShapes();
        s.put("fc.weight", new Shape(classes, SmallCnn.FEATURES));
        s.put("fc.bias", new Shape(classes));
        return s;
    }

    /** Freshly initialised (He-normal) weights. */
    static DomainFeatures init(List<String> classes, long seed) {
        return new DomainFeatures(classes, SmallCnn.init(shapes(classes.size()), seed));
    }

    public static DomainFeatures load(Path file) throws CheckpointException {
        SafeTensors.Contents c = SafeTensors.read(file);
        return fromContents(c, file.toString());
    }

    /** The classifier bundled with the workbench, or empty when this build has none. */
    public static java.util.Optional<DomainFeatures> bundled() throws CheckpointException {
        return Bundled.read(BUNDLED, "domain classifier", DomainFeatures::load);
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

    /**
     * A perceptual distance between two image batches, per image [N], differentiable (for inversion): for each of
     * the four convolution layers, the activations normalised to unit length over channels at every position (as
     * LPIPS does), then the squared difference summed over channels and averaged over positions; summed over layers.
     */
    public NDArray perceptualDistance(NDArray a, NDArray b) {
        List<NDArray> fa = SmallCnn.activations(params, a), fb = SmallCnn.activations(params, b);
        NDArray total = null;
        for (int l = 0; l < fa.size(); l++) {
            NDArray d = unit(fa.get(l)).sub(unit(fb.get(l))).square().sum(new int[] {1}); // [N, H, W]
            long hw = d.getShape().get(1) * d.getShape().get(2);
            // persistent scalars: a Java number inside a differentiated graph is the NaN trap (docs: djl-pytorch)
            NDArray per = d.sum(new int[] {1, 2}).mul(scalars.of(1f / hw));
            total = total == null ? per : total.add(per);
        }
        return total;
    }

    private NDArray unit(NDArray x) {
        return x.mul(x.square().sum(new int[] {1}, true).add(scalars.of(1e-10f)).pow(scalars.of(-0.5f)));
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
        NDArray features = SmallCnn.features(params, scalars, images);
        return new NDList(features, SmallCnn.linear(params, "fc", features));
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
        ClassifierTrainer trainer = new ClassifierTrainer(f.params, f.manager, 1e-3);
        double avgLoss = Double.NaN;
        try {
            for (int step = 1; step <= steps; step++) {
                double loss = trainer.step(m -> {
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
                    NDArray t = org.stylealign.model.Tensors.owned(m, onehot, new Shape(per * k, k));
                    NDArray logits = f.forward(x).get(1);
                    return logits.logSoftmax(1).mul(t).sum().neg().mul(f.scalars.of(1f / (per * k)));
                }, "domain classifier");
                avgLoss = Double.isNaN(avgLoss) ? loss : 0.95 * avgLoss + 0.05 * loss;
                if (log != null && (step % 50 == 0 || step == steps)) {
                    log.printf(Locale.ROOT, "classifier step %d/%d  loss %.4f%n", step, steps, avgLoss);
                }
            }
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        trainer.finish();
        return f;
    }

    @Override
    public void close() {
        manager.close();
    }
}
