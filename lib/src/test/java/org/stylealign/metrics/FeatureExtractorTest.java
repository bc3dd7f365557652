package org.stylealign.metrics;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataPaths;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.TorchScriptArchive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureExtractorTest {

    @TempDir
    Path tmp;

    // a convolution with fixed weights sin(0..53) and the flattened map as features: its length tells the input size
    private static final String CONV_NET = """
            class Feat(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.Feat,
                x: Tensor) -> Tensor:
                w = torch.reshape(torch.sin(torch.arange(54, dtype=6)), [2, 3, 3, 3])
                y = torch.conv2d(x, w, None, [1, 1], [1, 1], [1, 1], 1)
                return torch.flatten(y, 1)
            """;

    static NDArray random(NDManager m, int n, int c, int r, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n * c * r * r];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        NDArray a = m.create(v, new Shape(n, c, r, r)).duplicate();
        a.attach(m);
        return a;
    }

    @Test
    void torchScriptFeaturesResizeAndRunTheUsersNetwork() throws Exception {
        Path file = tmp.resolve("feat.pt");
        Files.write(file, TorchScriptArchive.module("Feat", CONV_NET));
        try (TorchScriptFeatures f = new TorchScriptFeatures(file, 16, TorchScriptFeatures.Range.MINUS_ONE_TO_ONE,
                false); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray img = random(m, 3, 1, 8, 1); // grey 8 px: made RGB and resized to 16 px
            float[][] feats = f.features(img);
            assertEquals(3, feats.length);
            assertEquals(2 * 16 * 16, feats[0].length);
            float[] w = new float[54];
            for (int i = 0; i < 54; i++) {
                w[i] = (float) Math.sin(i);
            }
            NDArray x = f.prepare(img, m);
            NDArray want = Conv2d.conv2d(x, m.create(w, new Shape(2, 3, 3, 3)), null, new Shape(1, 1),
                    new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow().reshape(3, -1);
            float[] flat = want.toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(java.util.Arrays.copyOfRange(flat, i * 512, (i + 1) * 512), feats[i], 1e-4f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new TorchScriptFeatures(tmp.resolve("missing.pt"), 16,
                TorchScriptFeatures.Range.ZERO_TO_255, true));
    }

    /** Sinusoidal stripes: a second "domain" that needs no renderer. */
    static DomainFeatures.Source stripes(int res) {
        return new DomainFeatures.Source() {
            public String name() {
                return "stripes";
            }

            public int size() {
                return 1000;
            }

            public NDArray images(NDManager m, int[] idx) {
                float[] v = new float[idx.length * 3 * res * res];
                int k = 0;
                for (int n : idx) {
                    SplittableRandom r = new SplittableRandom(n);
                    for (int c = 0; c < 3; c++) {
                        double fx = r.nextDouble(), fy = r.nextDouble(), ph = r.nextDouble() * 6;
                        for (int y = 0; y < res; y++) {
                            for (int x = 0; x < res; x++) {
                                v[k++] = (float) Math.sin(fx * x + fy * y + ph);
                            }
                        }
                    }
                }
                NDArray a = m.create(v, new Shape(idx.length, 3, res, res)).duplicate();
                a.attach(m);
                return a;
            }
        };
    }

    @Test
    void domainClassifierSeparatesTwoDomainsAndRoundTrips() throws Exception {
        ImageDataset fashion = ImageDataset.open(new DatasetBuilder(DataPaths.locate().withCache(tmp.resolve("c")))
                .threads(1).build(BuildSpec.of("fashion-mnist", 16, 96, 1)));
        DomainFeatures.Source a = DomainFeatures.Source.of("fashion-mnist", fashion);
        DomainFeatures.Source b = stripes(16);
        try (DomainFeatures f = DomainFeatures.train(List.of(a, b), 60, 16, 3, null);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            int[] idx = new int[32];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = 60 + i; // mostly images the classifier saw rarely or never
            }
            int[] bIdx = java.util.stream.IntStream.range(500, 532).toArray();
            float[][] pa = f.probabilities(a.images(m, idx));
            float[][] pb = f.probabilities(b.images(m, bIdx));
            int right = 0;
            for (float[] p : pa) {
                right += p[0] > 0.5f ? 1 : 0;
            }
            for (float[] p : pb) {
                right += p[1] > 0.5f ? 1 : 0;
            }
            assertTrue(right >= 0.9 * 64, "classified " + right + " of 64 correctly");
            NDArray some = a.images(m, idx);
            float[][] feats = f.features(some);
            assertEquals(128, feats[0].length);
            Path file = tmp.resolve("df.safetensors");
            f.save(file);
            try (DomainFeatures g = DomainFeatures.load(file)) {
                assertEquals(List.of("fashion-mnist", "stripes"), g.classes());
                float[][] again = g.features(some);
                for (int i = 0; i < feats.length; i++) {
                    assertArrayEquals(feats[i], again[i]);
                }
            }
            // FID of the domain with itself is ~0, against the other domain large
            float[][] fa = f.features(a.images(m, java.util.stream.IntStream.range(0, 48).toArray()));
            float[][] fb = f.features(b.images(m, java.util.stream.IntStream.range(0, 48).toArray()));
            assertTrue(Distances.fid(fa, fa) < 1e-6, "FID(a, a)");
            assertTrue(Distances.fid(fa, fb) > 1, "FID(a, b) = " + Distances.fid(fa, fb));
        }
    }
}
