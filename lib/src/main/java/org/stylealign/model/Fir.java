package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The [1,3,3,1] FIR filter of StyleGAN2 and the resampling built on it (upfirdn2d): zero-insertion upsampling,
 * padding, a depthwise 4x4 filter. The filter is symmetric, so correlation and convolution agree.
 */
final class Fir {

    private final NDArray upFilter;   // normalised to sum 4: keeps the mean through x2 zero insertion
    private final NDArray blurFilter; // normalised to sum 1
    private final NDArray phaseSelection;
    // Depthwise copies [C, 1, 4, 4] per channel count: a grouped convolution is ~4x faster on a CPU than folding
    // the channels into the batch.
    private final java.util.Map<Long, NDArray> upByChannels = new java.util.HashMap<>();
    private final java.util.Map<Long, NDArray> blurByChannels = new java.util.HashMap<>();

    Fir(NDManager manager) {
        float[] k = {1, 3, 3, 1};
        float[] f = new float[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                f[i * 4 + j] = k[i] * k[j] / 64f;
            }
        }
        float[] up = new float[16];
        for (int i = 0; i < 16; i++) {
            up[i] = f[i] * 4f;
        }
        blurFilter = constant(manager, f, new Shape(1, 1, 4, 4));
        upFilter = constant(manager, up, new Shape(1, 1, 4, 4));
        phaseSelection = constant(manager, phaseSelection(), new Shape(9, 16));
    }

    /**
     * The 0/1 matrix [9, 16] that maps a 3x3 kernel (row = 3 ky + kx) to the four 2x2 phase kernels of a stride-2
     * transposed convolution (column = 4 (2 py + px) + 2 a + b). Per axis the even phase's taps are (w[2], w[0])
     * and the odd phase's (0, w[1]). One matrix product builds all phase kernels, exactly.
     */
    private static float[] phaseSelection() {
        int[][] tap = {{2, 0}, {-1, 1}}; // tap[phase][a] = 3x3 index along the axis, -1 for none
        float[] s = new float[9 * 16];
        for (int py = 0; py < 2; py++) {
            for (int px = 0; px < 2; px++) {
                for (int a = 0; a < 2; a++) {
                    for (int b = 0; b < 2; b++) {
                        int ky = tap[py][a], kx = tap[px][b];
                        if (ky >= 0 && kx >= 0) {
                            s[(ky * 3 + kx) * 16 + 4 * (2 * py + px) + 2 * a + b] = 1f;
                        }
                    }
                }
            }
        }
        return s;
    }

    /**
     * The phase kernels [4 (2 py + px), K, Cin, 2, 2] of 3x3 kernels [K, Cin, 3, 3] for the polyphase stride-2
     * transposed convolution (weight not flipped, as both reference codes apply it).
     */
    NDArray phaseKernels(NDArray w3) {
        Shape s = w3.getShape();
        long k = s.get(0), in = s.get(1);
        return w3.reshape(k * in, 9).matMul(phaseSelection).reshape(k, in, 4, 2, 2).transpose(2, 0, 1, 3, 4);
    }

    private static NDArray constant(NDManager manager, float[] values, Shape shape) {
        return Tensors.owned(manager, values, shape);
    }

    /** [N,C,H,W] -> [N,C,2H,2W] with the samples at even positions and zeros elsewhere. */
    static NDArray zeroInsert(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        return x.reshape(n, c, h, 1, w, 1)
                .pad(new Shape(0, 1, 0, 0, 0, 1), 0)
                .reshape(n, c, 2 * h, 2 * w);
    }

    /** Pads (left, right, top, bottom) with zeros, then filters every channel with the 4x4 filter (valid). */
    private NDArray filter(NDArray x, boolean up, int left, int right, int top, int bottom) {
        long c = x.getShape().get(1);
        NDArray f = depthwise(up, c);
        if (left == right && top == bottom) {
            // symmetric padding is the convolution's own: no padded copy, forward or backward
            return Convolution.conv2d(x, f, null, 1, top, left, (int) c);
        }
        NDArray p = x.pad(new Shape(left, right, top, bottom), 0);
        NDArray y = Convolution.conv2d(p, f, null, 1, 0, 0, (int) c);
        if (Inference.active()) {
            p.close(); // a full-size copy; without a graph nothing else holds it
        }
        return y;
    }

    private synchronized NDArray depthwise(boolean up, long channels) {
        java.util.Map<Long, NDArray> cache = up ? upByChannels : blurByChannels;
        NDArray f = cache.get(channels);
        if (f == null) {
            NDArray base = up ? upFilter : blurFilter;
            f = base.repeat(0, channels);
            f.attach(base.getManager());
            ai.djl.ndarray.NDScope.unregister(f);
            cache.put(channels, f);
        }
        return f;
    }

    /** Upsamples an image x2 (the skip path of the generator): zero insertion, pad (2,1), filter with gain 4. */
    NDArray upsample2x(NDArray x) {
        return filter(zeroInsert(x), true, 2, 1, 2, 1);
    }

    /**
     * The filter after the polyphase transposed convolution of an upsampling layer. Its input is [.., 2H+2, 2W+2]
     * whose last row and column are exactly zero, so padding (1, 0) equals the reference padding (1, 1) of the
     * 2H+1 transposed-convolution output.
     */
    NDArray afterTransposedConv(NDArray x) {
        return filter(x, true, 1, 0, 1, 0);
    }

    /**
     * Blur with padding (1, 1), keeping every other pixel: [.., R, R] -> [.., R/2, R/2], the input of the
     * discriminator's 1x1 skip convolution. Computes only the pixels kept.
     */
    NDArray blurDown(NDArray x) {
        long c = x.getShape().get(1);
        return Convolution.conv2d(x, depthwise(false, c), null, 2, 1, 1, (int) c);
    }

    /** Blur before a stride-2 convolution in the discriminator. */
    NDArray blur(NDArray x, int pad) {
        return filter(x, false, pad, pad, pad, pad);
    }
}
