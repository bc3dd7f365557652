package org.stylealign.metrics;

import java.util.SplittableRandom;

/**
 * FID and KID between two sets of features, as NVlabs' metrics compute them.
 * <ul>
 *   <li>FID: |mu1 - mu2|^2 + tr(S1 + S2 - 2 sqrt(S1 S2)). tr sqrt(S1 S2) = sum of sqrt(eig(A S2 A)) with
 *       A = S1^(1/2), both from eigen-decompositions of symmetric matrices (A S2 A is symmetric and has the
 *       eigenvalues of S1 S2).</li>
 *   <li>KID: unbiased MMD^2 with the kernel k(x, y) = (x.y / d + 1)^3, averaged over random subsets of
 *       min(n_gen, n_real, maxSubset) vectors each.</li>
 * </ul>
 */
public final class Distances {

    private Distances() {
    }

    public static double fid(float[][] a, float[][] b) {
        return fid(FeatureStats.of(a), FeatureStats.of(b));
    }

    public static double fid(FeatureStats a, FeatureStats b) {
        int d = a.dimension();
        if (b.dimension() != d) {
            throw new IllegalArgumentException("feature dimensions differ: " + d + " vs " + b.dimension());
        }
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double t = a.mean()[i] - b.mean()[i];
            meanTerm += t * t;
        }
        double[][] root = sqrtPsd(a.cov());
        double[][] m = multiply(multiply(root, b.cov()), root);
        symmetrise(m);
        double traceRoot = 0;
        for (double v : SymmetricEigen.of(m, false).values()) {
            traceRoot += Math.sqrt(Math.max(v, 0)); // rounding makes tiny negative eigenvalues
        }
        double tr = 0;
        for (int i = 0; i < d; i++) {
            tr += a.cov()[i][i] + b.cov()[i][i];
        }
        return Math.max(0, meanTerm + tr - 2 * traceRoot);
    }

    /** KID with NVlabs' defaults: 100 subsets of at most 1000 vectors. */
    public static double kid(float[][] gen, float[][] real, long seed) {
        return kid(gen, real, 100, 1000, seed);
    }

    public static double kid(float[][] gen, float[][] real, int subsets, int maxSubset, long seed) {
        int d = gen[0].length;
        if (real[0].length != d) {
            throw new IllegalArgumentException("feature dimensions differ: " + d + " vs " + real[0].length);
        }
        int m = Math.min(Math.min(gen.length, real.length), maxSubset);
        if (m < 2) {
            throw new IllegalArgumentException("KID needs at least 2 vectors per set, got " + m);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double t = 0;
        for (int s = 0; s < subsets; s++) {
            float[][] x = sample(gen, m, rnd);
            float[][] y = sample(real, m, rnd);
            t += mmd2(x, y);
        }
        return t / subsets;
    }

    /** Unbiased MMD^2 of two equal-size sets with the cubic polynomial kernel. */
    static double mmd2(float[][] x, float[][] y) {
        int m = x.length;
        int d = x[0].length;
        double kxx = 0;
        double kyy = 0;
        double kxy = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j) {
                    kxx += kernel(x[i], x[j], d);
                    kyy += kernel(y[i], y[j], d);
                }
                kxy += kernel(x[i], y[j], d);
            }
        }
        return (kxx + kyy) / ((double) m * (m - 1)) - 2 * kxy / ((double) m * m);
    }

    static double kernel(float[] a, float[] b, int d) {
        double dot = 0;
        for (int k = 0; k < d; k++) {
            dot += (double) a[k] * b[k];
        }
        double v = dot / d + 1;
        return v * v * v;
    }

    private static float[][] sample(float[][] set, int m, SplittableRandom rnd) {
        // a partial Fisher-Yates shuffle: m distinct indices
        int[] idx = new int[set.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        float[][] out = new float[m][];
        for (int i = 0; i < m; i++) {
            int j = i + rnd.nextInt(idx.length - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            out[i] = set[idx[i]];
        }
        return out;
    }

    /** The symmetric square root V sqrt(max(D, 0)) V^T of a positive semi-definite matrix. */
    static double[][] sqrtPsd(double[][] s) {
        int n = s.length;
        SymmetricEigen.Result r = SymmetricEigen.of(s, true);
        double[][] v = r.vectors();
        double[][] out = new double[n][n];
        for (int k = 0; k < n; k++) {
            double w = Math.sqrt(Math.max(r.values()[k], 0));
            if (w == 0) {
                continue;
            }
            double[] vk = v[k];
            for (int i = 0; i < n; i++) {
                double f = w * vk[i];
                double[] row = out[i];
                for (int j = 0; j < n; j++) {
                    row[j] += f * vk[j];
                }
            }
        }
        symmetrise(out);
        return out;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int k = b.length;
        int m = b[0].length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] ci = c[i];
            for (int l = 0; l < k; l++) {
                double f = a[i][l];
                if (f == 0) {
                    continue;
                }
                double[] bl = b[l];
                for (int j = 0; j < m; j++) {
                    ci[j] += f * bl[j];
                }
            }
        }
        return c;
    }

    private static void symmetrise(double[][] m) {
        for (int i = 0; i < m.length; i++) {
            for (int j = i + 1; j < m.length; j++) {
                double v = (m[i][j] + m[j][i]) / 2;
                m[i][j] = v;
                m[j][i] = v;
            }
        }
    }
}
