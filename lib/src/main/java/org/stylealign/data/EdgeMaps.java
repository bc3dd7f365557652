package org.stylealign.data;

/**
 * Edge maps of rendered images, the data of the edge-map child (paper Fig. 37: an edge drawing turned into faces).
 * The operator: a 3x3 Sobel filter on each colour channel of the uint8 image (borders replicated), the gradient
 * magnitude sqrt(gx^2 + gy^2) taken as the largest over the channels (so an edge between two colours of equal
 * brightness still counts), and a pixel drawn black (0) where that magnitude reaches {@link #THRESHOLD}, white (255)
 * elsewhere, the same value in every channel: dark lines on white with the domain's channel count, so the parent's
 * architecture fits the child unchanged. A sharp step of s grey levels gives a magnitude of 4 s, so the threshold
 * marks steps of 32 levels and more; flat regions (and smooth shading under 8 levels per pixel) stay white.
 */
public final class EdgeMaps {

    /** Gradient magnitude (uint8 units, Sobel weights 1-2-1) at and above which a pixel is an edge. */
    public static final int THRESHOLD = 128;
    /** Recorded in the manifest of an edge build (spec.edgeOperator). */
    public static final String OPERATOR = "per-channel 3x3 Sobel on uint8 (replicated border), magnitude = max over "
            + "channels of sqrt(gx^2+gy^2), edge (0, black) where >= " + THRESHOLD + ", else 255 (white), "
            + "in every channel";

    private EdgeMaps() {
    }

    /** The edge map of a uint8 image C x H x W (H = W = size), in the same layout. */
    public static byte[] of(byte[] chw, int channels, int size) {
        int plane = size * size;
        if (chw.length != channels * plane) {
            throw new IllegalArgumentException("image has " + chw.length + " bytes, expected " + channels + " x "
                    + size + " x " + size);
        }
        double[] mag = magnitude(chw, channels, size);
        byte[] out = new byte[chw.length];
        for (int k = 0; k < plane; k++) {
            byte v = mag[k] >= THRESHOLD ? 0 : (byte) 255;
            for (int c = 0; c < channels; c++) {
                out[c * plane + k] = v;
            }
        }
        return out;
    }

    /** Per pixel, the largest Sobel gradient magnitude over the channels (H x W). */
    public static double[] magnitude(byte[] chw, int channels, int size) {
        int plane = size * size;
        double[] mag = new double[plane];
        for (int c = 0; c < channels; c++) {
            int off = c * plane;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int gx = at(chw, off, size, x + 1, y - 1) + 2 * at(chw, off, size, x + 1, y)
                            + at(chw, off, size, x + 1, y + 1) - at(chw, off, size, x - 1, y - 1)
                            - 2 * at(chw, off, size, x - 1, y) - at(chw, off, size, x - 1, y + 1);
                    int gy = at(chw, off, size, x - 1, y + 1) + 2 * at(chw, off, size, x, y + 1)
                            + at(chw, off, size, x + 1, y + 1) - at(chw, off, size, x - 1, y - 1)
                            - 2 * at(chw, off, size, x, y - 1) - at(chw, off, size, x + 1, y - 1);
                    double m = Math.sqrt((double) gx * gx + (double) gy * gy);
                    if (m > mag[y * size + x]) {
                        mag[y * size + x] = m;
                    }
                }
            }
        }
        return mag;
    }

    private static int at(byte[] a, int off, int size, int x, int y) {
        int cx = Math.max(0, Math.min(size - 1, x)), cy = Math.max(0, Math.min(size - 1, y));
        return a[off + cy * size + cx] & 0xff;
    }
}
