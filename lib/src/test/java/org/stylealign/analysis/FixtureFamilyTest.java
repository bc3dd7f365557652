package org.stylealign.analysis;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stylealign.io.ModelFamily;
import org.stylealign.io.ModelIO;
import org.stylealign.metrics.AttributeClassifier;
import org.stylealign.model.Fixtures;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;
import org.stylealign.model.Part;
import org.stylealign.model.StyleGan2;
import org.stylealign.train.ImageFeed;
import org.stylealign.train.Snapshots;
import org.stylealign.train.TrainConfig;
import org.stylealign.train.Trainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analyses on a family that is not the shipped one, made the way a researcher would: {@code stylealign family
 * init} over checkpoints in their own formats and names. The parent HP is the shared NVlabs reference pickle grown to
 * 64 px (its blocks up to 32 px kept, a 64 px block of 16 channels added; "ffhq" for the workbench, which has no
 * classifiers for it); HC a child briefly fine-tuned from it by the trainer; HP2 an unrelated 64 px model of the same architecture (the
 * control); HR32 the reference pickle itself, which is HP cut to 32 px (a resolution child). Written to
 * {@code lib/target/fixture-family/}, where {@code ./workbench test} then runs every notebook on it (each must say what
 * it skips, not fail).
 */
class FixtureFamilyTest {

    static final Path DIR = Path.of("target", "fixture-family");
    static ModelFamily family;

    /** Trainer steps of 4 images that make the child: enough to move its convolutions, a few seconds. */
    static final int FINETUNE_STEPS = 12;

    @BeforeAll
    static void writeFamily() throws Exception {
        Files.createDirectories(DIR);
        Path pkl = Fixtures.nvlabsPickle().toAbsolutePath();
        try (StyleGan2 small = ModelIO.load(pkl, Device.cpu())) {
            GeneratorConfig c32 = small.config();
            Map<Integer, Integer> widths = new TreeMap<>(c32.channels());
            widths.put(64, 16);
            GeneratorConfig c64 = new GeneratorConfig(64, c32.imageChannels(), c32.zDim(), c32.wDim(),
                    c32.mappingLayers(), c32.mappingLrMul(), widths);
            try (Generator parent = Generator.create(c64, Device.cpu(), 5)) {
                int kept = 0;
                for (Map.Entry<String, NDArray> e : small.generator().tensors().entrySet()) {
                    NDArray to = parent.tensors().get(e.getKey());
                    if (to != null && to.getShape().equals(e.getValue().getShape())) {
                        to.set(e.getValue().toFloatArray());
                        kept++;
                    }
                }
                assertEquals(small.generator().tensors().size(), kept, "every tensor of the 32 px model is kept");
                try (Generator unrelated = Generator.create(c64, Device.cpu(), 99)) {
                    // w_avg of the unrelated model from its own mapping (a fresh model has none)
                    ModelIO.estimateWAvg(unrelated);
                    ModelIO.save(DIR.resolve("HP.safetensors"), parent, null, null, false);
                    ModelIO.save(DIR.resolve("HP2.safetensors"), unrelated, null, null, false);
                }
            }
        }
        // HC: HP briefly fine-tuned by the real trainer (mapping frozen, a fresh D) toward a recoloured domain, HP's
        // own samples with red and blue swapped
        TrainConfig cfg = TrainConfig.recipe(64, 4).frozen(List.of("mapping")).learningRate(2e-4f).pathLength(0f, 4)
                .seed(1).build();
        try (StyleGan2 hp = ModelIO.load(DIR.resolve("HP.safetensors"), Device.cpu());
             Trainer t = Snapshots.finetune(DIR.resolve("HP.safetensors"), cfg, Device.cpu())) {
            ImageFeed recoloured = new ImageFeed() {
                @Override
                public NDArray images(NDManager m, long step, int batch) {
                    Generator g = hp.generator();
                    NDArray z = g.zFromSeeds(m, Generator.seedRange(10_000 + step * batch, batch));
                    return g.generate(z, 1f, Noise.constant()).flip(1);
                }

                @Override
                public int resolution() {
                    return 64;
                }

                @Override
                public int channels() {
                    return 3;
                }
            };
            for (int i = 0; i < FINETUNE_STEPS; i++) {
                t.step(recoloured);
            }
            ModelIO.save(DIR.resolve("HC.safetensors"), t.generator(), null, null, false);
        }
        Path json = DIR.resolve("family.json");
        stylealign("family", "init", "--parent", "HP=" + DIR.resolve("HP.safetensors"),
                "--control", "HP2=" + DIR.resolve("HP2.safetensors"), "--resolution", "HR32=" + pkl,
                "--domain", "ffhq", "--out", json.toString(), "--force");
        stylealign("family", "add", "--family", json.toString(), "--role", "child", "--distance", "close",
                "--name", "HC", "--domain", "ffhq-cartoon", DIR.resolve("HC.safetensors").toString());
        family = ModelFamily.load(json);
    }

