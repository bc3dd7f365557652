package org.stylealign.analysis;

/**
 * Linear models on latent codes, in double precision: L2-regularised logistic regression (Newton's method) for a
 * binary label and ridge regression for a number, both with an intercept (the features are centred first), and
 * principal components. Small on purpose: the latent spaces here have at most a few thousand dimensions.
 */
public final class LinearProbe {

    /** {@code weights} act on centred features: prediction = intercept + weights . (x - mean). */
    public record Fit(double[] weights, double intercept, double[] mean) {
        public double predict(double[] x) {
            double s = intercept;
            for (int j = 0; j < weights.length; j++) {
                s += weights[j] * (x[j] - mean[j]);
            }
            return s;
        }
    }

    private LinearProbe() {
    }

    /**
     * Ridge regression of y on x: minimises sum (y - b - w.(x - mean))^2 + lambda |w|^2, lambda = {@code ridge} x the
     * mean of the diagonal of the centred Gram matrix (scale-free).
     */
    public static Fit ridge(double[][] x, double[] y, double ridge) {
        int n = check(x, y), d = x[0].length;
        double[] mean = mean(x);
        double ym = 0;
        for (double v : y) {
            ym += v;
        }
        ym /= n;
        double[][] a = gram(x, mean, null);
        double lambda = ridge * trace(a) / d;
        for (int j = 0; j < d; j++) {
            a[j][j] += lambda;
        }
        double[] b = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                b[j] += (x[i][j] - mean[j]) * (y[i] - ym);
            }
        }
        return new Fit(solve(a, b), ym, mean);
    }

    /**
     * Logistic regression of a 0/1 label on x (Newton's method, at most 50 steps), with the penalty of
     * {@link #ridge}. The prediction is a log-odds.
     */
    public static Fit logistic(double[][] x, boolean[] label, double ridge) {
        int n = x.length;
        if (n == 0 || label.length != n) {
            throw new IllegalArgumentException("need as many labels as rows, got " + label.length + " and " + n);
        }
        int pos = 0;
        for (boolean l : label) {
            pos += l ? 1 : 0;
        }
        if (pos == 0 || pos == n) {
            throw new IllegalArgumentException("logistic regression needs both labels; all " + n + " are "
                    + (pos == n));
        }
        int d = x[0].length;
        double[] mean = mean(x);
        double lambda = ridge * trace(gram(x, mean, null)) / d;
        double[] w = new double[d];
        double b = Math.log((double) pos / (n - pos));
        for (int iter = 0; iter < 50; iter++) {
            double[] p = new double[n];
            double[] gw = new double[d];
            double gb = 0, sw = 0;
            double[] h = new double[n];
            for (int i = 0; i < n; i++) {
                double t = b;
                for (int j = 0; j < d; j++) {
                    t += w[j] * (x[i][j] - mean[j]);
                }
                p[i] = 1 / (1 + Math.exp(-t));
                double r = (label[i] ? 1 : 0) - p[i];
                for (int j = 0; j < d; j++) {
                    gw[j] += r * (x[i][j] - mean[j]);
                }
                gb += r;
                h[i] = Math.max(p[i] * (1 - p[i]), 1e-10);
                sw += h[i];
            }
            for (int j = 0; j < d; j++) {
                gw[j] -= lambda * w[j];
            }
            // full Newton step on (w, b): the Hessian of the weights, bordered by the intercept's row and column
            double[][] g = gram(x, mean, h);
            double[][] a = new double[d + 1][d + 1];
            double[] border = new double[d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    border[j] += h[i] * (x[i][j] - mean[j]);
                }
            }
            for (int j = 0; j < d; j++) {
                System.arraycopy(g[j], 0, a[j], 0, d);
                a[j][j] += lambda;
                a[j][d] = border[j];
                a[d][j] = border[j];
            }
            a[d][d] = sw;
            double[] grad = java.util.Arrays.copyOf(gw, d + 1);
            grad[d] = gb;
            double[] step = solve(a, grad);
            double change = 0;
            for (int j = 0; j <= d; j++) {
                change = Math.max(change, Math.abs(step[j]));
            }
            for (int j = 0; j < d; j++) {
                w[j] += step[j];
            }
            b += step[d];
            if (change < 1e-9) {
                break;
            }
        }
        return new Fit(w, b, mean);
    }

    /** Principal components of the rows of x: eigenvalues (variances, largest first) and unit eigenvectors. */
    public record Components(double[] variances, double[][] vectors, double totalVariance) {
        public double share(int i) {
            return variances[i] / totalVariance;
        }
    }

    /**
     * The first {@code k} principal components of x (covariance with n - 1), each vector's sign fixed so that its
     * largest entry is positive (the same result on every run).
     */
    public static Components pca(double[][] x, int k) {
        int n = x.length;
        if (n < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 rows, got " + n);
        }
        int d = x[0].length;
        if (k < 1 || k > d) {
            throw new IllegalArgumentException("k must be in 1.." + d + ", got " + k);
        }
        double[][] c = gram(x, mean(x), null);
        for (double[] row : c) {
            for (int j = 0; j < d; j++) {
                row[j] /= n - 1;
            }
        }
        var eig = org.stylealign.metrics.SymmetricEigen.of(c, true);
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (i, j) -> Double.compare(eig.values()[j], eig.values()[i]));
        double[] vars = new double[k];
        double[][] vecs = new double[k][];
        for (int i = 0; i < k; i++) {
            vars[i] = Math.max(0, eig.values()[order[i]]);
            double[] v = eig.vectors()[order[i]].clone();
            int big = 0;
            for (int j = 1; j < d; j++) {
                if (Math.abs(v[j]) > Math.abs(v[big])) {
                    big = j;
                }
            }
            if (v[big] < 0) {
                for (int j = 0; j < d; j++) {
                    v[j] = -v[j];
                }
            }
            vecs[i] = v;
        }
        return new Components(vars, vecs, trace(c));
    }

    // ---- small dense linear algebra ----

    private static int check(double[][] x, double[] y) {
        if (x.length == 0 || y.length != x.length) {
            throw new IllegalArgumentException("need as many targets as rows, got " + y.length + " and " + x.length);
        }
        return x.length;
    }

    static double[] mean(double[][] x) {
        double[] m = new double[x[0].length];
        for (double[] row : x) {
            if (row.length != m.length) {
                throw new IllegalArgumentException("rows differ in length: " + row.length + " vs " + m.length);
            }
            for (int j = 0; j < m.length; j++) {
                m[j] += row[j];
            }
        }
        for (int j = 0; j < m.length; j++) {
            m[j] /= x.length;
        }
        return m;
    }

    /** sum_i h_i (x_i - mean)(x_i - mean)^T (h = 1 when null). */
    private static double[][] gram(double[][] x, double[] mean, double[] h) {
        int d = mean.length;
        double[][] a = new double[d][d];
        double[] c = new double[d];
        for (int i = 0; i < x.length; i++) {
            double hi = h == null ? 1 : h[i];
            for (int j = 0; j < d; j++) {
                c[j] = x[i][j] - mean[j];
            }
            for (int j = 0; j < d; j++) {
                double cj = hi * c[j];
                double[] row = a[j];
                for (int k = j; k < d; k++) {
                    row[k] += cj * c[k];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            for (int k = 0; k < j; k++) {
                a[j][k] = a[k][j];
            }
        }
        return a;
    }

    private static double trace(double[][] a) {
        double t = 0;
        for (int j = 0; j < a.length; j++) {
            t += a[j][j];
        }
        return t;
    }

    /** Solves a x = b for symmetric positive definite a (Cholesky); a is overwritten. */
    static double[] solve(double[][] a, double[] b) {
        int d = b.length;
        for (int j = 0; j < d; j++) {
            double s = a[j][j];
            for (int k = 0; k < j; k++) {
                s -= a[j][k] * a[j][k];
            }
            if (!(s > 0)) {
                throw new ArithmeticException("matrix not positive definite at row " + j
                        + " (features constant or collinear; raise the ridge)");
            }
            a[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < d; i++) {
                double t = a[i][j];
                for (int k = 0; k < j; k++) {
                    t -= a[i][k] * a[j][k];
                }
                a[i][j] = t / a[j][j];
            }
        }
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            double t = b[i];
            for (int k = 0; k < i; k++) {
                t -= a[i][k] * y[k];
            }
            y[i] = t / a[i][i];
        }
        double[] x = new double[d];
        for (int i = d - 1; i >= 0; i--) {
            double t = y[i];
            for (int k = i + 1; k < d; k++) {
                t -= a[k][i] * x[k];
            }
            x[i] = t / a[i][i];
        }
        return x;
    }
}
