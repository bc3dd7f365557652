package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * A plain equalised-lr convolution of the discriminator (weight gain 1/sqrt(in k k)), optionally downsampling x2
 * (FIR blur, then stride 2), with bias and leaky ReLU or linear output, and an output gain.
 */
final class Conv2dLayer {

    final String name;
    final NDArray weight;
    final NDArray bias; // null for the skip path
    private final int kernel;
    private final boolean down;
    private final boolean activate;
    // The output gain rides in the weight and bias: leaky ReLU is positively homogeneous, so
    // lrelu(conv(x, w) + b) * g = lrelu(conv(x, g w) + g b) for g > 0, and no pass over the activations is needed.
    private final NDArray weightGain;
    private final NDArray biasGain; // null when the bias needs no scaling
    private final Fir fir;

    Conv2dLayer(Params params, Scalars scalars, Fir fir, String name, int in, int out, int kernel,
                boolean bias, boolean down, boolean activate, float gain) {
        this.name = name;
        this.kernel = kernel;
        this.down = down;
        this.activate = activate;
        this.fir = fir;
        this.weight = params.take(name + ".weight", new Shape(out, in, kernel, kernel), Params.Init.NORMAL, true);
        this.bias = bias ? params.take(name + ".bias", new Shape(out), Params.Init.ZEROS, true) : null;
        float outGain = activate ? Layers.SQRT2 * gain : gain;
        this.weightGain = scalars.of((float) (outGain / Math.sqrt((double) in * kernel * kernel)));
        this.biasGain = outGain == 1f ? null : scalars.of(outGain);
    }

    NDArray forward(NDArray x) {
        NDArray w = weight.mul(weightGain);
        NDArray b = bias == null || biasGain == null ? bias : bias.mul(biasGain);
        NDArray y;
        // The bias rides along in the convolution: one pass less over the activations.
        if (down && kernel == 1) {
            // Blur with padding (1,1), then every other pixel: the blur computes only the pixels kept.
            y = Convolution.conv2d(fir.blurDown(x), w, b, 1, 0, 0, 1);
        } else if (down) {
            // Blur with padding (2,2), then the 3x3 conv with stride 2: output is exactly R/2.
            y = Convolution.conv2d(fir.blur(x, 2), w, b, 2, 0, 0, 1);
        } else {
            int pad = kernel / 2;
            y = Convolution.conv2d(x, w, b, 1, pad, pad, 1);
        }
        return activate ? Activation.leakyRelu(y, 0.2f) : y;
    }
}
