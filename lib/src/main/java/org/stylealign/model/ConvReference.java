package org.stylealign.model;

/**
 * The 2-D convolution (cross-correlation, as every deep-learning framework computes it) and its two gradients as
 * plain double-precision loops over host arrays: the definition, independent of any engine kernel, evaluated at the
 * entries a caller asks for. Used to check the engine ({@link ConvCheck}) and by the tests.
 *
 * <pre>
 *   y[n, o, i, j]  = b[o] + sum_{c in group(o), u, v} x[n, c, i s - p + u, j s - p + v] w[o, c - c0(o), u, v]
 *   dx[n, c, a, d] = sum_{o in group(c), u, v : (a + p - u) = i s, (d + p - v) = j s} g[n, o, i, j] w[o, c - c0, u, v]
 *   dw[o, c, u, v] = sum_{n, i, j} g[n, o, i, j] x[n, c0(o) + c, i s - p + u, j s - p + v]
 * </pre>
 * where x outside the image is zero and g = dL/dy. Each value comes with the sum of the absolute values of its
 * terms, the scale against which a float32 result's rounding error is judged.
 */
public final class ConvReference {

    /** A reference value and the sum of |terms| it came from. */
    public record Value(double value, double absSum) {
        /** Whether {@code got} is this value up to float32 rounding of the sum. */
        public boolean accepts(double got) {
            return error(got) <= tolerance();
        }

        public double error(double got) {
            return Double.isFinite(got) ? Math.abs(got - value) : Double.POSITIVE_INFINITY;
        }

        /** 1e-5 of the terms' magnitude: float32 sums of up to ~10^4 terms stay far inside it, a wrong kernel not. */
        public double tolerance() {
            return 1e-5 * absSum + 1e-6;
        }
    }

    private final ConvShape s;
    private final int n;
    private final float[] x; // [n, in, H, W]
    private final float[] w; // [out, in / groups, kh, kw]
    private final float[] b; // [out] or null

    /**
     * @param shape the convolution (its {@code batched} flag is not used)
     * @param n     batch size of {@code x}
     * @param x     input, NCHW order, n * in * height * width values
     * @param w     weight, [out, in / groups, kh, kw]
     * @param b     bias [out], or null
     */
    public ConvReference(ConvShape shape, int n, float[] x, float[] w, float[] b) {
        this.s = shape;
        this.n = n;
        long xn = (long) n * shape.in() * shape.height() * shape.width();
        long wn = (long) shape.out() * (shape.in() / shape.groups()) * shape.kh() * shape.kw();
        if (x.length != xn || w.length != wn || (b != null && b.length != shape.out())) {
            throw new IllegalArgumentException("reference convolution " + shape + ": got " + x.length + " input, "
                    + w.length + " weight" + (b == null ? "" : ", " + b.length + " bias") + " values, want " + xn
                    + ", " + wn + (b == null ? "" : ", " + shape.out()));
        }
        this.x = x;
        this.w = w;
        this.b = b;
    }

    public int batch() {
        return n;
    }

    private int cin() {
        return s.in() / s.groups();
    }

    private int cout() {
        return s.out() / s.groups();
    }

    private double xAt(int bi, int c, int r, int col) {
        if (r < 0 || col < 0 || r >= s.height() || col >= s.width()) {
            return 0;
        }
        return x[((bi * s.in() + c) * s.height() + r) * s.width() + col];
    }

    private double wAt(int o, int c, int u, int v) {
        return w[((o * cin() + c) * s.kh() + u) * s.kw() + v];
    }

    /** y[bi, o, i, j]. */
    public Value output(int bi, int o, int i, int j) {
        int c0 = (o / cout()) * cin();
        double acc = b == null ? 0 : b[o];
        double abs = Math.abs(acc);
        for (int c = 0; c < cin(); c++) {
            for (int u = 0; u < s.kh(); u++) {
                int r = i * s.stride() - s.padH() + u;
                for (int v = 0; v < s.kw(); v++) {
                    double t = xAt(bi, c0 + c, r, j * s.stride() - s.padW() + v) * wAt(o, c, u, v);
                    acc += t;
                    abs += Math.abs(t);
                }
            }
        }
        return new Value(acc, abs);
    }

    /** dL/dx[bi, c, a, d] for the upstream gradient g = dL/dy, [n, out, outHeight, outWidth] in NCHW order. */
    public Value gradInput(float[] g, int bi, int c, int a, int d) {
        int ho = s.outHeight(), wo = s.outWidth();
        int grp = c / cin(), cc = c % cin();
        double acc = 0, abs = 0;
        for (int o = grp * cout(); o < (grp + 1) * cout(); o++) {
            for (int u = 0; u < s.kh(); u++) {
                int ti = a + s.padH() - u;
                if (ti < 0 || ti % s.stride() != 0 || ti / s.stride() >= ho) {
                    continue;
                }
                for (int v = 0; v < s.kw(); v++) {
                    int tj = d + s.padW() - v;
                    if (tj < 0 || tj % s.stride() != 0 || tj / s.stride() >= wo) {
                        continue;
                    }
                    double t = g[((bi * s.out() + o) * ho + ti / s.stride()) * wo + tj / s.stride()] * wAt(o, cc, u, v);
                    acc += t;
                    abs += Math.abs(t);
                }
            }
        }
        return new Value(acc, abs);
    }

    /** dL/dw[o, c, u, v] (c within the group) for the upstream gradient g. */
    public Value gradWeight(float[] g, int o, int c, int u, int v) {
        int ho = s.outHeight(), wo = s.outWidth();
        int c0 = (o / cout()) * cin();
        double acc = 0, abs = 0;
        for (int bi = 0; bi < n; bi++) {
            for (int i = 0; i < ho; i++) {
                int r = i * s.stride() - s.padH() + u;
                if (r < 0 || r >= s.height()) {
                    continue;
                }
                for (int j = 0; j < wo; j++) {
                    double t = g[((bi * s.out() + o) * ho + i) * wo + j] * xAt(bi, c0 + c, r, j * s.stride() - s.padW() + v);
                    acc += t;
                    abs += Math.abs(t);
                }
            }
        }
        return new Value(acc, abs);
    }
}
