package org.stylealign.analysis;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.stylealign.data.PartClass;
import org.stylealign.model.StyleCodes;
import org.stylealign.model.StyleLayer;
import org.stylealign.model.StyleStatistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Localized-channel detection against answers known by construction: a synthetic renderer whose image is a sum of
 * fixed spatial patterns, one per channel, weighted by the channel's style value.
 */
class LocalizedChannelsTest {

    static final int PX = 32 * 32;
    static final int C = 5;

    /** The part mask: hair on the top 8 rows, eyes on a 4x8 patch, mouth on a 4x8 patch, skin elsewhere. */
    static byte[] mask() {
        byte[] m = new byte[PX];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                PartClass c = y < 8 ? PartClass.HAIR
                        : y >= 12 && y < 16 && x >= 8 && x < 16 ? PartClass.EYES
                        : y >= 22 && y < 26 && x >= 12 && x < 20 ? PartClass.MOUTH : PartClass.SKIN;
                m[y * 32 + x] = (byte) c.ordinal();
            }
        }
        return m;
    }

    /**
     * Channel patterns: 0 paints the eyes only, 1 the whole image uniformly, 2 the mouth only, 3 the hair only, 4 a
     * noise pattern of its own in every image (the change lands anywhere: localized nowhere).
     */
    static float[][] patterns(long image) {
        byte[] m = mask();
        float[][] p = new float[C][PX];
        java.util.Random noise = new java.util.Random(image * 31 + 7);
        for (int j = 0; j < PX; j++) {
            int cls = m[j];
            p[0][j] = cls == PartClass.EYES.ordinal() ? 1 : 0;
            p[1][j] = 1;
            p[2][j] = cls == PartClass.MOUTH.ordinal() ? 1 : 0;
            p[3][j] = cls == PartClass.HAIR.ordinal() ? 1 : 0;
            p[4][j] = noise.nextInt(64) / 64f; // multiples of 1/64: sums stay exact
        }
        return p;
    }

    static final List<StyleLayer> LAYERS = List.of(
            new StyleLayer(0, "b4.conv1", 4, StyleLayer.Kind.CONV, C, C, 0, 0),
            new StyleLayer(1, "b4.torgb", 4, StyleLayer.Kind.TORGB, C, 3, 1, -1));

    /**
     * image[n, :, j] = sum_c s[n, c]^2 pattern_c[j] (grey; non-linear in s, separable in space). Layer 1 (a toRGB
     * layer the renderer does not use) carries the image's id, so that its noise pattern stays the same under edits.
     * Values 1 or 2 and steps of 1/8 keep every sum exact: channel 1's change map is exactly constant.
     */
    static NDArray render(StyleCodes s) {
        NDArray v = s.get(0);
        long n = v.getShape().get(0);
        float[] sv = v.toFloatArray(), id = s.get(1).toFloatArray();
        float[] img = new float[(int) n * 3 * PX];
        for (int i = 0; i < n; i++) {
            float[][] p = patterns((long) Math.floor(id[i * C]));
            for (int c = 0; c < C; c++) {
                float w = sv[i * C + c] * sv[i * C + c];
                for (int j = 0; j < PX; j++) {
                    for (int ch = 0; ch < 3; ch++) {
                        img[(i * 3 + ch) * PX + j] += w * p[c][j];
                    }
                }
            }
        }
        return v.getManager().create(img, new Shape(n, 3, 32, 32));
    }

    /** Defaults but eps = 1/8 (exact sums in the synthetic renderer). */
    static LocalizedChannels.Options eighth(int images) {
        return new LocalizedChannels.Options(images, 0, 0.125f, 2, 0.5, 0.25, false, 4);
    }

    static LocalizedChannels.Scan scan(NDManager root, LocalizedChannels.Options o) {
        float[][] mean = {new float[C], new float[C]};
        float[][] std = {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}};
        StyleStatistics stats = new StyleStatistics(LAYERS, mean, std, 2);
        Function<NDArray, byte[][]> segment = images -> {
            byte[][] out = new byte[(int) images.getShape().get(0)][];
            for (int i = 0; i < out.length; i++) {
                out[i] = mask();
            }
            return out;
        };
        return LocalizedChannels.scan(LAYERS, root, (m, seeds) -> {
            float[] v = new float[seeds.length * C], ids = new float[seeds.length * C];
            for (int i = 0; i < seeds.length; i++) {
                for (int c = 0; c < C; c++) {
                    v[i * C + c] = 1 + (seeds[i] + c) % 2; // every channel in use, values vary by image
                    ids[i * C + c] = seeds[i];
                }
            }
            List<NDArray> values = new ArrayList<>();
            values.add(m.create(v, new Shape(seeds.length, C)));
            values.add(m.create(ids, new Shape(seeds.length, C)));
            return new StyleCodes(LAYERS, values);
        }, LocalizedChannelsTest::render, stats, segment, o, null);
    }

    @Test
    void aChannelThatPaintsOneRegionIsLocalizedToItAndAGlobalOneNowhere() {
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            LocalizedChannels.Scan s = scan(root, eighth(40));
            assertEquals(40, s.images());
            assertEquals(40, s.imagesWithRegion()[PartClass.EYES.ordinal()]);
            assertEquals(0, s.imagesWithRegion()[PartClass.NOSE.ordinal()]);
            assertEquals(C, s.channels(), "toRGB layers are left out by default");
            Map<String, PartClass> found = new java.util.HashMap<>();
            s.localized().forEach(l -> found.put(l.name(), l.region()));
            assertEquals(Map.of("0_0", PartClass.EYES, "0_2", PartClass.MOUTH, "0_3", PartClass.HAIR), found);
            // the uniform change has no top region in any image; the noise lands in another region image by image
            assertTrue(!found.containsKey("0_1") && !found.containsKey("0_4"), found.toString());
            assertEquals(0.0, java.util.Arrays.stream(s.rates()[0][1]).max().orElseThrow(), 1e-12);
            assertTrue(java.util.Arrays.stream(s.rates()[0][4]).max().orElseThrow() < 0.5);
            assertEquals(1.0, s.rates()[0][0][PartClass.EYES.ordinal()], 1e-12);
            // a stricter rate keeps the perfect channels; toRGB included on request
            assertEquals(3, s.localized(0.99, 0.9).size());
            LocalizedChannels.Scan t = scan(root, new LocalizedChannels.Options(2, 0, 0.125f, 2, 0.5, 0.25, true, 4));
            assertEquals(2 * C, t.channels());
        }
    }

    @Test
    void topRegionAndPercentileByHand() {
        float[] sorted = {0, 1, 2, 3};
        assertEquals(1.5, LocalizedChannels.percentile(sorted, 50), 1e-12); // numpy: percentile([0,1,2,3], 50) = 1.5
        assertEquals(2.25, LocalizedChannels.percentile(sorted, 75), 1e-12);
        byte[] mask = mask();
        int[] size = LocalizedChannels.regionSizes(mask, PartClass.values().length);
        assertEquals(256, size[PartClass.HAIR.ordinal()]);
        assertEquals(32, size[PartClass.EYES.ordinal()]);
        float[][] p = patterns(0);
        assertEquals(PartClass.MOUTH.ordinal(), LocalizedChannels.topRegion(p[2], mask, size, 2));
        assertEquals(-1, LocalizedChannels.topRegion(p[1], mask, size, 2), "a constant map has no region");
        // a map over the top 16 rows: hair (rows 0-7, all 256 pixels hit) against skin (704 pixels, its top 704 of
        // the map cover rows 0-15 and more, ~ 256 of them skin): with the discount hair wins (256/256^2 vs 256/704^2)
        float[] top = new float[PX];
        for (int j = 0; j < 16 * 32; j++) {
            top[j] = 1 + j % 7;
        }
        assertEquals(PartClass.HAIR.ordinal(), LocalizedChannels.topRegion(top, mask, size, 2));
        // a map whose top pixels lie in a region the mask does not count (a speck left out): no vote
        float[] speck = new float[PX];
        speck[20 * 32 + 3] = 1;
        speck[20 * 32 + 4] = 1;
        byte[] withSpeck = mask.clone();
        withSpeck[20 * 32 + 3] = (byte) PartClass.NOSE.ordinal();
        withSpeck[20 * 32 + 4] = (byte) PartClass.NOSE.ordinal();
        int[] sizes = LocalizedChannels.regionSizes(withSpeck, PartClass.values().length);
        assertEquals(PartClass.NOSE.ordinal(), LocalizedChannels.topRegion(speck, withSpeck, sizes, 2));
        sizes[PartClass.NOSE.ordinal()] = 0;
        assertEquals(-1, LocalizedChannels.topRegion(speck, withSpeck, sizes, 2));
    }

    @Test
    void overlapOfAModelWithItselfLiesOnTheDiagonal() {
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            var found = scan(root, eighth(40)).localized();
            List<PartClass> regions = List.of(PartClass.HAIR, PartClass.EYES, PartClass.MOUTH, PartClass.NOSE);
            LocalizedChannels.Overlap o = LocalizedChannels.overlap(found, found, regions);
            assertEquals(3, o.shared());
            assertEquals(1.0, o.diagonalShare(), 1e-12);
            assertEquals(1.0, o.keptShare(), 1e-12);
            for (int i = 0; i < regions.size(); i++) {
                for (int j = 0; j < regions.size(); j++) {
                    assertEquals(i == j && i < 3 ? 1 : 0, o.counts()[i][j]);
                }
            }
            // a second model whose eye channel moved to the mouth: off the diagonal
            var moved = found.stream().map(l -> l.region() == PartClass.EYES
                    ? new LocalizedChannels.Localized(l.layer(), l.channel(), l.name(), PartClass.MOUTH, l.rate(), null, 0)
                    : l).toList();
            LocalizedChannels.Overlap m = LocalizedChannels.overlap(found, moved, regions);
            assertEquals(1, m.counts()[1][2]);
            assertEquals(2.0 / 3, m.diagonalShare(), 1e-12);
        }
    }
}
