package org.stylealign.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.Flops;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.train.ImageFeed;
import org.stylealign.train.StepStats;
import org.stylealign.train.TrainConfig;
import org.stylealign.train.Trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cost of one training iteration, split into its phases, on random images (the data pipeline is not timed).
 * Phases are separated through the trainer's own switches: a trainer with the whole generator frozen runs only the
 * D step; lazy R1 at interval 2 puts R1 on every other step, so the difference of the two medians is one R1.
 *
 * <p>FLOPs are counted for convolutions and matrix products, a backward pass as two forward passes: G step
 * 3 (F_G + F_D), D step F_G + 2 * 3 F_D, R1 7 F_D (forward, backward, and the backward of that backward). Path
 * length is timed but not part of the amortised step (it is off by default).
 */
public final class TrainBench {

    /** Times in ms; {@code stepMs} is the amortised iteration with lazy R1 at its default interval, no path length. */
    public record Result(int batch, double gStepMs, double dStepMs, double r1StepMs, double plStepMs, double stepMs,
                         double imagesPerSecond, double achievedGflops, double peakGflops) {
    }

    private final Device device;
    private final int steps;

    public TrainBench(Device device, int steps) {
        this.device = device;
        this.steps = steps;
    }

    public Result run(GeneratorConfig gc, int batch, double peak) {
        DiscriminatorConfig dc = Trainer.matchingDiscriminator(gc);
        TrainConfig base = TrainConfig.recipe(gc.resolution(), batch).pathLength(0f, 4).build();
        double[] full = medians(gc, dc, base.withR1(base.r1Gamma(), 2));
        double[] pl = medians(gc, dc, base.withR1(0f, 16).withPathLength(2f, 2));
        double dOnly = medians(gc, dc, base.withR1(0f, 16).withFrozen(List.of("mapping", "affine", "convs", "torgb")))[0];
        double plain = full[0];
        double r1 = Math.max(full[1] - plain, 0);
        double plStep = Math.max(pl[2] - pl[0], 0);
        double gStep = Math.max(plain - dOnly, 0);
        // What a real run pays per iteration: R1 every base.r1Interval() steps.
        double step = plain + r1 / base.r1Interval();
        double fg = Flops.generatorForward(gc);
        double fd = Flops.discriminatorForward(dc);
        double flops = batch * (3 * (fg + fd) + fg + 6 * fd + 7 * fd / base.r1Interval());
        return new Result(batch, gStep * 1000, dOnly * 1000, r1 * 1000, plStep * 1000, step * 1000, batch / step,
                flops / step / 1e9, peak);
    }

    /**
     * The amortised iteration in ms (lazy R1 at the default interval, no path length) when fine-tuning with the
     * given parts frozen (names as {@code stylealign finetune --freeze}): what freezing saves.
     */
    public double frozenStepMs(GeneratorConfig gc, int batch, List<String> frozen) {
        DiscriminatorConfig dc = Trainer.matchingDiscriminator(gc);
        TrainConfig base = TrainConfig.recipe(gc.resolution(), batch).pathLength(0f, 4).build();
        double[] m = medians(gc, dc, base.withR1(base.r1Gamma(), 2).withFrozen(frozen));
        return 1000 * (m[0] + Math.max(m[1] - m[0], 0) / base.r1Interval());
    }

    /**
     * Native operators of the training iteration by self time, over one lazy-R1 interval (so R1 is weighed as
     * often as a real run pays it), after two warm-up steps. {@code trace}: where to keep the Chrome trace, or null.
     */
    public OpProfile profile(GeneratorConfig gc, int batch, List<String> frozen, java.nio.file.Path trace)
            throws java.io.IOException {
        DiscriminatorConfig dc = Trainer.matchingDiscriminator(gc);
        TrainConfig base = TrainConfig.recipe(gc.resolution(), batch).pathLength(0f, 4).build();
        TrainConfig cfg = frozen.isEmpty() ? base : base.withFrozen(frozen);
        try (Trainer t = Trainer.fromScratch(gc, dc, cfg, device, 1)) {
            ImageFeed feed = new RandomImages(gc);
            // warm-up: steps 0 and 1; the profiled steps 2..r1Interval+1 hold exactly one R1 step
            t.step(feed);
            t.step(feed);
            return OpProfile.of(() -> t.step(feed), cfg.r1Interval(), trace);
        }
    }

    /** Median step time with neither regulariser, with R1, with path length. */
    private double[] medians(GeneratorConfig gc, DiscriminatorConfig dc, TrainConfig cfg) {
        List<Double> plain = new ArrayList<>();
        List<Double> r1 = new ArrayList<>();
        List<Double> pl = new ArrayList<>();
        try (Trainer t = Trainer.fromScratch(gc, dc, cfg, device, 1)) {
            ImageFeed feed = new RandomImages(gc);
            for (int i = 0; i < 2; i++) {
                t.step(feed); // warm-up
            }
            for (int i = 0; i < steps; i++) {
                StepStats s = t.step(feed);
                (!Double.isNaN(s.r1()) ? r1 : !Double.isNaN(s.pl()) ? pl : plain).add(s.seconds());
            }
        }
        return new double[] {median(plain), median(r1), median(pl)};
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length == 0 ? Double.NaN : a[a.length / 2];
    }

    /** Uniform noise images: the benchmark times the networks, not a dataset. */
    private static final class RandomImages implements ImageFeed {
        private final GeneratorConfig gc;

        RandomImages(GeneratorConfig gc) {
            this.gc = gc;
        }

        @Override
        public NDArray images(NDManager m, long step, int batch) {
            return m.randomUniform(-1, 1, new Shape(batch, gc.imageChannels(), gc.resolution(), gc.resolution()));
        }

        @Override
        public int resolution() {
            return gc.resolution();
        }

        @Override
        public int channels() {
            return gc.imageChannels();
        }
    }
}
