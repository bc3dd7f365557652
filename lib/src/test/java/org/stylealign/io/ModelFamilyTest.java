package org.stylealign.io;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.StyleGan2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFamilyTest {

    static final GeneratorConfig TINY = new GeneratorConfig(8, 3, 8, 8, 1, 0.01f, Map.of(4, 8, 8, 8));

    private static void tinyCheckpoint(Path file, long seed) throws Exception {
        try (Generator g = Generator.create(TINY, Device.cpu(), seed)) {
            ModelIO.save(file, g, null, null, true);
        }
    }

    private static Path family(Path dir, String models) throws Exception {
        Path f = dir.resolve("family.json");
        Files.writeString(f, "{\"models\": [" + models + "]}");
        return f;
    }

    @Test
    void readsTheTreeLineageAndSnapshotsAndLoadsEachMember(@TempDir Path dir) throws Exception {
        tinyCheckpoint(dir.resolve("p.safetensors"), 1);
        tinyCheckpoint(dir.resolve("c.safetensors"), 2);
        tinyCheckpoint(dir.resolve("g.safetensors"), 3);
        Files.createDirectories(dir.resolve("runs"));
        tinyCheckpoint(dir.resolve("runs/c-2.safetensors"), 4);
        Files.writeString(dir.resolve("runs/c.csv"), "step,kimg\n");
        ModelFamily f = ModelFamily.load(family(dir, """
                {"name": "P", "domain": "avataaars", "checkpoint": "p.safetensors", "kimg": 300},
                {"name": "C", "parent": "P", "domain": "bottts", "checkpoint": "c.safetensors", "log": "runs/c.csv",
                 "snapshots": [{"kimg": 2, "checkpoint": "runs/c-2.safetensors"},
                               {"kimg": 30, "checkpoint": "c.safetensors"}]},
                {"name": "G", "parent": "C", "domain": "avataaars", "checkpoint": "g.safetensors"},
                {"name": "L", "parent": "P", "domain": "avataaars", "data": "upside down", "style": "avataaars-rot180",
                 "checkpoint": "p.safetensors"}
                """));
        assertEquals(List.of("P", "C", "G", "L"), f.names());
        assertEquals(List.of("P", "C", "G"), f.lineage("G").stream().map(ModelFamily.Member::name).toList());
        assertEquals(List.of("C", "L"), f.children("P").stream().map(ModelFamily.Member::name).toList());
        assertEquals(2, f.member("C").snapshots().size());
        // the trajectory: where fine-tuning started (the parent, 0 kimg), then the snapshots
        assertEquals(List.of(0.0, 2.0, 30.0), f.trajectory("C").stream().map(ModelFamily.Snapshot::kimg).toList());
        assertEquals(dir.resolve("p.safetensors").toAbsolutePath().normalize(), f.trajectory("C").get(0).checkpoint()
                .toAbsolutePath().normalize());
        assertEquals(List.of(), f.trajectory("P"));
        assertEquals("bottts", f.member("C").style());
        assertEquals("avataaars-rot180", f.member("L").style());
        assertEquals(dir.resolve("runs/c.csv").toAbsolutePath().normalize(), f.member("C").log());
        assertEquals("""
                P  avataaars, 300 kimg  [parent, inferred]
                ├─ C  bottts  [child, inferred]
                │  └─ G  avataaars  [grandchild, inferred]
                └─ L  avataaars (upside down)  [child, inferred]
                """, f.tree());
        try (StyleGan2 m = f.load("G")) {
            assertEquals(8, m.generator().config().resolution());
        }
        var e = assertThrows(java.util.NoSuchElementException.class, () -> f.member("X"));
        assertTrue(e.getMessage().contains("'X'") && e.getMessage().contains("[P, C, G, L]"), e.getMessage());
    }

    @Test
    void declaredRolesAnswerTheRoleQueries(@TempDir Path dir) throws Exception {
        tinyCheckpoint(dir.resolve("p.safetensors"), 1);
        ModelFamily f = ModelFamily.load(family(dir, """
                {"name": "HP2", "role": "control", "domain": "ffhq", "checkpoint": "p.safetensors"},
                {"name": "HP", "role": "parent", "domain": "ffhq", "checkpoint": "p.safetensors"},
                {"name": "Dogs", "parent": "HP", "role": "child", "distance": "distant", "domain": "afhq", "checkpoint": "p.safetensors"},
                {"name": "Met", "parent": "HP", "role": "child", "distance": "close", "domain": "metfaces", "checkpoint": "p.safetensors"},
                {"name": "Back", "parent": "Dogs", "role": "grandchild", "domain": "ffhq", "checkpoint": "p.safetensors"},
                {"name": "Flip", "parent": "HP", "role": "locality", "transform": {"rotate": 180, "shift_x": -10}, "domain": "ffhq", "checkpoint": "p.safetensors"},
                {"name": "Small", "parent": "HP", "role": "resolution", "domain": "ffhq", "checkpoint": "p.safetensors"},
                {"name": "Toon", "parent": "HP", "domain": "cartoon", "checkpoint": "p.safetensors"}
                """));
        assertEquals("HP", f.parent().name(), "the declared parent, though HP2 comes first");
        assertEquals(List.of("Dogs", "Met", "Toon"), f.children().stream().map(ModelFamily.Member::name).toList());
        assertEquals(List.of("Met"), f.children(ModelFamily.Distance.CLOSE).stream().map(ModelFamily.Member::name).toList());
        assertEquals(List.of("Toon"), f.children(ModelFamily.Distance.UNKNOWN).stream().map(ModelFamily.Member::name).toList());
        assertEquals("HP2", f.control().orElseThrow().name());
        assertEquals(List.of("Back"), f.grandchildren().stream().map(ModelFamily.Member::name).toList());
        assertEquals(new ModelFamily.Transform(180, -10, 0, false), f.locality().get(0).transform());
        assertEquals("rotate 180, shift x -10%", f.locality().get(0).transform().toString());
        assertEquals(List.of("Small"), f.resolutionChildren().stream().map(ModelFamily.Member::name).toList());
        assertTrue(f.member("Met").declared() && !f.member("Toon").declared());
        assertEquals(List.of(), f.missing(ModelFamily.Role.values()).stream().filter(r -> r != ModelFamily.Role.OTHER).toList());
        String roles = f.roles();
        assertTrue(roles.contains("grandchild: Back (HP > Dogs > Back)") && roles.contains("Met (close)")
                && roles.contains("[inferred from the tree]"), roles);
        assertEquals(8, f.config("Met").resolution());
    }

    @Test
    void familiesWithoutRolesGetThemFromTheTree(@TempDir Path dir) throws Exception {
        tinyCheckpoint(dir.resolve("p.safetensors"), 1);
        // a lone root listed first, then the root with children: the root with children is the parent
        ModelFamily lone = ModelFamily.load(family(dir, """
                {"name": "Other", "domain": "a", "checkpoint": "p.safetensors"},
                {"name": "Base", "domain": "a", "checkpoint": "p.safetensors"},
                {"name": "Kid", "parent": "Base", "domain": "b", "checkpoint": "p.safetensors"}
                """));
        assertEquals("Base", lone.parent().name());
        assertEquals("Other", lone.control().orElseThrow().name());
        ModelFamily f = ModelFamily.load(family(dir, """
                {"name": "Base", "domain": "a", "checkpoint": "p.safetensors"},
                {"name": "Other", "domain": "a", "checkpoint": "p.safetensors"},
                {"name": "Kid", "parent": "Base", "domain": "b", "checkpoint": "p.safetensors"},
                {"name": "Grand", "parent": "Kid", "domain": "a", "checkpoint": "p.safetensors"},
                {"name": "OtherKid", "parent": "Other", "domain": "b", "checkpoint": "p.safetensors"}
                """));
        assertEquals("Base", f.parent().name());
        assertEquals(List.of("Kid"), f.children().stream().map(ModelFamily.Member::name).toList());
        assertEquals(List.of("Grand"), f.grandchildren().stream().map(ModelFamily.Member::name).toList());
        assertEquals(List.of("Other"), f.controls().stream().map(ModelFamily.Member::name).toList());
        assertEquals(ModelFamily.Role.OTHER, f.member("OtherKid").role());
        assertEquals(List.of(ModelFamily.Role.LOCALITY, ModelFamily.Role.RESOLUTION),
                f.missing(ModelFamily.Role.CHILD, ModelFamily.Role.LOCALITY, ModelFamily.Role.RESOLUTION));
        // a single model is the parent of a family without children or control
        ModelFamily one = ModelFamily.load(family(dir, "{\"name\": \"Solo\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}"));
        assertEquals("Solo", one.parent().name());
        assertTrue(one.control().isEmpty() && one.children().isEmpty());
    }

    @Test
    void badRolesNameTheModelAndTheValue(@TempDir Path dir) throws Exception {
        tinyCheckpoint(dir.resolve("p.safetensors"), 1);
        String p = "{\"name\": \"P\", \"role\": \"parent\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"},";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"name\": \"C\", \"parent\": \"P\", \"role\": \"kid\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "unknown \"role\" 'kid'");
        cases.put("{\"name\": \"C\", \"parent\": \"P\", \"role\": \"child\", \"distance\": \"far\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "close or distant, got 'far'");
        cases.put("{\"name\": \"C\", \"parent\": \"P\", \"role\": \"locality\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "needs the \"transform\"");
        cases.put("{\"name\": \"C\", \"parent\": \"P\", \"role\": \"locality\", \"transform\": {\"rotate\": 45}, \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "multiple of 90");
        cases.put("{\"name\": \"C\", \"parent\": \"P\", \"role\": \"locality\", \"transform\": {\"skew\": 1}, \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "unknown key 'skew'");
        cases.put("{\"name\": \"C\", \"role\": \"child\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "its \"parent\" is not set");
        cases.put("{\"name\": \"C\", \"parent\": \"P\", \"role\": \"control\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "trained from scratch");
        cases.put("{\"name\": \"C\", \"parent\": \"P\", \"role\": \"grandchild\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "lineage [P, C]");
        cases.put("{\"name\": \"Q\", \"role\": \"parent\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "more than one model");
        cases.put("{\"name\": \"C\", \"parent\": \"P\", \"distance\": \"close\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}", "add \"role\": \"child\"");
        for (var c : cases.entrySet()) {
            var e = assertThrows(CheckpointException.class, () -> ModelFamily.load(family(dir, p + c.getKey())), c.getKey());
            assertTrue(e.getMessage().contains(c.getValue()) && e.getMessage().contains("family.json"), e.getMessage());
        }
        var cycle = assertThrows(CheckpointException.class, () -> ModelFamily.load(family(dir,
                "{\"name\": \"A\", \"parent\": \"B\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"},"
                        + "{\"name\": \"B\", \"parent\": \"A\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}")));
        assertTrue(cycle.getMessage().contains("descends from itself"), cycle.getMessage());
    }

    @Test
    void theShippedFamilyDeclaresEveryRole() throws Exception {
        ModelFamily f = ModelFamily.load(Path.of("..", "models", "family.json"));
        assertEquals("P", f.parent().name());
        assertEquals(List.of("C1"), f.children(ModelFamily.Distance.CLOSE).stream().map(ModelFamily.Member::name).toList());
        assertEquals(List.of("C2"), f.children(ModelFamily.Distance.DISTANT).stream().map(ModelFamily.Member::name).toList());
        assertEquals(List.of("G"), f.grandchildren().stream().map(ModelFamily.Member::name).toList());
        assertEquals("P2", f.control().orElseThrow().name());
        assertEquals(List.of("L1", "L2", "L3"), f.locality().stream().map(ModelFamily.Member::name).toList());
        assertEquals(List.of("R16"), f.resolutionChildren().stream().map(ModelFamily.Member::name).toList());
        assertTrue(f.members().stream().allMatch(ModelFamily.Member::declared));
    }

    @Test
    void badFamilyFilesNameWhatIsWrong(@TempDir Path dir) throws Exception {
        tinyCheckpoint(dir.resolve("p.safetensors"), 1);
        var missing = assertThrows(CheckpointException.class, () -> ModelFamily.load(family(dir,
                "{\"name\": \"P\", \"domain\": \"a\", \"checkpoint\": \"nope.safetensors\"}")));
        assertTrue(missing.getMessage().contains("model 'P'") && missing.getMessage().contains("nope.safetensors")
                && missing.getMessage().contains("does not exist"), missing.getMessage());
        var orphan = assertThrows(CheckpointException.class, () -> ModelFamily.load(family(dir,
                "{\"name\": \"C\", \"parent\": \"Q\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}")));
        assertTrue(orphan.getMessage().contains("parent 'Q'"), orphan.getMessage());
        var twice = assertThrows(CheckpointException.class, () -> ModelFamily.load(family(dir,
                "{\"name\": \"P\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"},"
                        + "{\"name\": \"P\", \"domain\": \"a\", \"checkpoint\": \"p.safetensors\"}")));
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
        var noDomain = assertThrows(CheckpointException.class, () -> ModelFamily.load(family(dir,
                "{\"name\": \"P\", \"checkpoint\": \"p.safetensors\"}")));
        assertTrue(noDomain.getMessage().contains("\"domain\""), noDomain.getMessage());
        Path junk = dir.resolve("junk.json");
        Files.writeString(junk, "{not json");
        var bad = assertThrows(CheckpointException.class, () -> ModelFamily.load(junk));
        assertTrue(bad.getMessage().contains("junk.json") && bad.getMessage().contains("not a valid"),
                bad.getMessage());
        var none = assertThrows(CheckpointException.class, () -> ModelFamily.load(dir.resolve("absent.json")));
        assertTrue(none.getMessage().contains("absent.json"), none.getMessage());
    }
}
