package org.stylealign.apps;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.data.BuildSpec;
import org.stylealign.io.ModelFamily;
import org.stylealign.io.ModelIO;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Zero-shot pose regression: the scores on known numbers, the binning, and which families can run it. */
class ZeroShotPoseTest {

    @Test
    void rowsScoreEachMethodAndAddChance() {
        double[] truth = {-20, -10, 0, 10, 30};
        Map<String, double[]> pred = new LinkedHashMap<>();
        pred.put("exact", truth.clone());
        pred.put("off by 5", new double[] {-15, -5, 5, 15, 35});
        pred.put("backwards", new double[] {20, 10, 0, -10, -30});
        List<ZeroShotPose.Row> rows = ZeroShotPose.score(pred, truth, 2);
        assertEquals(List.of("exact", "off by 5", "backwards", ZeroShotPose.CHANCE),
                rows.stream().map(ZeroShotPose.Row::method).toList());
        double chance = (22 + 12 + 2 + 8 + 28) / 5.0;
        for (ZeroShotPose.Row r : rows) {
            assertEquals(5, r.n());
            assertEquals(chance, r.chanceMae(), 1e-12, "chance is the same for every method: " + r);
        }
        assertEquals(0, rows.get(0).mae(), 1e-12);
        assertEquals(1, rows.get(0).r(), 1e-12);
        assertEquals(5, rows.get(1).mae(), 1e-12);
        assertEquals(1, rows.get(1).r(), 1e-12, "a constant offset keeps r = 1");
        assertEquals((40 + 20 + 0 + 20 + 60) / 5.0, rows.get(2).mae(), 1e-12);
        assertEquals(-1, rows.get(2).r(), 1e-12);
        assertEquals(chance, rows.get(3).mae(), 1e-12, "chance's own error");
        assertTrue(Double.isNaN(rows.get(3).r()), "a constant guess has no correlation");
        var e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotPose.score(Map.of("short", new double[4]), truth, 0));
        assertTrue(e.getMessage().contains("short") && e.getMessage().contains("4 predictions"), e.getMessage());
    }

    @Test
    void binsSortByPredictedAngleAndClampTheEnds() {
        double[] pred = {25, -29, 0, -31, 12, 40, -5, 5.9, 6.1};
        List<List<Integer>> bins = ZeroShotPose.bins(pred, -30, 30, 5); // edges -30, -18, -6, 6, 18, 30
        assertEquals(List.of(List.of(3, 1), List.of(), List.of(6, 2, 7), List.of(8, 4), List.of(0, 5)), bins);
        assertEquals(1, ZeroShotPose.bins(pred, -30, 30, 1).size());
        assertThrows(IllegalArgumentException.class, () -> ZeroShotPose.bins(pred, 30, -30, 5));
        assertThrows(IllegalArgumentException.class, () -> ZeroShotPose.bins(pred, -30, 30, 0));
    }

    private static final GeneratorConfig TINY = new GeneratorConfig(8, 3, 8, 8, 1, 0.01f, Map.of(4, 8, 8, 8));

    private static ModelFamily family(Path dir, String models) throws Exception {
        if (!Files.exists(dir.resolve("m.safetensors"))) {
            try (Generator g = Generator.create(TINY, Device.cpu(), 1)) {
                ModelIO.save(dir.resolve("m.safetensors"), g, null, null, true);
            }
        }
        Path f = dir.resolve("family.json");
        Files.writeString(f, "{\"models\": [" + models + "]}");
        return ModelFamily.load(f);
    }

    @Test
    void aPoseFamilyIsOneWhoseParentAndChildrenSawRandomRotations(@TempDir Path dir) throws Exception {
        ModelFamily pose = family(dir, """
                {"name": "PP", "role": "parent", "domain": "avataaars", "style": "avataaars-rot-30_30-tx-8_8-ty-8_8",
                 "checkpoint": "m.safetensors"},
                {"name": "PC1", "parent": "PP", "role": "child", "distance": "close", "domain": "personas",
                 "style": "personas-rot-30_30-tx-8_8-ty-8_8", "checkpoint": "m.safetensors"},
                {"name": "F", "parent": "PP", "role": "child", "domain": "bottts", "checkpoint": "m.safetensors"}
                """);
        assertTrue(ZeroShotPose.missing(pose).isEmpty(), ZeroShotPose.missing(pose).toString());
        assertEquals(List.of("PC1"), ZeroShotPose.children(pose).stream().map(ModelFamily.Member::name).toList(),
                "a child drawn frontal has no angle to score");
        assertEquals(new BuildSpec.Range(-30, 30), ZeroShotPose.rotation(pose.member("PP")).orElseThrow());

        ModelFamily plain = family(dir, """
                {"name": "P", "domain": "avataaars", "checkpoint": "m.safetensors"},
                {"name": "L3", "parent": "P", "role": "locality", "transform": {"rotate": 180}, "domain": "avataaars",
                 "style": "avataaars-rot180", "checkpoint": "m.safetensors"},
                {"name": "X", "parent": "P", "domain": "cats", "style": "cats", "checkpoint": "m.safetensors"}
                """);
        String why = ZeroShotPose.missing(plain).orElseThrow();
        assertTrue(why.contains("parent P") && why.contains("--rotate"), why);
        assertTrue(ZeroShotPose.rotation(plain.member("L3")).isEmpty(), "a fixed rotation is no pose truth");
        assertTrue(ZeroShotPose.rotation(plain.member("X")).isEmpty(), "an unknown style has none either");

        ModelFamily childless = family(dir, """
                {"name": "PP", "domain": "avataaars", "style": "avataaars-rot-10_10", "checkpoint": "m.safetensors"},
                {"name": "C", "parent": "PP", "domain": "bottts", "checkpoint": "m.safetensors"}
                """);
        String none = ZeroShotPose.missing(childless).orElseThrow();
        assertTrue(none.contains("no child of PP") && none.contains("C 'bottts'"), none);
    }
}
