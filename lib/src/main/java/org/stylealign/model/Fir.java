package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The [1,3,3,1] FIR filter of StyleGAN2 and the resampling built on it (upfirdn2d): zero-insertion upsampling,
 * padding, a depthwise 4x4 filter. The filter is symmetric, so correlation and convolution agree.
 */
final class Fir {

    private final NDArray upFilter;   // normalised to sum 4: keeps the mean through x2 zero insertion
    private final NDArray blurFilter; // normalised to sum 1

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
        blurFilter = constant(manager, f);
        upFilter = constant(manager, up);
    }

    private static NDArray constant(NDManager manager, float[] values) {
        try (NDArray wrapped = manager.create(values, new Shape(1, 1, 4, 4))) {
            NDArray t = wrapped.duplicate();
            t.attach(manager);
            ai.djl.ndarray.NDScope.unregister(t);
            return t;
        }
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
    static NDArray filter(NDArray x, NDArray f, int left, int right, int top, int bottom) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1);
        NDArray p = (left | right | top | bottom) == 0 ? x : x.pad(new Shape(left, right, top, bottom), 0);
        long h = p.getShape().get(2), w = p.getShape().get(3);
        NDArray y = Conv2d.conv2d(p.reshape(n * c, 1, h, w), f).singletonOrThrow();
        return y.reshape(n, c, h - 3, w - 3);
    }

    /** Upsamples an image x2 (the skip path of the generator): zero insertion, pad (2,1), filter with gain 4. */
    NDArray upsample2x(NDArray x) {
        return filter(zeroInsert(x), upFilter, 2, 1, 2, 1);
    }

    /** The filter that follows the transposed convolution of an upsampling layer: pad 1, gain 4. */
    NDArray afterTransposedConv(NDArray x) {
        return filter(x, upFilter, 1, 1, 1, 1);
    }

    /** Blur before a stride-2 convolution in the discriminator. */
    NDArray blur(NDArray x, int pad) {
        return filter(x, blurFilter, pad, pad, pad, pad);
    }
}
