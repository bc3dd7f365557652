package org.stylealign.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Style names ("avataaars-tx20") name a domain with a fixed transform, for the domain classifier's classes. */
class StyleNameTest {

    @Test
    void styleNamesRoundTrip() {
        for (String s : new String[] {"bottts", "fun-emoji", "emoji-noto", "avataaars-tx20", "avataaars-ty-15",
                "avataaars-rot180", "personas-rot90-tx10-ty20-flip", "bottts-rot-30_30-tx-8_8-ty-8_8"}) {
            BuildSpec spec = BuildSpec.ofStyle(s, 32, 10, 1);
            assertEquals(s, spec.style(), s);
        }
        BuildSpec shifted = BuildSpec.ofStyle("avataaars-tx20", 32, 10, 1);
        assertEquals("avataaars", shifted.domain());
        assertEquals(BuildSpec.Range.fixed(20), shifted.transform().translateX());
        assertEquals("avataaars-tx20-32px-n10-s1", shifted.id());
        assertEquals("fun-emoji", BuildSpec.ofStyle("fun-emoji", 32, 10, 1).domain(), "longest domain name wins");
        BuildSpec jittered = BuildSpec.ofStyle("avataaars-rot-30_30-tx-8_8", 32, 10, 1);
        assertEquals(new BuildSpec.Range(-30, 30), jittered.transform().rotate());
        assertEquals(new BuildSpec.Range(-8, 8), jittered.transform().translateX());
        assertEquals(BuildSpec.Range.fixed(0), jittered.transform().translateY());
        assertEquals("avataaars-rot-30_30-tx-8_8-32px-n10-s1", jittered.id(), "the folder the builder writes");
    }

    @Test
    void badStyleNamesAreExplained() {
        var unknown = assertThrows(DataException.class, () -> BuildSpec.ofStyle("cats", 32, 10, 1));
        assertTrue(unknown.getMessage().contains("unknown style 'cats'"), unknown.getMessage());
        var part = assertThrows(DataException.class, () -> BuildSpec.ofStyle("avataaars-zoom2", 32, 10, 1));
        assertTrue(part.getMessage().contains("'-zoom2'"), part.getMessage());
        var range = assertThrows(DataException.class, () -> BuildSpec.ofStyle("avataaars-tx200", 32, 10, 1));
        assertTrue(range.getMessage().contains("translate-x"), range.getMessage());
        var empty = assertThrows(DataException.class, () -> BuildSpec.ofStyle("avataaars-rot30_-30", 32, 10, 1));
        assertTrue(empty.getMessage().contains("empty range 30:-30"), empty.getMessage());
        var half = assertThrows(DataException.class, () -> BuildSpec.ofStyle("avataaars-rot-30_", 32, 10, 1));
        assertTrue(half.getMessage().contains("'_'"), half.getMessage());
    }
}
