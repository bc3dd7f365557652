package org.stylealign.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.model.Discriminator;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.Flops;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;
import org.stylealign.model.NumpyRandom;
import org.stylealign.model.ReferenceDiscriminator;
import org.stylealign.model.ReferenceSynthesis;
import org.stylealign.model.StyleCodes;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * The readable reference paths ({@link ReferenceSynthesis}, {@link ReferenceDiscriminator}) against the fast ones on
 * the same networks and inputs: forward time of each, the speed-up, and the largest difference of their outputs.
 */
public final class ReferenceBench {

    /** One network at one resolution: milliseconds per batch of each path, GFLOP per image, max |difference|. */
    public record Row(String network, int resolution, int batch, double fastMs, double referenceMs, double gflopPerImage,
                      double maxAbsDifference) {
        public double speedup() {
            return referenceMs / fastMs;
        }

        /** GFLOP/s of a path given its ms per batch. */
        public double gflops(double ms) {
            return gflopPerImage * batch / (ms / 1e3);
        }
    }

    private final Device device;
    private final int iterations;

    public ReferenceBench(Device device, int iterations) {
        this.device = device;
        this.iterations = iterations;
    }

    /** G's synthesis (constant noise) at {@code cfg}, fast vs reference. */
    public Row synthesis(GeneratorConfig cfg, int batch) {
        try (Generator g = Generator.create(cfg, device, 1); NDManager m = NDManager.newBaseManager(device)) {
            StyleCodes s = g.styles(g.broadcast(g.mapping(g.zFromSeeds(m, Generator.seedRange(0, batch)))));
            Supplier<NDArray> fast = () -> g.synthesis(s, Noise.constant());
            Supplier<NDArray> ref = () -> ReferenceSynthesis.render(g, s, true);
            return time("G synthesis", cfg.resolution(), batch, Flops.generatorForward(cfg), fast, ref);
        }
    }

    /** D at {@code cfg} on random images, fast vs reference. */
    public Row discriminator(DiscriminatorConfig cfg, int batch) {
        try (Discriminator d = Discriminator.create(cfg, device, 1); NDManager m = NDManager.newBaseManager(device)) {
            int r = cfg.resolution();
            NDArray img = m.create(new NumpyRandom(1).randn(batch * cfg.imageChannels() * r * r),
                    new Shape(batch, cfg.imageChannels(), r, r));
            return time("D", r, batch, Flops.discriminatorForward(cfg), () -> d.forward(img),
                    () -> ReferenceDiscriminator.forward(d, img));
        }
    }

    private Row time(String name, int res, int batch, double flopsPerImage, Supplier<NDArray> fast,
                     Supplier<NDArray> ref) {
        double diff;
        try (NDArray a = fast.get(); NDArray b = ref.get()) { // also the warm-up of both paths
            diff = a.sub(b).abs().max().getFloat();
        }
        double fastMs = millis(fast);
        double refMs = millis(ref);
        return new Row(name, res, batch, fastMs, refMs, flopsPerImage / 1e9, diff);
    }

    private double millis(Supplier<NDArray> f) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            try (NDArray out = f.get()) {
                out.toFloatArray(); // wait for the result
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        return best;
    }

    /** Prints one table row. */
    public static void print(PrintStream out, Row r, double peak) {
        out.printf("  %-12s %4d  %6.0f ms (%3.0f%% of peak)  %7.0f ms (%3.0f%% of peak)  %5.1fx   %.2g%n", r.network(),
                r.resolution(), r.fastMs(), 100 * r.gflops(r.fastMs()) / peak, r.referenceMs(),
                100 * r.gflops(r.referenceMs()) / peak, r.speedup(), r.maxAbsDifference());
    }
}
