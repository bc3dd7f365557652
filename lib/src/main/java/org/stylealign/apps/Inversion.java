package org.stylealign.apps;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.Scalars;
import org.stylealign.optim.Adam;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.function.IntConsumer;

/**
 * Puts images into a generator's latent space by optimisation (the projector of NVlabs and rosinality; the StyleAlign
 * release's recipe for Z): Adam on the latent, a learning rate with a short ramp-up and a cosine ramp-down, Gaussian
 * noise on W / W+ latents early on (decaying to zero by 75% of the steps), and a loss of a pixel term and a
 * perceptual term (the bundled domain classifier's four convolution layers, unit-normalised over channels as LPIPS
 * does; {@link DomainFeatures#perceptualDistance}). The generator's noise inputs stay the stored maps (not optimised:
 * their regulariser is then not needed). Every image of the batch has its own latent; the losses are summed so that
 * each latent sees its own gradient.
 *
 * <p>Spaces (the paper's Sec. 4.1): Z (one z per image, through the mapping; from z = 0), Z+ (one z per style input),
 * W (one w, from w_avg), W+ (one w per style input, from w_avg).
 */
public final class Inversion {

    public enum Space {
        Z, Z_PLUS, W, W_PLUS;

        public static Space parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "")) {
                case "z" -> Z;
                case "z+", "zplus" -> Z_PLUS;
                case "w" -> W;
                case "w+", "wplus" -> W_PLUS;
                default -> throw new IllegalArgumentException("latent space must be z, z+, w or w+; got '" + s + "'");
            };
        }

        @Override
        public String toString() {
            return switch (this) {
                case Z -> "Z";
                case Z_PLUS -> "Z+";
                case W -> "W";
                case W_PLUS -> "W+";
            };
        }
    }

    /**
     * @param steps          Adam steps
     * @param learningRate   peak learning rate (0.1 as the StyleAlign release and NVlabs)
     * @param rampUp         share of the steps over which the rate rises from 0 (0.05)
     * @param rampDown       share of the steps over which it falls to 0 by a cosine (0.25)
     * @param latentNoise    W / W+ only: noise of this many standard deviations of w at the start (0.05)
     * @param pixelWeight    weight of the mean squared pixel error (images in [-1, 1])
     * @param perceptualWeight weight of the perceptual distance
     * @param noiseWeight    0: the generator's stored noise maps are used and not optimised (the default); above 0:
     *                       per-image noise maps are optimised too, from seeded normal maps, renormalised after every
     *                       step, with {@link #noiseRegularisation} at this weight in the loss (the projector's
     *                       recipe; NVlabs and rosinality use 1e5)
     */
    public record Options(Space space, int steps, float learningRate, float rampUp, float rampDown, float latentNoise,
                          float pixelWeight, float perceptualWeight, long seed, float noiseWeight) {
        public Options {
            if (steps < 1 || !(learningRate > 0) || rampUp < 0 || rampDown < 0 || rampUp + rampDown > 1
                    || pixelWeight < 0 || perceptualWeight < 0 || pixelWeight + perceptualWeight == 0
                    || !(noiseWeight >= 0) || Float.isInfinite(noiseWeight)) {
                throw new IllegalArgumentException("bad inversion options: " + steps + " steps, lr " + learningRate
                        + ", ramps " + rampUp + "/" + rampDown + ", weights " + pixelWeight + "/" + perceptualWeight
                        + ", noise regularisation " + noiseWeight);
            }
        }

        /** Without noise optimisation (the stored noise maps). */
        public Options(Space space, int steps, float learningRate, float rampUp, float rampDown, float latentNoise,
                       float pixelWeight, float perceptualWeight, long seed) {
            this(space, steps, learningRate, rampUp, rampDown, latentNoise, pixelWeight, perceptualWeight, seed, 0f);
        }

        public static Options defaults(Space space) {
            return new Options(space, 500, 0.1f, 0.05f, 0.25f, 0.05f, 1f, 1f, 1);
        }

        public Options withSteps(int n) {
            return new Options(space, n, learningRate, rampUp, rampDown, latentNoise, pixelWeight, perceptualWeight,
                    seed, noiseWeight);
        }

        /** Noise maps optimised too, regularised at {@code weight} (NVlabs' projector: 1e5); 0 turns it off. */
        public Options withNoiseOptimised(float weight) {
            return new Options(space, steps, learningRate, rampUp, rampDown, latentNoise, pixelWeight,
                    perceptualWeight, seed, weight);
        }
    }

    /**
     * @param latent [N, zDim] (Z), [N, numWs, zDim] (Z+), [N, wDim] (W) or [N, numWs, wDim] (W+)
     * @param ws     the W+ codes it renders with, [N, numWs, wDim]
     * @param images the reconstructions, [N, C, R, R]
     * @param loss   the total loss (summed over images) at every step
     * @param pixel  per image, the mean absolute pixel error of the reconstruction
     * @param noise  the optimised noise maps, one [N, 1, R, R] per noise input (empty: the stored maps were used)
     */
    public record Result(Space space, NDArray latent, NDArray ws, NDArray images, double[] loss, double[] pixel,
                         double seconds, List<NDArray> noise) {
        /** A result rendered with the generator's stored noise maps. */
        public Result(Space space, NDArray latent, NDArray ws, NDArray images, double[] loss, double[] pixel,
                      double seconds) {
            this(space, latent, ws, images, loss, pixel, seconds, List.of());
        }

        /** The noise the images were rendered with: the optimised maps, or the stored ones when none were. */
        public Noise noiseInput() {
            return noise.isEmpty() ? Noise.constant() : Noise.maps(noise);
        }

        public double meanPixel() {
            double s = 0;
            for (double p : pixel) {
                s += p;
            }
            return s / pixel.length;
        }
    }

    private Inversion() {
    }

    /**
     * Inverts {@code targets} [N, C, R, R] in [-1, 1] (R = the generator's resolution). {@code perceptual} may be
     * null when its weight is 0. Results belong to the targets' manager. {@code progress} gets the step number.
     */
    public static Result invert(Generator g, NDArray targets, DomainFeatures perceptual, Options o,
                                IntConsumer progress) {
        return invert(g, targets, (NDArray) null, perceptual, o, progress);
    }

    /**
     * Optimisation from an encoder's answer ("encoder + N steps"): W+ starts from {@code encoder}'s codes of the
     * targets, W from their mean over the rows, Z+ and Z from those put into Z by {@link #zFor}.
     */
    public static Result invert(Generator g, NDArray targets, Encoder encoder, DomainFeatures perceptual, Options o,
                                IntConsumer progress) {
        try (NDManager m = targets.getManager().newSubManager()) {
            NDArray start = encoderLatent(g, targets, encoder, o.space(), m);
            return invert(g, targets, start, perceptual, o, progress);
        }
    }

    /**
     * The encoder's answer for {@code targets} in {@code space}, rendered: W+ as the encoder gives it, W the mean of
     * its rows, Z+ and Z through {@link #zFor} (the mapping network inverted row by row, or for the rows' mean), so
     * an encoder also puts images into Z and Z+, where a child renders them through its own mapping. The result's
     * loss curve is empty; its time includes the mapping inversion. Results belong to the targets' manager.
     */
    public static Result fromEncoder(Generator g, NDArray targets, Encoder encoder, Space space) {
        NDManager owner = targets.getManager();
        long t0 = System.nanoTime();
        try (NDManager m = owner.newSubManager()) {
            NDArray latent = encoderLatent(g, targets, encoder, space, m);
            return rendered(g, space, latent, targets, Noise.constant(), new double[0], t0, List.of(), owner);
        }
    }

    /**
     * The result of {@code latent}: its W+ codes and images (with {@code noise}) and their pixel errors against
     * {@code targets}, copied into {@code owner} (with the noise maps) so that the caller's scratch manager can close.
     */
    private static Result rendered(Generator g, Space space, NDArray latent, NDArray targets, Noise noise,
                                   double[] curve, long t0, List<NDArray> noiseMaps, NDManager owner) {
        NDArray ws = toWs(g, space, latent);
        NDArray images = g.synthesis(ws, noise);
        long n = targets.getShape().get(0);
        float[] e = images.sub(targets).abs().reshape(n, -1).mean(new int[] {1}).toFloatArray();
        double[] pixel = new double[(int) n];
        for (int i = 0; i < n; i++) {
            pixel[i] = e[i];
        }
        List<NDArray> out = new ArrayList<>();
        for (NDArray a : Stream.concat(Stream.of(latent, ws, images), noiseMaps.stream()).toList()) {
            NDArray copy = a.duplicate();
            copy.attach(owner);
            out.add(copy);
        }
        return new Result(space, out.get(0), out.get(1), out.get(2), curve, pixel, (System.nanoTime() - t0) / 1e9,
                List.copyOf(out.subList(3, out.size())));
    }

    private static NDArray encoderLatent(Generator g, NDArray targets, Encoder encoder, Space space, NDManager m) {
        NDArray ws = encoder.encode(targets);
        ws.attach(m);
        long n = ws.getShape().get(0);
        NDArray latent = switch (space) {
            case W_PLUS -> ws;
            case W -> ws.mean(new int[] {1});
            case Z -> zFor(g, ws.mean(new int[] {1}), MAPPING_STEPS);
            case Z_PLUS -> zFor(g, ws.reshape(n * g.numWs(), g.config().wDim()), MAPPING_STEPS)
                    .reshape(n, g.numWs(), g.config().zDim());
        };
        latent.attach(m);
        return latent;
    }

    /** Adam steps of {@link #zFor} when an encoder's answer is put into Z or Z+. */
    public static final int MAPPING_STEPS = 500;

    /**
     * The mapping network inverted: for every row of {@code w} [M, wDim], a z [M, zDim] (scaled to norm sqrt(zDim),
     * as a normal sample is) whose mapping is as close to it as Adam finds in {@code steps} steps of the squared W
     * distance, starting from the nearest of 1,024 seeded samples' w. Only the mapping MLP runs, so this costs
     * little beside one synthesis. A w outside the mapping's range (an encoder's or a W+ optimisation's rows can be)
     * gets the z of the nearest point found; compare {@code g.mapping(z)} with {@code w} to see how near. The z is
     * not unique: the mapping is far from isometric, and other z reach nearly the same w.
     * The result belongs to {@code w}'s manager.
     */
    public static NDArray zFor(Generator g, NDArray w, int steps) {
        int zDim = g.config().zDim(), wDim = g.config().wDim();
        Shape ws = w.getShape();
        if (ws.dimension() != 2 || ws.get(1) != wDim) {
            throw new IllegalArgumentException("w must be [M, " + wDim + "], got " + ws);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        NDManager owner = w.getManager();
        try (NDManager m = owner.newSubManager()) {
            Scalars scalars = new Scalars(m);
            NDArray target = w.duplicate();
            target.attach(m);
            NDArray pool = g.zFromSeeds(m, Generator.seedRange(456_000, 1024));
            NDArray poolW = g.mapping(pool);
            // nearest pool member by squared distance: |w|^2 - 2 w.p + |p|^2 (|w|^2 is the same for every p)
            NDArray d = poolW.square().sum(new int[] {1}).reshape(1, -1)
                    .sub(target.matMul(poolW.transpose()).mul(scalars.of(2f)));
            NDArray z = pool.get(d.argMin(1));
            z.attach(m);
            z.setRequiresGradient(true);
            try (Adam adam = new Adam(java.util.Map.of("z", z), m, 0.2, 0.9, 0.999, 1e-8)) {
                for (int step = 0; step < steps; step++) {
                    double lr = 0.2 * schedule((double) step / steps, 0, 0.25);
                    try (NDManager sm = m.newSubManager(); NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray in = z.mul(scalars.of(1f));
                            in.attach(sm);
                            gc.backward(g.mapping(in).sub(target).square().sum());
                        }
                        adam.step(lr);
                    }
                }
            }
            z.setRequiresGradient(false);
            NDArray out = z.div(z.norm(new int[] {1}, true).div(scalars.of((float) Math.sqrt(zDim))).add(
                    scalars.of(1e-12f)));
            out.attach(owner);
            return out;
        }
    }

    /**
     * As {@link #invert(Generator, NDArray, DomainFeatures, Options, IntConsumer)}, starting from {@code start} (a
     * latent of the options' space, shaped as {@link Result#latent}; null: the default start) instead of zeros or
     * w_avg. The start is copied, not changed.
     */
    public static Result invert(Generator g, NDArray targets, NDArray start, DomainFeatures perceptual, Options o,
                                IntConsumer progress) {
        int r = g.config().resolution();
        Shape ts = targets.getShape();
        if (ts.dimension() != 4 || ts.get(1) != g.config().imageChannels() || ts.get(2) != r || ts.get(3) != r) {
            throw new IllegalArgumentException("targets must be [N, " + g.config().imageChannels() + ", " + r + ", "
                    + r + "] for this generator, got " + ts);
        }
        if (perceptual == null && o.perceptualWeight() > 0) {
            throw new IllegalArgumentException("a perceptual weight needs a feature network (DomainFeatures)");
        }
        NDManager owner = targets.getManager();
        long t0 = System.nanoTime();
        long n = ts.get(0);
        try (NDManager m = owner.newSubManager()) {
            Scalars scalars = new Scalars(m);
            NDArray target = targets.duplicate();
            target.attach(m);
            NDArray latent;
            if (start == null) {
                latent = initial(g, o.space(), n, m);
            } else {
                Shape want = initial(g, o.space(), 1, m).getShape();
                Shape got = start.getShape();
                if (got.dimension() != want.dimension() || got.get(0) != n
                        || !got.slice(1).equals(want.slice(1))) {
                    throw new IllegalArgumentException("a start latent for " + o.space() + " and " + n
                            + " images must be " + new Shape(n).addAll(want.slice(1)) + ", got " + got);
                }
                latent = start.duplicate();
                latent.attach(m);
            }
            float wStd = o.space() == Space.W || o.space() == Space.W_PLUS ? wStd(g, m) : 0f;
            java.util.SplittableRandom rng = new java.util.SplittableRandom(o.seed());
            double[] curve = new double[o.steps()];
            latent.setRequiresGradient(true);
            java.util.Map<String, NDArray> params = new java.util.LinkedHashMap<>();
            params.put("latent", latent);
            List<NDArray> noiseMaps = new ArrayList<>();
            if (o.noiseWeight() > 0) { // the projector's start: normal maps, one set per image
                for (NDArray map : g.seededNoiseMaps(m, (int) n, o.seed())) {
                    map.setRequiresGradient(true);
                    params.put("noise" + noiseMaps.size(), map);
                    noiseMaps.add(map);
                }
            }
            Noise noiseInput = noiseMaps.isEmpty() ? Noise.constant() : Noise.maps(noiseMaps);
            Adam adam = new Adam(params, m, o.learningRate(), 0.9, 0.999, 1e-8);
            for (int step = 0; step < o.steps(); step++) {
                double t = (double) step / o.steps();
                double lr = o.learningRate() * schedule(t, o.rampUp(), o.rampDown());
                double noiseScale = wStd * o.latentNoise() * Math.pow(Math.max(0, 1 - t / 0.75), 2);
                // the scope frees every tensor the step makes, whichever manager an op put it in (the target's
                // features are computed from the target, which lives in the outer manager)
                try (NDManager sm = m.newSubManager(); NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray lossValue;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        // a differentiable copy owned by this step: everything computed from it is freed with sm
                        // (an op's result belongs to its first operand's manager, so the copy must be attached
                        // after the noise is added, or every step's graph stays until the inversion ends)
                        NDArray in = noiseScale > 0
                                ? latent.add(gaussian(sm, latent.getShape(), rng).mul(scalars.of((float) noiseScale)))
                                : latent.mul(scalars.of(1f));
                        in.attach(sm);
                        NDArray img = g.synthesis(toWs(g, o.space(), in), noiseInput);
                        lossValue = loss(img, target, perceptual, o, scalars);
                        if (!noiseMaps.isEmpty()) {
                            lossValue = lossValue.add(noiseRegularisation(noiseMaps).sum()
                                    .mul(scalars.of(o.noiseWeight())));
                        }
                        gc.backward(lossValue);
                    }
                    curve[step] = lossValue.getFloat();
                    if (!Double.isFinite(curve[step])) {
                        throw new IllegalStateException("inversion diverged at step " + step + " (loss " + curve[step]
                                + "); lower the learning rate");
                    }
                    adam.step(lr);
                    normaliseNoise(noiseMaps);
                }
                if (progress != null) {
                    progress.accept(step + 1);
                }
            }
            adam.close();
            latent.setRequiresGradient(false);
            noiseMaps.forEach(map -> map.setRequiresGradient(false));
            return rendered(g, o.space(), latent, target, noiseInput, curve, t0, noiseMaps, owner);
        }
    }

    /**
     * The noise regulariser of NVlabs' and rosinality's projectors, per image: for every map [N, 1, H, W], and again
     * after each 2x2 average pooling while the map is larger than 8 x 8, the squared mean of the map times itself
     * shifted by one pixel (cyclically) along the width, plus the same along the height; summed. Normal maps score
     * near 0; a map with spatial structure scores up to 2 per scale (a constant map: 2 at every scale). Returns [N].
     */
    public static NDArray noiseRegularisation(List<NDArray> maps) {
        NDArray total = null;
        for (NDArray map : maps) {
            Shape s = map.getShape();
            if (s.dimension() != 4 || s.get(1) != 1 || s.get(2) != s.get(3)) {
                throw new IllegalArgumentException("noise maps must be [N, 1, R, R], got " + s);
            }
            NDArray x = map;
            while (true) {
                long n = x.getShape().get(0), h = x.getShape().get(2);
                for (int axis : new int[] {3, 2}) {
                    NDArray shifted = x.get(axis == 3 ? ":, :, :, -1:" : ":, :, -1:, :")
                            .concat(x.get(axis == 3 ? ":, :, :, :-1" : ":, :, :-1, :"), axis);
                    NDArray term = x.mul(shifted).reshape(n, -1).mean(new int[] {1}).square();
                    total = total == null ? term : total.add(term);
                }
                if (h <= 8) {
                    break;
                }
                // 2 x 2 average pooling; one axis per mean, as DJL's PyTorch engine reduces over one axis at a time
                x = x.reshape(n, 1, h / 2, 2, h / 2, 2).mean(new int[] {5}).mean(new int[] {3});
            }
        }
        return total;
    }

    /** Every map of every image back to mean 0 and standard deviation 1 (the projectors do this after each step). */
    static void normaliseNoise(List<NDArray> maps) {
        for (NDArray map : maps) {
            try (NDManager sm = map.getManager().newSubManager(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                Shape shape = map.getShape();
                NDArray flat = map.reshape(shape.get(0), -1);
                NDArray centred = flat.sub(flat.mean(new int[] {1}, true));
                NDArray std = centred.square().mean(new int[] {1}, true).sqrt();
                NDArray normalised = centred.div(std.add(1e-8f));
                map.set(normalised.toFloatArray()); // in place: the optimiser holds this tensor
            }
        }
    }

    /** Z: zeros (the StyleAlign release); Z+: zeros per style input; W and W+: w_avg. */
    static NDArray initial(Generator g, Space space, long n, NDManager m) {
        int numWs = g.numWs(), z = g.config().zDim(), w = g.config().wDim();
        return switch (space) {
            case Z -> m.zeros(new Shape(n, z));
            case Z_PLUS -> m.zeros(new Shape(n, numWs, z));
            case W -> g.wAvg(m).repeat(0, n);
            case W_PLUS -> g.wAvg(m).reshape(1, 1, w).repeat(0, n).repeat(1, numWs);
        };
    }

    /** The W+ codes of a latent of the given space. */
    public static NDArray toWs(Generator g, Space space, NDArray latent) {
        return switch (space) {
            case Z -> g.broadcast(g.mapping(latent));
            case Z_PLUS -> g.mappingPlus(latent);
            case W -> g.broadcast(latent);
            case W_PLUS -> latent;
        };
    }

    /** Sum over images of pixelWeight x mean squared error + perceptualWeight x perceptual distance. */
    static NDArray loss(NDArray img, NDArray target, DomainFeatures perceptual, Options o, Scalars scalars) {
        long n = img.getShape().get(0);
        long per = img.getShape().size() / n;
        NDArray total = null;
        if (o.pixelWeight() > 0) {
            NDArray mse = img.sub(target).square().reshape(n, per).sum(new int[] {1})
                    .mul(scalars.of(o.pixelWeight() / per));
            total = mse;
        }
        if (o.perceptualWeight() > 0) {
            NDArray p = perceptual.perceptualDistance(img, target).mul(scalars.of(o.perceptualWeight()));
            total = total == null ? p : total.add(p);
        }
        return total.sum();
    }

    /** The learning-rate factor at progress t in [0, 1): linear ramp-up, cosine ramp-down (NVlabs' projector). */
    static double schedule(double t, double rampUp, double rampDown) {
        double down = rampDown <= 0 ? 1 : Math.min(1, (1 - t) / rampDown);
        double f = 0.5 - 0.5 * Math.cos(down * Math.PI);
        return f * (rampUp <= 0 ? 1 : Math.min(1, t / rampUp));
    }

    /** sqrt of the summed variance of w over 1,000 samples (the latent noise's scale, as NVlabs). */
    static float wStd(Generator g, NDManager m) {
        try (NDManager sm = m.newSubManager()) {
            NDArray w = g.mapping(g.zFromSeeds(sm, Generator.seedRange(123_000, 1000)));
            NDArray mean = w.mean(new int[] {0}, true);
            return (float) Math.sqrt(w.sub(mean).square().sum().getFloat() / 1000);
        }
    }

    private static NDArray gaussian(NDManager m, Shape s, java.util.SplittableRandom rng) {
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i += 2) {
            double u = 1 - rng.nextDouble(), w = rng.nextDouble();
            double rad = Math.sqrt(-2 * Math.log(u));
            v[i] = (float) (rad * Math.cos(2 * Math.PI * w));
            if (i + 1 < v.length) {
                v[i + 1] = (float) (rad * Math.sin(2 * Math.PI * w));
            }
        }
        return m.create(v, s).duplicate(); // libtorch-owned, not over the Java array
    }
}
