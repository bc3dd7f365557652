package org.stylealign.apps;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.HostTensor;
import org.stylealign.io.SafeTensors;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Convolution;
import org.stylealign.model.Devices;
import org.stylealign.model.Generator;
import org.stylealign.model.Inference;
import org.stylealign.model.Noise;
import org.stylealign.model.Scalars;
import org.stylealign.model.Tensors;
import org.stylealign.optim.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Encoder inversion (the role of pSp / e4e in the paper's Fig. 16 / 18): a small convolutional network that maps an
 * image of one generator's architecture straight to W+ codes, in one forward pass instead of hundreds of optimisation
 * steps. As e4e does, it predicts an offset from the generator's w_avg, so an untrained encoder already answers w_avg.
 *
 * <pre>
 *   image [N, C, R, R] in [-1, 1]
 *   conv "in"        3x3, C -> 32, leaky ReLU 0.2                       (R x R)
 *   block i, R -> 4: conv "b{i}.conv"  3x3, w_i -> w_{i+1}, leaky ReLU  (same size)
 *                    conv "b{i}.down"  3x3 stride 2, w_{i+1} -> w_{i+1}, leaky ReLU (half size)
 *   flatten (w_last x 4 x 4) -> "fc" hidden, leaky ReLU -> "out" numWs x wDim, reshaped
 *   W+ = w_avg + that                                                     [N, numWs, wDim]
 * </pre>
 * Widths double from 32 per block up to {@link Config#maxWidth}. The last layer starts at zero (the first answer is
 * w_avg for every image).
 *
 * <p>Trained ({@link #train}) on the CPU from pairs the generator draws (z -> W+, style-mixed for diversity, rendered
 * with constant noise) with a latent loss (mean squared error to the true W+) and image losses through the generator
 * (pixel and the perceptual distance of {@link DomainFeatures}, as {@link Inversion} uses); optionally on real images
 * of the generator's domain too (image losses only: their latent is unknown). Saved as safetensors with its
 * architecture and the generator's shape in the metadata, and the generator's w_avg as a tensor.
 */
public final class Encoder implements AutoCloseable {

    static final String META_KIND = "stylealign.kind";
    static final String KIND = "w+ encoder";
    static final String KIND_SNAPSHOT = "w+ encoder training snapshot";
    static final String META_CONFIG = "encoder.config";
    static final String META_TRAINING = "encoder.training";
    static final String META_STEP = "encoder.step";
    static final String META_OPTIONS = "encoder.options";
    static final String W_AVG = "w_avg";

    /**
     * The encoder's architecture and the generator shape it serves.
     *
     * @param resolution  image size R (the generator's)
     * @param channels    image channels (1 or 3)
     * @param numWs       rows of W+
     * @param wDim        width of w
     * @param baseWidth   channels of the first convolution (32)
     * @param maxWidth    cap of the doubling widths (128)
     * @param hidden      width of the hidden linear layer (512)
     */
    public record Config(int resolution, int channels, int numWs, int wDim, int baseWidth, int maxWidth, int hidden) {
        public Config {
            if (resolution < 8 || Integer.bitCount(resolution) != 1 || (channels != 1 && channels != 3) || numWs < 1
                    || wDim < 1 || baseWidth < 1 || maxWidth < baseWidth || hidden < 1) {
                throw new IllegalArgumentException("bad encoder config: " + encode(resolution, channels, numWs, wDim,
                        baseWidth, maxWidth, hidden));
            }
        }

        /** The default encoder for a generator. */
        public static Config of(Generator g) {
            return new Config(g.config().resolution(), g.config().imageChannels(), g.numWs(), g.config().wDim(), 32,
                    128, 512);
        }

        /** Downsampling blocks: R -> 4. */
        int blocks() {
            return Integer.numberOfTrailingZeros(resolution) - 2;
        }

        int width(int block) {
            return Math.min(maxWidth, baseWidth << block);
        }

        String text() {
            return encode(resolution, channels, numWs, wDim, baseWidth, maxWidth, hidden);
        }

        private static String encode(int r, int c, int n, int w, int b, int m, int h) {
            return "resolution=" + r + ",channels=" + c + ",num_ws=" + n + ",w_dim=" + w + ",base_width=" + b
                    + ",max_width=" + m + ",hidden=" + h;
        }

        static Config parse(String s, String source) throws CheckpointException {
            Map<String, Integer> v = new LinkedHashMap<>();
            try {
                for (String kv : s.split(",")) {
                    String[] p = kv.split("=", 2);
                    v.put(p[0].trim(), Integer.parseInt(p[1].trim()));
                }
                return new Config(v.get("resolution"), v.get("channels"), v.get("num_ws"), v.get("w_dim"),
                        v.get("base_width"), v.get("max_width"), v.get("hidden"));
            } catch (RuntimeException e) {
                throw new CheckpointException(source + ": unreadable encoder config '" + s + "'");
            }
        }

        /** The tensor shapes, in order. */
        Map<String, Shape> shapes() {
            Map<String, Shape> s = new LinkedHashMap<>();
            s.put("in.weight", new Shape(baseWidth, channels, 3, 3));
            s.put("in.bias", new Shape(baseWidth));
            int in = baseWidth;
            for (int i = 0; i < blocks(); i++) {
                int out = width(i + 1);
                s.put("b" + i + ".conv.weight", new Shape(out, in, 3, 3));
                s.put("b" + i + ".conv.bias", new Shape(out));
                s.put("b" + i + ".down.weight", new Shape(out, out, 3, 3));
                s.put("b" + i + ".down.bias", new Shape(out));
                in = out;
            }
            s.put("fc.weight", new Shape(hidden, (long) in * 16));
            s.put("fc.bias", new Shape(hidden));
            s.put("out.weight", new Shape((long) numWs * wDim, hidden));
            s.put("out.bias", new Shape((long) numWs * wDim));
            return s;
        }
    }

    private final Config config;
    private final NDManager manager;
    private final Scalars scalars;
    private final Map<String, NDArray> params;
    private final NDArray wAvg; // [1, 1, wDim]
    private String training; // how it was trained (metadata; set by train), or ""

    private Encoder(Config config, Map<String, HostTensor> weights, float[] wAvg, String training, String source) {
        this.config = config;
        this.training = training == null ? "" : training;
        this.manager = NDManager.newBaseManager(Devices.preferred());
        try {
            this.scalars = new Scalars(manager);
            this.params = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : config.shapes().entrySet()) {
                HostTensor h = weights.get(e.getKey());
                if (h == null || !new Shape(h.shape()).equals(e.getValue())) {
                    throw new IllegalArgumentException(source + ": encoder tensor " + e.getKey() + " is "
                            + (h == null ? "missing" : "of shape " + h.shapeString()) + ", expected " + e.getValue());
                }
                params.put(e.getKey(), Tensors.owned(manager, h.values(), e.getValue()));
            }
            if (wAvg.length != config.wDim()) {
                throw new IllegalArgumentException(source + ": w_avg has " + wAvg.length + " values, expected "
                        + config.wDim());
            }
            this.wAvg = Tensors.owned(manager, wAvg, new Shape(1, 1, config.wDim()));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A fresh encoder for {@code g} (He-normal convolutions and hidden layer, a zero last layer), from a seed. */
    public static Encoder init(Generator g, Config config, long seed) {
        check(config, g, "the new encoder");
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, HostTensor> w = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : config.shapes().entrySet()) {
            long[] shape = e.getValue().getShape();
            float[] v = new float[(int) e.getValue().size()];
            if (e.getKey().endsWith(".weight") && !e.getKey().startsWith("out.")) {
                double std = Math.sqrt(2.0 / (e.getValue().size() / shape[0])); // fan-in, leaky ReLU ~ ReLU gain
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * std);
                }
            }
            w.put(e.getKey(), new HostTensor(shape, v));
        }
        try (NDManager m = NDManager.newBaseManager(Devices.preferred())) {
            return new Encoder(config, w, g.wAvg(m).toFloatArray(), "", "the new encoder");
        }
    }

    public Config config() {
        return config;
    }

    /** How it was trained (the options and steps, from the file's metadata), or "" for a fresh one. */
    public String training() {
        return training;
    }

    /** Where a family member's encoder is looked for: {@code encoder-NAME.safetensors} beside its checkpoint. */
    public static Path besideCheckpoint(Path checkpoint, String name) {
        return checkpoint.toAbsolutePath().resolveSibling("encoder-" + name + ".safetensors");
    }

    // ---- inference ----

    /**
     * W+ codes [N, numWs, wDim] of images [N, C, R, R] in [-1, 1], in the images' manager; records no graph
     * (batches of 64).
     */
    public NDArray encode(NDArray images) {
        checkImages(images);
        NDManager owner = images.getManager();
        long n = images.getShape().get(0);
        return Inference.call(() -> {
            float[] all = new float[(int) (n * config.numWs() * config.wDim())];
            int off = 0;
            for (long s = 0; s < n; s += 64) {
                try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray part = images.get(s + ":" + Math.min(n, s + 64)).duplicate();
                    part.attach(m);
                    float[] v = forward(part).toFloatArray();
                    System.arraycopy(v, 0, all, off, v.length);
                    off += v.length;
                }
            }
            return Tensors.owned(owner, all, new Shape(n, config.numWs(), config.wDim()));
        });
    }

    /** The network, differentiable, in the manager of x. */
    NDArray forward(NDArray x) {
        NDManager m = x.getManager();
        NDArray h = conv(x, "in", 1);
        for (int i = 0; i < config.blocks(); i++) {
            h = conv(h, "b" + i + ".conv", 1);
            h = conv(h, "b" + i + ".down", 2);
        }
        long n = h.getShape().get(0);
        h = Activation.leakyRelu(linear(h.reshape(n, -1), "fc", m), 0.2f);
        NDArray offset = linear(h, "out", m).reshape(n, config.numWs(), config.wDim());
        return offset.add(wAvg);
    }

    private NDArray conv(NDArray x, String name, int stride) {
        return Activation.leakyRelu(Convolution.conv2d(x, params.get(name + ".weight"), params.get(name + ".bias"),
                stride, 1, 1, 1), 0.2f);
    }

    private NDArray linear(NDArray x, String name, NDManager m) {
        NDArray wt = params.get(name + ".weight").transpose();
        wt.attach(m); // a transient view: freed with the caller's manager, not kept by the encoder's
        return x.matMul(wt).add(params.get(name + ".bias"));
    }

    private void checkImages(NDArray images) {
        Shape s = images.getShape();
        int r = config.resolution();
        if (s.dimension() != 4 || s.get(1) != config.channels() || s.get(2) != r || s.get(3) != r) {
            throw new IllegalArgumentException("the encoder takes images [N, " + config.channels() + ", " + r + ", "
                    + r + "], got " + s);
        }
    }

    // ---- files ----

    /** Saves the weights (float16 when {@code fp16}: half the size), w_avg and the config, atomically. */
    public void save(Path file, boolean fp16) throws CheckpointException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_KIND, KIND);
        meta.put(META_CONFIG, config.text());
        meta.put(META_TRAINING, training);
        SafeTensors.write(file, hostTensors(), meta, fp16);
    }

    private Map<String, HostTensor> hostTensors() {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        params.forEach((k, v) -> w.put(k, new HostTensor(v.getShape().getShape(), v.toFloatArray())));
        w.put(W_AVG, new HostTensor(new long[] {config.wDim()}, wAvg.toFloatArray()));
        return w;
    }

    /** Loads an encoder without checking it against a generator. */
    public static Encoder load(Path file) throws CheckpointException {
        return fromContents(SafeTensors.read(file), file.toString(), KIND);
    }

    /**
     * Loads an encoder for {@code g}: the file must be an encoder of g's architecture (image size and channels, W+
     * shape) and of g itself (its stored w_avg equal to g's within float16 rounding). A mismatch is a
     * CheckpointException naming the file and what differs.
     */
    public static Encoder load(Path file, Generator g) throws CheckpointException {
        Encoder e = load(file);
        try {
            check(e.config, g, file.toString());
            try (NDManager m = NDManager.newBaseManager(Devices.preferred())) {
                float[] a = e.wAvg.toFloatArray(), b = g.wAvg(m).toFloatArray();
                double diff = 0, scale = 0;
                for (int i = 0; i < a.length; i++) {
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                    scale = Math.max(scale, Math.abs(b[i]));
                }
                if (diff > 2e-3 * scale + 1e-3) {
                    throw new IllegalArgumentException(file + ": this encoder was trained for another generator of the"
                            + " same shape (its w_avg differs from this generator's by up to " + String.format(
                            Locale.ROOT, "%.4f", diff) + ")");
                }
            }
        } catch (IllegalArgumentException ex) {
            e.close();
            throw new CheckpointException(ex.getMessage(), ex);
        }
        return e;
    }

    private static Encoder fromContents(SafeTensors.Contents c, String source, String kind) throws CheckpointException {
        String k = c.metadata().get(META_KIND);
        String cfg = c.metadata().get(META_CONFIG);
        if (!kind.equals(k) || cfg == null) {
            throw new CheckpointException(source + ": not a " + kind + " file (metadata '" + META_KIND + "' is "
                    + (k == null ? "absent" : "'" + k + "'") + ")");
        }
        Config config = Config.parse(cfg, source);
        HostTensor avg = c.tensors().get(W_AVG);
        if (avg == null) {
            throw new CheckpointException(source + ": encoder file has no '" + W_AVG + "' tensor");
        }
        try {
            return new Encoder(config, c.tensors(), avg.values(), c.metadata().get(META_TRAINING), source);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    private static void check(Config c, Generator g, String source) {
        List<String> bad = new ArrayList<>();
        if (c.resolution() != g.config().resolution()) {
            bad.add("resolution " + c.resolution() + " px, the generator's " + g.config().resolution() + " px");
        }
        if (c.channels() != g.config().imageChannels()) {
            bad.add(c.channels() + " image channels, the generator's " + g.config().imageChannels());
        }
        if (c.numWs() != g.numWs() || c.wDim() != g.config().wDim()) {
            bad.add("W+ of " + c.numWs() + " x " + c.wDim() + ", the generator's " + g.numWs() + " x "
                    + g.config().wDim());
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(source + ": the encoder does not match the generator: "
                    + String.join("; ", bad));
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    // ---- training ----

    /**
     * Training settings. Every batch holds {@code batch} generated pairs plus {@code realPerBatch} real images (when
     * real images are given).
     *
     * @param steps           Adam steps
     * @param batch           generated images per step
     * @param realPerBatch    real images per step (0: generated pairs only)
     * @param learningRate    Adam's rate (constant, then a cosine down over the last quarter)
     * @param mixing          share of the generated W+ that are style-mixed (two z, a random crossover row)
     * @param latentWeight    weight of the mean squared error to the true W+ (generated pairs)
     * @param pixelWeight     weight of the mean squared pixel error of the rendered prediction (images in [-1, 1])
     * @param perceptualWeight weight of the perceptual distance of the rendered prediction
     * @param seed            the initial weights and the batches (each step's batch depends on seed and step only)
     * @param snapshotEvery   steps between training snapshots (when a snapshot file is given)
     */
    public record Options(int steps, int batch, int realPerBatch, double learningRate, float mixing,
                          float latentWeight, float pixelWeight, float perceptualWeight, long seed,
                          int snapshotEvery) {
        public Options {
            if (steps < 1 || batch < 1 || realPerBatch < 0 || !(learningRate > 0) || mixing < 0 || mixing > 1
                    || latentWeight < 0 || pixelWeight < 0 || perceptualWeight < 0
                    || latentWeight + pixelWeight + perceptualWeight == 0 || snapshotEvery < 1) {
                throw new IllegalArgumentException("bad encoder training options: " + this);
            }
        }

        /** 2,000 steps of 8 generated images, lr 5e-4, half of them mixed, every weight 1, no real images. */
        public static Options defaults() {
            return new Options(2000, 8, 0, 5e-4, 0.5f, 1f, 1f, 1f, 1, 100);
        }

        public Options withSteps(int n) {
            return new Options(n, batch, realPerBatch, learningRate, mixing, latentWeight, pixelWeight,
                    perceptualWeight, seed, snapshotEvery);
        }

        public Options withBatch(int generated, int real) {
            return new Options(steps, generated, real, learningRate, mixing, latentWeight, pixelWeight,
                    perceptualWeight, seed, snapshotEvery);
        }

        public Options withWeights(float latent, float pixel, float perceptual) {
            return new Options(steps, batch, realPerBatch, learningRate, mixing, latent, pixel, perceptual, seed,
                    snapshotEvery);
        }

        public Options withLearningRate(double lr) {
            return new Options(steps, batch, realPerBatch, lr, mixing, latentWeight, pixelWeight, perceptualWeight,
                    seed, snapshotEvery);
        }

        public Options withSeed(long s) {
            return new Options(steps, batch, realPerBatch, learningRate, mixing, latentWeight, pixelWeight,
                    perceptualWeight, s, snapshotEvery);
        }

        public Options withSnapshotEvery(int n) {
            return new Options(steps, batch, realPerBatch, learningRate, mixing, latentWeight, pixelWeight,
                    perceptualWeight, seed, n);
        }

        /** Everything but the step count: a snapshot resumes only under the same settings. */
        String identity() {
            return String.format(Locale.ROOT, "batch=%d,real=%d,lr=%s,mixing=%s,latent=%s,pixel=%s,perceptual=%s,seed=%d",
                    batch, realPerBatch, learningRate, mixing, latentWeight, pixelWeight, perceptualWeight, seed);
        }
    }

    /** One report of {@link #train}: the step just done and its losses (the latent loss is 0 without pairs). */
    public record Progress(int step, int steps, double loss, double latent, double pixel, double perceptual,
                           double seconds) {
    }

    /**
     * Trains an encoder for {@code g} (whose tensors are not changed). {@code real} may be null (generated pairs
     * only; then {@code realPerBatch} must be 0 or is ignored); {@code perceptual} may be null when its weight is 0.
     * With a {@code snapshot} file, the state (weights, Adam moments, step) is written there every
     * {@code snapshotEvery} steps and at the end (temp file, then rename), and a run finds it and resumes from it:
     * the batches depend on the seed and the step only, so an interrupted run continues as if it had not stopped.
     * {@code progress} (may be null) hears every step.
     */
    public static Encoder train(Generator g, DomainFeatures perceptual, DomainFeatures.Source real, Options o,
                                Path snapshot, Consumer<Progress> progress) throws CheckpointException {
        if (perceptual == null && o.perceptualWeight() > 0) {
            throw new IllegalArgumentException("a perceptual weight needs a feature network (DomainFeatures)");
        }
        int realN = real == null ? 0 : o.realPerBatch();
        if (realN > 0 && o.pixelWeight() + o.perceptualWeight() == 0) {
            throw new IllegalArgumentException("real images need an image loss (pixel or perceptual weight > 0)");
        }
        Config config = Config.of(g);
        Encoder e;
        Map<String, HostTensor> adamState = null;
        int start = 0;
        if (snapshot != null && Files.exists(snapshot)) {
            SafeTensors.Contents c = SafeTensors.read(snapshot);
            String ident = c.metadata().get(META_OPTIONS);
            if (!o.identity().equals(ident)) {
                throw new CheckpointException(snapshot + ": this training snapshot was made with other settings ("
                        + ident + "), not " + o.identity() + "; delete it or train with its settings");
            }
            e = fromContents(c, snapshot.toString(), KIND_SNAPSHOT);
            try {
                check(e.config, g, snapshot.toString());
            } catch (IllegalArgumentException ex) {
                e.close();
                throw new CheckpointException(ex.getMessage(), ex);
            }
            start = Integer.parseInt(c.metadata().get(META_STEP));
            adamState = new LinkedHashMap<>();
            for (Map.Entry<String, HostTensor> t : c.tensors().entrySet()) {
                if (t.getKey().startsWith("adam.")) {
                    adamState.put(t.getKey().substring(5), t.getValue());
                }
            }
        } else {
            e = init(g, config, o.seed());
        }
        try {
            e.fit(g, perceptual, real, realN, o, start, adamState, snapshot, progress);
        } catch (RuntimeException | CheckpointException ex) {
            e.close();
            throw ex;
        }
        return e;
    }

    private void fit(Generator g, DomainFeatures perceptual, DomainFeatures.Source real, int realN, Options o,
                     int start, Map<String, HostTensor> adamState, Path snapshot, Consumer<Progress> progress)
            throws CheckpointException {
        long t0 = System.nanoTime();
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
        try (Adam adam = new Adam(params, manager, o.learningRate(), 0.9, 0.999, 1e-8)) {
            if (adamState != null) {
                adam.restore(adamState, start);
            }
            for (int step = start; step < o.steps(); step++) {
                double lr = o.learningRate() * Inversion.schedule((step + 0.5) / o.steps(), 0, 0.25);
                double[] parts = new double[4];
                try (NDManager sm = manager.newSubManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    SplittableRandom rng = new SplittableRandom(o.seed() * 1_000_003L + step);
                    NDList pair = Inference.call(() -> pairs(g, sm, o.batch(), o.mixing(), rng));
                    NDArray ws = pair.get(0), images = pair.get(1);
                    if (realN > 0) {
                        int[] idx = new int[realN];
                        for (int i = 0; i < realN; i++) {
                            idx[i] = rng.nextInt(real.size());
                        }
                        NDArray r = real.images(sm, idx);
                        checkImages(r);
                        images = images.concat(r, 0);
                        images.attach(sm);
                    }
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray pred = forward(images);
                        NDArray loss = null;
                        if (o.latentWeight() > 0) {
                            NDArray lat = pred.get("0:" + o.batch()).sub(ws).square().mean();
                            parts[1] = lat.getFloat();
                            loss = lat.mul(scalars.of(o.latentWeight()));
                        }
                        if (o.pixelWeight() > 0 || o.perceptualWeight() > 0) {
                            NDArray rec = g.synthesis(pred, Noise.constant());
                            if (o.pixelWeight() > 0) {
                                NDArray pix = rec.sub(images).square().mean();
                                parts[2] = pix.getFloat();
                                NDArray t = pix.mul(scalars.of(o.pixelWeight()));
                                loss = loss == null ? t : loss.add(t);
                            }
                            if (o.perceptualWeight() > 0) {
                                NDArray per = perceptual.perceptualDistance(rec, images).mean();
                                parts[3] = per.getFloat();
                                NDArray t = per.mul(scalars.of(o.perceptualWeight()));
                                loss = loss == null ? t : loss.add(t);
                            }
                        }
                        gc.backward(loss);
                        parts[0] = loss.getFloat();
                    }
                    if (!Double.isFinite(parts[0])) {
                        adam.zeroGrad();
                        throw new IllegalStateException("encoder training diverged at step " + (step + 1) + " (loss "
                                + parts[0] + "); lower the learning rate");
                    }
                    adam.step(lr);
                }
                int done = step + 1;
                if (snapshot != null && (done % o.snapshotEvery() == 0 || done == o.steps())) {
                    writeSnapshot(snapshot, adam, done, o);
                }
                if (progress != null) {
                    progress.accept(new Progress(done, o.steps(), parts[0], parts[1], parts[2], parts[3],
                            (System.nanoTime() - t0) / 1e9));
                }
            }
        } finally {
            for (NDArray p : params.values()) {
                p.setRequiresGradient(false);
            }
        }
        training = String.format(Locale.ROOT, "steps=%d,%s", o.steps(), o.identity());
    }

    private void writeSnapshot(Path file, Adam adam, int step, Options o) throws CheckpointException {
        Map<String, HostTensor> w = hostTensors();
        adam.state().forEach((k, v) -> w.put("adam." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_KIND, KIND_SNAPSHOT);
        meta.put(META_CONFIG, config.text());
        meta.put(META_TRAINING, "");
        meta.put(META_STEP, Integer.toString(step));
        meta.put(META_OPTIONS, o.identity());
        SafeTensors.write(file, w, meta, false);
    }

    /**
     * {ws [n, numWs, wDim], images [n, C, R, R]} drawn by g: z from the random source, mapped; a share of them
     * style-mixed with a second z's W+ from a random row on; rendered with constant noise. Call without a graph.
     */
    static NDList pairs(Generator g, NDManager m, int n, float mixing, SplittableRandom rng) {
        long[] seedsA = new long[n], seedsB = new long[n];
        int numWs = g.numWs(), wDim = g.config().wDim();
        float[] mask = new float[n * numWs];
        for (int i = 0; i < n; i++) {
            seedsA[i] = rng.nextLong() & 0xffffffffL; // NumPy seeds are 32-bit
            seedsB[i] = rng.nextLong() & 0xffffffffL;
            if (numWs > 1 && rng.nextDouble() < mixing) {
                int cross = 1 + rng.nextInt(numWs - 1);
                for (int k = cross; k < numWs; k++) {
                    mask[i * numWs + k] = 1f;
                }
            }
        }
        NDArray a = g.broadcast(g.mapping(g.zFromSeeds(m, seedsA)));
        NDArray b = g.broadcast(g.mapping(g.zFromSeeds(m, seedsB)));
        NDArray mk = Tensors.owned(m, mask, new Shape(n, numWs, 1));
        NDArray ws = a.add(b.sub(a).mul(mk)); // a where the mask is 0, b where it is 1
        ws.attach(m);
        NDArray img = g.synthesis(ws, Noise.constant());
        return new NDList(ws, img);
    }
}
