package org.stylealign.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ModelIO;
import org.stylealign.io.Npy;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The readable reference synthesis against the fast path and against the reference codes' own outputs. */
class ReferenceSynthesisTest {

    static double maxAbs(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape());
        float[] x = a.toFloatArray(), y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    @Test
    void matchesTheFastPathAndTheFixturesOfBothReferenceCodes() throws Exception {
        for (Path[] f : new Path[][] {{Fixtures.rosinality(), Fixtures.rosinalityRef()},
                {Fixtures.nvlabsPickle(), Fixtures.nvlabsRef()}}) {
            try (StyleGan2 model = ModelIO.load(f[0], Device.cpu()); NDManager m = NDManager.newBaseManager(Device.cpu())) {
                Generator g = model.generator();
                HostTensor zh = Npy.read(f[1].resolve("z.npy"));
                NDArray z = m.create(zh.values(), new Shape(zh.shape()));
                StyleCodes s = g.styles(g.broadcast(g.mapping(z)));
                NDArray ref = ReferenceSynthesis.render(g, s, true);
                // float32 rounding scales with the values: 1e-5 of the image's largest |value| (at least 1)
                double scale = Math.max(1, ref.abs().max().getFloat());
                double fast = maxAbs(ref, g.synthesis(s, Noise.constant()));
                assertTrue(fast < 1e-5 * scale, f[0].getFileName() + ": reference vs fast path " + fast + " (images up to "
                        + scale + ")");
                HostTensor ih = Npy.read(f[1].resolve("img_noise_const.npy"));
                double fixture = maxAbs(ref, m.create(ih.values(), new Shape(ih.shape())));
                assertTrue(fixture < 1e-4, f[0].getFileName() + ": reference vs the reference code's image " + fixture);
                double none = maxAbs(ReferenceSynthesis.render(g, s, false), g.synthesis(s, Noise.none()));
                assertTrue(none < 1e-5 * scale, f[0].getFileName() + ": without noise " + none);
            }
        }
    }

    @Test
    void matchesTheFastPathAtOddWidthsAndEveryResolution() {
        // widths the engine pads and a 64 px model: 4..64, with 3-channel toRGB and a grey-scale variant
        for (GeneratorConfig c : new GeneratorConfig[] {
                new GeneratorConfig(64, 3, 16, 16, 2, 0.01f, Map.of(4, 48, 8, 40, 16, 33, 32, 17, 64, 16)),
                new GeneratorConfig(16, 1, 8, 8, 1, 0.01f, Map.of(4, 16, 8, 16, 16, 8))}) {
            try (Generator g = Generator.create(c, Device.cpu(), 5); NDManager m = NDManager.newBaseManager(Device.cpu())) {
                StyleCodes s = g.styles(g.broadcast(g.mapping(g.zFromSeeds(m, 1, 2, 3))));
                NDArray ref = ReferenceSynthesis.render(g, s, true);
                double scale = Math.max(1, ref.abs().max().getFloat());
                double d = maxAbs(ref, g.synthesis(s, Noise.constant()));
                assertTrue(d < 1e-5 * scale, c + ": reference vs fast " + d + " (images up to " + scale + ")");
            }
        }
    }

    @Test
    void blockFeaturesAreTheReferencesTrueScaleFeatures() {
        GeneratorConfig c = new GeneratorConfig(32, 3, 16, 16, 2, 0.01f, Map.of(4, 48, 8, 40, 16, 33, 32, 17));
        try (Generator g = Generator.create(c, Device.cpu(), 7); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            StyleCodes s = g.styles(g.broadcast(g.mapping(g.zFromSeeds(m, 4, 5))));
            java.util.List<Generator.BlockFeatures> fast = g.features(s, Noise.constant());
            java.util.List<NDArray> ref = ReferenceSynthesis.blockOutputs(g, s, true);
            assertEquals(4, fast.size());
            assertEquals(2 * fast.size(), ref.size());
            for (int b = 0; b < fast.size(); b++) {
                Generator.BlockFeatures f = fast.get(b);
                assertEquals(4 << b, f.resolution());
                assertEquals(new Shape(2, c.channelsAt(f.resolution()), f.resolution(), f.resolution()),
                        f.features().getShape());
                double scale = Math.max(1, ref.get(2 * b).abs().max().getFloat());
                double d = maxAbs(ref.get(2 * b), f.features());
                assertTrue(d < 1e-5 * scale, "block " + f.resolution() + ": features differ by " + d);
                assertTrue(maxAbs(ref.get(2 * b + 1), f.image()) < 1e-5 * scale, "block " + f.resolution() + " image");
            }
            // the last running image is the output
            assertEquals(0, maxAbs(fast.get(3).image(), g.synthesis(s, Noise.constant())), 1e-6);
        }
    }

    @Test
    void theUpsamplingPiecesByHand() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            // zeros between pixels: 3x3 with the samples at even positions
            assertEquals(java.util.List.of(1f, 0f, 2f, 0f, 0f, 0f, 3f, 0f, 4f),
                    java.util.Arrays.asList(box(ReferenceSynthesis.zeroInsert(x).toFloatArray())));
            // a constant image stays constant through the skip upsampling away from the borders (gain 4 keeps the mean)
            NDArray ones = m.ones(new Shape(1, 1, 4, 4));
            float[] up = ReferenceSynthesis.upsample(ones).toFloatArray();
            assertEquals(64, up.length);
            assertEquals(1f, up[3 * 8 + 3], 1e-6f);
            assertEquals(1f, up[4 * 8 + 4], 1e-6f);
        }
    }

    private static Float[] box(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }
}
