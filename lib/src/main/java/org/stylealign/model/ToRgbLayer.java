package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** toRGB: a modulated 1x1 convolution without demodulation, plus a bias; its output is added to the skip image. */
final class ToRgbLayer {

    final String name;
    final int resolution;
    final int inChannels;
    final FullyConnectedLayer affine;
    final NDArray weight;
    final NDArray bias;
    private final NDArray styleGain;
    private final int imageChannels;

    ToRgbLayer(Params params, Scalars scalars, String name, int in, int imageChannels, int wDim, int resolution) {
        this.name = name;
        this.resolution = resolution;
        this.inChannels = in;
        this.imageChannels = imageChannels;
        affine = new FullyConnectedLayer(params, scalars, name + ".affine", wDim, in, 1f, Params.Init.ONES, false);
        weight = params.take(name + ".weight", new Shape(imageChannels, in, 1, 1), Params.Init.NORMAL, true);
        bias = params.take(name + ".bias", new Shape(imageChannels), Params.Init.ZEROS, true);
        styleGain = scalars.of((float) (SynthesisLayer.GAIN / Math.sqrt(in)));
    }

    /**
     * @param x [N, in, R, R] features without their activation gain sqrt(2), which is folded into the style here
     * @param s [N, in] raw styles; the 1/sqrt(in) weight gain is applied here, as the reference code does
     */
    NDArray forward(NDArray x, NDArray s) {
        long n = x.getShape().get(0);
        NDArray xm = x.mul(s.mul(styleGain).reshape(n, inChannels, 1, 1));
        NDArray y = Convolution.conv2d(xm, weight);
        NDArray out = y.add(bias.reshape(1, imageChannels, 1, 1));
        if (Inference.active()) {
            xm.close(); // the modulated copy of the features, and the engine's (channel-padded) output
            y.close();
        }
        return out;
    }
}
