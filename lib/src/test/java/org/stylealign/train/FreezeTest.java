package org.stylealign.train;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The freeze tokens of `stylealign finetune --freeze` keep their meaning on top of the Part vocabulary. */
class FreezeTest {

    @Test
    void tokensMeanWhatTheyMeantAndPartsAreAccepted() {
        List<String> convs = List.of("convs");
        assertTrue(Freeze.generator(convs, "synthesis.b4.const"));
        assertTrue(Freeze.generator(convs, "synthesis.b8.conv0.weight"));
        assertTrue(Freeze.generator(convs, "synthesis.b8.conv1.noise_strength"));
        assertFalse(Freeze.generator(convs, "synthesis.b8.conv0.affine.weight"));
        assertFalse(Freeze.generator(convs, "synthesis.b8.torgb.weight"));
        assertTrue(Freeze.generator(List.of("affine"), "synthesis.b8.torgb.affine.bias"));
        assertTrue(Freeze.generator(List.of("g.b8"), "synthesis.b8.torgb.affine.bias"));
        assertFalse(Freeze.generator(List.of("g.b8"), "synthesis.b16.conv0.weight"));
        assertTrue(Freeze.generator(List.of("convs@16"), "synthesis.b16.conv0.weight"));
        assertFalse(Freeze.generator(List.of("convs@16"), "synthesis.b8.conv0.weight"));
        assertTrue(Freeze.generator(List.of("mapping"), "mapping.fc0.weight"));
        assertTrue(Freeze.discriminator(List.of("d.b16"), "b16.conv0.weight"));
        assertFalse(Freeze.generator(List.of("d"), "mapping.fc0.weight"));
        Freeze.check(List.of("mapping", "affine", "convs", "torgb", "const", "noise", "g.b4", "d", "d.b4", "torgb@32"));
        assertThrows(IllegalArgumentException.class, () -> Freeze.check(List.of("weights")));
    }
}
