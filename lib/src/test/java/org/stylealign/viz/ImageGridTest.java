package org.stylealign.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageGridTest {

    @Test
    void valuesMapFromMinusOneOneToBytesWithClamping() {
        assertEquals(0, ImageGrid.to8(-1f, -1f, 1f));
        assertEquals(0, ImageGrid.to8(-3f, -1f, 1f));
        assertEquals(128, ImageGrid.to8(0f, -1f, 1f));
        assertEquals(255, ImageGrid.to8(1f, -1f, 1f));
        assertEquals(255, ImageGrid.to8(7f, -1f, 1f));
        assertEquals(0, ImageGrid.to8(Float.NaN, -1f, 1f));
    }

    @Test
    void channelsArePlanesOfNchw() {
        // one 1x2 RGB image: pixel 0 red, pixel 1 blue
        float[] data = {1, -1, -1, -1, -1, 1};
        BufferedImage img = ImageGrid.toImage(data, 0, 3, 1, 2, -1f, 1f);
        assertEquals(0xFF0000, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x0000FF, img.getRGB(1, 0) & 0xFFFFFF);
        BufferedImage grey = ImageGrid.toImage(new float[] {0f}, 0, 1, 1, 1, -1f, 1f);
        assertEquals(0x808080, grey.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void gridEnlargesSmallImagesByWholeFactorsAndLaysOutRows() {
        int n = 5;
        float[] data = new float[n * 3 * 8 * 8];
        BufferedImage plain = ImageGrid.of(data, n, 3, 8, 8, -1f, 1f).columns(3).cellSize(32).render();
        // 3 columns of 32 px plus 4 px gaps; 2 rows
        assertEquals(4 + 3 * (32 + 4), plain.getWidth());
        assertEquals(4 + 2 * (32 + 4), plain.getHeight());
        BufferedImage labelled = ImageGrid.of(data, n, 3, 8, 8, -1f, 1f).columns(3).cellSize(32).title("t")
                .captions(List.of("a", "b", "c", "d", "e")).rowLabels(List.of("row 1", "row 2"))
                .columnLabels(List.of("x", "y", "z")).render();
        assertTrue(labelled.getWidth() > plain.getWidth());
        assertTrue(labelled.getHeight() > plain.getHeight());
    }

    @Test
    void rejectsWrongSizesAndChannelCounts() {
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(new float[10], 1, 3, 2, 2, -1f, 1f));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.toImage(new float[8], 0, 2, 2, 2, -1f, 1f));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(List.of()));
    }

    @Test
    void acceptsNdArraysInNchwAndChw() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray batch = m.zeros(new Shape(2, 3, 4, 4));
            assertEquals(2, ImageGrid.of(batch).size());
            BufferedImage one = ImageGrid.of(m.ones(new Shape(1, 4, 4))).cellSize(4).render();
            assertEquals(0xFFFFFF, one.getRGB(4, 4) & 0xFFFFFF);
        }
    }
}
