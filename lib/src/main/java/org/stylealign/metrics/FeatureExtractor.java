package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Images -> feature vectors for FID/KID. Implementations take any size and 1 or 3 channels. */
public interface FeatureExtractor extends AutoCloseable {

    /** A short name for reports, e.g. "domain-cnn-32px" or "torchscript:inception.pt". */
    String name();

    /** Features of images [N, C, H, W] in [-1, 1] (grey images are repeated to RGB). */
    float[][] features(NDArray images);

    @Override
    void close();

    /** [N, 1, H, W] -> [N, 3, H, W]; RGB unchanged. Result in {@code m}. */
    static NDArray rgb(NDArray images, NDManager m) {
        long c = images.getShape().get(1);
        if (c == 3) {
            return images;
        }
        if (c != 1) {
            throw new IllegalArgumentException("images must have 1 or 3 channels, got shape " + images.getShape());
        }
        NDArray out = images.repeat(1, 3);
        out.attach(m);
        return out;
    }

    /** Bilinear resize to size x size (a no-op when already that size). */
    static NDArray resize(NDArray images, int size, NDManager m) {
        if (images.getShape().get(2) == size && images.getShape().get(3) == size) {
            return images;
        }
        long[] s = {size, size};
        NDArray out = images.getNDArrayInternal().interpolation(s, 1, false);
        out.attach(m);
        return out;
    }
}
