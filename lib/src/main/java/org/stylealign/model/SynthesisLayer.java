package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * A styled 3x3 convolution: affine (w -> s), modulation of the input channels by s, convolution (optionally
 * upsampling x2), demodulation, per-pixel noise with a learned strength, bias and leaky ReLU.
 *
 * <p>Modulation is applied to the activations and demodulation to the output rather than to per-sample weights:
 * the same result with one shared weight, which is 2-3x faster on a CPU.
 */
final class SynthesisLayer {

    final String name;
    final int resolution;
    final int inChannels;
    final int outChannels;
    final boolean up;
    final FullyConnectedLayer affine;
    final NDArray weight;
    final NDArray bias;
    final NDArray noiseStrength;
    final NDArray noiseConst;
    private final Scalars scalars;
    private final Fir fir;

    SynthesisLayer(Params params, Scalars scalars, Fir fir, String name, int in, int out, int wDim, int resolution,
                   boolean up) {
        this.name = name;
        this.resolution = resolution;
        this.inChannels = in;
        this.outChannels = out;
        this.up = up;
        this.scalars = scalars;
        this.fir = fir;
        affine = new FullyConnectedLayer(params, scalars, name + ".affine", wDim, in, 1f, Params.Init.ONES, false);
        weight = params.take(name + ".weight", new Shape(out, in, 3, 3), Params.Init.NORMAL, true);
        bias = params.take(name + ".bias", new Shape(out), Params.Init.ZEROS, true);
        noiseStrength = params.take(name + ".noise_strength", new Shape(), Params.Init.ZEROS, true);
        noiseConst = params.take(name + ".noise_const", new Shape(resolution, resolution), Params.Init.NORMAL, false);
    }

    /**
     * @param x     [N, in, R/2 or R, ...] features
     * @param s     [N, in] styles (the raw affine output)
     * @param noise [N or 1, 1, R, R] noise map, or null for none
     */
    NDArray forward(NDArray x, NDArray s, NDArray noise) {
        long n = x.getShape().get(0);
        NDArray eps = scalars.of(1e-8f);
        // dcoef[n, o] = 1 / sqrt(sum_i s[n, i]^2 * sum_k weight[o, i, k]^2 + eps)
        NDArray wSq = weight.square().sum(new int[] {2, 3});
        NDArray dcoef = s.square().matMul(wSq.transpose()).add(eps).sqrt();
        NDArray y = x.mul(s.reshape(n, inChannels, 1, 1));
        y = up ? upConv(y) : Conv2d.conv2d(y, weight, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
        y = y.div(dcoef.reshape(n, outChannels, 1, 1));
        if (noise != null) {
            y = y.add(noise.mul(noiseStrength));
        }
        return Layers.biasLeakyRelu(y, bias, scalars.of(Layers.SQRT2));
    }

    /**
     * The transposed convolution (stride 2, weight not flipped, as both reference codes do it) written as a plain
     * convolution of the zero-inserted input with the spatially flipped weight, then the FIR filter.
     */
    private NDArray upConv(NDArray x) {
        NDArray z = Fir.zeroInsert(x).pad(new Shape(2, 1, 2, 1), 0);
        NDArray y = Conv2d.conv2d(z, weight.flip(2, 3)).singletonOrThrow();
        return fir.afterTransposedConv(y);
    }

    /** The stored noise map as [1, 1, R, R]. */
    NDArray constNoise() {
        return noiseConst.reshape(1, 1, resolution, resolution);
    }

    NDArray randomNoise(NDManager manager, long batch) {
        return manager.randomNormal(new Shape(batch, 1, resolution, resolution));
    }
}
