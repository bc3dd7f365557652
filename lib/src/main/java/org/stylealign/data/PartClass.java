package org.stylealign.data;

import java.util.List;

/**
 * The classes of a part mask; the ordinal is the value stored in the uint8 class map and the bit index in the
 * uint16 part-coverage map (bit 0, background, is never set there).
 */
public enum PartClass {
    BACKGROUND, SKIN, HAIR, EYES, EYEBROWS, MOUTH, NOSE, FACIAL_HAIR, ACCESSORIES, CLOTHES, EARS;

    /** Lower-case name as written in manifests and by the Node renderer ("facial_hair"). */
    public String key() {
        return name().toLowerCase();
    }

    public static PartClass of(String key) {
        for (PartClass c : values()) {
            if (c.key().equals(key)) {
                return c;
            }
        }
        throw new DataException("unknown part class '" + key + "'");
    }

    public static List<String> keys() {
        return java.util.Arrays.stream(values()).map(PartClass::key).toList();
    }
}
