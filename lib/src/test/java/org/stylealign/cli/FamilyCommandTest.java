package org.stylealign.cli;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.io.Checkpoints;
import org.stylealign.io.ModelFamily;
import org.stylealign.io.ModelIO;
import org.stylealign.model.Fixtures;
import org.stylealign.model.Generator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `stylealign family init|add|check` on the shared reference checkpoints, in their own formats. */
class FamilyCommandTest {

    @Test
    void initAddCheckOnCheckpointsInTheirOwnFormats(@TempDir Path tmp) throws Exception {
        Path pkl = Fixtures.nvlabsPickle().toAbsolutePath();
        Path stateDict = Fixtures.nvlabsStateDict().toAbsolutePath();
        // an independently initialised model of the pickle's architecture, and the pickle cut to 16 px
        Path control = tmp.resolve("ckpt/seed2.safetensors");
        Path small = tmp.resolve("ckpt/small16.safetensors");
        Files.createDirectories(control.getParent());
        try (var p = ModelIO.load(pkl, Device.cpu()); Generator g = Generator.create(p.config(), Device.cpu(), 2)) {
            ModelIO.estimateWAvg(g);
            ModelIO.save(control, g, null, null, false);
        }
        Checkpoints.writeNative(small, ModelIO.atResolution(Checkpoints.read(pkl), 16, 1), false);

        Path out = tmp.resolve("fam/family.json");
        CliTest.Result r = CliTest.run("family", "init", "--parent", "HP=" + pkl, "--child", "HC=" + stateDict + ":close",
                "--control", "HP2=" + control, "--resolution", small.toString(), "--domain", "ffhq", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("HP  ffhq  [parent]") && r.out().contains("HC  HC  [child, close]"), r.out());
        String json = Files.readString(out);
        assertTrue(json.contains("\"checkpoint\": \"../ckpt/seed2.safetensors\""), "paths relative to the file: " + json);
        assertTrue(!json.contains(tmp.toString() + "/ckpt"), json);
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "no weights copied, no temporary file left");
        }
        ModelFamily f = ModelFamily.load(out);
        assertEquals("HP", f.parent().name());
        assertEquals(List.of("HC"), f.children(ModelFamily.Distance.CLOSE).stream().map(ModelFamily.Member::name).toList());
        assertEquals("HP2", f.control().orElseThrow().name());
        assertEquals("small16", f.resolutionChildren().get(0).name());

        CliTest.Result ok = CliTest.run("family", "check", "--family", out.toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("small16: resolution 16 vs 32 px (a resolution child)"), ok.out());
        assertTrue(ok.out().contains("nvlabs") && ok.out().contains("check: ok"), ok.out());
        assertTrue(ok.out().contains("no grandchild, locality"), ok.out());

        // a locality child and a grandchild join; then a model of other widths, which check names
        CliTest.Result add = CliTest.run("family", "add", "--family", out.toString(), "--role", "locality",
                "--transform", "rotate=180", "--name", "HL", control.toString());
        assertEquals(0, add.code(), add.err());
        assertEquals(new ModelFamily.Transform(180, 0, 0, false), ModelFamily.load(out).locality().get(0).transform());
        assertEquals(0, CliTest.run("family", "add", "--family", out.toString(), "--role", "grandchild", "--from", "HC",
                "--name", "HG", stateDict.toString()).code());
        assertEquals(List.of("HP", "HC", "HG"), ModelFamily.load(out).lineage("HG").stream().map(ModelFamily.Member::name).toList());
        assertEquals(0, CliTest.run("family", "add", "--family", out.toString(), "--role", "child", "--distance", "distant",
                "--name", "Ros", Fixtures.rosinality().toAbsolutePath().toString()).code());
        CliTest.Result bad = CliTest.run("family", "check", "--family", out.toString());
        assertEquals(1, bad.code(), bad.out());
        assertTrue(bad.out().contains("Ros (child): another architecture than the parent HP: channels 32 px: 64 vs 32"),
                bad.out());
    }

    @Test
    void badInputNamesTheFileOrValueAndLeavesTheFamilyAsItWas(@TempDir Path tmp) throws Exception {
        Path pkl = Fixtures.nvlabsPickle().toAbsolutePath();
        Path out = tmp.resolve("family.json");
        CliTest.Result missing = CliTest.run("family", "init", "--parent", pkl.toString(), "--child",
                tmp.resolve("nope.pkl") + ":close", "--out", out.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.pkl") && missing.err().contains("does not exist"), missing.err());
        assertTrue(!Files.exists(out), "nothing written");

        CliTest.Result far = CliTest.run("family", "init", "--parent", pkl.toString(), "--child", pkl + ":far",
                "--out", out.toString());
        assertTrue(far.code() == 2 && far.err().contains("close or distant"), far.err());
        CliTest.Result twice = CliTest.run("family", "init", "--parent", pkl.toString(), "--child", pkl.toString(),
                "--out", out.toString());
        assertTrue(twice.code() == 1 && twice.err().contains("listed twice"), twice.err());
        CliTest.Result noTransform = CliTest.run("family", "init", "--parent", pkl.toString(), "--locality", "L=" + pkl,
                "--out", out.toString());
        assertTrue(noTransform.code() == 2 && noTransform.err().contains("needs its transform"), noTransform.err());
        CliTest.Result badTransform = CliTest.run("family", "init", "--parent", pkl.toString(), "--locality",
                "L=" + pkl + ":rotate=45", "--out", out.toString());
        assertTrue(badTransform.code() == 1 && badTransform.err().contains("multiple of 90"), badTransform.err());
        assertTrue(!Files.exists(out));

        assertEquals(0, CliTest.run("family", "init", "--parent", "HP=" + pkl, "--out", out.toString()).code());
        String before = Files.readString(out);
        CliTest.Result again = CliTest.run("family", "init", "--parent", pkl.toString(), "--out", out.toString());
        assertTrue(again.code() == 2 && again.err().contains("exists"), again.err());
        CliTest.Result role = CliTest.run("family", "add", "--family", out.toString(), "--role", "cousin", pkl.toString());
        assertTrue(role.code() == 2 && role.err().contains("'cousin'"), role.err());
        CliTest.Result dup = CliTest.run("family", "add", "--family", out.toString(), "--role", "child", "--name", "HP",
                pkl.toString());
        assertTrue(dup.code() == 1 && dup.err().contains("'HP' is listed twice"), dup.err());
        CliTest.Result grand = CliTest.run("family", "add", "--family", out.toString(), "--role", "grandchild",
                "--from", "HP", "--name", "G", pkl.toString());
        assertTrue(grand.code() == 1 && grand.err().contains("grandchild"), grand.err());
        assertEquals(before, Files.readString(out), "a refused add leaves the file as it was");
        Path broken = tmp.resolve("broken.pt");
        Files.writeString(broken, "not a checkpoint");
        assertEquals(0, CliTest.run("family", "add", "--family", out.toString(), "--role", "control", "--name", "X",
                broken.toString()).code());
        CliTest.Result check = CliTest.run("family", "check", "--family", out.toString());
        assertEquals(1, check.code());
        assertTrue(check.out().contains("X: ") && check.out().contains("broken.pt") && check.out().contains("does not load"),
                check.out());
    }
}
