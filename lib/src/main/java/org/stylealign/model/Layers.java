package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Small numerical pieces shared by the layers. */
final class Layers {

    static final float SQRT2 = (float) Math.sqrt(2.0);

    private Layers() {
    }

    /** leaky_relu(x + bias, 0.2) * gain, bias broadcast over the channel axis of NCHW. */
    static NDArray biasLeakyRelu(NDArray x, NDArray bias, NDArray gain) {
        NDArray b = bias.reshape(1, bias.getShape().get(0), 1, 1);
        return Activation.leakyRelu(x.add(b), 0.2f).mul(gain);
    }

    /** x / sqrt(mean(x^2, axis) + 1e-8). */
    static NDArray normalize2ndMoment(NDArray x, int axis, NDArray eps) {
        return x.div(x.square().mean(new int[] {axis}, true).add(eps).sqrt());
    }
}
