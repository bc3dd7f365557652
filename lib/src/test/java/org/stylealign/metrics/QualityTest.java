package org.stylealign.metrics;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityTest {

    private static final GeneratorConfig TINY = new GeneratorConfig(16, 3, 8, 8, 2, 0.01f, Map.of(4, 8, 8, 8, 16, 8));

    @Test
    void samplesAreReproducibleAndLeaveTheEnginesGeneratorAlone() {
        try (Generator g = Generator.create(TINY, Device.cpu(), 1); NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            float[] expected = m.randomNormal(new Shape(8)).toFloatArray();
            Engine.getInstance().setRandomSeed(5);
            float[] a = Quality.samples(g, m, 40).toFloatArray(); // two chunks: 32 + 8
            float[] after = m.randomNormal(new Shape(8)).toFloatArray();
            assertArrayEquals(expected, after, "Quality.samples reseeded or consumed the engine's generator");
            Engine.getInstance().setRandomSeed(123);
            float[] b = Quality.samples(g, m, 40).toFloatArray();
            assertArrayEquals(a, b, "the same samples on every call");
            // the noise is random per sample, not the stored constant maps (fresh strengths are 0: make them count)
            g.tensors().forEach((k, t) -> {
                if (k.endsWith("noise_strength")) {
                    t.set(new float[] {1f});
                }
            });
            NDArray one = Quality.samples(g, m, 1);
            NDArray constant = g.generate(g.zFromSeeds(m, 0), 1f, org.stylealign.model.Noise.constant());
            assertTrue(one.sub(constant).abs().max().getFloat() > 1e-4);
        }
    }

    @Test
    void theRegistryFindsBuiltInsAndTakesNewMetrics() {
        assertTrue(MetricRegistry.names().containsAll(java.util.List.of("fid", "kid", "own_domain_share")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricRegistry.get("ppl"));
        assertTrue(e.getMessage().contains("unknown metric 'ppl'") && e.getMessage().contains("fid"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MetricRegistry.register(new Metric() {
            public String name() {
                return "Bad Name";
            }

            public String description() {
                return "";
            }

            public double compute(Evaluation ev) {
                return 0;
            }
        }));
        // a researcher's metric: the mean pixel of the samples, computed through the same evaluation
        MetricRegistry.register(new Metric() {
            public String name() {
                return "mean_pixel_test";
            }

            public String description() {
                return "mean pixel value of the samples";
            }

            public double compute(Evaluation ev) {
                return ev.images().mean().getFloat();
            }
        });
        assertFalse(MetricRegistry.parse("fid,mean_pixel_test").isEmpty());
    }

    @Test
    void qualityScoresByTheMetricsAskedFor() throws Exception {
        try (Generator g = Generator.create(TINY, Device.cpu(), 1); NDManager m = NDManager.newBaseManager()) {
            float[][] real = new float[12][];
            var r = new org.stylealign.model.NumpyRandom(3);
            for (int i = 0; i < real.length; i++) {
                real[i] = r.randn(6);
            }
            FeatureExtractor fx = new FeatureExtractor() {
                public String name() {
                    return "pixel means";
                }

                public float[][] features(NDArray images) {
                    // per image: the mean of each channel and of each channel squared
                    NDArray x = images.reshape(images.getShape().get(0), 3, -1);
                    NDArray f = x.mean(new int[] {2}).concat(x.square().mean(new int[] {2}), 1);
                    float[] v = f.toFloatArray();
                    float[][] out = new float[(int) images.getShape().get(0)][6];
                    for (int i = 0; i < out.length; i++) {
                        System.arraycopy(v, i * 6, out[i], 0, 6);
                    }
                    return out;
                }

                public void close() {
                }
            };
            Quality q = Quality.of(fx, real, 16);
            Quality.Result all = q.of(g);
            assertEquals(java.util.List.of("fid", "kid", "own_domain_share"), java.util.List.copyOf(all.values().keySet()));
            assertTrue(all.fid() > 0 && Double.isNaN(all.ownShare()), all.toString());
            Quality.Result kid = q.withMetrics("kid").of(g);
            assertEquals(java.util.List.of("kid"), java.util.List.copyOf(kid.values().keySet()));
            assertEquals(all.kid(), kid.kid(), 0, "the same samples and features give the same KID");
            assertThrows(IllegalArgumentException.class, kid::fid);
        }
    }
}
