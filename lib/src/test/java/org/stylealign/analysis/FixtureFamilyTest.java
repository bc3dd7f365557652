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
import org.stylealign.model.Noise;
import org.stylealign.model.Part;
import org.stylealign.model.StyleGan2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The analyses on a family that is not the shipped one: a researcher's parent (the rosinality reference checkpoint
 * of the shared fixtures, "ffhq" for the workbench, which has no classifiers for it), a child derived from it, and
 * an unrelated model of the same architecture. The family is written to {@code lib/target/fixture-family/}, where
 * {@code ./workbench test} then runs the analysis notebooks on it (each must say what it skips, not fail).
 */
class FixtureFamilyTest {

    static final Path DIR = Path.of("target", "fixture-family");
    static ModelFamily family;

    /** The child: the parent with its feature convolutions and toRGB moved by 10% noise (a stand-in fine-tune). */
    @BeforeAll
    static void writeFamily() throws Exception {
        Files.createDirectories(DIR);
        Path parent = Fixtures.rosinality().toAbsolutePath();
        try (StyleGan2 p = ModelIO.load(parent, Device.cpu())) {
            Generator g = p.generator();
            try (Generator child = g.copy(); Generator unrelated = Generator.create(g.config(), Device.cpu(), 99)) {
                Random r = new Random(3);
                for (Map.Entry<String, NDArray> e : child.tensors().entrySet()) {
                    if (Part.anyMatches(List.of(Part.CONVS, Part.TORGB), e.getKey())
                            && e.getKey().endsWith(".weight")) {
                        NDArray w = e.getValue();
                        float[] v = w.toFloatArray();
                        for (int i = 0; i < v.length; i++) {
                            v[i] *= (float) (1 + 0.1 * r.nextGaussian());
                        }
                        w.set(v);
                    }
                }
                // w_avg of the unrelated model from its own mapping (a fresh model has none)
                ModelIO.estimateWAvg(unrelated);
                ModelIO.save(DIR.resolve("FC.safetensors"), child, null, null, false);
                ModelIO.save(DIR.resolve("FP2.safetensors"), unrelated, null, null, false);
            }
        }
        Files.writeString(DIR.resolve("family.json"), """
                {"about": "written by FixtureFamilyTest: a family that is not the shipped one",
                 "models": [
                  {"name": "FP", "domain": "ffhq", "checkpoint": "%s", "description": "rosinality fixture as a parent"},
                  {"name": "FC", "parent": "FP", "domain": "ffhq-cartoon", "checkpoint": "FC.safetensors",
                   "description": "FP with its convolutions perturbed"},
                  {"name": "FP2", "domain": "ffhq", "checkpoint": "FP2.safetensors",
                   "description": "an unrelated model of the same architecture"}]}
                """.formatted(parent.toString().replace("\\", "\\\\")));
        family = ModelFamily.load(DIR.resolve("family.json"));
    }

    @AfterAll
    static void done() {
        // the family stays on disk for the notebooks
    }

    @Test
    void theFamilyHasNoClassifiersAndSaysSo() throws Exception {
        assertEquals(List.of("FP", "FC", "FP2"), family.names());
        assertTrue(AttributeClassifier.bundled("ffhq").isEmpty(), "no attribute classifier for a user's domain");
    }

    @Test
    void componentResetOfEveryPartGivesTheParentAndTheControlIsFarther() throws Exception {
        try (StyleGan2 p = family.load("FP"); StyleGan2 c = family.load("FC"); StyleGan2 u = family.load("FP2");
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
        try (StyleGan2 p = family.load("FP"); StyleGan2 c = family.load("FC"); StyleGan2 u = family.load("FP2");
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            var pm = Alignment.Model.of("FP", p.generator(), null);
            var cm = Alignment.Model.of("FC", c.generator(), null);
            var um = Alignment.Model.of("FP2", u.generator(), null);
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
