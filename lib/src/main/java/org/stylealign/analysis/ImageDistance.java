package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import org.stylealign.metrics.FeatureExtractor;

/** Distances between two batches of images of the same latents, image by image, averaged. */
public final class ImageDistance {

    /** A pixel distance and a feature distance (NaN when not measured). */
    public record Pair(double pixel, double feature) {
        public static final Pair NONE = new Pair(Double.NaN, Double.NaN);
    }

    private ImageDistance() {
    }

    /** Mean absolute difference of two image batches [N, C, H, W] in [-1, 1] (0 = identical, 2 = opposite). */
    public static double pixel(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException("image batches differ in shape: " + a.getShape() + " vs "
                    + b.getShape());
        }
        try (NDArray d = a.sub(b); NDArray ad = d.abs(); NDArray mean = ad.mean()) {
            return mean.getFloat();
        }
    }

    /**
     * As {@link #pixel}, for batches that may differ in resolution (a lower-resolution child, paper Fig. 30): the
     * larger images are average-pooled to the smaller size first (sizes must divide).
     */
    public static double pixelAtCommonSize(NDArray a, NDArray b) {
        long ha = a.getShape().get(2), hb = b.getShape().get(2);
        if (ha == hb) {
            return pixel(a, b);
        }
        NDArray big = ha > hb ? a : b, small = ha > hb ? b : a;
        try (NDArray pooled = poolTo(big, small.getShape().get(2), small.getShape().get(3))) {
            return pixel(pooled, small);
        }
    }

    /**
     * Average pooling of the last two axes of x ([.., H, W], any rank >= 2) to h x w (sizes must divide); x itself
     * when it is that size already.
     */
    public static NDArray poolTo(NDArray x, long h, long w) {
        ai.djl.ndarray.types.Shape s = x.getShape();
        int d = s.dimension();
        long hh = s.get(d - 2), ww = s.get(d - 1);
        if (hh % h != 0 || ww % w != 0) {
            throw new IllegalArgumentException("a " + hh + "x" + ww + " array does not pool to " + h + "x" + w);
        }
        if (hh == h && ww == w) {
            return x;
        }
        long lead = s.size() / (hh * ww);
        NDArray pooled = x.reshape(lead, h, hh / h, w, ww / w).mean(new int[] {4}).mean(new int[] {2});
        long[] out = s.getShape().clone();
        out[d - 2] = h;
        out[d - 1] = w;
        return pooled.reshape(out);
    }

    /** Mean Euclidean distance between feature vectors of the same images: row i of a against row i of b. */
    public static double feature(float[][] a, float[][] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("feature batches of " + a.length + " and " + b.length + " rows");
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double s = 0;
            for (int k = 0; k < a[i].length; k++) {
                double d = (double) a[i][k] - b[i][k];
                s += d * d;
            }
            sum += Math.sqrt(s);
        }
        return sum / a.length;
    }

    /** Features of a batch, {@code batch} images at a time. */
    public static float[][] features(FeatureExtractor f, NDArray images, int batch) {
        long n = images.getShape().get(0);
        float[][] out = new float[(int) n][];
        for (long i = 0; i < n; i += batch) {
            try (NDArray part = images.get(i + ":" + Math.min(n, i + batch))) {
                float[][] fi = f.features(part);
                System.arraycopy(fi, 0, out, (int) i, fi.length);
            }
        }
        return out;
    }

    /** Pixel and (when {@code f} is given) feature distance of b to a, whose features may be given. */
    static Pair between(NDArray a, float[][] aFeatures, NDArray b, FeatureExtractor f, int batch) {
        double px = pixel(a, b);
        if (f == null) {
            return new Pair(px, Double.NaN);
        }
        float[][] fa = aFeatures != null ? aFeatures : features(f, a, batch);
        return new Pair(px, feature(fa, features(f, b, batch)));
    }
}