    private static void stylealign(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = org.stylealign.cli.Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, code, String.join(" ", args) + ": " + out.toString(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void done() {
        // the family stays on disk for the notebooks
    }

    @Test
    void theFamilyIsAUsersOwnAt64Px() throws Exception {
        assertEquals(List.of("HP", "HP2", "HR32", "HC"), family.names());
        assertEquals("ffhq-cartoon", family.children().get(0).domain());
        assertEquals("HP", family.parent().name());
        assertEquals(64, family.config("HP").resolution());
        assertEquals(32, family.config("HR32").resolution());
        assertEquals(List.of(ModelFamily.Role.GRANDCHILD, ModelFamily.Role.LOCALITY),
                family.missing(ModelFamily.Role.values()).stream().filter(r -> r != ModelFamily.Role.OTHER).toList());
        // HR32 is HP cut to 32 px: the same images at the lower size (HP adds its 64 px block's detail)
        try (StyleGan2 p = family.load("HP"); StyleGan2 r = family.load("HR32");
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray z = p.generator().zFromSeeds(m, 1, 2);
            double d = ImageDistance.pixelAtCommonSize(p.generator().generate(z, 1f, Noise.constant()),
                    r.generator().generate(z, 1f, Noise.constant()));
            assertTrue(d < 0.5, "the 32 px model draws HP's images at 32 px: " + d);
        }
        // the fine-tuned child stays nearer its parent than the unrelated model is
        try (StyleGan2 p = family.load("HP"); StyleGan2 c = family.load("HC"); StyleGan2 u = family.load("HP2");
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray z = p.generator().zFromSeeds(m, 1, 2, 3, 4);
            NDArray pi = p.generator().generate(z, 1f, Noise.constant());
            double toChild = ImageDistance.pixelAtCommonSize(c.generator().generate(z, 1f, Noise.constant()), pi);
            double toStranger = ImageDistance.pixelAtCommonSize(u.generator().generate(z, 1f, Noise.constant()), pi);
            assertTrue(toChild > 0.01 && toChild < toStranger / 2, "child " + toChild + ", unrelated " + toStranger);
        }
    }

    @Test
    void theFamilyHasNoClassifiersAndSaysSo() throws Exception {
        assertTrue(AttributeClassifier.bundled("ffhq").isEmpty(), "no attribute classifier for a user's domain");
    }

    @Test
    void componentResetOfEveryPartGivesTheParentAndTheControlIsFarther() throws Exception {
        try (StyleGan2 p = family.load("HP"); StyleGan2 c = family.load("HC"); StyleGan2 u = family.load("HP2");
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            ComponentReset reset = ComponentReset.of(c.generator(), p.generator()).control(u.generator()).batch(8);
            NDArray z = p.generator().zFromSeeds(m, 1, 2, 3, 4);
            try (Generator all = reset.reset(Part.all())) {
                NDArray back = all.synthesis(all.broadcast(all.mapping(z)), Noise.constant());
                NDArray parent = p.generator().synthesis(p.generator().broadcast(p.generator().mapping(z)),
                        Noise.constant());
                assertEquals(0f, back.sub(parent).abs().max().getFloat(), 1e-5f);
            }
            List<ComponentReset.Row> rows = reset.measure(z, List.of(Part.CONVS, Part.MAPPING), i -> { });
            ComponentReset.Row convs = rows.get(0);
            assertTrue(convs.pixel() > 0, "the perturbed part changes the image when reset");
            assertTrue(convs.controlPixel() > convs.pixel(),
                    "a stranger's convolutions change the child more than its parent's: " + convs);
            assertEquals(0.0, rows.get(1).pixel(), 1e-6, "the child's mapping is its parent's");
        }
    }

    @Test
    void alignmentWithoutReadersScoresChangeMapsOnly() throws Exception {
        try (StyleGan2 p = family.load("HP"); StyleGan2 c = family.load("HC"); StyleGan2 u = family.load("HP2");
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            var pm = Alignment.Model.of("HP", p.generator(), null);
            var cm = Alignment.Model.of("HC", c.generator(), null);
            var um = Alignment.Model.of("HP2", u.generator(), null);
            NDArray z = p.generator().zFromSeeds(m, 10, 11, 12, 13, 14, 15);
            List<LatentSearch.Component> pcs = LatentSearch.principalComponents(p.generator(), 200, 1, 100, 2);
            for (Control control : List.of(Control.channel(3, 5), pcs.get(0).direction())) {
                Alignment.Score s = Alignment.score(control, 6f, z, pm, null, cm, null, um, new Random(1));
                assertNull(s.inChild());
                assertTrue(!s.attributeAligned());
                // a child close to its parent changes where the parent changes, far more than the stranger does
                assertTrue(s.mapChild() > 0.5, control.name() + ": " + s);
                assertTrue(s.mapChild() > s.mapUnrelated(), control.name() + ": " + s);
                assertTrue(s.mapAligned(), control.name() + ": " + s);
            }
        }
    }
}
