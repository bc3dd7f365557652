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
 * (same name and kind in {@link Attribute#forDomain}), beside baselines fed to the same reader and chance. Pose
 * regression, scored on a pose family's true angles, is {@link ZeroShotPose}.
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

    /**
     * Analogies across domains that share no attribute name (docs: labels-across-domains): the child's attribute ->
     * the parent's attribute read for it. The paper's "black hair -> black fur"; here a face's skin tone -> a robot's
     * body colour.
     */
    public static final Map<String, String> ANALOGIES = Map.of("body_luminance", "skin_luminance");

    /**
     * The attribute read for {@code truth} across domains: {@link #ANALOGIES} either way round (a robot's body colour
     * for a face's skin tone when reading faces, the reverse when reading robots, e.g. a translation's), or null.
     */
    static String analogy(String truth) {
        String forward = ANALOGIES.get(truth);
        if (forward != null) {
            return forward;
        }
        return ANALOGIES.entrySet().stream().filter(e -> e.getValue().equals(truth)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    /** One zero-shot task: the child's truth {@code truth}, predicted by the parent reader's {@code readerAttribute}. */
    public record Task(Attribute truth, String readerAttribute) {
        public String name() {
            return truth.name().equals(readerAttribute) ? truth.name() : readerAttribute + " -> " + truth.name();
        }
    }

    /** The attributes the parent's reader knows and the child's labels carry, with the same meaning (not categorical). */
    public static List<Attribute> sharedAttributes(AttributeClassifier parentReader, String childDomain) {
        return tasks(parentReader, childDomain).stream().filter(t -> t.truth().name().equals(t.readerAttribute()))
                .map(Task::truth).toList();
    }

    /**
     * The tasks for a child domain: every shared attribute, then the analogies whose two ends exist. The roles can be
     * swapped: a child's reader and the parent domain's labels give the tasks that score a translation.
     */
    public static List<Task> tasks(AttributeClassifier parentReader, String childDomain) {
        List<Task> out = new ArrayList<>();
        for (Attribute c : Attribute.forDomain(childDomain)) {
            if (c.kind() == Attribute.Kind.CATEGORICAL) {
                continue; // class lists differ between styles
            }
            String wanted = parentReader.attributes().stream().anyMatch(p -> p.name().equals(c.name())) ? c.name()
                    : analogy(c.name());
            for (Attribute p : parentReader.attributes()) {
                if (p.name().equals(wanted) && p.kind() == c.kind()) {
                    out.add(new Task(c, p.name()));
                }
            }
        }
        return out;
    }

    /**
     * Scores each method's images (same order as {@code idx}: image k shows child image idx[k]) with
     * {@code reader}, against the truth of {@code childData}'s labels, for every task ({@link #tasks}). For a
     * luminance analogy the reader's scale is not the child's: read its Pearson r ({@code extra}), not its error.
     */
    public static List<Row> score(AttributeClassifier reader, Map<String, NDArray> imagesByMethod,
                                  ImageDataset childData, int[] idx, String childDomain) {
        List<Task> tasks = tasks(reader, childDomain);
        if (tasks.isEmpty()) {
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
            for (Task t : tasks) {
                rows.add(row(t, m.getKey(), pred.get(t.readerAttribute()), childData, idx));
            }
        }
        return rows;
    }

    static Row row(Task task, String method, float[][] pred, ImageDataset data, int[] idx) {
        Attribute a = task.truth();
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
        return new Row(task.name(), method, s.metric(), s.value(), s.extra(), s.baseline(), majority, n);
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
