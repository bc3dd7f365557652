package org.stylealign.apps;

import ai.djl.ndarray.NDArray;
import org.stylealign.data.ImageDataset;
import org.stylealign.metrics.Attribute;
import org.stylealign.metrics.AttributeClassifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot vision in a child domain with the parent's supervision only (paper Fig. 7, 29): a child image is inverted
 * into the child, its latent rendered by the parent ({@link Translation}), and a reader trained on the parent's
 * domain reads the parent's image. Scored on the child's own truth labels for the attributes both domains carry
 * (same name and kind in {@link Attribute#forDomain}), beside baselines fed to the same reader and chance.
 */
public final class ZeroShot {

    private ZeroShot() {
    }

    /**
     * One attribute read by one method: the classifier's score ({@code metric}: balanced accuracy for binary, mean
     * absolute error for luminance; {@code extra}: plain accuracy or Pearson r) and chance for it ({@code chance}:
     * 0.5 balanced accuracy or the error of always guessing the truth's mean; {@code majority}: the majority class's
     * share, binary only).
     */
    public record Row(String attribute, String method, String metric, double value, double extra, double chance,
                      double majority, int n) {
    }

    /** The attributes the parent's reader knows and the child's labels carry, with the same meaning (not categorical). */
    public static List<Attribute> sharedAttributes(AttributeClassifier parentReader, String childDomain) {
        List<Attribute> out = new ArrayList<>();
        for (Attribute c : Attribute.forDomain(childDomain)) {
            if (c.kind() == Attribute.Kind.CATEGORICAL) {
                continue; // class lists differ between styles
            }
            for (Attribute p : parentReader.attributes()) {
                if (p.name().equals(c.name()) && p.kind() == c.kind()) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /**
     * Scores each method's images (same order as {@code idx}: image k shows child image idx[k]) with
     * {@code reader}, against the truth of {@code childData}'s labels, for every shared attribute.
     */
    public static List<Row> score(AttributeClassifier reader, Map<String, NDArray> imagesByMethod,
                                  ImageDataset childData, int[] idx, String childDomain) {
        List<Attribute> shared = sharedAttributes(reader, childDomain);
        if (shared.isEmpty()) {
            throw new IllegalArgumentException("the reader for " + reader.domain() + " and the labels of " + childDomain
                    + " share no attribute");
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, NDArray> m : imagesByMethod.entrySet()) {
            if (m.getValue().getShape().get(0) != idx.length) {
                throw new IllegalArgumentException(m.getKey() + ": " + m.getValue().getShape().get(0) + " images for "
                        + idx.length + " labels");
            }
            Map<String, float[][]> pred = reader.predict(m.getValue());
            for (Attribute a : shared) {
                rows.add(row(a, m.getKey(), pred.get(a.name()), childData, idx));
            }
        }
        return rows;
    }

    static Row row(Attribute a, String method, float[][] pred, ImageDataset data, int[] idx) {
        List<Double> truth = new ArrayList<>();
        List<float[]> kept = new ArrayList<>();
        int pos = 0;
        for (int k = 0; k < idx.length; k++) {
            double t = a.target(data.label(idx[k]));
            if (!Double.isNaN(t)) {
                truth.add(t);
                kept.add(pred[k]);
                pos += t == 1 ? 1 : 0;
            }
        }
        AttributeClassifier.Score s = AttributeClassifier.score(a, truth, kept);
        int n = truth.size();
        double majority = a.kind() == Attribute.Kind.BINARY ? Math.max(pos, n - pos) / (double) n : Double.NaN;
        return new Row(a.name(), method, s.metric(), s.value(), s.extra(), s.baseline(), majority, n);
    }

    /** Rows as method -> attribute -> row, for tables. */
    public static Map<String, Map<String, Row>> byMethod(List<Row> rows) {
        Map<String, Map<String, Row>> out = new LinkedHashMap<>();
        for (Row r : rows) {
            out.computeIfAbsent(r.method(), k -> new LinkedHashMap<>()).put(r.attribute(), r);
        }
        return out;
    }
}
