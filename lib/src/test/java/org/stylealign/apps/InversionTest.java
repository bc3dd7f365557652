package org.stylealign.apps;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stylealign.io.ModelIO;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleGan2;
import org.stylealign.viz.Workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Inversion of images the generator drew itself from known latents: the answer is known. */
class InversionTest {

    static StyleGan2 model;
    static DomainFeatures features;

    @BeforeAll
    static void load() throws Exception {
        model = ModelIO.load(Workbench.home().resolve(Workbench.DEFAULT_MODEL), Device.cpu());
        features = DomainFeatures.bundled().orElseThrow();
    }

    @AfterAll
    static void close() {
        features.close();
        model.close();
    }

    @Test
    void anImageDrawnFromAKnownWIsRecoveredInW() {
        Generator g = model.generator();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray w = g.mapping(g.zFromSeeds(m, 11, 12));
            NDArray target = g.synthesis(g.broadcast(w), Noise.constant());
            Inversion.Result r = Inversion.invert(g, target, features, Inversion.Options.defaults(Inversion.Space.W)
                    .withSteps(300), null);
            assertEquals(300, r.loss().length);
            assertTrue(r.loss()[299] < 0.2 * r.loss()[0], "loss falls: " + r.loss()[0] + " -> " + r.loss()[299]);
            // the start (w_avg's image) is far from the target; the reconstruction is close
            NDArray avg = g.synthesis(g.broadcast(g.wAvg(m).repeat(0, 2)), Noise.constant());
            double start = avg.sub(target).abs().mean().getFloat();
            assertTrue(r.meanPixel() < 0.35 * start, "mean |pixel error| " + start + " at w_avg -> " + r.meanPixel());
            // the reconstruction is the latent rendered
            NDArray again = g.synthesis(Inversion.toWs(g, Inversion.Space.W, r.latent()), Noise.constant());
            assertEquals(0f, again.sub(r.images()).abs().max().getFloat(), 1e-6f);
        }
    }

    @Test
    void theMappingInvertedRecoversTheWOfAKnownZ() {
        // the shipped parent's mapping (4 layers, 128 -> 128): w = mapping(z0) has an exact answer, z0 itself
        // (up to scale, which the mapping's normalisation removes) or another z
        // with the same w
        Generator g = model.generator();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray z0 = g.zFromSeeds(m, Generator.seedRange(31_000, 8));
            NDArray w = g.mapping(z0);
            NDArray spread = w.sub(w.mean(new int[] {0}, true)).square().sum(new int[] {1}).mean();
            NDArray zStart = Inversion.zFor(g, w, 0);   // the nearest pool member: a different z
            NDArray z = Inversion.zFor(g, w, Inversion.MAPPING_STEPS);
            double before = g.mapping(zStart).sub(w).square().sum(new int[] {1}).mean().getFloat();
            double after = g.mapping(z).sub(w).square().sum(new int[] {1}).mean().getFloat();
            double var = spread.getFloat();
            System.out.printf("mapping inversion: mean squared W error %.3g from the nearest of 1,024 samples, %.3g "
                    + "after %d steps (spread of w %.3g)%n", before, after, Inversion.MAPPING_STEPS, var);
            assertTrue(before > 0.05 * var, "the pool's nearest is not the answer already: " + before + " vs " + var);
            assertTrue(after < 0.01 * var, "W error after the steps " + after + " (spread " + var + ")");
            // scaled as a normal sample
            double[] norms = toDoubles(z.norm(new int[] {1}).toFloatArray());
            for (double nz : norms) {
                assertEquals(Math.sqrt(g.config().zDim()), nz, 1e-3 * nz);
            }
            // not asserted: the direction of z0 itself. The mapping is far from isometric, so many z reach a w this
            // close (cosines to z0 of 0.2-0.6 were seen here); what a child renders depends on w, not on z0
            assertThrows(IllegalArgumentException.class, () -> Inversion.zFor(g, z0.reshape(8, 1, -1), 5));
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void theNoiseRegulariserHasItsKnownValues() {
        // hand-computed values of the projectors' regulariser (squared mean of x times x shifted by one pixel, along
        // the width and the height, at every scale down to 8 x 8)
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            int r = 32;
            float[] ones = new float[r * r], checker = new float[r * r], stripes = new float[r * r];
            for (int y = 0; y < r; y++) {
                for (int x = 0; x < r; x++) {
                    ones[y * r + x] = 1f;
                    checker[y * r + x] = (x + y) % 2 == 0 ? 1f : -1f;
                    stripes[y * r + x] = (x / 2) % 2 == 0 ? 1f : -1f; // columns + + - - ...
                }
            }
            NDArray maps = m.create(ones, new Shape(1, 1, r, r)).concat(m.create(checker, new Shape(1, 1, r, r)))
                    .concat(m.create(stripes, new Shape(1, 1, r, r)));
            float[] v = Inversion.noiseRegularisation(java.util.List.of(maps)).toFloatArray();
            // ones: 2 per scale at 32, 16, 8; checkerboard: 2 at 32, then it pools to zeros; stripes of width 2:
            // 1 at 32 (the width products cancel), 2 at 16 (a checkerboard of columns), 0 at 8
            assertEquals(6f, v[0], 1e-5f);
            assertEquals(2f, v[1], 1e-5f);
            assertEquals(3f, v[2], 1e-5f);
            // a 4 x 4 map is scored at its own scale only; two maps add
            NDArray four = m.ones(new Shape(1, 1, 4, 4));
            assertEquals(8f, Inversion.noiseRegularisation(java.util.List.of(four, maps.get("0:1"))).getFloat(), 1e-5f);
            // normal noise scores near 0 (each term ~ 1 / pixels)
            NDArray normal = m.randomNormal(new Shape(1, 1, 256, 256));
            assertTrue(Inversion.noiseRegularisation(java.util.List.of(normal)).getFloat() < 0.01f);
            assertThrows(IllegalArgumentException.class, () -> Inversion.noiseRegularisation(
                    java.util.List.of(m.ones(new Shape(1, 4, 4)))));
        }
    }

    @Test
    void noiseMapsAreOptimisedWhenAskedAndStayNormalised() {
        Generator g = model.generator();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray w = g.mapping(g.zFromSeeds(m, 21, 22));
            // the target is drawn with noise the stored maps do not have: optimising the maps can reach it
            NDArray target = g.synthesis(g.broadcast(w), g.seededNoise(m, 2, 99));
            var plain = Inversion.Options.defaults(Inversion.Space.W_PLUS).withSteps(60);
            Inversion.Result without = Inversion.invert(g, target, features, plain, null);
            Inversion.Result with = Inversion.invert(g, target, features, plain.withNoiseOptimised(1e5f), null);
            assertTrue(without.noise().isEmpty());
            int layers = (int) g.styleLayers().stream().filter(l -> l.noiseIndex() >= 0).count();
            assertEquals(layers, with.noise().size());
            for (NDArray map : with.noise()) {
                assertEquals(2, map.getShape().get(0));
                NDArray flat = map.reshape(2, -1);
                float[] mean = flat.mean(new int[] {1}).toFloatArray();
                float[] std = flat.sub(flat.mean(new int[] {1}, true)).square().mean(new int[] {1}).sqrt()
                        .toFloatArray();
                for (int i = 0; i < 2; i++) {
                    assertEquals(0f, mean[i], 1e-4f);
                    assertEquals(1f, std[i], 1e-3f);
                }
            }
            // the images are the latent rendered with the optimised maps
            NDArray again = g.synthesis(with.ws(), with.noiseInput());
            assertEquals(0f, again.sub(with.images()).abs().max().getFloat(), 1e-5f);
            System.out.printf("noise optimisation: mean |pixel error| %.4f with, %.4f without (60 W+ steps)%n",
                    with.meanPixel(), without.meanPixel());
            assertThrows(IllegalArgumentException.class, () -> plain.withNoiseOptimised(-1f));
        }
    }

    @Test
    void residentMemoryStaysFlatOverTheSteps() {
        // every step's graph, the target's features included, must be freed with the step: a leak of ~15 MB per step
        // at 16 images (each step's tensors kept until the end) was seen before the step had its own scope
        Generator g = model.generator();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = g.generate(g.zFromSeeds(m, org.stylealign.model.Generator.seedRange(60, 16)), 1f,
                    Noise.constant());
            long[] at = new long[2];
            Inversion.invert(g, x, features, Inversion.Options.defaults(Inversion.Space.W_PLUS).withSteps(40), s -> {
                if (s == 10 || s == 40) {
                    try {
                        at[s == 10 ? 0 : 1] = org.stylealign.model.ResidentMemoryTest.residentKb();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            long growthMb = (at[1] - at[0]) / 1024;
            System.out.println("inversion resident memory growth over 30 steps of 16 images: " + growthMb + " MB");
            assertTrue(growthMb < 120, "resident memory grew " + growthMb + " MB over 30 steps");
        }
    }

    @Test
    void everySpaceRunsAndZStartsAtZero() {
        Generator g = model.generator();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray target = g.generate(g.zFromSeeds(m, 5), 1f, Noise.constant());
            for (Inversion.Space s : Inversion.Space.values()) {
                var r = Inversion.invert(g, target, features, Inversion.Options.defaults(s).withSteps(20), null);
                assertEquals(s == Inversion.Space.Z || s == Inversion.Space.W ? 2 : 3, r.latent().getShape().dimension());
                assertTrue(Double.isFinite(r.meanPixel()));
                // W and W+ start at w_avg and descend at once; Z and Z+ start at z = 0, where the mapping's
                // normalisation makes the first steps jump (their loss falls over hundreds of steps, notebook 08)
                if (s == Inversion.Space.W || s == Inversion.Space.W_PLUS) {
                    assertTrue(r.loss()[19] < r.loss()[0], s + " loss falls in 20 steps");
                }
            }
            assertEquals(0f, Inversion.initial(g, Inversion.Space.Z, 2, m).abs().max().getFloat());
            assertThrows(IllegalArgumentException.class, () -> Inversion.invert(g, m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 16, 16)),
                    features, Inversion.Options.defaults(Inversion.Space.W), null));
            assertEquals(Inversion.Space.W_PLUS, Inversion.Space.parse("w+"));
        }
    }

    @Test
    void theLearningRateScheduleRampsUpAndDown() {
        assertEquals(0, Inversion.schedule(0, 0.05, 0.25), 1e-12);
        assertEquals(1, Inversion.schedule(0.5, 0.05, 0.25), 1e-12);
        assertEquals(0.5, Inversion.schedule(0.875, 0.05, 0.25), 1e-12); // halfway down the cosine
        assertTrue(Inversion.schedule(0.99, 0.05, 0.25) < 0.01);
    }

}
