package org.stylealign.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataPaths;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.io.Checkpoints;
import org.stylealign.io.ImportedCheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `stylealign train` and `finetune` on a tiny Fashion-MNIST set (no Node needed), through the files they write. */
class TrainCommandTest {

    static Path tinyData(Path cache, int size) {
        return new DatasetBuilder(DataPaths.locate().withCache(cache)).threads(1)
                .build(BuildSpec.of("fashion-mnist", size, 16, 1));
    }

    private static final List<String> TINY = List.of("--batch", "4", "--channels", "4:8,8:8", "--z-dim", "8",
            "--w-dim", "8", "--mapping", "1", "--snapshot-kimg", "0.008");

    private static String[] ft(String... head) {
        List<String> all = new java.util.ArrayList<>(List.of(head));
        all.addAll(List.of("--batch", "4", "--snapshot-kimg", "0.008"));
        return all.toArray(new String[0]);
    }

    private static String[] args(String... head) {
        List<String> all = new java.util.ArrayList<>(List.of(head));
        all.addAll(TINY);
        return all.toArray(new String[0]);
    }

    @Test
    void trainWritesSnapshotsAndHistoryThenResumesAndFineTunes(@TempDir Path tmp) throws Exception {
        Path data = tinyData(tmp.resolve("cache"), 8);
        Path out = tmp.resolve("run");
        CliTest.Result r = CliTest.run(args("train", "--data", data.toString(), "--out", out.toString(), "--kimg",
                "0.016"));
        assertEquals(0, r.code(), r.err() + r.out());
        for (String f : List.of("snapshot.safetensors", "metrics.csv", "snapshot-000000.safetensors",
                "snapshot-000000.008.safetensors", "snapshot-000000.016.safetensors")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing; output:\n" + r.out());
        }
        assertTrue(Files.size(out.resolve("snapshot-000000.016.safetensors"))
                < Files.size(out.resolve("snapshot.safetensors")), "the history copy is float16 without Adam state");
        ImportedCheckpoint h = Checkpoints.read(out.resolve("snapshot-000000.016.safetensors"));
        assertEquals(8, h.generatorConfig().resolution());
        assertEquals("16", h.metadata().get("train.images_seen"));

        CliTest.Result again = CliTest.run(args("train", "--data", data.toString(), "--out", out.toString(),
                "--kimg", "0.016"));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--resume"), again.err());

        CliTest.Result resumed = CliTest.run(args("train", "--data", data.toString(), "--out", out.toString(),
                "--kimg", "0.024", "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming") && resumed.out().contains("step 4"), resumed.out());
        assertTrue(Files.isRegularFile(out.resolve("snapshot-000000.024.safetensors")));
        assertEquals(7, Files.readAllLines(out.resolve("metrics.csv")).size()); // header + 6 steps

        Path child = tmp.resolve("child");
        CliTest.Result ft = CliTest.run(ft("finetune", "--from",
                out.resolve("snapshot-000000.016.safetensors").toString(), "--data", data.toString(), "--out",
                child.toString(), "--kimg", "0.008", "--freeze", "mapping,affine"));
        assertEquals(0, ft.code(), ft.err());
        assertTrue(ft.out().contains("frozen mapping,affine"), ft.out());
        assertTrue(Files.isRegularFile(child.resolve("snapshot-000000.008.safetensors")));
    }

