package org.stylealign.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleGan2;
import org.stylealign.viz.Workbench;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint cropped to a lower resolution (the paper's resolution transfer, Fig. 30). */
class ResolutionCropTest {

    @Test
    void keepsEveryTensorUpToTheResolutionAndGivesDAFreshFromRgb() throws Exception {
        ImportedCheckpoint big = Checkpoints.read(Workbench.home().resolve(Workbench.DEFAULT_MODEL));
        ImportedCheckpoint small = ModelIO.atResolution(big, 16, 3);
        assertEquals(16, small.generatorConfig().resolution());
        assertEquals(Map.of(4, 128, 8, 128, 16, 64), small.generatorConfig().channels());
        for (Map.Entry<String, HostTensor> e : big.gEma().entrySet()) {
            boolean kept = !e.getKey().startsWith("synthesis.b32.");
            assertEquals(kept, small.gEma().containsKey(e.getKey()), e.getKey());
            if (kept) {
                assertArrayEquals(e.getValue().values(), small.gEma().get(e.getKey()).values(), e.getKey());
            }
        }
        assertEquals(16, small.discriminatorConfig().resolution());
        assertFalse(small.d().keySet().stream().anyMatch(k -> k.startsWith("b32.")));
        HostTensor fromRgb = small.d().get("b16.fromrgb.weight");
        assertArrayEquals(new long[] {64, 3, 1, 1}, fromRgb.shape());
        assertArrayEquals(big.d().get("b16.conv0.weight").values(), small.d().get("b16.conv0.weight").values());
        assertTrue(small.extraGroups().isEmpty(), "optimiser state does not fit the cropped networks");
        assertThrows(CheckpointException.class, () -> ModelIO.atResolution(big, 32, 0));
        assertThrows(CheckpointException.class, () -> ModelIO.atResolution(big, 4, 0));
    }

    /**
     * The skip generator's image is the upsampled 16 px image plus the 32 px toRGB's detail, so the cropped G draws
     * P's images at 16 px before any fine-tuning: its image correlates with P's image average-pooled to 16 px.
     */
    @Test
    void theCroppedGeneratorDrawsTheParentsImagesAtLowResolution() throws Exception {
        ImportedCheckpoint big = Checkpoints.read(Workbench.home().resolve(Workbench.DEFAULT_MODEL));
        try (StyleGan2 p = ModelIO.build(big, Device.cpu());
             StyleGan2 q = ModelIO.build(ModelIO.atResolution(big, 16, 0), Device.cpu());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Generator g = p.generator(), h = q.generator();
            NDArray z = g.zFromSeeds(m, 1, 2, 3, 4, 5, 6, 7, 8);
            NDArray x32 = g.synthesis(g.broadcast(g.mapping(z)), Noise.constant());
            NDArray x16 = h.synthesis(h.broadcast(h.mapping(z)), Noise.constant());
            assertArrayEquals(new long[] {8, 3, 16, 16}, x16.getShape().getShape());
            NDArray pooled = x32.reshape(8, 3, 16, 2, 16, 2).mean(new int[] {5}).mean(new int[] {3});
            // each image minus the batch's mean image: what is particular to each z (the white background and the
            // centred head are common to all and would make any pairing correlate)
            float[] a = centred(pooled.toFloatArray(), 8), b = centred(x16.toFloatArray(), 8);
            double r = correlation(a, b);
            int img = 3 * 16 * 16; // each z against the next z's image
            double mismatched = correlation(Arrays.copyOfRange(a, 0, a.length - img), Arrays.copyOfRange(b, img, b.length));
            assertTrue(r > 0.5 && r > mismatched + 0.3, "cropped G vs P pooled to 16 px: r = " + r
                    + ", mismatched pairs " + mismatched);
        }
    }

    private static float[] centred(float[] x, int n) {
        int per = x.length / n;
        float[] out = x.clone();
        for (int k = 0; k < per; k++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += x[i * per + k];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                out[i * per + k] -= (float) mean;
            }
        }
        return out;
    }

    private static double correlation(float[] a, float[] b) {
        double[] x = new double[a.length], y = new double[b.length];
        for (int i = 0; i < a.length; i++) {
            x[i] = a[i];
            y[i] = b[i];
        }
        return org.stylealign.analysis.ChannelSearch.correlation(x, y);
    }
}
