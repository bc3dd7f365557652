package org.stylealign.viz;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.io.ModelFamily;
import org.stylealign.io.ModelIO;
import org.stylealign.model.Discriminator;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleGan2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Smoke runs of a family too costly per image work on a preview: every member cut by the same factor. */
class PreviewFamilyTest {

    @Test
    void previewResolutionFollowsTheCostPerImage() {
        assertEquals(32, Budget.previewResolution(Budget.REFERENCE, 2), "the shipped parent runs as it is");
        GeneratorConfig r64 = new GeneratorConfig(64, 3, 64, 64, 4, 0.01f, GeneratorConfig.channelsFromBase(64, 1024, 64));
        assertEquals(64, Budget.previewResolution(r64, 2), "a 64 px family (4x) runs as it is");
        GeneratorConfig ffhq = BudgetTest.FFHQ_1024;
        assertEquals(32, Budget.previewResolution(ffhq, 2), "FFHQ 1024 px: 32 px is the largest at most 64x");
        assertEquals(128, Budget.previewResolution(ffhq, 16), "more threads afford more (128 px: 403x < 8 x 64)");
        assertTrue(Budget.cost(ModelIO.cropped(ffhq, 32)) <= Budget.PREVIEW_ABOVE);
        assertTrue(Budget.cost(ModelIO.cropped(ffhq, 64)) > Budget.PREVIEW_ABOVE);
    }

    @Test
    void aPreviewCutsEveryMemberByTheSameFactorAndRenders(@TempDir Path dir) throws Exception {
        // a 512 px parent with full G, G_ema and D, a 256 px resolution child; narrow, so the test is quick
        GeneratorConfig big = new GeneratorConfig(512, 3, 16, 16, 2, 0.01f,
                new TreeMap<>(Map.of(4, 16, 8, 16, 16, 16, 32, 8, 64, 8, 128, 8, 256, 4, 512, 4)));
        GeneratorConfig half = ModelIO.cropped(big, 256);
        try (Generator g = Generator.create(big, Device.cpu(), 1); Generator h = Generator.create(half, Device.cpu(), 2);
             Discriminator d = Discriminator.create(new DiscriminatorConfig(512, 3, big.channels(), 4, 1),
                     Device.cpu(), 3)) {
            ModelIO.save(dir.resolve("big.safetensors"), g, g, d, false);
            ModelIO.save(dir.resolve("half.safetensors"), h, null, null, false);
        }
        Files.writeString(dir.resolve("family.json"), """
                {"models": [
                  {"name": "BIG", "role": "parent", "domain": "d", "checkpoint": "big.safetensors"},
                  {"name": "HALF", "parent": "BIG", "role": "resolution", "domain": "d", "checkpoint": "half.safetensors"}
                ]}""");
        ModelFamily family = ModelFamily.load(dir.resolve("family.json"));
        assertFalse(family.isPreview());
        ModelFamily p = family.preview(32);
        assertTrue(p.isPreview());
        assertEquals(32, p.config("BIG").resolution());
        assertEquals(16, p.config("HALF").resolution(), "the resolution child keeps its ratio to the parent");
        assertEquals(512, p.original().config("BIG").resolution());
        assertEquals(8, p.preview(8).config("HALF").resolution(), "never below 8 px");
        try (StyleGan2 m = p.load("BIG"); NDManager nd = NDManager.newBaseManager(Device.cpu())) {
            Generator gen = m.generator();
            NDArray img = gen.generate(gen.zFromSeeds(nd, 1, 2), 1f, Noise.constant());
            assertArrayEquals(new long[] {2, 3, 32, 32}, img.getShape().getShape());
            assertEquals(32, m.discriminator().orElseThrow().config().resolution(), "D is cut too");
            assertEquals(32, m.trainingGenerator().orElseThrow().config().resolution());
        }
        assertEquals(32, p.read("BIG").generatorConfig().resolution(), "what fine-tuning from a member starts from");
        assertEquals(32, p.read("BIG").discriminatorConfig().resolution());
        assertEquals(512, family.read("BIG").generatorConfig().resolution());
        try (StyleGan2 m = p.load("HALF")) {
            assertEquals(16, m.generator().config().resolution());
        }
        assertThrows(Exception.class, () -> family.preview(1024), "above the parent's resolution");
        assertThrows(Exception.class, () -> family.preview(48), "not a power of two");

        // Workbench.family() previews it in a smoke run only, and the budget note says so
        String smoke = System.getProperty("stylealign.smoke");
        String fam = System.getProperty("stylealign.family");
        try {
            System.setProperty("stylealign.family", dir.resolve("family.json").toString());
            System.setProperty("stylealign.smoke", "1");
            // 512 px: 256x the reference's pixels, so a smoke run previews it at 256 px (64x, the limit)
            ModelFamily smokeFamily = Workbench.family();
            assertTrue(smokeFamily.isPreview());
            assertEquals(256, smokeFamily.config("BIG").resolution());
            assertEquals(128, smokeFamily.config("HALF").resolution());
            System.setProperty("stylealign.smoke", "0");
            assertFalse(Workbench.family().isPreview());
        } finally {
            restore("stylealign.smoke", smoke);
            restore("stylealign.family", fam);
        }
        Budget b = Budget.of(p);
        assertTrue(b.note().contains("preview") && b.note().contains("512 px -> 32 px"), b.note());
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
