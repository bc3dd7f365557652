package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataPaths;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.data.LabelRecord;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttributeClassifierTest {

    @TempDir
    Path tmp;

    private static LabelRecord label(Map<String, String> attributes) {
        return new LabelRecord(0, "avataaars", "t:0", attributes, Map.of());
    }

    @Test
    void targetsFollowTheLabels() {
        List<Attribute> a = Attribute.forDomain("avataaars");
        Attribute glasses = a.get(0), beard = a.get(1), hair = a.get(2), mouth = a.get(4);
        assertEquals(1.0, glasses.target(label(Map.of("accessories", "round"))));
        assertEquals(0.0, glasses.target(label(Map.of("accessories", "eyepatch"))), "an eyepatch is not glasses");
        assertEquals(0.0, beard.target(label(Map.of("facialHair", "none"))));
        assertEquals(1.0, beard.target(label(Map.of("facialHair", "beardLight"))));
        assertEquals(8.0, mouth.target(label(Map.of("mouth", "smile"))));
        assertTrue(Double.isNaN(mouth.target(label(Map.of("mouth", "unheardOf")))), "an unknown class counts for nothing");
        assertTrue(Double.isNaN(hair.target(label(Map.of()))), "a missing label counts for nothing");
        assertEquals(0.0, Attribute.luminance("#000000"), 1e-12);
        assertEquals(1.0, Attribute.luminance("#ffffff"), 1e-12);
        assertEquals(0.2158605, Attribute.luminance("#808080"), 1e-6); // sRGB 128 -> linear 0.21586
        assertEquals(0.2126, Attribute.luminance("#ff0000"), 1e-12);
        assertEquals(List.of("avataaars", "personas", "bottts"), Attribute.domains());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attribute.forDomain("mnist"));
        assertTrue(e.getMessage().contains("mnist") && e.getMessage().contains("avataaars"), e.getMessage());
        for (String d : Attribute.domains()) {
            assertEquals(Attribute.forDomain(d), Attribute.fromJson(Attribute.toJson(Attribute.forDomain(d))));
        }
    }

    @Test
    void learnsFromRealLabelsAndSurvivesASaveLoadRoundTrip() throws Exception {
        org.stylealign.data.TestData.assumeNode();
        ImageDataset ds = new DatasetBuilder(DataPaths.locate().withCache(tmp.resolve("cache"))).threads(2)
                .open(BuildSpec.of("avataaars", 32, 400, 7));
        ImageDataset.Split split = ds.split(0.25, 7);
        List<Attribute> attrs = List.of(Attribute.forDomain("avataaars").get(3)); // skin luminance: learnt fast
        try (AttributeClassifier c = AttributeClassifier.train(ds, split.train(), attrs, 150, 32, 3, null)) {
            AttributeClassifier.Score s = c.evaluate(ds, split.test()).get(0);
            assertEquals("mean abs error", s.metric());
            assertTrue(s.value() < 0.6 * s.baseline(), "skin luminance should beat the constant guess: " + s);
            Path file = tmp.resolve("attr.safetensors");
            c.save(file, false);
            try (AttributeClassifier back = AttributeClassifier.load(file); NDManager m = NDManager.newBaseManager()) {
                assertEquals(attrs, back.attributes());
                assertEquals("avataaars", back.domain());
                assertTrue(back.provenance().contains("Pablo Stanley"), "attribution kept: " + back.provenance());
                NDArray img = AttributeClassifier.images(ds, new int[] {0, 1, 2}, m);
                double[] a = c.score(img, "skin_luminance"), b = back.score(img, "skin_luminance");
                for (int i = 0; i < 3; i++) {
                    assertEquals(a[i], b[i], 1e-6);
                }
                assertThrows(IllegalArgumentException.class, () -> back.score(img, "glasses"));
            }
        }
    }

    @Test
    void bundledClassifiersBeatTheirBaselinesOnFreshImages() throws Exception {
        org.stylealign.data.TestData.assumeNode();
        for (String domain : Attribute.domains()) {
            var bundled = AttributeClassifier.bundled(domain);
            assertTrue(bundled.isPresent(), "no bundled attribute classifier for " + domain);
            // images the classifiers never saw: another builder seed
            ImageDataset ds = new DatasetBuilder(DataPaths.locate().withCache(tmp.resolve("cache"))).threads(2)
                    .open(BuildSpec.of(domain, 32, 300, 777));
            try (AttributeClassifier c = bundled.get()) {
                assertEquals(Attribute.forDomain(domain), c.attributes());
                assertTrue(c.provenance() != null && c.provenance().contains(domain), "provenance: " + c.provenance());
                for (AttributeClassifier.Score s : c.evaluate(ds, IntStream.range(0, ds.size()).toArray())) {
                    boolean better = s.metric().equals("mean abs error") ? s.value() < s.baseline()
                            : s.value() > s.baseline();
                    assertTrue(better, domain + ": " + s);
                }
            }
        }
    }
}
