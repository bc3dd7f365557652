package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Linear layer with equalised learning rate: the stored weight is scaled by lrMul / sqrt(in) and the bias by lrMul
 * at run time, so Adam sees every layer at the same scale. Optional leaky ReLU (0.2) with gain sqrt(2).
 */
final class FullyConnectedLayer {

    final String name;
    final NDArray weight;
    final NDArray bias;
    private final NDArray weightGain;
    private final NDArray biasGain;
    private final boolean activate;
    private final Scalars scalars;

    FullyConnectedLayer(Params params, Scalars scalars, String name, int in, int out, float lrMul,
                        Params.Init biasInit, boolean activate) {
        this.name = name;
        this.scalars = scalars;
        this.activate = activate;
        this.weight = params.take(name + ".weight", new Shape(out, in), Params.Init.NORMAL, true);
        this.bias = params.take(name + ".bias", new Shape(out), biasInit, true);
        // The activation gain sqrt(2) rides in both gains (leaky ReLU is positively homogeneous): one op less.
        float act = activate ? Layers.SQRT2 : 1f;
        this.weightGain = scalars.of((float) (act * lrMul / Math.sqrt(in)));
        this.biasGain = act * lrMul == 1f ? null : scalars.of(act * lrMul);
        if (lrMul != 1f && params.isFresh()) {
            // Fresh weights are drawn with std 1/lrMul so that the effective weight has std 1/sqrt(in).
            weight.muli(scalars.of(1f / lrMul));
        }
    }

    NDArray forward(NDArray x) {
        NDArray y = x.matMul(weight.mul(weightGain).transpose()).add(biasGain == null ? bias : bias.mul(biasGain));
        return activate ? Activation.leakyRelu(y, 0.2f) : y;
    }
}
