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
                "avataaars-rot180", "personas-rot90-tx10-ty20-flip"}) {
            BuildSpec spec = BuildSpec.ofStyle(s, 32, 10, 1);
            assertEquals(s, spec.style(), s);
        }
        BuildSpec shifted = BuildSpec.ofStyle("avataaars-tx20", 32, 10, 1);
        assertEquals("avataaars", shifted.domain());
        assertEquals(BuildSpec.Range.fixed(20), shifted.transform().translateX());
        assertEquals("avataaars-tx20-32px-n10-s1", shifted.id());
        assertEquals("fun-emoji", BuildSpec.ofStyle("fun-emoji", 32, 10, 1).domain(), "longest domain name wins");
    }

    @Test
    void badStyleNamesAreExplained() {
        var unknown = assertThrows(DataException.class, () -> BuildSpec.ofStyle("cats", 32, 10, 1));
        assertTrue(unknown.getMessage().contains("unknown style 'cats'"), unknown.getMessage());
        var part = assertThrows(DataException.class, () -> BuildSpec.ofStyle("avataaars-zoom2", 32, 10, 1));
        assertTrue(part.getMessage().contains("'-zoom2'"), part.getMessage());
        var range = assertThrows(DataException.class, () -> BuildSpec.ofStyle("avataaars-tx200", 32, 10, 1));
        assertTrue(range.getMessage().contains("translate-x"), range.getMessage());
    }
}
