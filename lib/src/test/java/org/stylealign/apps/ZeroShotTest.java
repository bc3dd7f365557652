package org.stylealign.apps;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stylealign.io.ModelIO;
import org.stylealign.metrics.AttributeClassifier;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleGan2;
import org.stylealign.viz.Workbench;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The zero-shot path and translation on the family's parent, where the answers are known. */
class ZeroShotTest {

    static StyleGan2 parent;
    static DomainFeatures features;
    static AttributeClassifier reader;

    @BeforeAll
    static void load() throws Exception {
        parent = ModelIO.load(Workbench.home().resolve(Workbench.DEFAULT_MODEL), Device.cpu());
        features = DomainFeatures.bundled().orElseThrow();
        reader = AttributeClassifier.bundled("avataaars").orElseThrow();
    }

    @AfterAll
    static void close() {
        reader.close();
        features.close();
        parent.close();
    }

    static double pearson(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i] / a.length;
            mb += b[i] / b.length;
        }
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    @Test
    void onTheParentsOwnImagesTheZeroShotPathReproducesItsReadersLabels() {
        Generator g = parent.generator();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = g.generate(g.zFromSeeds(m, 20, 21, 22, 23, 24, 25, 26, 27), 1f, Noise.constant());
            Inversion.Result inv = Inversion.invert(g, x, features,
                    Inversion.Options.defaults(Inversion.Space.W_PLUS).withSteps(100), null);
            NDArray through = Translation.render(g, inv); // "the child" is the parent itself here
            for (String attr : new String[] {"hair_luminance", "skin_luminance"}) {
                double[] direct = reader.score(x, attr);
                double[] zeroShot = reader.score(through, attr);
                double r = pearson(direct, zeroShot);
                // the control: the same reader on other images of the same model
                double[] other = reader.score(g.generate(g.zFromSeeds(m, 40, 41, 42, 43, 44, 45, 46, 47), 1f,
                        Noise.constant()), attr);
                double rControl = pearson(direct, other);
                System.out.printf("%s: r through the inversion %.3f, with other images %.3f%n", attr, r, rControl);
                assertTrue(r > 0.9 && r > rControl + 0.4, attr + ": labels through the inversion r = " + r
                        + " (other images: " + rControl + ")");
            }
            double[] g1 = reader.score(x, "glasses");
            double[] g2 = reader.score(through, "glasses");
            int agree = 0;
            for (int i = 0; i < g1.length; i++) {
                agree += (g1[i] >= 0.5) == (g2[i] >= 0.5) ? 1 : 0;
            }
            assertTrue(agree >= 7, "glasses labels agree on " + agree + " of 8");
        }
    }

    @Test
    void translatingALatentIsRenderingItWithTheTarget() {
        Generator g = parent.generator();
        try (Generator child = g.interpolate(g.copy(), 0.3); // any model of the architecture will do
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray z = g.zFromSeeds(m, 3, 4);
            assertEquals(0, Translation.render(child, Inversion.Space.Z, z).sub(child.generate(z, 1f, Noise.constant()))
                    .abs().max().getFloat(), 0);
            NDArray ws = g.broadcast(g.mapping(z)); // W+ from the source: used as is by the target
            assertEquals(0, Translation.render(child, Inversion.Space.W_PLUS, ws)
                    .sub(child.synthesis(ws, Noise.constant())).abs().max().getFloat(), 0);
        }
    }

    @Test
    void referenceBasedAndMultimodalTranslationTakeTheRowsTheySay() {
        Generator g = parent.generator();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray src = g.broadcast(g.mapping(g.zFromSeeds(m, 1, 2)));
            NDArray ref = g.broadcast(g.mapping(g.zFromSeeds(m, 9)));
            int all = g.numWs();
            NDArray srcImg = g.synthesis(src, Noise.constant());
            NDArray refImg = g.synthesis(ref.repeat(0, 2), Noise.constant());
            assertEquals(0, Translation.referenceBased(g, src, ref, all).sub(srcImg).abs().max().getFloat(), 0,
                    "n = numWs is the source");
            assertEquals(0, Translation.referenceBased(g, src, ref, 0).sub(refImg).abs().max().getFloat(), 0,
                    "n = 0 is the reference");
            NDArray half = Translation.referenceBased(g, src, ref, all / 2);
            assertTrue(half.sub(srcImg).abs().max().getFloat() > 1e-3 && half.sub(refImg).abs().max().getFloat() > 1e-3);
            // multimodal: the same structure, k different fine styles; n = numWs gives k copies of the structure
            NDArray multi = Translation.multimodal(g, src.get("0:1"), 4, 3, 100, 1f);
            assertEquals(3, multi.getShape().get(0));
            assertTrue(multi.get("0:1").sub(multi.get("1:2")).abs().max().getFloat() > 1e-3, "fine styles differ");
            NDArray same = Translation.multimodal(g, src.get("0:1"), all, 3, 100, 1f);
            assertEquals(0, same.get("2:3").sub(srcImg.get("0:1")).abs().max().getFloat(), 1e-5);
        }
    }

    @Test
    void sharedAttributesAreThoseWithTheSameNameAndKind() {
        var shared = ZeroShot.sharedAttributes(reader, "personas").stream().map(a -> a.name()).toList();
        assertEquals(java.util.List.of("glasses", "facial_hair", "hair_luminance", "skin_luminance"),
                shared.stream().sorted(java.util.Comparator.comparing(java.util.List.of("glasses", "facial_hair",
                        "hair_luminance", "skin_luminance")::indexOf)).toList());
        assertTrue(ZeroShot.sharedAttributes(reader, "bottts").isEmpty(), "robots share no attribute by name");
        // but the analogy: a face's skin tone read as the robot's body colour
        var robot = ZeroShot.tasks(reader, "bottts");
        assertEquals(1, robot.size());
        assertEquals("skin_luminance -> body_luminance", robot.get(0).name());
    }

    @Test
    void theAnalogyWorksTheOtherWayRoundForTranslations() throws Exception {
        // a translation to bottts is read by the robots' reader against the faces' labels
        try (AttributeClassifier robots = AttributeClassifier.bundled("bottts").orElseThrow()) {
            var tasks = ZeroShot.tasks(robots, "avataaars");
            assertEquals(java.util.List.of("body_luminance -> skin_luminance"),
                    tasks.stream().map(ZeroShot.Task::name).toList());
        }
        try (AttributeClassifier people = AttributeClassifier.bundled("personas").orElseThrow()) {
            var names = ZeroShot.tasks(people, "avataaars").stream().map(ZeroShot.Task::name).sorted().toList();
            assertEquals(java.util.List.of("facial_hair", "glasses", "hair_luminance", "skin_luminance"), names);
        }
    }
}
