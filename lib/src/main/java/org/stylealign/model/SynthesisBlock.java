package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * One resolution of the synthesis network: (the learned constant at 4x4 | an upsampling styled conv), a styled
 * conv, and a toRGB whose output is added to the upsampled image of the previous block (skip architecture).
 */
final class SynthesisBlock {

    final int resolution;
    final NDArray constInput;     // only at 4x4
    final SynthesisLayer conv0;   // null at 4x4
    final SynthesisLayer conv1;
    final ToRgbLayer torgb;
    private final Fir fir;
    private final NDArray gain;

    SynthesisBlock(Params params, Scalars scalars, Fir fir, GeneratorConfig cfg, int res) {
        this.resolution = res;
        this.fir = fir;
        this.gain = scalars.of(SynthesisLayer.GAIN);
        String p = "synthesis.b" + res;
        int out = cfg.channelsAt(res);
        if (res == 4) {
            constInput = params.take(p + ".const", new Shape(out, 4, 4), Params.Init.NORMAL, true);
            conv0 = null;
        } else {
            constInput = null;
            conv0 = new SynthesisLayer(params, scalars, fir, p + ".conv0", cfg.channelsAt(res / 2), out,
                    cfg.wDim(), res, true);
        }
        conv1 = new SynthesisLayer(params, scalars, fir, p + ".conv1", out, out, cfg.wDim(), res, false);
        torgb = new ToRgbLayer(params, scalars, p + ".torgb", out, cfg.imageChannels(), cfg.wDim(), res);
    }

    /**
     * @param x      features from the previous block (ignored at 4x4)
     * @param img    running image from the previous block (null at 4x4)
     * @param styles this block's styles in layer order: [conv0,] conv1, torgb
     * @return {features, image}
     */
    NDArray[] forward(NDArray x, NDArray img, NDArray[] styles, NDArray[] noise, long batch) {
        boolean lean = Inference.active();
        int i = 0;
        NDArray x0;
        if (conv0 == null) {
            long c = constInput.getShape().get(0);
            x0 = Tensors.channelsLast(constInput.reshape(1, c, 4, 4).broadcast(new Shape(batch, c, 4, 4)));
        } else {
            x0 = conv0.forward(x, styles[i], noise[i], gain);
            i++;
        }
        // The constant input has no activation gain; every layer's output leaves its sqrt(2) to the next layer.
        NDArray x1 = conv1.forward(x0, styles[i], noise[i], conv0 == null ? null : gain);
        i++;
        if (lean) {
            x0.close();
        }
        NDArray y = torgb.forward(x1, styles[i]);
        if (img == null) {
            return new NDArray[] {x1, y};
        }
        NDArray up = fir.upsample2x(img);
        if (lean) {
            up.addi(y);
            y.close();
            return new NDArray[] {x1, up};
        }
        return new NDArray[] {x1, up.add(y)};
    }

    /**
     * Bytes one image holds at most while this block runs without a graph: its input, and up to three full-size
     * feature maps at once (the upsampling layer's phase outputs, their interleaved copy and the filtered result;
     * the styled convolution's input, modulated copy and output), plus the images of the skip path.
     */
    long peakBytesPerImage() {
        long r2 = (long) resolution * resolution;
        long in = conv0 == null ? 0 : (long) conv0.inChannels * r2 / 4;
        long out = conv1.outChannels;
        return Float.BYTES * (in + 3 * out * r2 + 4L * 16 * r2);
    }
}
