package org.stylealign.metrics;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistancesTest {

    static float[][] gaussian(int n, int d, double shift, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                // correlated features: a shared factor plus noise
                x[i][j] = (float) (shift + scale * r.nextGaussian());
            }
            double common = r.nextGaussian();
            for (int j = 0; j < d; j += 2) {
                x[i][j] += (float) common;
            }
        }
        return x;
    }

    @Test
    void eigenDecompositionReconstructsTheMatrix() {
        for (int n : new int[] {1, 2, 7, 60}) {
            SplittableRandom r = new SplittableRandom(n);
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    a[i][j] = a[j][i] = r.nextGaussian();
                }
            }
            if (n == 7) {
                a[3] = new double[7]; // a zero row and column: a repeated zero eigenvalue path
                for (int i = 0; i < n; i++) {
                    a[i][3] = 0;
                }
            }
            SymmetricEigen.Result e = SymmetricEigen.of(a, true);
            double[][] v = e.vectors();
            for (int k = 0; k < n; k++) {
                for (int i = 0; i < n; i++) {
                    double av = 0;
                    for (int j = 0; j < n; j++) {
                        av += a[i][j] * v[k][j];
                    }
                    assertEquals(e.values()[k] * v[k][i], av, 1e-10, "A v = lambda v, n " + n + ", vector " + k);
                }
                for (int l = 0; l < n; l++) {
                    double dot = 0;
                    for (int j = 0; j < n; j++) {
                        dot += v[k][j] * v[l][j];
                    }
                    assertEquals(k == l ? 1 : 0, dot, 1e-10, "orthonormal vectors");
                }
            }
        }
        double[] two = SymmetricEigen.of(new double[][] {{2, 1}, {1, 2}}, false).values();
        java.util.Arrays.sort(two);
        assertEquals(1, two[0], 1e-14);
        assertEquals(3, two[1], 1e-14);
    }

    @Test
    void fidWithFewerSamplesThanFeaturesConverges() {
        // 8 vectors of 128 features: covariances of rank 7, a product with ~120 zero eigenvalues (the case of a
        // quick metrics run) made the deflation test relative to each pair alone loop forever
        float[][] a = gaussian(8, 128, 0, 1, 1);
        float[][] b = gaussian(8, 128, 0.5, 1, 2);
        double fid = Distances.fid(a, b);
        assertTrue(fid > 0 && Double.isFinite(fid), "fid " + fid);
        assertEquals(0, Distances.fid(a, a), 1e-6);
    }

    @Test
    void fidOfASetWithItselfIsZeroAndMatchesTheClosedForm() {
        float[][] x = gaussian(300, 16, 0, 1, 1);
        FeatureStats s = FeatureStats.of(x);
        double tr = 0;
        for (int i = 0; i < 16; i++) {
            tr += s.cov()[i][i];
        }
        assertEquals(0, Distances.fid(s, s), 1e-9 * tr);
        // diagonal covariances: FID = |mu1 - mu2|^2 + sum (sqrt(a) - sqrt(b))^2
        int d = 5;
        double[][] ca = new double[d][d];
        double[][] cb = new double[d][d];
        double[] ma = new double[d];
        double[] mb = new double[d];
        double want = 0;
        for (int i = 0; i < d; i++) {
            ca[i][i] = 1 + i;
            cb[i][i] = 4 + 0.5 * i;
            mb[i] = 0.3 * i;
            want += mb[i] * mb[i] + Math.pow(Math.sqrt(ca[i][i]) - Math.sqrt(cb[i][i]), 2);
        }
        assertEquals(want, Distances.fid(new FeatureStats(10, ma, ca), new FeatureStats(10, mb, cb)), 1e-10);
    }

    @Test
    void fidAndKidGrowWithAShift() {
        float[][] real = gaussian(400, 16, 0, 1, 1);
        double prevFid = -1;
        double prevKid = -1;
        for (double shift : new double[] {0, 0.25, 0.5, 1.0}) {
            float[][] gen = gaussian(400, 16, shift, 1, 2);
            double fid = Distances.fid(gen, real);
            double kid = Distances.kid(gen, real, 20, 200, 3);
            assertTrue(fid > prevFid && kid > prevKid, "shift " + shift + ": FID " + fid + ", KID " + kid);
            prevFid = fid;
            prevKid = kid;
        }
        // an unshifted independent sample: FID small, KID near 0 (unbiased, may be slightly negative)
        double kid0 = Distances.kid(gaussian(400, 16, 0, 1, 9), real, 20, 200, 3);
        assertTrue(Math.abs(kid0) < 0.01, "KID of two samples of one distribution " + kid0);
    }

    @Test
    void kidOverFullSubsetsEqualsTheDirectQuadraticFormula() {
        int n = 40;
        int d = 8;
        float[][] x = gaussian(n, d, 1.0, 1, 4);
        float[][] y = gaussian(n, d, 0, 1.3, 5);
        double kxx = 0;
        double kyy = 0;
        double kxy = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dxx = 0;
                double dyy = 0;
                double dxy = 0;
                for (int k = 0; k < d; k++) {
                    dxx += (double) x[i][k] * x[j][k];
                    dyy += (double) y[i][k] * y[j][k];
                    dxy += (double) x[i][k] * y[j][k];
                }
                if (i != j) {
                    kxx += Math.pow(dxx / d + 1, 3);
                    kyy += Math.pow(dyy / d + 1, 3);
                }
                kxy += Math.pow(dxy / d + 1, 3);
            }
        }
        double direct = kxx / (n * (n - 1.0)) + kyy / (n * (n - 1.0)) - 2 * kxy / ((double) n * n);
        // every subset is the whole set (in some order), so each one gives the same, direct value
        assertEquals(direct, Distances.kid(x, y, 3, 1000, 7), 1e-9 * Math.abs(direct) + 1e-12);
        assertTrue(direct > 0);
    }
}
