package org.stylealign.analysis;

import ai.djl.ndarray.NDManager;
import org.stylealign.metrics.Attribute;
import org.stylealign.metrics.AttributeClassifier;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How much two models agree on an attribute of the images they make from the same latents (paper Fig. 34, 36:
 * hidden knowledge: a grandchild fine-tuned back to the parent's domain gives the same z the same attributes), with
 * two chance levels: the agreement expected from the two label distributions alone, and the agreement with the
 * second model's images shuffled (pairing each z with another z's image).
 *
 * @param measure    "agreement rate" (binary, categorical: the share of images given the same label) or "Pearson r"
 *                   (luminance)
 * @param value      the agreement
 * @param chance     expected agreement of independent labels with these distributions (0 for r)
 * @param shuffled   the agreement after shuffling the pairs
 */
public record AttributeAgreement(String measure, double value, double chance, double shuffled, int n) {

    /**
     * The standard error of the agreement under chance: sqrt(c (1 - c) / n) for a rate with chance level c,
     * 1 / sqrt(n) for a correlation.
     */
    public double standardError() {
        return measure.equals("Pearson r") ? 1 / Math.sqrt(n) : Math.sqrt(Math.max(chance * (1 - chance), 1e-12) / n);
    }

    /** Whether the agreement exceeds both chance levels by more than two standard errors. */
    public boolean beyondChance() {
        return value > Math.max(chance, shuffled) + 2 * standardError();
    }

    /**
     * Every attribute of {@code reader} read on the images of {@code g} for the latents of {@code seeds} (psi = 1,
     * stored noise), in batches: attribute -> one row per image (see {@link AttributeClassifier#predict}). Images of
     * another size than the reader's are resized by it.
     */
    public static Map<String, float[][]> read(Generator g, AttributeClassifier reader, long[] seeds, int batch) {
        Map<String, List<float[]>> acc = new LinkedHashMap<>();
        for (int s = 0; s < seeds.length; s += batch) {
            try (NDManager m = g.manager().newSubManager()) {
                long[] part = Arrays.copyOfRange(seeds, s, Math.min(seeds.length, s + batch));
                reader.predict(g.generate(g.zFromSeeds(m, part), 1f, Noise.constant()))
                        .forEach((k, v) -> acc.computeIfAbsent(k, x -> new ArrayList<>()).addAll(List.of(v)));
            }
        }
        Map<String, float[][]> out = new LinkedHashMap<>();
        acc.forEach((k, v) -> out.put(k, v.toArray(new float[0][])));
        return out;
    }

    /** The agreement of two readings of one attribute, by its kind (binary, categorical or luminance). */
    public static AttributeAgreement of(Attribute a, float[][] x, float[][] y, long seed) {
        return switch (a.kind()) {
            case BINARY -> binary(column(x), column(y), seed);
            case CATEGORICAL -> categorical(x, y, seed);
            case LUMINANCE -> continuous(column(x), column(y), seed);
        };
    }

    private static double[] column(float[][] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i][0];
        }
        return d;
    }

    /** Binary attributes from probabilities (label: p >= 0.5). */
    public static AttributeAgreement binary(double[] a, double[] b, long seed) {
        check(a.length, b.length);
        int[] la = new int[a.length], lb = new int[b.length];
        for (int i = 0; i < a.length; i++) {
            la[i] = a[i] >= 0.5 ? 1 : 0;
            lb[i] = b[i] >= 0.5 ? 1 : 0;
        }
        return labels(la, lb, 2, seed);
    }

    /** Categorical attributes from class probabilities (label: the most probable class). */
    public static AttributeAgreement categorical(float[][] a, float[][] b, long seed) {
        check(a.length, b.length);
        int k = a[0].length;
        int[] la = new int[a.length], lb = new int[b.length];
        for (int i = 0; i < a.length; i++) {
            la[i] = argmax(a[i]);
            lb[i] = argmax(b[i]);
        }
        return labels(la, lb, k, seed);
    }

    /** Continuous attributes (luminance): Pearson correlation; chance 0. */
    public static AttributeAgreement continuous(double[] a, double[] b, long seed) {
        check(a.length, b.length);
        double r = ChannelSearch.correlation(a, b);
        double s = ChannelSearch.correlation(a, shuffle(b, seed));
        return new AttributeAgreement("Pearson r", r, 0, s, a.length);
    }

    private static AttributeAgreement labels(int[] a, int[] b, int k, long seed) {
        int n = a.length;
        double same = 0;
        double[] pa = new double[k], pb = new double[k];
        for (int i = 0; i < n; i++) {
            same += a[i] == b[i] ? 1 : 0;
            pa[a[i]] += 1.0 / n;
            pb[b[i]] += 1.0 / n;
        }
        double chance = 0;
        for (int c = 0; c < k; c++) {
            chance += pa[c] * pb[c];
        }
        int[] bs = shuffle(b, seed);
        double sh = 0;
        for (int i = 0; i < n; i++) {
            sh += a[i] == bs[i] ? 1 : 0;
        }
        return new AttributeAgreement("agreement rate", same / n, chance, sh / n, n);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            best = v[i] > v[best] ? i : best;
        }
        return best;
    }

    private static void check(int na, int nb) {
        if (na != nb || na < 2) {
            throw new IllegalArgumentException("need the same number (>= 2) of images from both models, got " + na
                    + " and " + nb);
        }
    }

    /** A seeded permutation that moves every element (a derangement by rotation of a shuffled order). */
    private static int[] order(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[p[i]] = p[(i + 1) % n]; // image p[i] is paired with image p[i+1]: never itself
        }
        return out;
    }

    static int[] shuffle(int[] v, long seed) {
        int[] o = order(v.length, seed);
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[o[i]];
        }
        return out;
    }

    static double[] shuffle(double[] v, long seed) {
        int[] o = order(v.length, seed);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[o[i]];
        }
        return out;
    }
}
