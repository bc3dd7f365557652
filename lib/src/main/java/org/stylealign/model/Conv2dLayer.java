package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

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
    private final NDArray weightGain;
    private final NDArray outGain;
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
        this.weightGain = scalars.of((float) (1 / Math.sqrt((double) in * kernel * kernel)));
        this.outGain = scalars.of(activate ? Layers.SQRT2 * gain : gain);
    }

    NDArray forward(NDArray x) {
        NDArray w = weight.mul(weightGain);
        NDArray y;
        // The bias rides along in the convolution: one pass less over the activations.
        if (down) {
            // Blur padding: (2,2) before a 3x3 stride-2 conv, (1,1) before a 1x1 one; output is exactly R/2.
            NDArray b = fir.blur(x, kernel == 1 ? 1 : 2);
            y = Conv2d.conv2d(b, w, bias, new Shape(2, 2)).singletonOrThrow();
        } else {
            int pad = kernel / 2;
            y = Conv2d.conv2d(x, w, bias, new Shape(1, 1), new Shape(pad, pad)).singletonOrThrow();
        }
        if (activate) {
            y = Activation.leakyRelu(y, 0.2f);
        }
        return y.mul(outGain);
    }
}
