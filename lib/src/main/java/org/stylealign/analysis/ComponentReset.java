package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.metrics.FeatureExtractor;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.Part;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The paper's component reset (Fig. 1, 8) as numbers: in a child, replace one part by the parent's and measure how
 * far the images of the same z move, as a share of the whole way to the parent. The control takes the same part
 * from an unrelated model of the same architecture (P2, trained from another initialisation): an aligned part is
 * one the child can take from its parent with a small change, but not from a stranger.
 *
 * <p>Images are rendered at psi = 1 with the stored noise ({@link Noise#constant()}), so only the weights differ.
 * Distances ({@link ImageDistance}): mean absolute pixel difference in [-1, 1], and the mean Euclidean distance of
 * feature vectors when a feature network is given.
 */
public final class ComponentReset {

    /**
     * One part, reset to the parent's (and, when a control model is given, swapped in from it).
     *
     * @param part           the part replaced ({@code null} for "every part": the parent / control model itself)
     * @param pixel          mean |child image - reset image|, pixels in [-1, 1]
     * @param feature        mean feature-vector distance (NaN without a feature network)
     * @param shareOfParent  pixel / pixel of resetting every part (the distance child -> parent)
     * @param controlPixel   the same, taking the part from the control model (NaN without one)
     * @param controlFeature the control's feature distance (NaN without one or without features)
     */
    public record Row(Part part, double pixel, double feature, double shareOfParent, double controlPixel,
                      double controlFeature) {
        public String partName() {
            return part == null ? "all (= parent)" : part.toString();
        }
    }

    private final Generator child;
    private final Generator parent;
    private final Generator control;
    private final FeatureExtractor features;
    private int batch = 32;

    private ComponentReset(Generator child, Generator parent, Generator control, FeatureExtractor features) {
        this.child = Objects.requireNonNull(child, "child");
        this.parent = Objects.requireNonNull(parent, "parent");
        this.control = control;
        this.features = features;
    }

    /** Resets in {@code child} towards {@code parent}; both must share the architecture. */
    public static ComponentReset of(Generator child, Generator parent) {
        if (!child.config().equals(parent.config())) {
            throw new IllegalArgumentException("child and parent must share the architecture: " + child.config()
                    + " vs " + parent.config());
        }
        return new ComponentReset(child, parent, null, null);
    }

    /** Also swaps each part in from {@code unrelated} (e.g. P2) as the control; null for none. */
    public ComponentReset control(Generator unrelated) {
        if (unrelated != null && !unrelated.config().equals(child.config())) {
            throw new IllegalArgumentException("the control must share the child's architecture: "
                    + unrelated.config() + " vs " + child.config());
        }
        ComponentReset r = new ComponentReset(child, parent, unrelated, features);
        r.batch = batch;
        return r;
    }

    /** Also measures distances in this feature space (e.g. the bundled domain classifier); null for pixels only. */
    public ComponentReset features(FeatureExtractor f) {
        ComponentReset r = new ComponentReset(child, parent, control, f);
        r.batch = batch;
        return r;
    }

    /** Images rendered per forward pass (memory bound); default 32. */
    public ComponentReset batch(int images) {
        if (images < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + images);
        }
        ComponentReset r = new ComponentReset(child, parent, control, features);
        r.batch = images;
        return r;
    }

    /** The child with {@code parts} reset to the parent's (a new generator: close it). */
    public Generator reset(List<Part> parts) {
        return child.withParts(parent, parts);
    }

    /**
     * One row per part, then the row for every part at once (the parent itself, or the control model itself).
     *
     * @param z        [N, zDim] latents
     * @param parts    the parts to reset one at a time, e.g. {@link Part#paperComponents()}
     * @param progress called with the number of parts done so far (may be null)
     */
    public List<Row> measure(NDArray z, List<Part> parts, IntConsumer progress) {
        List<Row> rows = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager(child.device())) {
            NDArray base = render(child, z, m);
            float[][] baseFeatures = features == null ? null : ImageDistance.features(features, base, batch);
            ImageDistance.Pair whole = distance(parent, base, baseFeatures, z, m);
            ImageDistance.Pair wholeControl = control == null ? ImageDistance.Pair.NONE
                    : distance(control, base, baseFeatures, z, m);
            int done = 0;
            for (Part p : parts) {
                ImageDistance.Pair d;
                try (Generator g = child.withParts(parent, List.of(p))) {
                    d = distance(g, base, baseFeatures, z, m);
                }
                ImageDistance.Pair c = ImageDistance.Pair.NONE;
                if (control != null) {
                    try (Generator g = child.withParts(control, List.of(p))) {
                        c = distance(g, base, baseFeatures, z, m);
                    }
                }
                rows.add(new Row(p, d.pixel(), d.feature(), d.pixel() / whole.pixel(), c.pixel(), c.feature()));
                if (progress != null) {
                    progress.accept(++done);
                }
            }
            rows.add(new Row(null, whole.pixel(), whole.feature(), 1.0, wholeControl.pixel(), wholeControl.feature()));
        }
        return rows;
    }

    private ImageDistance.Pair distance(Generator g, NDArray base, float[][] baseFeatures, NDArray z, NDManager m) {
        try (NDManager sub = m.newSubManager()) {
            NDArray img = render(g, z, sub);
            return ImageDistance.between(base, baseFeatures, img, features, batch);
        }
    }

    private NDArray render(Generator g, NDArray z, NDManager m) {
        long n = z.getShape().get(0);
        List<NDArray> parts = new ArrayList<>();
        for (long i = 0; i < n; i += batch) {
            NDArray zi = z.get(i + ":" + Math.min(n, i + batch));
            zi.attach(m); // results belong to their input's manager
            NDArray img = g.generate(zi, 1f, Noise.constant());
            parts.add(img);
        }
        NDArray all = parts.size() == 1 ? parts.get(0) : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(
                parts.toArray(new NDArray[0])), 0);
        all.attach(m);
        return all;
    }
}
