package org.stylealign.metrics;

/**
 * Eigen-decomposition of a real symmetric matrix in double precision: Householder reduction to tridiagonal form,
 * then the implicit QL method with Wilkinson-style shifts. O(n^3); a 2048-dimensional covariance takes seconds.
 */
public final class SymmetricEigen {

    /** Eigenvalues in the order found (not sorted) and, when asked for, eigenvector i as row i of vectors. */
    public record Result(double[] values, double[][] vectors) {
    }

    private SymmetricEigen() {
    }

    public static Result of(double[][] matrix, boolean wantVectors) {
        int n = matrix.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            if (matrix[i].length != n) {
                throw new IllegalArgumentException("not a square matrix: row " + i + " has " + matrix[i].length
                        + " entries, expected " + n);
            }
            a[i] = matrix[i].clone();
        }
        double[][] qt = wantVectors ? identity(n) : null;
        double[] d = new double[n];
        double[] e = new double[n];
        tridiagonalise(a, qt, d, e);
        ql(d, e, qt);
        return new Result(d, qt);
    }

    private static double[][] identity(int n) {
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            q[i][i] = 1;
        }
        return q;
    }

    /** A -> T = Q^T A Q; d the diagonal, e[i] the entry coupling i and i+1; qt accumulates Q^T (rows). */
    private static void tridiagonalise(double[][] a, double[][] qt, double[] d, double[] e) {
        int n = a.length;
        for (int k = 0; k < n - 2; k++) {
            int m = n - k - 1;
            double norm = 0;
            for (int i = 0; i < m; i++) {
                norm += a[k + 1 + i][k] * a[k + 1 + i][k];
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                continue;
            }
            // reflect x onto alpha e1 with alpha of the opposite sign of x0 (no cancellation in v0)
            double alpha = a[k + 1][k] > 0 ? -norm : norm;
            double[] v = new double[m];
            for (int i = 0; i < m; i++) {
                v[i] = a[k + 1 + i][k];
            }
            v[0] -= alpha;
            double vtv = 0;
            for (double x : v) {
                vtv += x * x;
            }
            if (vtv == 0) {
                continue;
            }
            double beta = 2 / vtv;
            // trailing block B <- H B H = B - v w^T - w v^T with p = beta B v, w = p - (beta v.p / 2) v
            double[] p = new double[m];
            for (int i = 0; i < m; i++) {
                double[] row = a[k + 1 + i];
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += row[k + 1 + j] * v[j];
                }
                p[i] = beta * s;
            }
            double vp = 0;
            for (int i = 0; i < m; i++) {
                vp += v[i] * p[i];
            }
            double kk = beta * vp / 2;
            double[] w = new double[m];
            for (int i = 0; i < m; i++) {
                w[i] = p[i] - kk * v[i];
            }
            for (int i = 0; i < m; i++) {
                double[] row = a[k + 1 + i];
                double vi = v[i];
                double wi = w[i];
                for (int j = 0; j < m; j++) {
                    row[k + 1 + j] -= vi * w[j] + wi * v[j];
                }
            }
            a[k + 1][k] = alpha;
            a[k][k + 1] = alpha;
            for (int i = k + 2; i < n; i++) {
                a[i][k] = 0;
                a[k][i] = 0;
            }
            if (qt != null) {
                // Q^T <- H Q^T on rows k+1..n-1
                int cols = qt[0].length;
                double[] s = new double[cols];
                for (int i = 0; i < m; i++) {
                    double vi = v[i];
                    double[] row = qt[k + 1 + i];
                    for (int c = 0; c < cols; c++) {
                        s[c] += vi * row[c];
                    }
                }
                for (int i = 0; i < m; i++) {
                    double f = beta * v[i];
                    double[] row = qt[k + 1 + i];
                    for (int c = 0; c < cols; c++) {
                        row[c] -= f * s[c];
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            d[i] = a[i][i];
            e[i] = i + 1 < n ? a[i + 1][i] : 0;
        }
    }

    /** Implicit QL on the tridiagonal (d, e); rotations are applied to the rows of zt when given. */
    private static void ql(double[] d, double[] e, double[][] zt) {
        int n = d.length;
        // Deflate relative to the pair and to the whole matrix: with a rank-deficient matrix (fewer samples than
        // features) a pair of ~0 eigenvalues never meets a test relative to itself alone.
        double norm = 0;
        for (int i = 0; i < n; i++) {
            norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]));
        }
        for (int l = 0; l < n; l++) {
            int iter = 0;
            while (true) {
                int m = l;
                while (m < n - 1) {
                    double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
                    if (Math.abs(e[m]) <= 1e-15 * dd || Math.abs(e[m]) <= 0x1p-52 * norm) {
                        break;
                    }
                    m++;
                }
                if (m == l) {
                    break;
                }
                if (++iter > 100) {
                    throw new ArithmeticException("the QL iteration did not converge for eigenvalue " + l);
                }
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Math.hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                double s = 1;
                double c = 1;
                double p = 0;
                int i;
                boolean underflow = false;
                for (i = m - 1; i >= l; i--) {
                    double f = s * e[i];
                    double b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        d[i + 1] -= p;
                        e[m] = 0;
                        underflow = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    if (zt != null) {
                        double[] zi = zt[i];
                        double[] zi1 = zt[i + 1];
                        for (int k = 0; k < zi.length; k++) {
                            double t = zi1[k];
                            zi1[k] = s * zi[k] + c * t;
                            zi[k] = c * zi[k] - s * t;
                        }
                    }
                }
                if (underflow) {
                    continue;
                }
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
    }
}
