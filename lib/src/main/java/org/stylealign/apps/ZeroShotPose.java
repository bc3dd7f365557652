package org.stylealign.apps;

import ai.djl.ndarray.NDArray;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataException;
import org.stylealign.io.ModelFamily;
import org.stylealign.metrics.PoseRegressor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Zero-shot pose regression (paper Fig. 29): a {@link PoseRegressor} trained on the parent's real images only reads
 * the angle of a child's image through the aligned models (invert the child image in the child, render the latent
 * with the parent: {@link Inversion}, {@link Translation}), scored on the child's true angles beside the same
 * regressor on the child image itself, chance (always its training mean) and a regressor trained on the child's
 * own data. The truth comes from a pose family: models trained on data built with a random rotation
 * ({@code data build --rotate LO:HI}), which their style names record ("avataaars-rot-30_30-tx-8_8").
 */
public final class ZeroShotPose {

    /** The method name of the chance row: always predicting the regressor's training mean. */
    public static final String CHANCE = "chance (the parent regressor's training mean)";

    /**
     * One method's reading of one child's angles: mean absolute error (degrees), the chance predictor's error on the
     * same images, and Pearson r with the truth (NaN for a constant reading).
     */
    public record Row(String method, double mae, double chanceMae, double r, int n) {
    }

    private ZeroShotPose() {
    }

    /**
     * The random rotation range of a member's data, read from its style name; empty when the rotation is fixed (0
     * for frontal data) or the style is not a builder style.
     */
    public static Optional<BuildSpec.Range> rotation(ModelFamily.Member m) {
        try {
            BuildSpec.Range r = BuildSpec.ofStyle(m.style(), 32, 1, 1).transform().rotate();
            return r.lo() < r.hi() ? Optional.of(r) : Optional.empty();
        } catch (DataException e) {
            return Optional.empty();
        }
    }

    /** The parent's children whose data carry a random rotation: the ones whose angles can be scored. */
    public static List<ModelFamily.Member> children(ModelFamily family) {
        return family.children().stream().filter(c -> rotation(c).isPresent()).toList();
    }

    /**
     * Why {@code family} cannot run zero-shot pose regression, or empty when it can: its parent must be trained on
     * randomly rotated data (the regressor's training images) and at least one child on data with the same kind of
     * jitter (the truth to score).
     */
    public static Optional<String> missing(ModelFamily family) {
        ModelFamily.Member p = family.parent();
        if (rotation(p).isEmpty()) {
            return Optional.of("the family's parent " + p.name() + " was trained on '" + p.style() + "', which has no "
                    + "random rotation: a pose parent's data is built with --rotate LO:HI (its style then reads e.g. "
                    + "avataaars-rot-30_30; see models/pose-family.json)");
        }
        if (children(family).isEmpty()) {
            return Optional.of("no child of " + p.name() + " was trained on randomly rotated data (children: "
                    + family.children().stream().map(c -> c.name() + " '" + c.style() + "'").toList()
                    + "): there is no true angle to score");
        }
        return Optional.empty();
    }

    /** The regressor's reading of each method's images (same order as the truth). */
    public static Map<String, double[]> read(PoseRegressor regressor, Map<String, NDArray> imagesByMethod) {
        Map<String, double[]> out = new LinkedHashMap<>();
        imagesByMethod.forEach((k, v) -> out.put(k, regressor.predict(v)));
        return out;
    }

    /**
     * A row per method, then the {@link #CHANCE} row (the constant {@code trainingMean}); every prediction must hold
     * one value per truth.
     */
    public static List<Row> score(Map<String, double[]> predictions, double[] truth, double trainingMean) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, double[]> e : predictions.entrySet()) {
            if (e.getValue().length != truth.length) {
                throw new IllegalArgumentException(e.getKey() + ": " + e.getValue().length + " predictions for "
                        + truth.length + " true angles");
            }
            rows.add(row(e.getKey(), e.getValue(), truth, trainingMean));
        }
        double[] constant = new double[truth.length];
        Arrays.fill(constant, trainingMean);
        rows.add(row(CHANCE, constant, truth, trainingMean));
        return rows;
    }

    static Row row(String method, double[] pred, double[] truth, double trainingMean) {
        PoseRegressor.Score s = PoseRegressor.score(truth, pred, trainingMean);
        return new Row(method, s.mae(), s.chanceMae(), s.r(), s.n());
    }

    /**
     * Images sorted into {@code k} equal bins of predicted angle over [lo, hi] (readings outside go to the end
     * bins), each bin's indices in order of the predicted angle: the rows of the paper's Fig. 29.
     */
    public static List<List<Integer>> bins(double[] predicted, double lo, double hi, int k) {
        if (k < 1 || !(hi > lo)) {
            throw new IllegalArgumentException("need k >= 1 bins over lo < hi, got " + k + " over " + lo + ".." + hi);
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int b = 0; b < k; b++) {
            out.add(new ArrayList<>());
        }
        Integer[] order = new Integer[predicted.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(predicted[a], predicted[b]));
        for (int i : order) {
            int b = (int) Math.floor((predicted[i] - lo) / (hi - lo) * k);
            out.get(Math.max(0, Math.min(k - 1, b))).add(i);
        }
        return out;
    }
}
