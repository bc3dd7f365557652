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
        assertEquals("bottts", f.member("C").style());
        assertEquals("avataaars-rot180", f.member("L").style());
        assertEquals(dir.resolve("runs/c.csv").toAbsolutePath().normalize(), f.member("C").log());
        assertEquals("""
                P  avataaars, 300 kimg
                ├─ C  bottts
                │  └─ G  avataaars
                └─ L  avataaars (upside down)
                """, f.tree());
        try (StyleGan2 m = f.load("G")) {
            assertEquals(8, m.generator().config().resolution());
        }
        var e = assertThrows(java.util.NoSuchElementException.class, () -> f.member("X"));
        assertTrue(e.getMessage().contains("'X'") && e.getMessage().contains("[P, C, G, L]"), e.getMessage());
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
