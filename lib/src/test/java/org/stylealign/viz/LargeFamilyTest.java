package org.stylealign.viz;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.stylealign.io.ModelFamily;
import org.stylealign.io.ModelIO;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A family at FFHQ's size (1024 px, rosinality's channel multiplier 2: 149 GFLOP per image, ~1000x the shipped
 * parent): LP and a distant child LC, freshly initialised (the cost of a model does not depend on its weights).
 * Written to {@code lib/target/large-family/}, where {@code ./workbench test} runs notebooks on it in smoke mode:
 * they must work on a preview, quickly.
 */
class LargeFamilyTest {

    static final Path DIR = Path.of("target", "large-family");

    @Test
    void aFfhqSizeFamilyIsPreviewedInSmokeRunsAndKeptInFullRuns() throws Exception {
        Files.createDirectories(DIR);
        GeneratorConfig c = BudgetTest.FFHQ_1024;
        for (String name : new String[] {"LP", "LC"}) {
            Path f = DIR.resolve(name + ".safetensors");
            if (!Files.exists(f)) {
                try (Generator g = Generator.create(c, Device.cpu(), name.hashCode())) {
                    ModelIO.estimateWAvg(g);
                    ModelIO.save(f, g, null, null, true);
                }
            }
        }
        Path json = DIR.resolve("family.json");
        Files.writeString(json, """
                {"about": "written by LargeFamilyTest: FFHQ-size, freshly initialised (see the test)",
                 "models": [
                  {"name": "LP", "role": "parent", "domain": "ffhq", "checkpoint": "LP.safetensors"},
                  {"name": "LC", "parent": "LP", "role": "child", "distance": "distant", "domain": "ffhq-other",
                   "checkpoint": "LC.safetensors"}
                ]}""");
        String smoke = System.getProperty("stylealign.smoke");
        String fam = System.getProperty("stylealign.family");
        try {
            System.setProperty("stylealign.family", json.toAbsolutePath().toString());
            System.setProperty("stylealign.smoke", "1");
            ModelFamily previewed = Workbench.family();
            assertTrue(previewed.isPreview());
            assertEquals(32, previewed.config("LP").resolution());
            assertEquals(32, previewed.config("LC").resolution());
            assertTrue(Workbench.budget().note().startsWith("Smoke run on a preview"), Workbench.budget().note());
            System.setProperty("stylealign.smoke", "0");
            ModelFamily full = Workbench.family();
            assertFalse(full.isPreview(), "a full run keeps the family's resolution");
            assertEquals(c, full.config("LP"));
        } finally {
            restore("stylealign.smoke", smoke);
            restore("stylealign.family", fam);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
