package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.metrics.Attribute;
import org.stylealign.metrics.AttributeClassifier;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Directions in W found in one model, to apply as {@link Control.WDirection}s:
 * <ul>
 *   <li>{@link #interFaceGan}: a linear model on W labelled by an attribute reader (InterFaceGAN: Shen et al., CVPR
 *       2020, used a linear SVM; here L2-regularised logistic regression for a binary attribute, ridge regression for
 *       a luminance); its unit normal is the direction. Fitted on 80% of the samples and scored on the other 20%,
 *       against chance (the majority share, or r = 0);</li>
 *   <li>{@link #principalComponents}: PCA of W (GANSpace: Harkonen et al., NeurIPS 2020), unlabelled directions
 *       ordered by the variance of W along them.</li>
 * </ul>
 * The step of a direction is the standard deviation of w . d over the model's samples.
 */
public final class LatentSearch {

    /** A direction and how well its linear model predicts the attribute on held-out samples. */
    public record Probe(Control.WDirection direction, String metric, double heldOut, double chance, int trained,
                        int tested) {
    }

    /** A principal component as a control, with the share of W's total variance along it. */
    public record Component(int index, Control.WDirection direction, double varianceShare) {
    }

    private LatentSearch() {
    }

    /** The InterFaceGAN direction of a binary or luminance attribute of {@code reader}. */
    public static Probe interFaceGan(Generator g, AttributeClassifier reader, String attribute, int samples,
                                     long firstSeed, int batch) {
        Attribute a = reader.attribute(attribute);
        if (a.kind() == Attribute.Kind.CATEGORICAL) {
            throw new IllegalArgumentException("a W direction needs a binary or luminance attribute; '" + attribute
                    + "' is categorical");
        }
        return interFaceGan(g, images -> reader.score(images, attribute), a.kind() == Attribute.Kind.BINARY,
                attribute, samples, firstSeed, batch);
    }

    /**
     * The pose direction of a model trained on randomly rotated data (the pose family's parent): the InterFaceGAN
     * ridge direction of the angle {@code regressor} reads (degrees) on W, named "rotation". Its held-out score is the
     * Pearson r of the linear prediction with the angle read; {@code step} is the std of w . d, so an edit by alpha
     * steps moves the linear prediction by alpha x its std over the samples (what the image's angle does is for the
     * regressor to read: notebook 11 measures it).
     */
    public static Probe pose(Generator g, org.stylealign.metrics.PoseRegressor regressor, int samples, long firstSeed,
                             int batch) {
        return interFaceGan(g, regressor::predict, false, "rotation", samples, firstSeed, batch);
    }

    /**
     * The InterFaceGAN direction of any image score: {@code binary} scores are probabilities (label p >= 0.5; the top
     * and bottom quarter when a side has fewer than 10 samples, as {@link ChannelSearch} does), the others numbers.
     */
    public static Probe interFaceGan(Generator g, Function<NDArray, double[]> scorer, boolean binary, String label,
                                     int samples, long firstSeed, int batch) {
        if (samples < 40) {
            throw new IllegalArgumentException("a W direction needs at least 40 samples, got " + samples);
        }
        double[][] w = new double[samples][];
        double[] y = new double[samples];
        sample(g, samples, firstSeed, batch, w, scorer, y);
        int[] keep;
        boolean[] pos = new boolean[samples];
        if (binary) {
            int np = 0;
            for (int i = 0; i < samples; i++) {
                pos[i] = y[i] >= 0.5;
                np += pos[i] ? 1 : 0;
            }
            if (np < 10 || samples - np < 10) {
                double[] sorted = y.clone();
                Arrays.sort(sorted);
                double lo = sorted[samples / 4], hi = sorted[samples - 1 - samples / 4];
                List<Integer> k = new ArrayList<>();
                for (int i = 0; i < samples; i++) {
                    if (y[i] >= hi || y[i] <= lo) {
                        k.add(i);
                        pos[i] = y[i] >= hi;
                    }
                }
                keep = k.stream().mapToInt(Integer::intValue).toArray();
            } else {
                keep = range(samples);
            }
        } else {
            keep = range(samples);
        }
        // every fifth sample is held out
        List<Integer> train = new ArrayList<>(), test = new ArrayList<>();
        for (int i = 0; i < keep.length; i++) {
            (i % 5 == 4 ? test : train).add(keep[i]);
        }
        double[][] xt = rows(w, train);
        LinearProbe.Fit fit;
        double heldOut, chance;
        String metric;
        if (binary) {
            boolean[] lt = new boolean[train.size()];
            for (int i = 0; i < lt.length; i++) {
                lt[i] = pos[train.get(i)];
            }
            fit = LinearProbe.logistic(xt, lt, 0.01);
            int right = 0, positives = 0;
            for (int i : test) {
                right += (fit.predict(w[i]) >= 0) == pos[i] ? 1 : 0;
                positives += pos[i] ? 1 : 0;
            }
            metric = "accuracy";
            heldOut = (double) right / test.size();
            chance = Math.max(positives, test.size() - positives) / (double) test.size();
        } else {
            double[] yt = new double[train.size()];
            for (int i = 0; i < yt.length; i++) {
                yt[i] = y[train.get(i)];
            }
            fit = LinearProbe.ridge(xt, yt, 0.01);
            double[] pred = new double[test.size()], truth = new double[test.size()];
            for (int i = 0; i < test.size(); i++) {
                pred[i] = fit.predict(w[test.get(i)]);
                truth[i] = y[test.get(i)];
            }
            metric = "r";
            heldOut = ChannelSearch.correlation(pred, truth);
            chance = 0;
        }
        float[] d = new float[fit.weights().length];
        for (int j = 0; j < d.length; j++) {
            d[j] = (float) fit.weights()[j];
        }
        float[] unit = unit(d);
        return new Probe(new Control.WDirection(label, unit, projectionStd(w, unit)), metric, heldOut, chance,
                train.size(), test.size());
    }

    /** The first {@code k} principal components of W over {@code samples} latents. */
    public static List<Component> principalComponents(Generator g, int samples, long firstSeed, int batch, int k) {
        double[][] w = new double[samples][];
        sample(g, samples, firstSeed, batch, w, null, null);
        LinearProbe.Components pcs = LinearProbe.pca(w, k);
        List<Component> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            float[] v = new float[pcs.vectors()[i].length];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) pcs.vectors()[i][j];
            }
            float step = (float) Math.sqrt(pcs.variances()[i]);
            out.add(new Component(i, new Control.WDirection("PC" + i, v, step > 0 ? step : Float.MIN_NORMAL),
                    pcs.share(i)));
        }
        return out;
    }

    /** w = mapping(z) for seeds firstSeed.., and (when a scorer is given) the score of each image. */
    private static void sample(Generator g, int samples, long firstSeed, int batch, double[][] w,
                               Function<NDArray, double[]> scorer, double[] y) {
        for (int done = 0; done < samples; done += batch) {
            int n = Math.min(batch, samples - done);
            long[] seeds = Generator.seedRange(firstSeed + done, n);
            try (NDManager m = g.manager().newSubManager()) {
                NDArray ws = g.mapping(g.zFromSeeds(m, seeds));
                float[] v = ws.toFloatArray();
                int dim = g.config().wDim();
                for (int i = 0; i < n; i++) {
                    double[] row = new double[dim];
                    for (int j = 0; j < dim; j++) {
                        row[j] = v[i * dim + j];
                    }
                    w[done + i] = row;
                }
                if (scorer != null) {
                    double[] s = scorer.apply(g.synthesis(g.broadcast(ws), Noise.constant()));
                    System.arraycopy(s, 0, y, done, n);
                }
            }
        }
    }

    private static float projectionStd(double[][] w, float[] d) {
        double sum = 0, sq = 0;
        for (double[] row : w) {
            double p = 0;
            for (int j = 0; j < d.length; j++) {
                p += row[j] * d[j];
            }
            sum += p;
            sq += p * p;
        }
        int n = w.length;
        double mean = sum / n;
        return (float) Math.sqrt(Math.max((sq - n * mean * mean) / (n - 1), 1e-12));
    }

    private static float[] unit(float[] d) {
        double norm = 0;
        for (float v : d) {
            norm += (double) v * v;
        }
        if (!(norm > 0)) {
            throw new ArithmeticException("the linear model found no direction (all weights zero)");
        }
        float[] u = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            u[i] = (float) (d[i] / Math.sqrt(norm));
        }
        return u;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static double[][] rows(double[][] x, List<Integer> idx) {
        double[][] r = new double[idx.size()][];
        for (int i = 0; i < r.length; i++) {
            r[i] = x[idx.get(i)];
        }
        return r;
    }
}
