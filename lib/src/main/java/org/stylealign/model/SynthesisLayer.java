package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * A styled 3x3 convolution: affine (w -> s), modulation of the input channels by s, convolution (optionally
 * upsampling x2), demodulation, per-pixel noise with a learned strength, bias and leaky ReLU.
 *
 * <p>Modulation is applied to the activations and demodulation to the output rather than to per-sample weights:
 * the same result with one shared weight, which is faster on a CPU than one grouped convolution of per-sample
 * weights (measurements in docs/performance.md). The per-sample form, written to be read, is {@link ReferenceSynthesis}.
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
     * @param x         [N, in, R/2 or R, R/2 or R] features, to be multiplied by {@code inputGain}
     * @param s         [N, in] styles (the raw affine output)
     * @param noise     [N or 1, 1, R, R] noise map, or null for none
     * @param inputGain the activation gain the previous layer left out (1 or sqrt(2), see {@link #GAIN})
     * @return the activations without their gain sqrt(2): the next layer applies it to its (small) styles instead
     *         of to the (large) activations, saving a pass; leaky ReLU is positively homogeneous so this is exact
     */
    NDArray forward(NDArray x, NDArray s, NDArray noise, NDArray inputGain) {
        long n = x.getShape().get(0);
        NDArray eps = scalars.of(1e-8f);
        // dcoef[n, o] = 1 / sqrt(sum_i s[n, i]^2 * sum_k weight[o, i, k]^2 + eps), applied as a product: the
        // backward of a division over the activations costs three passes, that of a product two
        NDArray wSq = weight.square().reshape(outChannels, inChannels, 9).sum(new int[] {2});
        NDArray dcoef = s.square().matMul(wSq.transpose()).add(eps).pow(scalars.of(-0.5f));
        NDArray sx = inputGain == null ? s : s.mul(inputGain);
        NDArray d = dcoef.reshape(n, outChannels, 1, 1);
        NDArray b = bias.reshape(1, outChannels, 1, 1);
        if (Inference.active()) {
            // no graph: each full-size temporary is freed once used, and the epilogue runs in place
            NDArray y;
            try (NDArray xm = x.mul(sx.reshape(n, inChannels, 1, 1))) {
                y = up ? upConv(xm, true) : Convolution.conv2d(xm, weight, null, 1, 1, 1, 1);
            }
            y.muli(d).addi(b);
            if (noise != null) {
                try (NDArray scaled = noise.mul(noiseStrength)) {
                    y.addi(scaled);
                }
            }
            try (y) {
                return Activation.leakyRelu(y, 0.2f);
            }
        }
        NDArray y = x.mul(sx.reshape(n, inChannels, 1, 1));
        y = up ? upConv(y, false) : Convolution.conv2d(y, weight, null, 1, 1, 1, 1);
        y = y.mul(d).add(b);
        if (noise != null) {
            y = y.add(noise.mul(noiseStrength));
        }
        return Activation.leakyRelu(y, 0.2f);
    }

    /** The gain sqrt(2) of the leaky ReLU that {@link #forward} leaves to the consumer of its output. */
    static final float GAIN = Layers.SQRT2;

    /**
     * The transposed convolution (stride 2, padding 0, weight not flipped, as both reference codes do it), then the
     * FIR filter. DJL has no transposed convolution, and zero insertion would waste 3/4 of the work, so it runs
     * polyphase: one 2x2 convolution at the input resolution computes the four output phases (4 * Cout channels),
     * which are then interleaved. Per axis, even outputs are x[q] w[0] + x[q-1] w[2] and odd outputs x[q] w[1].
     */
    private NDArray upConv(NDArray x, boolean lean) {
        long o = outChannels;
        NDArray k = fir.phaseKernels(weight).reshape(4 * o, inChannels, 2, 2);
        NDArray xp = x.pad(new Shape(1, 1, 1, 1), 0);
        NDArray y = Convolution.conv2d(xp, k); // [N, 4o, H+1, W+1]
        NDArray yi = interleave(y, o);
        if (lean) {
            xp.close();
            y.close();
            try (yi) {
                return fir.afterTransposedConv(yi);
            }
        }
        return fir.afterTransposedConv(yi);
    }

    /**
     * [N, 4 o, H', W'] phase outputs (channel = phase * o + c) -> [N, o, 2H', 2W'] with the phases interleaved,
     * stored channels-last: the one copy this needs writes NHWC order directly.
     */
    private static NDArray interleave(NDArray y, long o) {
        Shape s = y.getShape();
        long n = s.get(0), h = s.get(2), w = s.get(3);
        // the views along the way share y's storage: closed here so that closing y frees it
        try (NDArray a = y.reshape(n, 2, 2, o, h, w); NDArray b = a.transpose(0, 4, 1, 5, 2, 3);
             NDArray c = b.reshape(n, 2 * h, 2 * w, o)) {
            return c.transpose(0, 3, 1, 2);
        }
    }

    /** The stored noise map as [1, 1, R, R]. */
    NDArray constNoise() {
        return noiseConst.reshape(1, 1, resolution, resolution);
    }

    NDArray randomNoise(NDManager manager, long batch) {
        return manager.randomNormal(new Shape(batch, 1, resolution, resolution));
    }
}
