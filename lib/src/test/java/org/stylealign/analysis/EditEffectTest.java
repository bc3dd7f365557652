package org.stylealign.analysis;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleStatistics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EditEffectTest {

    @Test
    void separationAndCorrelationByHand() {
        double[] v = {1, 2, 3, 4};
        boolean[] pos = {false, false, true, true};
        boolean[] neg = {true, true, false, false};
        // (3.5 - 1.5) / population std of 1..4 (sqrt(1.25))
        assertEquals(2 / Math.sqrt(1.25), ChannelSearch.separation(v, pos, neg), 1e-12);
        assertEquals(1.0, ChannelSearch.correlation(v, new double[] {2, 4, 6, 8}), 1e-12);
        assertEquals(-1.0, ChannelSearch.correlation(v, new double[] {4, 3, 2, 1}), 1e-12);
        assertTrue(Double.isNaN(ChannelSearch.correlation(v, new double[] {1, 1, 1, 1})));
    }

    @Test
    void responseMeanAndStandardErrorByHand() {
        // no classifier needed for the arithmetic: a response of deltas 1, 2, 3 has mean 2, sd 1, se 1/sqrt(3)
        EditEffect.Response r = new EditEffect.Response(2, 1 / Math.sqrt(3), 3);
        assertTrue(r.nonZero());
        assertTrue(!new EditEffect.Response(0.1, 0.1, 3).nonZero());
    }

    @Test
    void aZeroEditChangesNothingAndChangeMapsAgreeAsComputedByHand() {
        Generator g = Generator.create(ComponentResetTest.TINY, Device.cpu(), 4);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            StyleStatistics stats = StyleStatistics.of(g, 32, 16, 100);
            NDArray z = g.zFromSeeds(m, 1, 2, 3);
            EditEffect.Edit none = EditEffect.of(g, stats, z, 2, 5, 0f, m);
            assertEquals(0f, none.changeMap().abs().max().getFloat());
            EditEffect.Edit e = EditEffect.of(g, stats, z, 2, 5, 8f, m);
            assertTrue(e.changeMap().max().getFloat() > 0, "an edit of 8 std changes the image");
            assertEquals(1.0, EditEffect.changeMapAgreement(e, e, null), 1e-9);
            // a hand-made pair: b's change map is a's mirrored; agreement is 1 only after mirroring a's map
            NDArray before = m.zeros(new Shape(2, 3, 4, 4));
            float[] ramp = new float[2 * 3 * 16];
            for (int i = 0; i < ramp.length; i++) {
                ramp[i] = (i % 4) * 0.1f; // grows along x
            }
            NDArray a1 = m.create(ramp, new Shape(2, 3, 4, 4)).duplicate();
            EditEffect.Edit a = new EditEffect.Edit(before, a1);
            EditEffect.Edit b = new EditEffect.Edit(before, a1.flip(3));
            assertEquals(-1.0, EditEffect.changeMapAgreement(a, b, null), 1e-6);
            assertEquals(1.0, EditEffect.changeMapAgreement(a, b, map -> map.flip(2)), 1e-6);
        } finally {
            g.close();
        }
    }

    @Test
    void downsampledMapsAreBlockMeans() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] v = new float[16];
            for (int i = 0; i < 16; i++) {
                v[i] = i; // row-major 4x4: 0..15
            }
            NDArray map = m.create(v, new Shape(1, 4, 4));
            float[] pooled = EditEffect.downsampled(2).apply(map).toFloatArray();
            // block means: (0+1+4+5)/4, (2+3+6+7)/4, (8+9+12+13)/4, (10+11+14+15)/4
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, pooled, 1e-6f);
            assertEquals(map, EditEffect.downsampled(4).apply(map));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> EditEffect.downsampled(3).apply(map));
        }
    }

    @Test
    void imagesOfTwoResolutionsAreComparedAtTheSmaller() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] v = new float[16];
            for (int i = 0; i < 16; i++) {
                v[i] = i / 16f;
            }
            NDArray big = m.create(v, new Shape(1, 1, 4, 4));
            NDArray blocks = m.create(new float[] {2.5f / 16, 4.5f / 16, 10.5f / 16, 12.5f / 16}, new Shape(1, 1, 2, 2));
            assertEquals(0.0, ImageDistance.pixelAtCommonSize(big, blocks), 1e-7);
            assertEquals(0.0, ImageDistance.pixelAtCommonSize(blocks, big), 1e-7);
            assertEquals(7.5 / 16, ImageDistance.pixelAtCommonSize(big, m.zeros(new Shape(1, 1, 2, 2))), 1e-6);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ImageDistance.pixelAtCommonSize(big, m.zeros(new Shape(1, 1, 3, 3))));
        }
    }
}
