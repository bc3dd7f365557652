package org.stylealign.metrics;

/**
 * Mean and covariance of a set of feature vectors, in double precision. The covariance divides by n, not n - 1, as
 * NVlabs' metric code does ({@code metric_utils.FeatureStats.get_mean_cov}), so FID values compare with theirs.
 */
public record FeatureStats(int count, double[] mean, double[][] cov) {

    public static FeatureStats of(float[][] features) {
        int n = features.length;
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 feature vectors for a covariance, got " + n);
        }
        int d = features[0].length;
        double[] mu = new double[d];
        for (float[] f : features) {
            if (f.length != d) {
                throw new IllegalArgumentException("feature vectors differ in length: " + f.length + " vs " + d);
            }
            for (int j = 0; j < d; j++) {
                mu[j] += f[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mu[j] /= n;
        }
        double[][] c = new double[d][d];
        double[] x = new double[d];
        for (float[] f : features) {
            for (int j = 0; j < d; j++) {
                x[j] = f[j] - mu[j];
            }
            for (int i = 0; i < d; i++) {
                double xi = x[i];
                double[] row = c[i];
                for (int j = i; j < d; j++) {
                    row[j] += xi * x[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                c[i][j] /= n;
                c[j][i] = c[i][j];
            }
        }
        return new FeatureStats(n, mu, c);
    }

    public int dimension() {
        return mean.length;
    }
}
