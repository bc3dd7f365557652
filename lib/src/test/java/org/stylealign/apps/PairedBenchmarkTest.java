package org.stylealign.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataException;
import org.stylealign.data.DataPaths;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.EmojiSplit;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.ModelFamily;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.StyleGan2;
import org.stylealign.model.Tensors;
import org.stylealign.viz.Workbench;

class PairedBenchmarkTest {

    private static NDArray uniform(NDManager m, int n, float lo, float hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n * 3 * 32 * 32];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * (float) r.nextDouble();
        }
        return Tensors.owned(m, v, new Shape(n, 3, 32, 32));
    }

    @Test
    void knownAnswersOnTinyInputs() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); DomainFeatures f = DomainFeatures.bundled().orElseThrow()) {
            NDArray truth = uniform(m, 3, -0.5f, 0.5f, 1);
            Map<String, NDArray> methods = new LinkedHashMap<>();
            methods.put("exact", truth);
            methods.put("shifted by 0.25", truth.add(0.25f));
            methods.put("negated", truth.neg());
            // overshoot past 1 is clipped before scoring: 1.5 where the truth is 1 is no difference
            NDArray ones = m.ones(new Shape(3, 3, 32, 32));
            List<PairedBenchmark.Row> rows = PairedBenchmark.score(truth, methods, f);
            assertEquals(0, rows.get(0).pixel(), 1e-7);
            assertEquals(0, rows.get(0).perceptual(), 1e-6);
            assertEquals(0.25, rows.get(1).pixel(), 1e-6);
            assertEquals(0, rows.get(1).pixelSe(), 1e-6);
            assertEquals(3, rows.get(1).n());
            double meanAbs2t = truth.abs().mul(2).mean().getFloat(); // |t - (-t)| = 2|t|
            assertEquals(meanAbs2t, rows.get(2).pixel(), 1e-5);
            assertTrue(rows.get(2).perceptual() > rows.get(0).perceptual());
            double[][] d = PairedBenchmark.distances(ones.mul(1.5f), ones, f);
            assertEquals(0, d[0][1], 1e-7);
            assertThrows(IllegalArgumentException.class, () -> PairedBenchmark.distances(truth, ones.get("0:2"), f));
        }
    }

    @Test
    void nearestFindsTheCopiesHiddenAmongOtherImages() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); DomainFeatures f = DomainFeatures.bundled().orElseThrow()) {
            NDArray queries = uniform(m, 3, -1, 1, 2);
            NDArray others = uniform(m, 5, -1, 1, 3);
            // candidates: others[0..1], query 2, others[2..3], query 0, others[4], query 1
            NDArray cands = others.get("0:2").concat(queries.get("2:3")).concat(others.get("2:4"))
                    .concat(queries.get("0:1")).concat(others.get("4:5")).concat(queries.get("1:2"));
            int[] chosen = new int[3];
            NDArray got = PairedBenchmark.nearest(queries, cands, f, chosen);
            assertArrayEquals(new int[] {5, 7, 2}, chosen);
            assertArrayEquals(queries.toFloatArray(), got.toFloatArray(), 0f);
        }
    }

    @Test
    void pairsAreTestNamesIndexByIndexAndOtherSplitsAreRefused(@TempDir Path cache) {
        DatasetBuilder b = new DatasetBuilder(DataPaths.locate().withCache(cache)).threads(2);
        PairedBenchmark.Pairs p = PairedBenchmark.testPairs(b, "emoji-noto", "emoji-twemoji", 8, 1);
        assertEquals(b.available("emoji-noto", BuildSpec.Split.TEST), p.count());
        for (int i = 0; i < p.count(); i++) {
            assertTrue(EmojiSplit.isTest(p.names().get(i)));
            assertEquals(p.names().get(i), p.truths().label(i).key());
        }
        ImageDataset train = b.open(BuildSpec.of("emoji-twemoji", 8, p.count(), 1).withSplit(BuildSpec.Split.TRAIN));
        DataException e = assertThrows(DataException.class, () -> PairedBenchmark.pairs(p.sources(), train));
        assertTrue(e.getMessage().contains("not a test split"), e.getMessage());
        ImageDataset otherSeed = b.open(BuildSpec.of("emoji-twemoji", 8, p.count(), 2).withSplit(BuildSpec.Split.TEST));
        assertThrows(DataException.class, () -> PairedBenchmark.pairs(p.sources(), otherSeed));
    }

    /**
     * The whole path on a stand-in family made of the shipped models (P posing as a Noto parent, C1 as its Twemoji
     * child): finding the pair, the test pairs, inversion, translation, baselines, scores. The models are not
     * emoji models, so only the mechanics are checked, plus what holds for any models: the untranslated source is
     * the source, the nearest training image is a training image.
     */
    @Test
    void runsOnAStandInFamily(@TempDir Path dir) throws Exception {
        Path models = Workbench.home().resolve("models");
        Files.writeString(dir.resolve("family.json"), """
                {"models": [
                  {"name": "E", "role": "parent", "domain": "emoji-noto", "checkpoint": "%s"},
                  {"name": "ET", "parent": "E", "role": "child", "distance": "close", "domain": "emoji-twemoji",
                   "checkpoint": "%s"},
                  {"name": "X", "parent": "E", "role": "child", "domain": "personas", "checkpoint": "%s"}]}
                """.formatted(models.resolve("P.safetensors"), models.resolve("C1.safetensors"),
                models.resolve("C1.safetensors")));
        ModelFamily fam = ModelFamily.load(dir.resolve("family.json"));
        assertEquals("ET", PairedBenchmark.emojiChild(fam).orElseThrow().name());
        assertEquals(null, PairedBenchmark.missing(fam));
        assertTrue(PairedBenchmark.missing(ModelFamily.load(models.resolve("family.json"))).contains("no emoji"));
        DatasetBuilder b = new DatasetBuilder(DataPaths.locate().withCache(dir.resolve("cache"))).threads(2);
        PairedBenchmark.Pairs pairs = PairedBenchmark.testPairs(b, "emoji-noto", "emoji-twemoji", 32, 1);
        ImageDataset train = b.open(BuildSpec.of("emoji-twemoji", 32, 12, 1).withSplit(BuildSpec.Split.TRAIN));
        try (NDManager m = NDManager.newBaseManager(); DomainFeatures f = DomainFeatures.bundled().orElseThrow();
             StyleGan2 e = fam.load("E"); StyleGan2 et = fam.load("ET")) {
            NDArray src = pairs.sourceImages(m, 2), truth = pairs.truthImages(m, 2);
            NDArray training = PairedBenchmark.images(train, 12, m);
            PairedBenchmark.Result r = PairedBenchmark.run(e.generator(), et.generator(), src, truth, training, f,
                    List.of(Inversion.Space.W, Inversion.Space.Z), 3, 50_000);
            assertEquals(List.of("via W", "via Z", PairedBenchmark.SOURCE, PairedBenchmark.RANDOM,
                    PairedBenchmark.NEAREST), r.rows().stream().map(PairedBenchmark.Row::method).toList());
            double[][] direct = PairedBenchmark.distances(src, truth, f);
            assertEquals((direct[0][0] + direct[0][1]) / 2, r.row(PairedBenchmark.SOURCE).pixel(), 1e-6);
            for (PairedBenchmark.Row row : r.rows()) {
                assertEquals(2, row.n());
                assertTrue(Double.isFinite(row.pixel()) && row.pixel() > 0 && row.perceptual() > 0, row.toString());
                assertEquals(new Shape(2, 3, 32, 32), r.images().get(row.method()).getShape(), row.method());
            }
            // translation of a latent is the child rendering it
            NDArray viaW = Translation.render(et.generator(), r.inversions().get(Inversion.Space.W));
            assertArrayEquals(viaW.toFloatArray(), r.images().get("via W").toFloatArray(), 1e-5f);
        }
    }
}
