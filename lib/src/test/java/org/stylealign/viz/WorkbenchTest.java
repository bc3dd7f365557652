package org.stylealign.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkbenchTest {

    @TempDir
    Path tmp;

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void homeIsFoundAboveTheNotebookFolder() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("notebooks/sub"));
        Files.writeString(repo.resolve("workbench"), "#!/bin/sh\n");
        Properties p = props("user.dir", repo.resolve("notebooks/sub").toString());
        assertEquals(repo, Workbench.home(Map.of(), p));
        assertEquals(repo.resolve("reports"), Workbench.reports(Map.of(), p));
        assertEquals(tmp.resolve("shared/fixtures"), Workbench.fixtures(Map.of(), p));
        // no family in this checkout: the shared fixture; with models/P.safetensors: the family's parent
        assertEquals(tmp.resolve("shared/fixtures").resolve(Workbench.FALLBACK_MODEL), Workbench.model(Map.of(), p));
        Files.createDirectories(repo.resolve("models"));
        Files.writeString(repo.resolve(Workbench.DEFAULT_MODEL), "x");
        assertEquals(repo.resolve(Workbench.DEFAULT_MODEL), Workbench.model(Map.of(), p));
        assertEquals(repo.resolve(Workbench.FAMILY), Workbench.family(Map.of(), p));
    }

    @Test
    void environmentOverridesDefaultsAndPropertiesOverrideEnvironment() {
        Map<String, String> env = Map.of("STYLEALIGN_HOME", tmp.toString(),
                "STYLEALIGN_REPORTS", tmp.resolve("r").toString(),
                "STYLEALIGN_MODEL", tmp.resolve("m.pt").toString());
        assertEquals(tmp, Workbench.home(env, props()));
        assertEquals(tmp.resolve("r"), Workbench.reports(env, props()));
        assertEquals(tmp.resolve("m.pt"), Workbench.model(env, props()));
        assertEquals(tmp.resolve("p"), Workbench.reports(env, props("stylealign.reports", tmp.resolve("p").toString())));
    }

    @Test
    void theEmojiFamilyIsTheOneNamedElseTheUsersElseTheShippedFileElseTheFamily() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("models"));
        Properties p = props("stylealign.home", repo.toString());
        assertEquals(null, Workbench.emojiFamily(Map.of(), p), "no emoji family in this checkout: the family's own");
        Files.writeString(repo.resolve(Workbench.EMOJI_FAMILY), "{}");
        assertEquals(repo.resolve(Workbench.EMOJI_FAMILY), Workbench.emojiFamily(Map.of(), p));
        Path own = tmp.resolve("own/family.json");
        assertEquals(own, Workbench.emojiFamily(Map.of("STYLEALIGN_FAMILY", own.toString()), p));
        Path emoji = tmp.resolve("emoji.json");
        assertEquals(emoji, Workbench.emojiFamily(Map.of("STYLEALIGN_FAMILY", own.toString(),
                "STYLEALIGN_EMOJI_FAMILY", emoji.toString()), p));
    }

    @Test
    void theEdgeFamilyIsFoundTheSameWay() throws Exception {
        Path repo = tmp.resolve("repo-edges");
        Files.createDirectories(repo.resolve("models"));
        Properties p = props("stylealign.home", repo.toString());
        assertEquals(null, Workbench.edgeFamily(Map.of(), p));
        Files.writeString(repo.resolve(Workbench.EMOJI_FAMILY), "{}");
        assertEquals(null, Workbench.edgeFamily(Map.of(), p), "the emoji file is not the edge family");
        Files.writeString(repo.resolve(Workbench.EDGE_FAMILY), "{}");
        assertEquals(repo.resolve(Workbench.EDGE_FAMILY), Workbench.edgeFamily(Map.of(), p));
        Path own = tmp.resolve("own/family.json");
        assertEquals(own, Workbench.edgeFamily(Map.of("STYLEALIGN_FAMILY", own.toString()), p));
        Path edges = tmp.resolve("edges.json");
        assertEquals(edges, Workbench.edgeFamily(Map.of("STYLEALIGN_FAMILY", own.toString(),
                "STYLEALIGN_EDGE_FAMILY", edges.toString()), p));
    }

    @Test
    void aUsersFamilyGivesTheModelItsParent() {
        Path shipped = Path.of("..", "models", "family.json").toAbsolutePath().normalize();
        Map<String, String> env = Map.of("STYLEALIGN_FAMILY", shipped.toString());
        assertEquals(shipped.resolveSibling("P.safetensors"), Workbench.model(env, props()));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Workbench.model(Map.of("STYLEALIGN_FAMILY", tmp.resolve("none.json").toString()), props()));
        assertTrue(e.getMessage().contains("none.json"), e.getMessage());
    }

    @Test
    void thePoseFamilyIsTheOneNamedElseTheUsersFamilyElseTheShippedFile() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("models"));
        Properties p = props("stylealign.home", repo.toString());
        assertTrue(Workbench.poseFamily(Map.of(), p).isEmpty(), "no pose family in this checkout");
        Files.writeString(repo.resolve(Workbench.POSE_FAMILY), "{}");
        assertEquals(java.util.Optional.of(repo.resolve(Workbench.POSE_FAMILY)), Workbench.poseFamily(Map.of(), p));
        // a user's family replaces the shipped ones: the pose section runs on it or says why it cannot
        Path own = tmp.resolve("own/family.json");
        assertEquals(java.util.Optional.of(own), Workbench.poseFamily(Map.of("STYLEALIGN_FAMILY", own.toString()), p));
        Path pose = tmp.resolve("pose.json");
        assertEquals(java.util.Optional.of(pose), Workbench.poseFamily(Map.of("STYLEALIGN_FAMILY", own.toString(),
                "STYLEALIGN_POSE_FAMILY", pose.toString()), p));
    }

    @Test
    void smokeAcceptsTheUsualSpellings() {
        for (String yes : new String[] {"1", "true", "YES", " on "}) {
            assertTrue(Workbench.smoke(Map.of("STYLEALIGN_SMOKE", yes), props()), yes);
        }
        for (String no : new String[] {"0", "false", "", "no"}) {
            assertFalse(Workbench.smoke(Map.of("STYLEALIGN_SMOKE", no), props()), no);
        }
        assertFalse(Workbench.smoke(Map.of(), props()));
    }
}
