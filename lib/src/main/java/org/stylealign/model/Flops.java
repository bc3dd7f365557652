package org.stylealign.model;

/**
 * Floating-point operations of one image through the networks, counting the multiply-adds of convolutions and
 * matrix products (2 FLOPs each) as the reference algorithms define them; element-wise work is not counted. An
 * upsampling convolution counts as the transposed convolution it is (9 taps per input pixel), so work an
 * implementation wastes on inserted zeros lowers its achieved rate.
 */
public final class Flops {

    private Flops() {
    }

    public static double generatorForward(GeneratorConfig c) {
        double f = 0;
        for (int i = 0; i < c.mappingLayers(); i++) {
            f += 2.0 * (i == 0 ? c.zDim() : c.wDim()) * c.wDim();
        }
        for (int res = 4; res <= c.resolution(); res *= 2) {
            int out = c.channelsAt(res);
            if (res > 4) {
                int in = c.channelsAt(res / 2);
                f += 2.0 * c.wDim() * in + 2.0 * out * in * 9 * (res / 2) * (res / 2);
            }
            f += 2.0 * c.wDim() * out + 2.0 * out * out * 9 * res * res;
            f += 2.0 * c.wDim() * out + 2.0 * c.imageChannels() * out * res * res;
        }
        return f;
    }

    public static double discriminatorForward(DiscriminatorConfig c) {
        double f = 2.0 * c.imageChannels() * c.channelsAt(c.resolution()) * c.resolution() * c.resolution();
        for (int res = c.resolution(); res > 4; res /= 2) {
            int ch = c.channelsAt(res);
            int out = c.channelsAt(res / 2);
            int half = res / 2;
            f += 2.0 * ch * ch * 9 * res * res;           // conv0
            f += 2.0 * out * ch * 9 * half * half;        // conv1, stride 2
            f += 2.0 * out * ch * half * half;            // skip 1x1, stride 2
        }
        int c4 = c.channelsAt(4);
        f += 2.0 * c4 * (c4 + c.mbstdChannels()) * 9 * 16 + 2.0 * c4 * 16 * c4 + 2.0 * c4;
        return f;
    }
}
