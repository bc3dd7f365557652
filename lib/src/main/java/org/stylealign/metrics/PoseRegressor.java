package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.data.ImageDataset;
import org.stylealign.data.LabelRecord;
import org.stylealign.model.Devices;
import org.stylealign.model.Scalars;
import org.stylealign.model.Tensors;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Reads a number the dataset builder records for every image, by default its in-plane rotation in degrees
 * ({@link #ROTATION}: {@code data build --rotate LO:HI}): the workbench's pose regressor (the paper's Fig. 29 yaw
 * regressor, trained on one domain's real images only). The {@link SmallCnn} trunk with one linear output, trained by
 * the project's {@link ClassifierTrainer} on the standardised target (mean squared error); images are mirrored at
 * random with the target's sign flipped where mirroring flips it (rotation, horizontal shift).
 */
public final class PoseRegressor implements AutoCloseable {

    /** The builder's label target for the in-plane rotation, degrees (positive as DiceBear turns). */
    public static final String ROTATION = "rotate";

    private final String target;
    private final String domain;
    private final double mean;
    private final double scale;
    private final NDManager manager;
    private final Scalars scalars;
    private final Map<String, NDArray> params;
    private String provenance;

    private PoseRegressor(String target, String domain, double mean, double scale, long seed) {
        this.target = target;
        this.domain = domain;
        this.mean = mean;
        this.scale = scale;
        this.manager = NDManager.newBaseManager(Devices.preferred());
        this.scalars = new Scalars(manager);
        Map<String, Shape> shapes = SmallCnn.trunkShapes();
        shapes.put("head.weight", new Shape(1, SmallCnn.FEATURES));
        shapes.put("head.bias", new Shape(1));
        this.params = SmallCnn.load(manager, shapes, SmallCnn.init(shapes, seed), "pose regressor (" + target + ")");
    }

    /**
     * How a left-right mirror changes the target: -1 (rotation and horizontal shift change sign), 1 (vertical shift
     * stays), 0 (unknown: the images are not mirrored in training).
     */
    static int mirrorSign(String target) {
        return switch (target) {
            case ROTATION, "translateX" -> -1;
            case "translateY" -> 1;
            default -> 0;
        };
    }

    /** The target of images {@code idx} of {@code ds}; a label without it is a DataException naming the image. */
    public static double[] truth(ImageDataset ds, int[] idx, String target) {
        double[] t = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            LabelRecord r = ds.label(idx[i]);
            t[i] = r.target(target);
        }
        return t;
    }

    /** Whether every image of {@code ds} carries {@code target} and it is not constant (something to regress). */
    public static boolean varies(ImageDataset ds, String target) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < ds.size(); i++) {
            Double v = ds.label(i).targets().get(target);
            if (v == null) {
                return false;
            }
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return hi > lo;
    }

    /**
     * Trains from scratch on images {@code train} of {@code ds}: random batches, Adam (lr 1e-3), squared error on
     * (target - mean) / std of the training targets.
     */
    public static PoseRegressor train(ImageDataset ds, int[] train, String target, int steps, int batch, long seed,
                                      PrintStream log) {
        if (train.length < 2) {
            throw new IllegalArgumentException("a pose regressor needs at least 2 training images, got " + train.length);
        }
        double[] t = truth(ds, train, target);
        double mean = 0;
        for (double v : t) {
            mean += v;
        }
        mean /= t.length;
        double var = 0;
        for (double v : t) {
            var += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(var / t.length);
        if (!(std > 0)) {
            throw new IllegalArgumentException(ds.manifest().id() + ": the target '" + target + "' is " + t[0]
                    + " for every training image: nothing to regress (build the data with --rotate LO:HI)");
        }
        PoseRegressor p = new PoseRegressor(target, ds.manifest().domain(), mean, std, seed);
        int sign = mirrorSign(target);
        SplittableRandom r = new SplittableRandom(seed + 1);
        ClassifierTrainer trainer = new ClassifierTrainer(p.params, p.manager, 1e-3);
        double avg = Double.NaN;
        try {
            for (int step = 1; step <= steps; step++) {
                int[] pick = new int[batch];
                float[] y = new float[batch];
                boolean flip = sign != 0 && r.nextBoolean();
                for (int i = 0; i < batch; i++) {
                    int k = r.nextInt(train.length);
                    pick[i] = train[k];
                    y[i] = (float) (((flip ? sign : 1) * t[k] - mean) / std);
                }
                double loss = trainer.step(m -> {
                    NDArray x = AttributeClassifier.images(ds, pick, m);
                    NDArray out = p.forward(flip ? x.flip(3) : x);
                    NDArray d = out.sub(Tensors.owned(m, y, new Shape(batch, 1)));
                    return d.square().mean();
                }, "pose regressor (" + target + ")");
                avg = Double.isNaN(avg) ? loss : 0.95 * avg + 0.05 * loss;
                if (log != null && (step % 100 == 0 || step == steps)) {
                    log.printf(Locale.ROOT, "pose regressor (%s, %s) step %d/%d  loss %.4f%n", ds.manifest().domain(),
                            target, step, steps, avg);
                }
            }
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        trainer.finish();
        var man = ds.manifest();
        p.provenance = man.id() + ", " + train.length + " training images; " + man.attribution() + "; " + man.licence();
        return p;
    }

    /** The standardised output [N, 1], in the images' manager. */
    private NDArray forward(NDArray images) {
        return SmallCnn.linear(params, "head", SmallCnn.features(params, scalars, images));
    }

    /** The target read from each image (degrees for {@link #ROTATION}); images [N, C, H, W] in [-1, 1], any size. */
    public double[] predict(NDArray images) {
        long n = images.getShape().get(0);
        double[] out = new double[(int) n];
        for (long s = 0; s < n; s += 64) {
            try (NDManager m = manager.newSubManager()) {
                NDArray part = images.get(s + ":" + Math.min(n, s + 64)).duplicate();
                part.attach(m);
                float[] y = forward(part).toFloatArray();
                for (int i = 0; i < y.length; i++) {
                    out[(int) s + i] = mean + scale * y[i];
                }
            }
        }
        return out;
    }

    /**
     * How well a regression reads a number: mean absolute error, the same for always guessing {@code guess} (a
     * regressor's training mean: chance), and Pearson r with the truth (NaN when either side is constant).
     */
    public record Score(double mae, double chanceMae, double r, int n) {
        /** The error as a share of chance's: below 1 is better than guessing the mean. */
        public double relativeError() {
            return mae / chanceMae;
        }
    }

    /** Scores predictions against the truth ({@link Score}); {@code guess} is the chance predictor's constant. */
    public static Score score(double[] truth, double[] pred, double guess) {
        int n = truth.length;
        if (n == 0 || pred.length != n) {
            throw new IllegalArgumentException("need as many predictions as truths, got " + pred.length + " and " + n);
        }
        double mt = 0, mp = 0;
        for (int i = 0; i < n; i++) {
            mt += truth[i];
            mp += pred[i];
        }
        mt /= n;
        mp /= n;
        double mae = 0, chance = 0, stp = 0, stt = 0, spp = 0;
        for (int i = 0; i < n; i++) {
            mae += Math.abs(pred[i] - truth[i]);
            chance += Math.abs(guess - truth[i]);
            stp += (truth[i] - mt) * (pred[i] - mp);
            stt += (truth[i] - mt) * (truth[i] - mt);
            spp += (pred[i] - mp) * (pred[i] - mp);
        }
        // a constant side has no correlation; tested exactly, as its floating-point mean need not equal its value
        double r = constant(truth) || constant(pred) ? Double.NaN : stp / Math.sqrt(stt * spp);
        return new Score(mae / n, chance / n, r, n);
    }

    private static boolean constant(double[] v) {
        for (double x : v) {
            if (x != v[0]) {
                return false;
            }
        }
        return true;
    }

    /** The held-out score on images {@code idx} of {@code ds}, chance being this regressor's training mean. */
    public Score evaluate(ImageDataset ds, int[] idx) {
        double[] pred = new double[idx.length];
        for (int s = 0; s < idx.length; s += 256) {
            int[] part = java.util.Arrays.copyOfRange(idx, s, Math.min(idx.length, s + 256));
            try (NDManager m = manager.newSubManager()) {
                double[] p = predict(AttributeClassifier.images(ds, part, m));
                System.arraycopy(p, 0, pred, s, p.length);
            }
        }
        return score(truth(ds, idx, target), pred, mean);
    }

    /** The label target it reads ({@link #ROTATION}). */
    public String target() {
        return target;
    }

    /** The domain of its training images. */
    public String domain() {
        return domain;
    }

    /** The mean of its training targets: what the chance predictor guesses. */
    public double trainingMean() {
        return mean;
    }

    /** What it was trained on, with the images' attribution and licence (from the dataset's manifest). */
    public String provenance() {
        return provenance;
    }

    /** Tensors held by its manager (weights and persistent scalars): constant after training. */
    int heldArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
