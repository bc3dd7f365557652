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

    /** How notebook 09 finds a side family (emoji pair, edge-map child): the named file, the user's, the shipped one. */
    interface SideFamily {
        Path find(Map<String, String> env, Properties props);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"emoji, STYLEALIGN_EMOJI_FAMILY", "edges, STYLEALIGN_EDGE_FAMILY"})
    void aSideFamilyIsTheOneNamedElseTheUsersElseTheShippedFileElseTheFamily(String kind, String key) throws Exception {
        boolean emoji = kind.equals("emoji");
        SideFamily side = emoji ? Workbench::emojiFamily : Workbench::edgeFamily;
        String shipped = emoji ? Workbench.EMOJI_FAMILY : Workbench.EDGE_FAMILY;
        String other = emoji ? Workbench.EDGE_FAMILY : Workbench.EMOJI_FAMILY;
        Path repo = tmp.resolve("repo-" + kind);
        Files.createDirectories(repo.resolve("models"));
        Properties p = props("stylealign.home", repo.toString());
        assertEquals(null, side.find(Map.of(), p), "no " + kind + " family in this checkout: the family's own");
        Files.writeString(repo.resolve(other), "{}");
        assertEquals(null, side.find(Map.of(), p), "the other side family's file is not this one");
        Files.writeString(repo.resolve(shipped), "{}");
        assertEquals(repo.resolve(shipped), side.find(Map.of(), p));
        Path own = tmp.resolve("own/family.json");
        assertEquals(own, side.find(Map.of("STYLEALIGN_FAMILY", own.toString()), p));
        Path named = tmp.resolve(kind + ".json");
        assertEquals(named, side.find(Map.of("STYLEALIGN_FAMILY", own.toString(), key, named.toString()), p));
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
