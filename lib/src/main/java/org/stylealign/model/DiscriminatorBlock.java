package org.stylealign.model;

import ai.djl.ndarray.NDArray;

/**
 * One resolution of the residual discriminator: [fromRGB at the top,] conv 3x3, downsampling conv 3x3, and a
 * downsampling 1x1 skip; the two paths are summed with gain 1/sqrt(2) each.
 */
final class DiscriminatorBlock {

    final int resolution;
    final Conv2dLayer fromRgb; // only in the first block
    final Conv2dLayer conv0;
    final Conv2dLayer conv1;
    final Conv2dLayer skip;

    DiscriminatorBlock(Params params, Scalars scalars, Fir fir, DiscriminatorConfig cfg, int res) {
        this.resolution = res;
        String p = "b" + res;
        int c = cfg.channelsAt(res);
        int out = cfg.channelsAt(res / 2);
        float half = (float) Math.sqrt(0.5);
        fromRgb = res == cfg.resolution()
                ? new Conv2dLayer(params, scalars, fir, p + ".fromrgb", cfg.imageChannels(), c, 1, true, false, true, 1f)
                : null;
        conv0 = new Conv2dLayer(params, scalars, fir, p + ".conv0", c, c, 3, true, false, true, 1f);
        conv1 = new Conv2dLayer(params, scalars, fir, p + ".conv1", c, out, 3, true, true, true, half);
        skip = new Conv2dLayer(params, scalars, fir, p + ".skip", c, out, 1, false, true, false, half);
    }

    NDArray forward(NDArray x) {
        if (fromRgb != null) {
            x = fromRgb.forward(x);
        }
        NDArray y = skip.forward(x);
        return conv1.forward(conv0.forward(x)).add(y);
    }
}
