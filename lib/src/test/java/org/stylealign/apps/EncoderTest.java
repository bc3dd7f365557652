package org.stylealign.apps;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.io.CheckpointException;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An encoder for a tiny random generator, trained here on the real engine; the generator's own images are the key. */
class EncoderTest {

    static final GeneratorConfig TINY = new GeneratorConfig(16, 3, 16, 16, 2, 0.01f, Map.of(4, 32, 8, 32, 16, 16));
    static Generator g;
    static DomainFeatures features;
    static Encoder trained;
    static final List<Double> curve = new ArrayList<>();

    @BeforeAll
    static void train() throws Exception {
        g = withTrueWAvg(Generator.create(TINY, Device.cpu(), 3));
        features = DomainFeatures.bundled().orElseThrow();
        trained = Encoder.train(g, features, null, Encoder.Options.defaults().withSteps(300).withLearningRate(1e-3),
                null, p -> curve.add(p.loss()));
    }

    /** A fresh generator's w_avg is zero; set it to the mean w of 2,000 samples, as training would. */
    static Generator withTrueWAvg(Generator gen) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray w = gen.mapping(gen.zFromSeeds(m, Generator.seedRange(500_000, 2000)));
            gen.tensors().get("mapping.w_avg").set(w.mean(new int[] {0}).toFloatArray());
        }
        return gen;
    }

    @AfterAll
    static void close() {
        trained.close();
        features.close();
        g.close();
    }

    /** Held-out images the generator drew (seeds no training batch uses: those come from the step's random source). */
    static NDArray heldOut(NDManager m, int n) {
        return g.generate(g.zFromSeeds(m, Generator.seedRange(90_000, n)), 1f, Noise.constant());
    }

    static double pixelError(NDArray a, NDArray b) {
        return a.sub(b).abs().mean().getFloat();
    }

    @Test
    void aTrainedEncoderReconstructsTheGeneratorsImagesBetterThanWAvg() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = heldOut(m, 16);
            NDArray fromEncoder = g.synthesis(trained.encode(x), Noise.constant());
            NDArray fromAvg = g.synthesis(g.broadcast(g.wAvg(m).repeat(0, 16)), Noise.constant());
            double enc = pixelError(fromEncoder, x), avg = pixelError(fromAvg, x);
            System.out.printf("encoder test: mean |pixel error| %.4f (encoder) vs %.4f (w_avg); loss %.4f -> %.4f%n",
                    enc, avg, curve.get(0), curve.get(curve.size() - 1));
            assertTrue(enc < 0.7 * avg, "encoder " + enc + " vs w_avg " + avg);
            // an untrained encoder answers w_avg exactly (its last layer starts at zero)
            try (Encoder fresh = Encoder.init(g, Encoder.Config.of(g), 9)) {
                NDArray ws = fresh.encode(x);
                assertEquals(0f, ws.sub(g.wAvg(m).reshape(1, 1, -1)).abs().max().getFloat(), 1e-6f);
            }
        }
    }

    @Test
    void optimisationFromTheEncoderStartsLower() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = heldOut(m, 4);
            for (Inversion.Space s : List.of(Inversion.Space.W_PLUS, Inversion.Space.W)) {
                var o = new Inversion.Options(s, 5, 0.1f, 0.05f, 0.25f, 0f, 1f, 1f, 1);
                var fromAvg = Inversion.invert(g, x, features, o, null);
                var fromEnc = Inversion.invert(g, x, trained, features, o, null);
                assertTrue(fromEnc.loss()[0] < 0.7 * fromAvg.loss()[0],
                        s + ": step-0 loss " + fromEnc.loss()[0] + " from the encoder vs " + fromAvg.loss()[0]);
            }
            // Z and Z+: the encoder's rows put into Z by the inverted mapping; its answer there renders close to
            // its W+ answer, far closer than Z's default start (z = 0) does
            NDArray encImages = g.synthesis(trained.encode(x), Noise.constant());
            for (Inversion.Space s : List.of(Inversion.Space.Z_PLUS, Inversion.Space.Z)) {
                var r = Inversion.fromEncoder(g, x, trained, s);
                assertEquals(0, r.loss().length);
                assertEquals(0f, g.synthesis(Inversion.toWs(g, s, r.latent()), Noise.constant()).sub(r.images())
                        .abs().max().getFloat(), 1e-6f);
                var o = new Inversion.Options(s, 5, 0.1f, 0.05f, 0.25f, 0f, 1f, 1f, 1);
                var fromZero = Inversion.invert(g, x, features, o, null);
                var fromEnc = Inversion.invert(g, x, trained, features, o, null);
                System.out.printf("encoder into %s: mean |pixel error| %.4f (the encoder's W+: %.4f); step-0 loss "
                        + "%.4f from the encoder vs %.4f from z = 0%n", s, r.meanPixel(), pixelError(encImages, x),
                        fromEnc.loss()[0], fromZero.loss()[0]);
                assertTrue(fromEnc.loss()[0] < 0.7 * fromZero.loss()[0],
                        s + ": step-0 loss " + fromEnc.loss()[0] + " from the encoder vs " + fromZero.loss()[0]);
            }
            var wPlus = Inversion.fromEncoder(g, x, trained, Inversion.Space.W_PLUS);
            assertEquals(0f, wPlus.images().sub(encImages).abs().max().getFloat(), 1e-6f);
            // the given start is used as it is: zero steps of learning rate leave it (a 1-step run's lr is 0)
            NDArray start = trained.encode(x);
            var o = new Inversion.Options(Inversion.Space.W_PLUS, 1, 0.1f, 0.5f, 0.25f, 0f, 1f, 1f, 1);
            var r = Inversion.invert(g, x, start, features, o, null);
            assertEquals(0f, r.latent().sub(start).abs().max().getFloat(), 1e-6f);
            assertThrows(IllegalArgumentException.class, () -> Inversion.invert(g, x, start.get("0:2"), features, o,
                    null));
        }
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = heldOut(m, 6);
            NDArray before = trained.encode(x);
            Path f32 = dir.resolve("e32.safetensors"), f16 = dir.resolve("e16.safetensors");
            trained.save(f32, false);
            trained.save(f16, true);
            assertTrue(Files.size(f16) < 0.6 * Files.size(f32));
            try (Encoder a = Encoder.load(f32, g); Encoder b = Encoder.load(f16, g)) {
                assertEquals(0f, a.encode(x).sub(before).abs().max().getFloat());
                assertEquals(trained.config(), b.config());
                assertTrue(a.training().startsWith("steps=300,"), a.training());
                float d16 = b.encode(x).sub(before).abs().max().getFloat();
                assertTrue(d16 < 0.02f, "float16 copy differs by " + d16);
            }
        }
    }

    @Test
    void aFileThatDoesNotMatchTheGeneratorIsAClearError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("enc.safetensors");
        trained.save(f, false);
        // another architecture: 32 px
        try (Generator other = Generator.create(new GeneratorConfig(32, 3, 16, 16, 2, 0.01f,
                Map.of(4, 32, 8, 32, 16, 16, 32, 16)), Device.cpu(), 3)) {
            var e = assertThrows(CheckpointException.class, () -> Encoder.load(f, other));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("resolution 16 px"),
                    e.getMessage());
        }
        // the same architecture, another generator
        try (Generator other = withTrueWAvg(Generator.create(TINY, Device.cpu(), 4))) {
            var e = assertThrows(CheckpointException.class, () -> Encoder.load(f, other));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("another generator"),
                    e.getMessage());
        }
        // not an encoder at all
        Path notEncoder = dir.resolve("features.safetensors");
        features.save(notEncoder);
        var e = assertThrows(CheckpointException.class, () -> Encoder.load(notEncoder));
        assertTrue(e.getMessage().contains(notEncoder.toString()) && e.getMessage().contains("not a w+ encoder"),
                e.getMessage());
    }

    @Test
    void anInterruptedRunResumesFromItsSnapshotAsIfUninterrupted(@TempDir Path dir) throws Exception {
        var o = Encoder.Options.defaults().withSteps(8).withBatch(4, 0).withSnapshotEvery(4);
        Path snap = dir.resolve("run.safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             Encoder straight = Encoder.train(g, features, null, o, null, null)) {
            // interrupted after 4 steps (the progress callback throws, as a killed process would stop there)
            assertThrows(IllegalStateException.class, () -> Encoder.train(g, features, null, o, snap, p -> {
                if (p.step() == 4) {
                    throw new IllegalStateException("interrupted");
                }
            }));
            List<Integer> steps = new ArrayList<>();
            try (Encoder resumed = Encoder.train(g, features, null, o, snap, p -> steps.add(p.step()))) {
                assertEquals(List.of(5, 6, 7, 8), steps);
                NDArray x = heldOut(m, 4);
                float d = resumed.encode(x).sub(straight.encode(x)).abs().max().getFloat();
                assertTrue(d < 1e-5f, "resumed run differs by " + d);
            }
            var bad = assertThrows(CheckpointException.class, () -> Encoder.train(g, features, null,
                    o.withSeed(2), snap, null));
            assertTrue(bad.getMessage().contains(snap.toString()), bad.getMessage());
        }
    }

    @Test
    void residentMemoryStaysFlatOverTrainingSteps() throws Exception {
        long[] at = new long[2];
        // with "real" images too (the generator's drawings at seeds of their own): the image-loss-only path
        DomainFeatures.Source real = new DomainFeatures.Source() {
            public String name() {
                return "drawn";
            }

            public int size() {
                return 1000;
            }

            public NDArray images(NDManager m, int[] idx) {
                long[] seeds = new long[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    seeds[i] = 700_000 + idx[i];
                }
                return g.generate(g.zFromSeeds(m, seeds), 1f, Noise.constant());
            }
        };
        Encoder.train(g, features, real, Encoder.Options.defaults().withSteps(60).withBatch(8, 4), null, p -> {
            if (p.step() == 15 || p.step() == 60) {
                try {
                    at[p.step() == 15 ? 0 : 1] = org.stylealign.model.ResidentMemoryTest.residentKb();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }).close();
        long growthMb = (at[1] - at[0]) / 1024;
        System.out.println("encoder training resident memory growth over 45 steps: " + growthMb + " MB");
        assertTrue(growthMb < 60, "resident memory grew " + growthMb + " MB over 45 steps");
    }
}
