package org.stylealign.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeMapsTest {

    /** A size x size RGB image, left of column {@code split} one colour, from it on another. */
    private static byte[] halves(int size, int split, int[] left, int[] right) {
        byte[] img = new byte[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    img[c * size * size + y * size + x] = (byte) (x < split ? left[c] : right[c]);
                }
            }
        }
        return img;
    }

    @Test
    void edgesWhereTheColourChangesNoneInFlatRegions() {
        int s = 10;
        byte[] e = EdgeMaps.of(halves(s, 5, new int[] {255, 255, 255}, new int[] {200, 30, 30}), 3, s);
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int v = e[y * s + x] & 0xff;
                // the Sobel kernel spans columns x-1..x+1: the step between columns 4 and 5 marks exactly those two
                assertEquals(x == 4 || x == 5 ? 0 : 255, v, "pixel " + x + "," + y);
                assertEquals(v, e[s * s + y * s + x] & 0xff);
                assertEquals(v, e[2 * s * s + y * s + x] & 0xff);
            }
        }
        byte[] flat = EdgeMaps.of(halves(s, 0, new int[] {0, 0, 0}, new int[] {90, 140, 10}), 3, s);
        for (byte b : flat) {
            assertEquals(255, b & 0xff);
        }
    }

    @Test
    void aColourChangeOfEqualBrightnessIsAnEdgeAndAFaintStepIsNot() {
        int s = 8;
        // red vs green of about the same luminance: a grey-level Sobel would miss it, the per-channel one does not
        byte[] e = EdgeMaps.of(halves(s, 4, new int[] {200, 0, 0}, new int[] {0, 102, 0}), 3, s);
        assertEquals(0, e[2 * s + 3] & 0xff);
        assertEquals(0, e[2 * s + 4] & 0xff);
        assertEquals(255, e[2 * s] & 0xff);
        // a step of 20 grey levels gives a magnitude of 80, under the threshold of 128 (steps of 32 levels)
        byte[] faint = EdgeMaps.of(halves(s, 4, new int[] {100, 100, 100}, new int[] {120, 120, 120}), 3, s);
        assertEquals(80.0, EdgeMaps.magnitude(halves(s, 4, new int[] {100, 100, 100}, new int[] {120, 120, 120}), 3, s)[3],
                1e-9);
        for (byte b : faint) {
            assertEquals(255, b & 0xff);
        }
        assertThrows(IllegalArgumentException.class, () -> EdgeMaps.of(new byte[10], 3, s));
    }

    @Test
    void anEdgeBuildIsTheEdgeMapOfThePlainBuildAndSaysSo(@TempDir Path cache) {
        TestData.assumeNode();
        DatasetBuilder b = TestData.builder(cache);
        ImageDataset plain = b.open(BuildSpec.of("avataaars", 16, 3, 4));
        BuildSpec spec = BuildSpec.ofStyle("avataaars-edges", 16, 3, 4);
        assertTrue(spec.edges());
        assertEquals("avataaars-edges-16px-n3-s4", spec.id());
        assertEquals("avataaars-edges", spec.style());
        ImageDataset edges = b.open(spec);
        assertTrue(edges.manifest().edges());
        assertEquals("avataaars-edges", edges.manifest().style());
        assertEquals(EdgeMaps.OPERATOR, edges.manifest().spec().get("edgeOperator").getAsString());
        int black = 0;
        for (int i = 0; i < 3; i++) {
            byte[] want = EdgeMaps.of(plain.pixels(i), 3, 16);
            assertArrayEquals(want, edges.pixels(i), "image " + i);
            for (byte v : want) {
                black += v == 0 ? 1 : 0;
            }
        }
        // an avatar has outlines but is not all outline
        assertTrue(black > 0 && black < 3 * 3 * 16 * 16 / 2, "black pixels " + black);
        assertThrows(DataException.class, () -> BuildSpec.of("avataaars", 16, 3, 4).withEdges().withMasks());
    }
}
