package org.stylealign.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import org.stylealign.model.Flops;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Generator speed against the machine's own dense-convolution rate: images/s of generation, ms per
 * forward+backward, and the achieved GFLOP/s as a fraction of a 3x3 convolution peak measured in the same run.
 */
public final class GeneratorBench {

    /**
     * @param forwardMs         one batch through G without a graph (inference: the lean, chunked path)
     * @param forwardBackwardMs one batch through G and back (a backward pass counted as two forwards)
     */
    public record Result(int resolution, int batch, double forwardMs, double forwardBackwardMs,
                         double gflopPerImage, double peakGflops) {

        public double imagesPerSecond() {
            return 1000.0 * batch / forwardMs;
        }

        /** GFLOP/s of the forward pass alone. */
        public double achievedGflops() {
            return gflopPerImage * batch / (forwardMs / 1000);
        }

        public double fractionOfPeak() {
            return achievedGflops() / peakGflops;
        }

        /** GFLOP/s of forward + backward, the backward counted as two forwards. */
        public double trainingGflops() {
            return 3 * gflopPerImage * batch / (forwardBackwardMs / 1000);
        }
    }

    private final Device device;
    private final int iterations;
    private final PrintStream log;

    public GeneratorBench(Device device, int iterations, PrintStream log) {
        this.device = device;
        this.iterations = iterations;
        this.log = log;
    }

    /** Best GFLOP/s of a plain 3x3 convolution (batch 8, 256 and 512 channels at 32x32 and 64x64). */
    public double convPeak() {
        double best = 0;
        int[][] cases = {{512, 32}, {256, 64}, {256, 32}};
        for (int[] c : cases) {
            best = Math.max(best, convRate(c[0], c[1], 8, true));
        }
        return best;
    }

    /** GFLOP/s of one 3x3 convolution ch -> ch at res x res: what the machine does at a layer's own shape. */
    public double convRate(int ch, int res, int batch, boolean print) {
        try (NDManager m = NDManager.newBaseManager(device)) {
            NDArray x = m.randomNormal(new Shape(batch, ch, res, res));
            NDArray w = m.randomNormal(new Shape(ch, ch, 3, 3));
            double flops = 2.0 * batch * ch * ch * 9 * res * res;
            double s = median(() -> {
                try (NDManager t = m.newSubManager()) {
                    NDArray y = Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
                    y.attach(t);
                    y.toFloatArray();
                }
            });
            double g = flops / s / 1e9;
            if (print) {
                log.printf("  conv3x3 %d->%d at %dx%d, batch %d: %.1f GFLOP/s%n", ch, ch, res, res, batch, g);
            }
            return g;
        }
    }

    public Result run(GeneratorConfig cfg, int batch, double peak) {
        try (Generator g = Generator.create(cfg, device, 1); NDManager m = NDManager.newBaseManager(device)) {
            long[] seeds = new long[batch];
            for (int i = 0; i < batch; i++) {
                seeds[i] = i;
            }
            NDArray z = g.zFromSeeds(m, seeds);
            double fwd = median(() -> {
                try (NDManager t = m.newSubManager()) {
                    NDArray zz = z.duplicate();
                    zz.attach(t);
                    g.generate(zz, 1f, Noise.constant()).toFloatArray();
                }
            });
            for (String name : g.params().trainableNames()) {
                g.tensors().get(name).setRequiresGradient(true);
            }
            double fb = median(() -> {
                try (NDManager t = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray zz = z.duplicate();
                    zz.attach(t);
                    NDArray img = g.generate(zz, 1f, Noise.random());
                    gc.backward(img.square().mean());
                }
            });
            for (String name : g.params().trainableNames()) {
                g.tensors().get(name).setRequiresGradient(false);
            }
            return new Result(cfg.resolution(), batch, fwd * 1000, fb * 1000, Flops.generatorForward(cfg) / 1e9,
                    peak);
        }
    }

    private double median(Runnable r) {
        r.run(); // warm-up: allocator, kernels, JIT
        double[] t = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[iterations / 2];
    }
}
