package org.stylealign.viz;

import org.junit.jupiter.api.Test;
import org.stylealign.model.GeneratorConfig;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BudgetTest {

    static final GeneratorConfig FFHQ_1024 = new GeneratorConfig(1024, 3, 512, 512, 8, 0.01f,
            GeneratorConfig.channelsFromBase(1024, 32768, 512));

    @Test
    void theShippedFamilyKeepsTheNotebooksSizes() throws Exception {
        // the reference is the shipped parent's architecture, read from its file
        assertEquals(Budget.REFERENCE, Workbench.family().config("P"));
        Budget b = Budget.of(Budget.REFERENCE, 2, false);
        assertEquals(1.0, b.scale());
        assertEquals(512, b.samples(512, 16));
        assertTrue(b.note().contains("as the notebook gives them"), b.note());
    }

    @Test
    void aLargeFamilyOnTwoCoresGetsFewerSamplesAndSaysSo() {
        Budget full = Budget.of(FFHQ_1024, 2, false);
        assertTrue(full.scale() < 0.01, "1024 px costs over 100x the shipped family per sample: " + full.scale());
        assertEquals(16, full.samples(512, 16), "a full run never falls below the smoke size");
        assertEquals(40, full.samples(512, 16, 40));
        assertTrue(full.note().contains("1024 px") && full.note().contains("fewer samples"), full.note());
        Budget smoke = Budget.of(FFHQ_1024, 2, true);
        assertEquals(4, smoke.samples(512, 16), "smoke stays small for any family");
        assertEquals(3, smoke.samples(512, 3));
        // 64 px: four times the pixels of the reference, so a quarter of the samples on 2 threads, half on 4
        GeneratorConfig r64 = new GeneratorConfig(64, 3, 64, 64, 4, 0.01f, GeneratorConfig.channelsFromBase(64, 1024, 64));
        assertEquals(0.25, Budget.of(r64, 2, false).scale(), 1e-12);
        assertEquals(128, Budget.of(r64, 2, false).samples(512, 16));
        assertEquals(256, Budget.of(r64, 4, false).samples(512, 16));
        assertEquals(512, Budget.of(r64, 16, false).samples(512, 16), "never above the notebook's own size");
    }
}
