package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Checks one route of {@link Convolution} on one call's data against the double-precision definition
 * ({@link ConvReference}): the first images of the batch (up to {@link #MAX_BATCH}, so "several" stays several),
 * in both memory layouts (NCHW and channels-last: oneDNN picks different kernels for them), the output and, when
 * asked, the gradients with respect to input, weight and bias for a random upstream gradient. Entries are sampled
 * where kernels go wrong: the first and last channels (SIMD blocks and their tails), the border rows and columns
 * (padding), and a few random ones; how many is the {@link Depth}.
 */
public final class ConvCheck {

    static final int MAX_BATCH = 4;
    /** Above this many input values per image the check runs 2 images, not 4: its native cost stays below a batch's. */
    static final long LARGE_IMAGE = 1L << 19;

    /** How many values a check compares. */
    public enum Depth {
        /** The run-time check: ~150 outputs (and gradients), at the first and last channels and the corners. */
        RUNTIME(4, 4, 1, 1),
        /** The first and last 16 channels (a SIMD block and the tail), two border rows and columns, random others. */
        DENSE(16, 16, 2, 2),
        /** Every value. */
        EXHAUSTIVE(Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 0);

        final int channelTails;
        final int channelExtra;
        final int pixelTails;
        final int pixelExtra;

        Depth(int channelTails, int channelExtra, int pixelTails, int pixelExtra) {
            this.channelTails = channelTails;
            this.channelExtra = channelExtra;
            this.pixelTails = pixelTails;
            this.pixelExtra = pixelExtra;
        }

        int[] channels(int size, Random r) {
            return pick(size, channelTails, channelExtra, r);
        }

        int[] pixels(int size, Random r) {
            return pick(size, pixelTails, pixelExtra, r);
        }

        int[] images(int n) {
            return this == RUNTIME && n > 2 ? new int[] {0, n - 1} : IntStream.range(0, n).toArray();
        }
    }

    /**
     * @param shape      the class checked (the caller's shape, not the padded one)
     * @param route      the route checked
     * @param entries    how many values were compared
     * @param worstRatio the largest error divided by its tolerance ({@code <= 1}: right)
     * @param worstError the largest absolute error
     * @param where      which value had the largest ratio, e.g. {@code forward channels-last y[1, 64, 0, 3]}
     */
    public record Result(ConvShape shape, Convolution.Route route, int entries, double worstRatio, double worstError,
                         String where) {
        public boolean ok() {
            return worstRatio <= 1;
        }

        public String summary() {
            return String.format(Locale.ROOT, "%s, %d values, max error %.3g at %s (%.3gx its tolerance)",
                    ok() ? "right" : "WRONG", entries, worstError, where, worstRatio);
        }

        @Override
        public String toString() {
            return route + " " + summary();
        }
    }

    private ConvCheck() {
    }

    /** Checks {@code route} for {@code conv2d(x, w, bias, stride, padding, groups)} on x's first images. */
    public static Result verify(Convolution.Route route, NDArray x, NDArray w, NDArray bias, int stride, int padH,
                                int padW, int groups, boolean backward, Depth depth) {
        ConvShape s = ConvShape.of(x, w, stride, padH, padW, groups);
        long perImage = x.getShape().size() / x.getShape().get(0);
        int nb = (int) Math.min(x.getShape().get(0), perImage > LARGE_IMAGE ? 2 : MAX_BATCH);
        Worst worst = new Worst();
        try (NDManager cm = NDManager.newBaseManager(x.getDevice())) {
            NDArray slice = x.get(new NDIndex("0:{}", nb));
            NDArray xs = detachedCopy(slice, cm);
            slice.close();
            NDArray wd = detachedCopy(w, cm);
            NDArray bd = bias == null ? null : detachedCopy(bias, cm);
            ConvReference ref = new ConvReference(s, nb, xs.toFloatArray(), wd.toFloatArray(),
                    bd == null ? null : bd.toFloatArray());
            Random random = new Random(20261126L);
            Shape xShape = xs.getShape();
            NDArray[] layouts = {xs.reshape(-1).reshape(xShape), Tensors.channelsLast(xs)};
            String[] names = {"NCHW", "channels-last"};
            boolean gradMode = JniUtils.isGradMode();
            for (int l = 0; l < layouts.length; l++) {
                NDArray xl = layouts[l];
                JniUtils.setGradMode(false);
                try {
                    float[] y = Convolution.apply(route, xl, wd, bd, stride, padH, padW, groups).toFloatArray();
                    forward(s, ref, y, nb, depth, random, worst, "forward " + names[l]);
                } finally {
                    JniUtils.setGradMode(gradMode);
                }
                if (backward) {
                    backward(route, s, ref, xl, wd, bd, stride, padH, padW, groups, nb, depth, random, worst,
                            "backward " + names[l], cm);
                }
            }
        }
        return new Result(s, route, worst.entries, worst.ratio, worst.error, worst.where);
    }

    /**
     * The run-time check of a call that has been computed: {@code y} = route(x, w, bias) in the caller's own memory
     * layout, compared with the definition at sampled outputs of its first two images. Costs host copies of those
     * images and a few thousand dot products, no convolution.
     */
    public static Result checkOutput(Convolution.Route route, NDArray x, NDArray w, NDArray bias, NDArray y,
                                     int stride, int padH, int padW, int groups, Depth depth) {
        ConvShape s = ConvShape.of(x, w, stride, padH, padW, groups);
        int nb = (int) Math.min(x.getShape().get(0), 2);
        Worst worst = new Worst();
        float[] xh, yh;
        try (NDArray xs = x.get(new NDIndex("0:{}", nb)); NDArray ys = y.get(new NDIndex("0:{}", nb))) {
            xh = xs.toFloatArray();
            yh = ys.toFloatArray();
        }
        ConvReference ref = new ConvReference(s, nb, xh, w.toFloatArray(), bias == null ? null : bias.toFloatArray());
        forward(s, ref, yh, nb, depth, new Random(20261126L), worst, "forward");
        return new Result(s, route, worst.entries, worst.ratio, worst.error, worst.where);
    }

    /**
     * The run-time check of the gradients: the first images of x (a copy that keeps the caller's memory layout),
     * the route forward and backward for a random upstream gradient, input, weight and bias gradients against the
     * definition.
     */
    public static Result checkBackward(Convolution.Route route, NDArray x, NDArray w, NDArray bias, int stride,
                                       int padH, int padW, int groups, Depth depth) {
        ConvShape s = ConvShape.of(x, w, stride, padH, padW, groups);
        long perImage = x.getShape().size() / x.getShape().get(0);
        int nb = (int) Math.min(x.getShape().get(0), perImage > LARGE_IMAGE ? 2 : MAX_BATCH);
        Worst worst = new Worst();
        try (NDManager cm = NDManager.newBaseManager(x.getDevice())) {
            NDArray slice = x.get(new NDIndex("0:{}", nb));
            NDArray xs = detachedCopy(slice, cm); // clone keeps the layout
            slice.close();
            NDArray wd = detachedCopy(w, cm);
            NDArray bd = bias == null ? null : detachedCopy(bias, cm);
            ConvReference ref = new ConvReference(s, nb, xs.toFloatArray(), wd.toFloatArray(),
                    bd == null ? null : bd.toFloatArray());
            backward(route, s, ref, xs, wd, bd, stride, padH, padW, groups, nb, depth, new Random(20261127L), worst,
                    "backward", cm);
        }
        return new Result(s, route, worst.entries, worst.ratio, worst.error, worst.where);
    }

    /** The worse of two results of the same class and route, their value counts added. */
    static Result combine(Result a, Result b) {
        Result w = b.worstRatio() > a.worstRatio() || Double.isNaN(b.worstRatio()) ? b : a;
        return new Result(a.shape(), a.route(), a.entries() + b.entries(), w.worstRatio(),
                Math.max(a.worstError(), b.worstError()), w.where());
    }

    private static NDArray detachedCopy(NDArray a, NDManager m) {
        NDArray c = a.duplicate();
        c.attach(m);
        return c;
    }

    private static void forward(ConvShape s, ConvReference ref, float[] y, int nb, Depth depth, Random r, Worst worst,
                                String what) {
        int co = s.out(), ho = s.outHeight(), wo = s.outWidth();
        int[] os = depth.channels(co, r), is = depth.pixels(ho, r), js = depth.pixels(wo, r);
        for (int b : depth.images(nb)) {
            for (int o : os) {
                for (int i : is) {
                    for (int j : js) {
                        worst.add(ref.output(b, o, i, j), y[((b * co + o) * ho + i) * wo + j],
                                what, "y", b, o, i, j);
                    }
                }
            }
        }
    }

    private static void backward(Convolution.Route route, ConvShape s, ConvReference ref, NDArray xl, NDArray wd,
                                 NDArray bd, int stride, int padH, int padW, int groups, int nb, Depth depth,
                                 Random r, Worst worst, String what, NDManager cm) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            NDArray xg = detachedCopy(xl, cm);
            NDArray wg = detachedCopy(wd, cm);
            NDArray bg = bd == null ? null : detachedCopy(bd, cm);
            xg.setRequiresGradient(true);
            wg.setRequiresGradient(true);
            if (bg != null) {
                bg.setRequiresGradient(true);
            }
            NDArray y = Convolution.apply(route, xg, wg, bg, stride, padH, padW, groups);
            float[] g = new float[Math.toIntExact(y.size())];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) r.nextGaussian();
            }
            NDArray gy = Tensors.owned(cm, g, y.getShape());
            JniUtils.backward((PtNDArray) y, (PtNDArray) gy, false, false);
            float[] dx = xg.getGradient().toFloatArray();
            float[] dw = wg.getGradient().toFloatArray();
            int ci = s.in(), h = s.height(), wi = s.width();
            for (int b : depth.images(nb)) {
                for (int c : depth.channels(ci, r)) {
                    for (int a : depth.pixels(h, r)) {
                        for (int d : depth.pixels(wi, r)) {
                            worst.add(ref.gradInput(g, b, c, a, d), dx[((b * ci + c) * h + a) * wi + d],
                                    what, "dx", b, c, a, d);
                        }
                    }
                }
            }
            int cin = ci / groups;
            Depth few = depth == Depth.EXHAUSTIVE ? depth : Depth.RUNTIME;
            for (int o : few.channels(s.out(), r)) {
                for (int c : few.channels(cin, r)) {
                    for (int u = 0; u < s.kh(); u++) {
                        for (int v = 0; v < s.kw(); v++) {
                            worst.add(ref.gradWeight(g, o, c, u, v), dw[((o * cin + c) * s.kh() + u) * s.kw() + v],
                                    what, "dw", o, c, u, v);
                        }
                    }
                }
            }
            if (bg != null) {
                float[] db = bg.getGradient().toFloatArray();
                int ho = s.outHeight(), wo = s.outWidth();
                for (int o = 0; o < s.out(); o++) {
                    double acc = 0, abs = 0;
                    for (int b = 0; b < nb; b++) {
                        for (int k = 0; k < ho * wo; k++) {
                            double t = g[(b * s.out() + o) * ho * wo + k];
                            acc += t;
                            abs += Math.abs(t);
                        }
                    }
                    worst.add(new ConvReference.Value(acc, abs), db[o], what, "db", o);
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Indices 0..size-1: all, or the first and last {@code tails} and {@code extra} random ones between. */
    static int[] pick(int size, int tails, int extra, Random r) {
        if (tails >= size || size <= 2 * tails + extra) {
            return IntStream.range(0, size).toArray();
        }
        IntStream head = IntStream.range(0, tails);
        IntStream tail = IntStream.range(size - tails, size);
        IntStream middle = r.ints(extra, tails, size - tails);
        return IntStream.concat(IntStream.concat(head, middle), tail).distinct().sorted().toArray();
    }

    private static final class Worst {
        int entries;
        double ratio = 0;
        double error = 0;
        String where = "-";

        void add(ConvReference.Value ref, float got, String what, String name, int... index) {
            entries++;
            double e = ref.error(got);
            double q = e / ref.tolerance();
            error = Math.max(error, e);
            if (q > ratio || Double.isNaN(q)) {
                ratio = Double.isNaN(q) ? Double.POSITIVE_INFINITY : q;
                StringBuilder sb = new StringBuilder(what).append(' ').append(name).append(java.util.Arrays.toString(index));
                sb.append(String.format(Locale.ROOT, " (got %.6g, want %.6g)", got, ref.value()));
                where = sb.toString();
            }
        }
    }
}
