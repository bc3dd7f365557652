package org.stylealign.apps;

import org.stylealign.metrics.Quality;
import org.stylealign.model.Generator;
import org.stylealign.model.Part;

import java.util.ArrayList;
import java.util.List;

/**
 * Two ways from model A to an aligned model B (paper Fig. 31, 32): layer swapping, the Toonify hybrid whose
 * synthesis blocks below a resolution r come from A and the rest (the mapping network included) from B, so r = 4
 * is B itself and r above the top resolution keeps every block of A (with B's mapping); and weight interpolation,
 * (1 - t) A + t B of every tensor. {@link #path} scores each intermediate model against both domains, to show where
 * each path leaves one domain and enters the other and how realistic it stays on the way.
 */
public final class LayerSwap {

    private LayerSwap() {
    }

    /** B with the synthesis blocks at resolutions < r taken from A (r a power of two >= 4). */
    public static Generator swap(Generator a, Generator b, int r) {
        if (r < 4 || Integer.bitCount(r) != 1) {
            throw new IllegalArgumentException("the swap resolution is a power of two >= 4, got " + r);
        }
        List<Part> fromA = new ArrayList<>();
        for (int res = 4; res < r && res <= b.config().resolution(); res *= 2) {
            fromA.add(new Part(Part.Kind.BLOCK, res));
        }
        return b.withParts(a, fromA);
    }

    /** One intermediate model on a path: how it was made, and its metrics against domain A's and B's real images. */
    public record Step(String path, double position, String label, Quality.Result againstA, Quality.Result againstB) {
    }

    /**
     * Scores the swap path (r = 4, 8, ..., 2 * top: from B to A's synthesis) and the interpolation path (t from 0 to 1
     * in {@code interpolationSteps} steps) with the same metrics: {@code qualityA} against A's real images (its own
     * share is A's domain), {@code qualityB} against B's. Position runs from 0 (A's end) to 1 (B's end) on both paths:
     * for a swap, the share of synthesis blocks taken from B.
     */
    public static List<Step> path(Generator a, Generator b, Quality qualityA, Quality qualityB, int interpolationSteps) {
        List<Step> out = new ArrayList<>();
        int top = a.config().resolution();
        int blocks = Integer.numberOfTrailingZeros(top) - 1; // 4..top
        for (int r = 2 * top; r >= 4; r /= 2) {
            int fromB = blocks - (Integer.numberOfTrailingZeros(r) - 2);
            try (Generator g = swap(a, b, r)) {
                out.add(new Step("swap", fromB / (double) blocks, r > top ? "A's synthesis, B's mapping"
                        : "A below " + r + " px", qualityA.of(g), qualityB.of(g)));
            }
        }
        for (double t : Morphing.steps(interpolationSteps)) {
            try (Generator g = a.interpolate(b, t)) {
                out.add(new Step("interpolation", t, String.format(java.util.Locale.ROOT, "t = %.2f", t),
                        qualityA.of(g), qualityB.of(g)));
            }
        }
        return out;
    }
}
