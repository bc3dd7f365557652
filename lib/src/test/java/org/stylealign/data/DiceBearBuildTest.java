package org.stylealign.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiceBearBuildTest {

    @BeforeAll
    static void node() {
        TestData.assumeNode();
    }

    @Test
    void sameSeedGivesSameBytesWhateverTheThreadCount(@TempDir Path a, @TempDir Path b) throws Exception {
        BuildSpec spec = BuildSpec.of("avataaars", 16, 6, 3).withMasks();
        Path da = new DatasetBuilder(TestData.paths(a)).threads(1).build(spec);
        Path db = new DatasetBuilder(TestData.paths(b)).threads(2).build(spec);
        for (String f : List.of("images.u8", "labels.jsonl", "masks.u8", "parts.u16", "manifest.json")) {
            assertArrayEquals(TestData.read(da.resolve(f)), TestData.read(db.resolve(f)), f);
        }
        BuildSpec other = BuildSpec.of("avataaars", 16, 6, 4);
        Path dc = new DatasetBuilder(TestData.paths(a)).build(other);
        assertNotEquals(ImageDataset.sha256(da.resolve("images.u8")), ImageDataset.sha256(dc.resolve("images.u8")));
    }

    @Test
    void masksGiveOneClassPerPixelAndCoverEveryDrawnPixel(@TempDir Path cache) {
        for (String style : List.of("avataaars", "personas", "micah")) {
            ImageDataset ds = TestData.builder(cache).open(BuildSpec.of(style, 24, 6, 11).withMasks());
            int plane = 24 * 24;
            Set<PartClass> seen = new HashSet<>();
            int drawn = 0;
            int unexplained = 0;
            for (int i = 0; i < ds.size(); i++) {
                byte[] cls = ds.classes(i);
                short[] bits = ds.partBits(i);
                byte[] px = ds.pixels(i);
                assertEquals(plane, cls.length);
                for (int k = 0; k < plane; k++) {
                    int c = cls[k];
                    assertTrue(c >= 0 && c < PartClass.values().length, style + " class " + c);
                    seen.add(PartClass.values()[c]);
                    // the class is one of the parts that change the pixel, or background when none does
                    assertTrue(c == 0 ? bits[k] == 0 : (bits[k] & (1 << c)) != 0, style + " image " + i + " px " + k);
                    boolean white = (px[k] & 0xff) == 255 && (px[plane + k] & 0xff) == 255
                            && (px[2 * plane + k] & 0xff) == 255;
                    // transparent background is drawn white; a drawn pixel is background only where two stacked
                    // parts share its colour exactly (removing either leaves it unchanged), which is rare
                    drawn += white ? 0 : 1;
                    unexplained += !white && c == 0 ? 1 : 0;
                }
            }
            assertTrue(unexplained <= drawn / 50, style + ": " + unexplained + " of " + drawn
                    + " drawn pixels belong to no part");
            for (PartClass p : List.of(PartClass.BACKGROUND, PartClass.SKIN, PartClass.EYES, PartClass.MOUTH,
                    PartClass.NOSE, PartClass.CLOTHES)) {
                assertTrue(seen.contains(p), style + " never shows " + p);
            }
        }
    }

    @Test
    void pairDiffersOnlyInsideTheChangedPartsMask(@TempDir Path cache) {
        Map<String, PartClass> attrs = Map.of("mouth", PartClass.MOUTH, "eyes", PartClass.EYES,
                "skinColor", PartClass.SKIN, "top", PartClass.HAIR);
        for (Map.Entry<String, PartClass> e : attrs.entrySet()) {
            ImageDataset ds = TestData.builder(cache).open(
                    BuildSpec.of("avataaars", 24, 5, 21).withMasks().withPairs(e.getKey()));
            assertEquals(10, ds.size());
            int bit = 1 << e.getValue().ordinal();
            int changedPairs = 0;
            for (int p = 0; p < 5; p++) {
                byte[] before = ds.pixels(2 * p);
                byte[] after = ds.pixels(2 * p + 1);
                short[] bb = ds.partBits(2 * p);
                short[] ba = ds.partBits(2 * p + 1);
                int plane = 24 * 24;
                boolean differs = false;
                for (int k = 0; k < plane; k++) {
                    boolean diff = before[k] != after[k] || before[plane + k] != after[plane + k]
                            || before[2 * plane + k] != after[2 * plane + k];
                    if (diff) {
                        differs = true;
                        assertTrue((bb[k] & bit) != 0 || (ba[k] & bit) != 0,
                                e.getKey() + " pair " + p + " differs at pixel " + k + " outside its mask");
                    }
                }
                changedPairs += differs ? 1 : 0;
                LabelRecord lb = ds.label(2 * p);
                LabelRecord la = ds.label(2 * p + 1);
                assertNotEquals(lb.attribute(e.getKey()), la.attribute(e.getKey()));
                assertEquals(la.attribute("pair.value"), la.attribute(e.getKey()));
                for (String k : lb.attributes().keySet()) {
                    if (!k.equals(e.getKey()) && !k.equals("pair.role")) {
                        assertEquals(lb.attribute(k), la.attribute(k), e.getKey() + " pair " + p + " changed " + k);
                    }
                }
            }
            assertTrue(changedPairs >= 3, e.getKey() + ": only " + changedPairs + " of 5 pairs differ");
        }
    }

    @Test
    void transformsAreRecordedAsTargets(@TempDir Path cache) {
        BuildSpec.Transform t = new BuildSpec.Transform(BuildSpec.Range.parse("-30:30"), BuildSpec.Range.fixed(10),
                BuildSpec.Range.parse("-5:5"), BuildSpec.Flip.RANDOM);
        ImageDataset ds = TestData.builder(cache).open(BuildSpec.of("bottts", 16, 8, 5).withTransform(t));
        Set<Double> rotations = new HashSet<>();
        for (LabelRecord l : ds.labels()) {
            double r = l.target("rotate");
            assertTrue(r >= -30 && r <= 30);
            assertEquals(10.0, l.target("translateX"));
            assertTrue(l.target("flip") == 0.0 || l.target("flip") == 1.0);
            rotations.add(r);
        }
        assertTrue(rotations.size() > 1);
        assertTrue(ds.manifest().id().contains("rot-30_30"), ds.manifest().id());
        // a fixed rotation changes the image of the same seed
        ImageDataset plain = TestData.builder(cache).open(BuildSpec.of("bottts", 16, 1, 5));
        ImageDataset rotated = TestData.builder(cache).open(BuildSpec.of("bottts", 16, 1, 5).withTransform(
                new BuildSpec.Transform(BuildSpec.Range.fixed(90), BuildSpec.Range.fixed(0), BuildSpec.Range.fixed(0),
                        BuildSpec.Flip.NONE)));
        assertEquals(plain.label(0).attributes(), rotated.label(0).attributes());
        assertNotEquals(ImageDataset.sha256(plain.dir().resolve("images.u8")),
                ImageDataset.sha256(rotated.dir().resolve("images.u8")));
    }

    @Test
    void everyRequiredStyleBuildsWithLabelsAndLicence(@TempDir Path cache) {
        for (String style : List.of("avataaars", "personas", "micah", "adventurer", "bottts", "fun-emoji", "shapes")) {
            ImageDataset ds = TestData.builder(cache).open(BuildSpec.of(style, 8, 2, 1));
            assertEquals(2, ds.size());
            assertTrue(ds.label(0).attributes().size() >= 5, style + " " + ds.label(0));
            assertEquals(Domain.of(style).licence(), ds.manifest().licence());
            assertTrue(ds.manifest().attribution().contains("DiceBear"));
        }
        LabelRecord a = TestData.builder(cache).open(BuildSpec.of("avataaars", 8, 2, 1)).label(0);
        for (String k : List.of("skinColor", "top", "hairColor", "eyes", "eyebrows", "mouth", "facialHair",
                "accessories", "clothing", "backgroundColor")) {
            assertTrue(a.attributes().containsKey(k), "avataaars label lacks " + k + ": " + a);
        }
    }
}
