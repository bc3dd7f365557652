package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import org.stylealign.data.ImageDataset;
import org.stylealign.data.PartClass;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.HostTensor;
import org.stylealign.io.SafeTensors;
import org.stylealign.model.Convolution;
import org.stylealign.model.Devices;
import org.stylealign.model.Scalars;
import org.stylealign.model.Tensors;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Semantic part masks for generated images: a small U-Net at 32 px trained on the renderer's exact part masks
 * (`data build ... --masks`: avataaars, personas, micah). Generated images have no masks; localized-channel
 * detection (StyleSpace's method, which used a face parser) reads them from this network.
 *
 * <p>Network: two 3x3 convolutions at 32 px (32 channels), 2x2 average pooling, two at 16 px (64), pooling, one at
 * 8 px (128); nearest upsampling with the skip features concatenated, one 3x3 convolution at 16 px (64) and one at 32
 * px (32); a 1x1 convolution to the 11 {@link PartClass} logits. Leaky ReLU 0.2. Every convolution goes through the
 * guarded {@link Convolution}.
 */
public final class PartSegmenter implements AutoCloseable {

    public static final int SIZE = 32;
    static final String META_KIND = "segmenter.kind";
    static final String META_CLASSES = "segmenter.classes";
    static final String META_PROVENANCE = "segmenter.provenance";
    static final String META_DOMAINS = "segmenter.domains";
    /** The segmenter bundled with the library. */
    public static final String BUNDLED = "/org/stylealign/metrics/segmenter-parts.safetensors";

    private static final int[][] LAYERS = { // name, in, out, kernel
            {3, 32, 3}, {32, 32, 3}, {32, 64, 3}, {64, 64, 3}, {64, 128, 3}, {192, 64, 3}, {96, 32, 3}, {32, 0, 1}};
    private static final String[] NAMES = {"enc32a", "enc32b", "enc16a", "enc16b", "mid8", "dec16", "dec32", "head"};

    private final List<PartClass> classes;
    private final NDManager manager;
    private final Scalars scalars;
    private final Map<String, NDArray> params;
    private String provenance;
    private List<String> domains = List.of();

    private PartSegmenter(List<PartClass> classes, Map<String, HostTensor> weights) {
        this.classes = List.copyOf(classes);
        this.manager = NDManager.newBaseManager(Devices.preferred());
        this.scalars = new Scalars(manager);
        try {
            this.params = SmallCnn.load(manager, shapes(classes.size()), weights, "part segmenter");
        } catch (IllegalArgumentException e) {
            manager.close();
            throw e;
        }
    }

    static Map<String, Shape> shapes(int k) {
        Map<String, Shape> s = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            int out = LAYERS[i][1] == 0 ? k : LAYERS[i][1];
            s.put(NAMES[i] + ".weight", new Shape(out, LAYERS[i][0], LAYERS[i][2], LAYERS[i][2]));
            s.put(NAMES[i] + ".bias", new Shape(out));
        }
        return s;
    }

    /** A freshly initialised segmenter over every {@link PartClass}. */
    static PartSegmenter init(long seed) {
        List<PartClass> all = List.of(PartClass.values());
        return new PartSegmenter(all, SmallCnn.init(shapes(all.size()), seed));
    }

    public static PartSegmenter load(Path file) throws CheckpointException {
        SafeTensors.Contents c = SafeTensors.read(file);
        if (!"parts".equals(c.metadata().get(META_KIND)) || c.metadata().get(META_CLASSES) == null) {
            throw new CheckpointException(file + ": not a part segmenter (no '" + META_KIND + "' = parts metadata)");
        }
        try {
            List<PartClass> cls = new ArrayList<>();
            for (String k : c.metadata().get(META_CLASSES).split(",")) {
                cls.add(PartClass.of(k));
            }
            PartSegmenter s = new PartSegmenter(cls, c.tensors());
            s.provenance = c.metadata().get(META_PROVENANCE);
            String d = c.metadata().get(META_DOMAINS);
            s.domains = d == null || d.isBlank() ? List.of() : List.of(d.split(","));
            return s;
        } catch (RuntimeException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /** The segmenter bundled with the workbench, or empty when the library was built without one. */
    public static Optional<PartSegmenter> bundled() throws CheckpointException {
        return Bundled.read(BUNDLED, "part segmenter", PartSegmenter::load);
    }

    /** Writes the weights (float16 when {@code half}). */
    public void save(Path file, boolean half) throws CheckpointException {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        params.forEach((k, v) -> w.put(k, new HostTensor(v.getShape().getShape(), v.toFloatArray())));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_KIND, "parts");
        meta.put(META_CLASSES, String.join(",", classes.stream().map(PartClass::key).toList()));
        if (provenance != null) {
            meta.put(META_PROVENANCE, provenance);
        }
        meta.put(META_DOMAINS, String.join(",", domains));
        SafeTensors.write(file, w, meta, half);
    }

    public List<PartClass> classes() {
        return classes;
    }

    /** The domains (DiceBear styles) it was trained on: the images it can be trusted to read. */
    public List<String> domains() {
        return domains;
    }

    /** What it was trained on, with the images' attribution and licence; null when unknown. */
    public String provenance() {
        return provenance;
    }

    /** Logits [N, K, 32, 32] of images [N, 1 or 3, H, W] in [-1, 1] (resized to 32 px), in the images' manager. */
    NDArray logits(NDArray images) {
        NDManager m = images.getManager();
        NDArray x = FeatureExtractor.resize(FeatureExtractor.rgb(images, m), SIZE, m);
        NDArray e32 = conv(conv(x, "enc32a"), "enc32b");
        NDArray e16 = conv(conv(pool(e32), "enc16a"), "enc16b");
        NDArray mid = conv(pool(e16), "mid8");
        NDArray d16 = conv(up(mid).concat(e16, 1), "dec16");
        NDArray d32 = conv(up(d16).concat(e32, 1), "dec32");
        return Convolution.conv2d(d32, params.get("head.weight"), params.get("head.bias"), 1, 0, 0, 1);
    }

    private NDArray conv(NDArray x, String name) {
        return Activation.leakyRelu(Convolution.conv2d(x, params.get(name + ".weight"), params.get(name + ".bias"),
                1, 1, 1, 1), 0.2f);
    }

    private static NDArray pool(NDArray x) {
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
    }

    private static NDArray up(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2); // nearest-neighbour 2x
    }

    /**
     * One class index per pixel ({@link PartClass} ordinal, by {@link #classes()} order), [N, 32, 32] as uint8
     * values in a byte array per image; images of any size are read at 32 px.
     */
    public byte[][] segment(NDArray images) {
        long n = images.getShape().get(0);
        List<byte[]> out = new ArrayList<>();
        for (long s = 0; s < n; s += 64) {
            try (NDManager m = manager.newSubManager()) {
                NDArray part = images.get(s + ":" + Math.min(n, s + 64)).duplicate();
                part.attach(m);
                int[] cls = logits(part).argMax(1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
                int px = SIZE * SIZE;
                for (int i = 0; i < cls.length / px; i++) {
                    byte[] b = new byte[px];
                    for (int k = 0; k < px; k++) {
                        b[k] = (byte) classes.get(cls[i * px + k]).ordinal();
                    }
                    out.add(b);
                }
            }
        }
        return out.toArray(new byte[0][]);
    }

    // ---- training and evaluation ----

    /**
     * Trains from scratch on images of several masked datasets (indices per dataset): random batches drawn from the
     * datasets in turn, mirrored at random, Adam (lr 2e-3), pixel-wise cross-entropy weighted by 1 / sqrt(class
     * frequency) (so that eyes and noses, a few pixels each, are not ignored), with {@link Augment}'s colour, blur
     * and noise augmentations. Datasets must be 32 px with masks.
     */
    public static PartSegmenter train(List<ImageDataset> data, List<int[]> train, int steps, int batch, long seed,
                                      PrintStream log) {
        if (data.isEmpty() || data.size() != train.size()) {
            throw new IllegalArgumentException("need one index list per dataset");
        }
        for (ImageDataset ds : data) {
            if (!ds.hasMasks() || ds.imageSize() != SIZE) {
                throw new IllegalArgumentException(ds.dir() + ": the segmenter trains on " + SIZE
                        + " px datasets with masks (data build NAME --size 32 --masks)");
            }
        }
        int k = PartClass.values().length;
        double[] freq = new double[k];
        double total = 0;
        for (int d = 0; d < data.size(); d++) {
            for (int i : train.get(d)) {
                for (byte b : data.get(d).classes(i)) {
                    freq[b & 0xff]++;
                    total++;
                }
            }
        }
        float[] weight = new float[k];
        double wsum = 0;
        for (int c = 0; c < k; c++) {
            weight[c] = freq[c] == 0 ? 0 : (float) (1 / Math.sqrt(freq[c] / total));
            wsum += weight[c] * freq[c] / total;
        }
        for (int c = 0; c < k; c++) {
            weight[c] /= (float) wsum; // the mean weight per pixel is 1
        }
        PartSegmenter s = init(seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        ClassifierTrainer trainer = new ClassifierTrainer(s.params, s.manager, 2e-3);
        double avg = Double.NaN;
        try {
            for (int step = 1; step <= steps; step++) {
                int d = step % data.size();
                ImageDataset ds = data.get(d);
                int[] pool = train.get(d);
                int[] idx = new int[batch];
                for (int i = 0; i < batch; i++) {
                    idx[i] = pool[r.nextInt(pool.length)];
                }
                boolean flip = r.nextBoolean();
                Augment aug = Augment.draw(r);
                double loss = trainer.step(m -> {
                    NDArray x = aug.apply(datasetImages(ds, idx, m), s.scalars);
                    NDArray t = onehotWeighted(ds, idx, weight, m);
                    if (flip) {
                        x = x.flip(3);
                        t = t.flip(3);
                    }
                    NDArray lp = s.logits(x).logSoftmax(1);
                    return lp.mul(t).sum().neg().mul(s.scalars.of(1f / (batch * SIZE * SIZE)));
                }, "part segmenter");
                avg = Double.isNaN(avg) ? loss : 0.98 * avg + 0.02 * loss;
                if (log != null && (step % 200 == 0 || step == steps)) {
                    log.printf(Locale.ROOT, "segmenter step %d/%d  loss %.4f%n", step, steps, avg);
                }
            }
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        trainer.finish();
        StringBuilder p = new StringBuilder();
        for (int d = 0; d < data.size(); d++) {
            var man = data.get(d).manifest();
            p.append(d == 0 ? "" : "; ").append(man.id()).append(", ").append(train.get(d).length)
                    .append(" training images; ").append(man.attribution()).append("; ").append(man.licence());
        }
        s.provenance = p.toString();
        s.domains = data.stream().map(ds -> ds.manifest().domain()).toList();
        return s;
    }

    /**
     * Image augmentations that make a segmenter trained on clean renderings read generated images, which are blurrier,
     * noisier and off the renderer's palette: a random permutation of the colour channels (shape, not colour, must
     * name a part), per-channel gain and offset, a 3x3 box blur half the time, and pixel noise.
     */
    record Augment(int[] perm, float[] gain, float[] offset, boolean blur, float noise, long seed) {
        static Augment draw(SplittableRandom r) {
            int[] p = {0, 1, 2};
            if (r.nextBoolean()) {
                for (int i = 2; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int t = p[i];
                    p[i] = p[j];
                    p[j] = t;
                }
            }
            float[] g = new float[3], o = new float[3];
            for (int c = 0; c < 3; c++) {
                g[c] = (float) (0.8 + 0.4 * r.nextDouble());
                o[c] = (float) (0.3 * r.nextDouble() - 0.15);
            }
            return new Augment(p, g, o, r.nextBoolean(), (float) (0.08 * r.nextDouble()), r.nextLong());
        }

        NDArray apply(NDArray x, Scalars scalars) {
            NDManager m = x.getManager();
            long n = x.getShape().get(0);
            if (x.getShape().get(1) != 3) {
                return x;
            }
            NDArray y = x.get(new ai.djl.ndarray.index.NDIndex(":, {}", m.create(new long[] {perm[0], perm[1], perm[2]})));
            y = y.mul(m.create(gain).reshape(1, 3, 1, 1)).add(m.create(offset).reshape(1, 3, 1, 1));
            if (blur) {
                y = Pool.avgPool2d(y, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false, false);
            }
            if (noise > 0) {
                float[] z = new float[(int) (n * 3 * SIZE * SIZE)];
                SplittableRandom r = new SplittableRandom(seed);
                for (int i = 0; i < z.length; i++) {
                    z[i] = (float) (noise * gaussian(r));
                }
                y = y.add(m.create(z, y.getShape()));
            }
            return y.clip(-1, 1);
        }

        private static double gaussian(SplittableRandom r) {
            double u = 1 - r.nextDouble(), v = r.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        }
    }

    /** Images of a 32 px dataset at the given indices, [n, C, 32, 32] in [-1, 1], owned by {@code m}. */
    public static NDArray datasetImages(ImageDataset ds, int[] idx, NDManager m) {
        int c = ds.channels(), px = SIZE * SIZE;
        float[] v = new float[idx.length * c * px];
        for (int i = 0; i < idx.length; i++) {
            byte[] b = ds.pixels(idx[i]);
            for (int j = 0; j < b.length; j++) {
                v[i * c * px + j] = (b[j] & 0xff) / 127.5f - 1f;
            }
        }
        return Tensors.owned(m, v, new Shape(idx.length, c, SIZE, SIZE));
    }

    private static NDArray onehotWeighted(ImageDataset ds, int[] idx, float[] weight, NDManager m) {
        int k = weight.length, px = SIZE * SIZE;
        float[] t = new float[idx.length * k * px];
        for (int i = 0; i < idx.length; i++) {
            byte[] cls = ds.classes(idx[i]);
            for (int j = 0; j < px; j++) {
                int c = cls[j] & 0xff;
                t[(i * k + c) * px + j] = weight[c];
            }
        }
        return Tensors.owned(m, t, new Shape(idx.length, k, SIZE, SIZE));
    }

    /** Per-class intersection over union on held-out images, with the pixel accuracy. */
    public record Evaluation(String dataset, int images, double pixelAccuracy, Map<PartClass, Double> iou,
                             Map<PartClass, Double> share) {
        /** The mean IoU over the classes present in the images. */
        public double meanIou() {
            return iou.values().stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).average()
                    .orElse(Double.NaN);
        }
    }

    public Evaluation evaluate(ImageDataset ds, int[] idx) {
        int k = PartClass.values().length;
        long[] inter = new long[k], union = new long[k], truth = new long[k];
        long right = 0, all = 0;
        for (int s = 0; s < idx.length; s += 64) {
            int[] part = java.util.Arrays.copyOfRange(idx, s, Math.min(idx.length, s + 64));
            byte[][] pred;
            try (NDManager m = manager.newSubManager()) {
                pred = segment(datasetImages(ds, part, m));
            }
            for (int i = 0; i < part.length; i++) {
                byte[] t = ds.classes(part[i]);
                for (int j = 0; j < t.length; j++) {
                    int a = t[j] & 0xff, b = pred[i][j] & 0xff;
                    truth[a]++;
                    all++;
                    if (a == b) {
                        right++;
                        inter[a]++;
                        union[a]++;
                    } else {
                        union[a]++;
                        union[b]++;
                    }
                }
            }
        }
        Map<PartClass, Double> iou = new LinkedHashMap<>(), share = new LinkedHashMap<>();
        for (PartClass c : PartClass.values()) {
            int o = c.ordinal();
            iou.put(c, truth[o] == 0 ? Double.NaN : (double) inter[o] / union[o]);
            share.put(c, (double) truth[o] / all);
        }
        return new Evaluation(ds.manifest().id(), idx.length, (double) right / all, iou, share);
    }

    @Override
    public void close() {
        manager.close();
    }
}
