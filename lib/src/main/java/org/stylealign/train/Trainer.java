package org.stylealign.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;

import org.stylealign.model.Discriminator;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;
import org.stylealign.model.Scalars;
import org.stylealign.model.StyleLayer;
import org.stylealign.optim.Adam;
import org.stylealign.optim.InputGradient;
import org.stylealign.optim.ListKernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * StyleGAN2 training, one step at a time: G step (non-saturating logistic loss), D step (logistic loss on reals and
 * fakes), lazy R1 on reals every {@code r1Interval} steps, lazy path-length regularisation of G every
 * {@code plInterval} steps, generator EMA. Style mixing, noise, z and flips come from
 * {@link TrainRandom} streams keyed by the step, so a run resumed from a snapshot repeats the uninterrupted run
 * bit-exactly.
 *
 * <p>The trainer owns the three networks it is given and closes them.
 */
public final class Trainer implements AutoCloseable {

    /** w_avg tracking speed, as the NVlabs mapping network. */
    static final float W_AVG_BETA = 0.995f;
    /** Path-length running-mean speed and batch shrink, as NVlabs. */
    static final float PL_DECAY = 0.01f;
    static final int PL_BATCH_SHRINK = 2;

    private final TrainConfig cfg;
    private final Generator g;
    private final Generator gEma;
    private final Discriminator d;
    private final NDManager manager;
    private final Scalars scalars;
    private final Map<String, NDArray> gTrain;
    private final Map<String, NDArray> dTrain;
    private final Adam adamG;
    private final Adam adamD;
    private final ListKernels kernels;
    private final List<NDArray> emaParams = new ArrayList<>();
    private final List<NDArray> emaParamSources = new ArrayList<>();
    private final List<NDArray> emaBuffers = new ArrayList<>();
    private final List<NDArray> emaBufferSources = new ArrayList<>();
    private InputGradient r1Helper;
    private InputGradient plHelper;
    private float plMean;
    private long step;
    private long imagesSeen;

    /**
     * @param g    the generator to train
     * @param gEma its moving average (same architecture)
     * @param d    the discriminator
     */
    public Trainer(TrainConfig cfg, Generator g, Generator gEma, Discriminator d) {
        GeneratorConfig gc = g.config();
        DiscriminatorConfig dc = d.config();
        if (!gc.equals(gEma.config())) {
            throw new IllegalArgumentException("G and G_ema differ in architecture: " + gc + " vs " + gEma.config());
        }
        if (gc.resolution() != dc.resolution() || gc.imageChannels() != dc.imageChannels()) {
            throw new IllegalArgumentException("the generator makes " + gc.resolution() + "x" + gc.resolution() + "x"
                    + gc.imageChannels() + " images but the discriminator takes " + dc.resolution() + "x"
                    + dc.resolution() + "x" + dc.imageChannels());
        }
        if (cfg.batch() % Math.min(dc.mbstdGroup(), cfg.batch()) != 0) {
            throw new IllegalArgumentException("batch " + cfg.batch() + " is not a multiple of the minibatch-stddev "
                    + "group " + dc.mbstdGroup());
        }
        this.cfg = cfg;
        this.g = g;
        this.gEma = gEma;
        this.d = d;
        this.manager = NDManager.newBaseManager(g.device());
        this.scalars = new Scalars(manager);
        this.gTrain = trainable(g.tensors(), g.params().trainableNames(), n -> Freeze.generator(cfg.frozen(), n));
        this.dTrain = trainable(d.tensors(), d.params().trainableNames(), n -> Freeze.discriminator(cfg.frozen(), n));
        if (gTrain.isEmpty() && dTrain.isEmpty()) {
            throw new IllegalArgumentException("every tensor is frozen: nothing to train");
        }
        double ratio = cfg.dRatio();
        double gRatio = cfg.gRatio();
        kernels = new ListKernels(manager);
        adamG = new Adam(gTrain, manager, kernels, cfg.lrG() * gRatio, Math.pow(cfg.beta1(), gRatio),
                Math.pow(cfg.beta2(), gRatio), cfg.eps());
        adamD = new Adam(dTrain, manager, kernels, cfg.lrD() * ratio, Math.pow(cfg.beta1(), ratio),
                Math.pow(cfg.beta2(), ratio), cfg.eps());
        java.util.Set<String> params = g.params().trainableNames();
        Map<String, NDArray> emaT = gEma.tensors();
        for (Map.Entry<String, NDArray> e : g.tensors().entrySet()) {
            boolean param = params.contains(e.getKey());
            (param ? emaParams : emaBuffers).add(emaT.get(e.getKey()));
            (param ? emaParamSources : emaBufferSources).add(e.getValue());
        }
    }

