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

/** The readable reference discriminator against the fast path and the reference codes' own logits. */
class ReferenceDiscriminatorTest {

    private static NDArray npy(NDManager m, Path file) throws Exception {
        HostTensor h = Npy.read(file);
        return m.create(h.values(), new Shape(h.shape()));
    }

    @Test
    void matchesTheFastPathAndTheFixturesOfBothReferenceCodes() throws Exception {
        for (Path[] f : new Path[][] {{Fixtures.rosinality(), Fixtures.rosinalityRef()},
                {Fixtures.nvlabsPickle(), Fixtures.nvlabsRef()}}) {
            try (StyleGan2 model = ModelIO.load(f[0], Device.cpu());
                 NDManager m = NDManager.newBaseManager(Device.cpu())) {
                Discriminator d = model.discriminator().orElseThrow();
                NDArray img = npy(m, f[1].resolve("img_noise_const.npy"));
                NDArray ref = ReferenceDiscriminator.forward(d, img);
                double scale = Math.max(1, ref.abs().max().getFloat());
                double fast = ReferenceSynthesisTest.maxAbs(ref, d.forward(img));
                assertTrue(fast < 1e-5 * scale, f[0].getFileName() + ": reference vs fast D " + fast);
                double fixture = ReferenceSynthesisTest.maxAbs(ref, npy(m, f[1].resolve("d_logits.npy")));
                assertTrue(fixture < 1e-4 * scale, f[0].getFileName() + ": reference vs the reference code's logits "
                        + fixture);
                // one image at a time: the minibatch-stddev group shrinks to 1 (the std feature becomes 1e-4)
                NDArray single = npy(m, f[1].resolve("d_logits_single.npy"));
                for (int i = 0; i < 4; i++) {
                    String r = i + ":" + (i + 1);
                    double e = ReferenceSynthesisTest.maxAbs(single.get(r), ReferenceDiscriminator.forward(d, img.get(r)));
                    assertTrue(e < 1e-4 * scale, f[0].getFileName() + ": single image " + i + ": " + e);
                }
            }
        }
    }

    @Test
    void matchesTheFastPathAtOddWidthsSeveralGroupsAndEveryResolution() {
        // widths the engine pads, a 64 px model with two minibatch-stddev groups and two std features, a grey model whose
        // batch (2) is smaller than the group (4)
        Object[][] cases = {
                {new DiscriminatorConfig(64, 3, Map.of(4, 48, 8, 40, 16, 33, 32, 17, 64, 16), 4, 2), 8},
                {new DiscriminatorConfig(16, 1, Map.of(4, 16, 8, 16, 16, 8), 4, 1), 2},
        };
        for (Object[] c : cases) {
            DiscriminatorConfig cfg = (DiscriminatorConfig) c[0];
            int n = (Integer) c[1];
            try (Discriminator d = Discriminator.create(cfg, Device.cpu(), 3);
                 NDManager m = NDManager.newBaseManager(Device.cpu())) {
                NDArray img = m.create(new NumpyRandom(9).randn(n * cfg.imageChannels() * cfg.resolution()
                        * cfg.resolution()), new Shape(n, cfg.imageChannels(), cfg.resolution(), cfg.resolution()));
                NDArray ref = ReferenceDiscriminator.forward(d, img);
                assertEquals(new Shape(n, 1), ref.getShape());
                double scale = Math.max(1, ref.abs().max().getFloat());
                double e = ReferenceSynthesisTest.maxAbs(ref, d.forward(img));
                assertTrue(e < 1e-5 * scale, cfg + ": reference vs fast " + e + " (logits up to " + scale + ")");
            }
        }
    }

    @Test
    void minibatchStdGroupsSamplesByIndexModuloTheGroupCount() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            // 4 samples, group 2 -> groups {0, 2} and {1, 3}; one channel of one pixel
            NDArray x = m.create(new float[] {0, 10, 2, 14}, new Shape(4, 1, 1, 1));
            float[] y = ReferenceDiscriminator.minibatchStd(x, 2, 1).get(":, 1").toFloatArray();
            assertEquals(1f, y[0], 1e-4); // std of {0, 2}
            assertEquals(2f, y[1], 1e-4); // std of {10, 14}
            assertEquals(1f, y[2], 1e-4);
            assertEquals(2f, y[3], 1e-4);
        }
    }
}