    @Test
    void mismatchesAndBadOptionsAreExplained(@TempDir Path tmp) throws Exception {
        Path data8 = tinyData(tmp.resolve("cache"), 8);
        Path out = tmp.resolve("run");
        assertEquals(0, CliTest.run(args("train", "--data", data8.toString(), "--out", out.toString(), "--kimg",
                "0.004")).code());
        Path data16 = tinyData(tmp.resolve("cache"), 16);
        CliTest.Result r = CliTest.run(ft("finetune", "--from", out.resolve("snapshot.safetensors").toString(),
                "--data", data16.toString(), "--out", tmp.resolve("c").toString(), "--kimg", "0.004"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("resolution mismatch") && r.err().contains("16x16")
                && r.err().contains("8x8"), r.err());
        assertFalse(Files.exists(tmp.resolve("c").resolve("snapshot.safetensors")));

        CliTest.Result bad = CliTest.run(ft("finetune", "--from", out.resolve("snapshot.safetensors").toString(),
                "--data", data8.toString(), "--out", tmp.resolve("d").toString(), "--kimg", "0.004", "--freeze",
                "everything"));
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown part to freeze 'everything'"), bad.err());

        CliTest.Result arch = CliTest.run("train", "--data", data8.toString(), "--out", tmp.resolve("e").toString(),
                "--kimg", "1", "--channels", "4:8");
        assertEquals(2, arch.code());
        assertTrue(arch.err().contains("resolution 8"), arch.err());
    }

    @Test
    void metricsAtEverySnapshotGoToQualityCsvAndSurviveAResume(@TempDir Path tmp) throws Exception {
        Path data = tinyData(tmp.resolve("cache"), 8);
        Path out = tmp.resolve("run");
        CliTest.Result r = CliTest.run(args("train", "--data", data.toString(), "--out", out.toString(), "--kimg",
                "0.016", "--metrics", "8"));
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("quality at 0.0 kimg:  fid "), r.out());
        List<String> q = Files.readAllLines(out.resolve("quality.csv"));
        assertEquals("kimg,fid,kid,own_domain_share,seconds", q.get(0));
        assertEquals(List.of("0.000", "0.008", "0.016"), q.stream().skip(1).map(l -> l.split(",")[0]).toList());
        for (String l : q.subList(1, q.size())) {
            double fid = Double.parseDouble(l.split(",")[1]);
            assertTrue(fid > 0 && Double.isFinite(fid), l);
        }
        // fashion-mnist is not one of the bundled classifier's domains: no share, said so by an empty field
        assertEquals("", q.get(1).split(",", -1)[3]);

        CliTest.Result resumed = CliTest.run(args("train", "--data", data.toString(), "--out", out.toString(),
                "--kimg", "0.024", "--resume", "--metrics", "8"));
        assertEquals(0, resumed.code(), resumed.err());
        List<String> q2 = Files.readAllLines(out.resolve("quality.csv"));
        assertEquals(List.of("0.000", "0.008", "0.016", "0.024"),
                q2.stream().skip(1).map(l -> l.split(",")[0]).toList());
        assertEquals(q.subList(0, 3), q2.subList(0, 3), "earlier lines are kept as they were");

        CliTest.Result bad = CliTest.run(args("train", "--data", data.toString(), "--out",
                tmp.resolve("x").toString(), "--kimg", "0.004", "--metrics", "1"));
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--metrics"), bad.err());

        // a metric set from the registry: only KID; an unknown name is refused with the known ones listed
        Path kidOnly = tmp.resolve("kid");
        CliTest.Result k = CliTest.run(args("train", "--data", data.toString(), "--out", kidOnly.toString(), "--kimg",
                "0.008", "--metrics", "8", "--metric-set", "kid"));
        assertEquals(0, k.code(), k.err() + k.out());
        assertEquals("kimg,kid,seconds", Files.readAllLines(kidOnly.resolve("quality.csv")).get(0));
        CliTest.Result unknown = CliTest.run(args("train", "--data", data.toString(), "--out",
                tmp.resolve("y").toString(), "--kimg", "0.004", "--metrics", "8", "--metric-set", "fid,ppl"));
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown metric 'ppl'") && unknown.err().contains("own_domain_share"),
                unknown.err());
    }

    @Test
    void convertEmaOnlyKeepsWhatRenderingNeeds(@TempDir Path tmp) throws Exception {
        Path data = tinyData(tmp.resolve("cache"), 8);
        Path out = tmp.resolve("run");
        assertEquals(0, CliTest.run(args("train", "--data", data.toString(), "--out", out.toString(), "--kimg",
                "0.004")).code());
        Path full = out.resolve("snapshot-000000.004.safetensors");
        Path small = tmp.resolve("ema.safetensors");
        CliTest.Result c = CliTest.run("convert", "--checkpoint", full.toString(), "--out", small.toString(), "--fp16",
                "--ema-only");
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("G_ema only"), c.out());
        ImportedCheckpoint a = Checkpoints.read(full);
        ImportedCheckpoint b = Checkpoints.read(small);
        assertTrue(b.g() == null && b.d() == null && b.extraGroups().isEmpty());
        assertEquals(a.gEma().keySet(), b.gEma().keySet());
        for (String k : a.gEma().keySet()) {
            assertEquals(java.util.Arrays.toString(a.gEma().get(k).values()),
                    java.util.Arrays.toString(b.gEma().get(k).values()), k);
        }
        assertTrue(Files.size(small) * 2 < Files.size(full));
        try (var model = org.stylealign.io.ModelIO.load(small)) {
            assertEquals(8, model.generator().config().resolution());
        }
    }
}