    /** Fresh networks from seeds (G_ema starts as a copy of G). */
    public static Trainer fromScratch(GeneratorConfig gc, DiscriminatorConfig dc, TrainConfig cfg, Device device,
                                      long initSeed) {
        Generator g = Generator.create(gc, device, initSeed);
        Generator ema = null;
        Discriminator d = null;
        try {
            ema = copy(g);
            d = Discriminator.create(dc, device, initSeed + 1);
            return new Trainer(cfg, g, ema, d);
        } catch (RuntimeException e) {
            closeAll(g, ema, d);
            throw e;
        }
    }

    /** The discriminator NVlabs pairs with a generator: same resolution and channels, group 4, one stddev channel. */
    public static DiscriminatorConfig matchingDiscriminator(GeneratorConfig gc) {
        return new DiscriminatorConfig(gc.resolution(), gc.imageChannels(), gc.channels(), 4, 1);
    }

    /** A copy of a generator's tensors in a new generator. */
    static Generator copy(Generator src) {
        return src.copy();
    }

    private static Map<String, NDArray> trainable(Map<String, NDArray> all, java.util.Set<String> names,
                                                  java.util.function.Predicate<String> frozen) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String n : names) {
            NDArray t = all.get(n);
            boolean train = !frozen.test(n);
            t.setRequiresGradient(train);
            if (train) {
                out.put(n, t);
            }
        }
        return out;
    }

    public TrainConfig config() {
        return cfg;
    }

    public Generator generator() {
        return g;
    }

    public Generator generatorEma() {
        return gEma;
    }

    public Discriminator discriminator() {
        return d;
    }

    /** Steps done so far (the index of the next step). */
    public long step() {
        return step;
    }

    public long imagesSeen() {
        return imagesSeen;
    }

    /** Running mean of the path lengths (the penalty's target; 0 until the first penalty step). */
    public float plMean() {
        return plMean;
    }

    /** Names of the generator / discriminator tensors being trained (frozen ones excluded). */
    public List<String> trainedNames() {
        List<String> out = new ArrayList<>();
        gTrain.keySet().forEach(n -> out.add("G." + n));
        dTrain.keySet().forEach(n -> out.add("D." + n));
        return out;
    }

    /**
     * One training iteration: G step, D step, R1 when due, EMA. Throws {@link TrainingDivergedException} on a
     * non-finite loss before applying the update that would carry it into the networks.
     */
    public StepStats step(ImageFeed feed) {
        checkFeed(feed);
        long t0 = System.nanoTime();
        int b = cfg.batch();
        double lossG = Double.NaN;
        double lossReal;
        double lossFake;
        double r1 = Double.NaN;
        double pl = Double.NaN;
        try (NDManager m = manager.newSubManager()) {
            // ---- G: D frozen for this phase so no gradient is spent on it
            if (!gTrain.isEmpty()) {
                setRequiresGrad(dTrain, false);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray fake = generate(g, m, TrainRandom.Z_G, TrainRandom.MIX_G, TrainRandom.NOISE_G, false);
                    NDArray loss = Activation.softPlus(d.forward(fake).neg()).mean();
                    gc.backward(loss);
                    lossG = loss.getFloat();
                } finally {
                    setRequiresGrad(dTrain, true);
                }
                guard("G", lossG, adamG);
                adamG.step();
                // ---- lazy path length: (|J^T y| - a)^2 weighted by pl_weight and the interval
                if (cfg.plWeight() > 0 && step % cfg.plInterval() == 0) {
                    float before = plMean;
                    pl = pathLength(cfg.plWeight() * cfg.plInterval());
                    if (!Double.isFinite(pl)) {
                        plMean = before;
                    }
                    guard("path-length", pl, adamG);
                    adamG.step();
                }
            }
            // ---- D on fakes made without a graph and on reals
            NDArray fake = generate(g, m, TrainRandom.Z_D, TrainRandom.MIX_D, TrainRandom.NOISE_D, true);
            NDArray real = realBatch(feed, m);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray[] logits = discriminateBoth(fake, real);
                NDArray lf = Activation.softPlus(logits[0]).mean();
                NDArray lr = Activation.softPlus(logits[1].neg()).mean();
                gc.backward(lf.add(lr));
                lossFake = lf.getFloat();
                lossReal = lr.getFloat();
            }
            guard("D", lossReal + lossFake, adamD);
            if (!dTrain.isEmpty()) {
                adamD.step();
            } else {
                adamD.zeroGrad();
            }
            // ---- lazy R1: gamma/2 |dD(x)/dx|^2, weighted by the interval
            if (cfg.r1Gamma() > 0 && step % cfg.r1Interval() == 0 && !dTrain.isEmpty()) {
                r1 = r1Step(real);
                guard("R1", r1, adamD);
                adamD.step();
            }
        }
        updateEma();
        imagesSeen += b;
        StepStats s = new StepStats(step, imagesSeen, lossG, lossReal, lossFake, r1,
                (System.nanoTime() - t0) / 1e9, pl, plMean);
        step++;
        return s;
    }

    /**
     * D's logits {fakes, reals}, from one pass over both batches when the minibatch-stddev groups allow it (half the
     * native calls, larger convolutions). Sample n of a batch of B is in group n mod B/G, so the two batches are
     * laid out as [G, 2 B/G]: every group holds only fakes or only reals, exactly as in two separate passes.
     */
    private NDArray[] discriminateBoth(NDArray fake, NDArray real) {
        long b = cfg.batch();
        long g = d.config().mbstdGroup();
        if (b < g) {
            return new NDArray[] {d.forward(fake), d.forward(real)};
        }
        long m = b / g;
        Shape s = fake.getShape();
        Shape grouped = new Shape(g, m, s.get(1), s.get(2), s.get(3));
        NDArray both = fake.reshape(grouped).concat(real.reshape(grouped), 1).reshape(2 * b, s.get(1), s.get(2),
                s.get(3));
        NDArray logits = d.forward(both).reshape(g, 2 * m);
        return new NDArray[] {logits.get(":, :" + m), logits.get(":, " + m + ":")};
    }

    private double r1Step(NDArray real) {
        return r1(real, cfg.r1Gamma() / 2 * cfg.r1Interval());
    }

    /**
     * Computes the R1 penalty mean_n |dD(x_n)/dx_n|^2 and accumulates the gradient of {@code scale} times it into
     * D's parameters (not applied). Returns the unscaled penalty.
     */
    double r1(NDArray real, float scale) {
        if (r1Helper == null) {
            r1Helper = InputGradient.r1(manager);
        }
        try (NDManager m = manager.newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = real.duplicate();
            x.attach(m);
            x.setRequiresGradient(true);
            NDArray pen = r1Helper.squaredNorm(d.forward(x), x).mean();
            gc.backward(pen.mul(scalars.of(scale)));
            return pen.getFloat();
        }
    }

    /**
     * The path-length penalty on a half batch: accumulates the gradient of {@code scale} times
     * mean_n (pl_length_n - pl_mean)^2 into G's parameters (not applied) and moves pl_mean towards the batch mean
     * of the lengths. As NVlabs, the updated pl_mean (with its graph) is the target, and the projection directions
     * are normal noise / R so that the lengths do not depend on the resolution. Returns the unscaled penalty.
     */
    double pathLength(float scale) {
        if (plHelper == null) {
            plHelper = InputGradient.pathLength(manager);
        }
        int n = Math.max(1, cfg.batch() / PL_BATCH_SHRINK);
        int res = g.config().resolution();
        try (NDManager m = manager.newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray ws = latents(g, m, n, TrainRandom.Z_PL, TrainRandom.MIX_PL, false);
            // (DJL's requiresGrad reads false on every non-leaf tensor, so ask the trained names instead)
            if (gTrain.keySet().stream().noneMatch(k -> k.startsWith("mapping."))) {
                // mapping frozen: w is a constant, so differentiate with respect to a leaf copy of it
                ws = ws.duplicate();
                ws.attach(m);
                ws.setRequiresGradient(true);
            }
            NDArray img = g.synthesis(ws, noise(g, m, TrainRandom.stream(cfg.seed(), step, TrainRandom.NOISE_PL), n));
            SplittableRandom r = TrainRandom.stream(cfg.seed(), step, TrainRandom.PL_DIRECTIONS);
            float[] dir = new float[Math.toIntExact(img.getShape().size())];
            for (int i = 0; i < dir.length; i++) {
                dir[i] = (float) (r.nextGaussian() / res);
            }
            NDArray y = TrainRandom.owned(m, dir, img.getShape());
            NDArray lengths = plHelper.pathLengths(img, y, ws);
            NDArray old = TrainRandom.owned(m, new float[] {plMean}, new Shape());
            NDArray target = lengths.mean().sub(old).mul(scalars.of(PL_DECAY)).add(old);
            NDArray penalty = lengths.sub(target).square().mean();
            gc.backward(penalty.mul(scalars.of(scale)));
            plMean = target.getFloat();
            return penalty.getFloat();
        }
    }

    private void guard(String phase, double loss, Adam opt) {
        if (!Double.isFinite(loss)) {
            opt.zeroGrad();
            throw new TrainingDivergedException("step " + step + ": the " + phase + " loss is " + loss
                    + "; training diverged (this step was not applied; resume from the last snapshot with a lower "
                    + "learning rate or a larger R1 gamma)");
        }
    }

    private static void setRequiresGrad(Map<String, NDArray> params, boolean on) {
        for (NDArray p : params.values()) {
            p.setRequiresGradient(on);
        }
    }

    private void checkFeed(ImageFeed feed) {
        GeneratorConfig gc = g.config();
        if (feed.resolution() != gc.resolution() || feed.channels() != gc.imageChannels()) {
            throw new IllegalArgumentException("the dataset has " + feed.resolution() + "x" + feed.resolution() + " "
                    + channelWord(feed.channels()) + " images but the model makes " + gc.resolution() + "x"
                    + gc.resolution() + " " + channelWord(gc.imageChannels()) + " images");
        }
    }

    private static String channelWord(int c) {
        return c == 1 ? "grey" : c == 3 ? "RGB" : c + "-channel";
    }

    private NDArray realBatch(ImageFeed feed, NDManager m) {
        int b = cfg.batch();
        int r = g.config().resolution();
        int c = g.config().imageChannels();
        NDArray x = feed.images(m, step, b);
        Shape want = new Shape(b, c, r, r);
        if (!x.getShape().equals(want)) {
            throw new IllegalArgumentException("the image feed gave a batch of shape " + x.getShape() + ", expected "
                    + want);
        }
        if (!cfg.xflip()) {
            return x;
        }
        SplittableRandom rnd = TrainRandom.stream(cfg.seed(), step, TrainRandom.FLIP);
        float[] mask = new float[b];
        for (int i = 0; i < b; i++) {
            mask[i] = rnd.nextBoolean() ? 1f : 0f;
        }
        NDArray sel = TrainRandom.owned(m, mask, new Shape(b, 1, 1, 1));
        NDArray flipped = x.flip(3);
        // x + sel * (flip(x) - x): exact for sel in {0, 1}
        return flipped.sub(x).mul(sel).add(x);
    }

    /**
     * Images from random z with style mixing and random noise, all drawn from this step's streams. With
     * {@code updateWAvg} (the D phase, run without a graph) the generator's w_avg follows the batch mean of w.
     */
    private NDArray generate(Generator gen, NDManager m, int zPurpose, int mixPurpose, int noisePurpose,
                             boolean updateWAvg) {
        int b = cfg.batch();
        NDArray ws = latents(gen, m, b, zPurpose, mixPurpose, updateWAvg);
        return gen.synthesis(ws, noise(gen, m, TrainRandom.stream(cfg.seed(), step, noisePurpose), b));
    }

    /** W+ [n, numWs, wDim] from random z, style-mixed with probability styleMixProb. */
    private NDArray latents(Generator gen, NDManager m, int n, int zPurpose, int mixPurpose, boolean updateWAvg) {
        GeneratorConfig gc = gen.config();
        NDArray z = TrainRandom.normal(m, TrainRandom.stream(cfg.seed(), step, zPurpose), new Shape(n, gc.zDim()));
        NDArray w = gen.mapping(z);
        if (updateWAvg) {
            NDArray wAvg = gen.tensors().get("mapping.w_avg");
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray mean = w.mean(new int[] {0});
                wAvg.subi(mean).muli(W_AVG_BETA).addi(mean);
            }
        }
        NDArray ws = gen.broadcast(w);
        SplittableRandom mix = TrainRandom.stream(cfg.seed(), step, mixPurpose);
        int numWs = gen.numWs();
        int cutoff = 1 + mix.nextInt(numWs - 1);
        if (mix.nextDouble() < cfg.styleMixProb()) {
            NDArray z2 = TrainRandom.normal(m, mix, new Shape(n, gc.zDim()));
            ws = gen.mix(ws, gen.broadcast(gen.mapping(z2)), cutoff);
        }
        return ws;
    }

    private Noise noise(Generator gen, NDManager m, SplittableRandom r, int n) {
        List<StyleLayer> convs = new ArrayList<>();
        for (StyleLayer l : gen.styleLayers()) {
            if (l.noiseIndex() >= 0) {
                convs.add(l);
            }
        }
        convs.sort(java.util.Comparator.comparingInt(StyleLayer::noiseIndex));
        List<NDArray> maps = new ArrayList<>();
        for (StyleLayer l : convs) {
            maps.add(TrainRandom.normal(m, r, new Shape(n, 1, l.resolution(), l.resolution())));
        }
        return Noise.maps(maps);
    }

    /** ema = lerp(ema, param, 1 - beta) with beta from the half-life in images; buffers are copied. */
    private void updateEma() {
        double emaNimg = cfg.emaKimg() * 1000.0;
        if (cfg.emaRampup() > 0) {
            emaNimg = Math.min(emaNimg, imagesSeen * (double) cfg.emaRampup());
        }
        double beta = Math.pow(0.5, cfg.batch() / Math.max(emaNimg, 1e-8));
        kernels.lerp(emaParams, emaParamSources, 1 - beta);
        if (!emaBuffers.isEmpty()) {
            kernels.copy(emaBuffers, emaBufferSources);
        }
    }

    private static void closeAll(AutoCloseable... cs) {
        for (AutoCloseable c : cs) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
        }
    }

    @Override
    public void close() {
        if (r1Helper != null) {
            r1Helper.close();
        }
        if (plHelper != null) {
            plHelper.close();
        }
        adamG.close();
        adamD.close();
        kernels.close();
        manager.close();
        closeAll(g, gEma, d);
    }

    // package-private access for snapshots and tests
    Adam adamG() {
        return adamG;
    }

    Adam adamD() {
        return adamD;
    }

    void restoreCounters(long steps, long images, float plMean) {
        this.step = steps;
        this.imagesSeen = images;
        this.plMean = plMean;
    }
}
