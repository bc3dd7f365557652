package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpatialTransformTest {

    @Test
    void shiftsRotationsAndStyleNames() {
        assertEquals(new SpatialTransform(0, 20, 0, false), SpatialTransform.ofStyle("avataaars-tx20"));
        assertEquals(new SpatialTransform(180, 0, 0, false), SpatialTransform.ofStyle("avataaars-rot180"));
        assertTrue(SpatialTransform.ofStyle("avataaars").isNone());
        assertThrows(IllegalArgumentException.class, () -> new SpatialTransform(45, 0, 0, false));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = new float[16];
            for (int i = 0; i < 16; i++) {
                v[i] = i + 1; // row-major 4x4: 1..16
            }
            NDArray x = m.create(v, new Shape(1, 4, 4));
            // right by 25% of 4 = 1 column, zero fill
            assertArrayEquals(new float[] {0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15},
                    new SpatialTransform(0, 25, 0, false).apply(x, 0f).toFloatArray());
            // down by 1 row, fill -1, on [N, C, H, W]
            float[] down = new SpatialTransform(0, 0, 25, false).apply(x.reshape(1, 1, 4, 4), -1f).toFloatArray();
            assertArrayEquals(new float[] {-1, -1, -1, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, down);
            // upside down = both axes mirrored; undo restores
            SpatialTransform rot = new SpatialTransform(180, 0, 0, false);
            assertArrayEquals(x.flip(1).flip(2).toFloatArray(), rot.apply(x, 0f).toFloatArray());
            assertArrayEquals(v, rot.undo(rot.apply(x, 0f), 0f).toFloatArray());
            // a clockwise quarter turn: the first column read bottom-up becomes the first row
            float[] q = new SpatialTransform(90, 0, 0, false).apply(x, 0f).toFloatArray();
            assertArrayEquals(new float[] {13, 9, 5, 1}, java.util.Arrays.copyOf(q, 4));
            // undoing a shift brings back everything but what was pushed out
            SpatialTransform right = new SpatialTransform(0, 25, 0, false);
            float[] back = right.undo(right.apply(x, 0f), 0f).toFloatArray();
            assertArrayEquals(new float[] {1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 0}, back);
        }
    }

    @Test
    void theShippedFamilysDeclaredTransformsAreTheOnesItsDataWasBuiltWith() throws Exception {
        var family = org.stylealign.io.ModelFamily.load(java.nio.file.Path.of("..", "models", "family.json"));
        assertEquals(3, family.locality().size());
        for (var m : family.locality()) {
            assertEquals(SpatialTransform.ofStyle(m.style()), SpatialTransform.of(m), m.name() + " (" + m.style() + ")");
        }
        assertTrue(SpatialTransform.of(family.parent()).isNone(), "a member of another role has no transform");
    }
}
