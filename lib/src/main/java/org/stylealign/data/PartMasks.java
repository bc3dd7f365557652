package org.stylealign.data;

import java.util.List;

/**
 * Exact part masks from re-rendering: for each drawn part, the avatar is rendered again with that part removed
 * (or, for skin drawn by the style itself, recoloured), and every pixel whose stored bytes change belongs to the
 * part's coverage set. Coverage sets overlap on antialiased edges and where one part lies over another, so:
 * <ul>
 *   <li>{@code bits}: per pixel, bit {@code c.ordinal()} is set when part class c changes that pixel (exact,
 *       overlapping);</li>
 *   <li>{@code classes}: one class per pixel, the part painted last (topmost in the SVG) among those that change
 *       it, else {@link PartClass#BACKGROUND}.</li>
 * </ul>
 * A pair of renders that differ in one part can only differ at pixels where that part's bit is set in the first
 * or the second render, because with the part removed both renders are the same SVG.
 */
public final class PartMasks {

    /** One re-render: the class of the removed part and the RGB bytes without it. */
    public record Variant(PartClass cls, byte[] rgb) {
    }

    public record Result(byte[] classes, short[] bits) {
    }

    private PartMasks() {
    }

    /** @param variants in paint order, bottom first */
    public static Result derive(byte[] full, List<Variant> variants, int size) {
        int plane = size * size;
        byte[] classes = new byte[plane];
        short[] bits = new short[plane];
        for (Variant v : variants) {
            byte[] o = v.rgb();
            if (o.length != full.length) {
                throw new IllegalArgumentException("variant has " + o.length + " bytes, full image " + full.length);
            }
            byte id = (byte) v.cls().ordinal();
            short bit = (short) (1 << v.cls().ordinal());
            for (int i = 0; i < plane; i++) {
                if (o[i] != full[i] || o[plane + i] != full[plane + i] || o[2 * plane + i] != full[2 * plane + i]) {
                    bits[i] |= bit;
                    classes[i] = id;
                }
            }
        }
        return new Result(classes, bits);
    }
}
