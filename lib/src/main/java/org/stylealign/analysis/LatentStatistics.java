package org.stylealign.analysis;

/**
 * The shape of a latent space from a sample of its vectors (StyleGAN Fig. 6: Z is a standard normal, W is learned):
 * the mean standard deviation per coordinate, the skewness and excess kurtosis of the standardised coordinates
 * (pooled), the mean |correlation| between two coordinates, and the mean distance to the centre. A standard normal
 * sample gives ~1, ~0, ~0, ~0 and ~sqrt(dim).
 *
 * @param x   the vectors, row-major [n, dim]
 * @param dim the vector length
 */
public record LatentStatistics(int count, int dim, double meanStd, double skewness, double excessKurtosis,
                               double meanAbsCorrelation, double meanDistanceToCentre) {

    public static LatentStatistics of(float[] x, int dim) {
        if (dim < 1 || x.length % dim != 0 || x.length / dim < 2) {
            throw new IllegalArgumentException("need at least 2 vectors of length " + dim + ", got " + x.length
                    + " values");
        }
        int n = x.length / dim;
        double[] mean = new double[dim];
        double[] var = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                mean[d] += x[i * dim + d] / (double) n;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                double c = x[i * dim + d] - mean[d];
                var[d] += c * c / n;
            }
        }
        double m3 = 0;
        double m4 = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int d = 0; d < dim; d++) {
                double c = x[i * dim + d] - mean[d];
                double s = c / Math.sqrt(var[d] + 1e-12);
                m3 += s * s * s;
                m4 += s * s * s * s;
                sq += c * c;
            }
            norm += Math.sqrt(sq) / n;
        }
        m3 /= (double) n * dim;
        m4 /= (double) n * dim;
        double corr = 0;
        int pairs = 0;
        for (int a = 0; a < dim; a++) {
            for (int b = a + 1; b < dim; b++) {
                double c = 0;
                for (int i = 0; i < n; i++) {
                    c += (x[i * dim + a] - mean[a]) * (x[i * dim + b] - mean[b]);
                }
                corr += Math.abs(c / n / Math.sqrt(var[a] * var[b] + 1e-24));
                pairs++;
            }
        }
        double meanStd = 0;
        for (double v : var) {
            meanStd += Math.sqrt(v) / dim;
        }
        return new LatentStatistics(n, dim, meanStd, m3, m4 - 3, pairs == 0 ? 0 : corr / pairs, norm);
    }

    /** Every coordinate standardised on its own (mean 0, std 1), so shapes compare rather than scales. */
    public static double[] standardised(float[] x, int dim) {
        int n = x.length / dim;
        double[] out = new double[x.length];
        for (int d = 0; d < dim; d++) {
            double mu = 0;
            double s2 = 0;
            for (int i = 0; i < n; i++) {
                mu += x[i * dim + d] / (double) n;
            }
            for (int i = 0; i < n; i++) {
                s2 += (x[i * dim + d] - mu) * (x[i * dim + d] - mu) / n;
            }
            double s = Math.sqrt(s2 + 1e-12);
            for (int i = 0; i < n; i++) {
                out[i * dim + d] = (x[i * dim + d] - mu) / s;
            }
        }
        return out;
    }

    /** Coordinate {@code d} of every vector. */
    public static double[] coordinate(float[] x, int dim, int d) {
        double[] out = new double[x.length / dim];
        for (int i = 0; i < out.length; i++) {
            out[i] = x[i * dim + d];
        }
        return out;
    }
}
