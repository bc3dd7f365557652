package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import java.util.Map;

/**
 * The residual StyleGAN2 discriminator written to be read (Karras et al., CVPR 2020, Fig. 7b and Appendix), beside
 * the fast {@link Discriminator}: the same tensors (canonical names, docs/parameters.md), the same logits to float32
 * rounding ({@code ReferenceDiscriminatorTest}). Nothing is folded: every gain is applied where the paper puts it.
 *
 * <pre>
 *   equalised learning rate:   conv(x; w)  uses  w / sqrt(I * k * k)       fc(x; w)  uses  w / sqrt(I)
 *   activation:                act(x) = sqrt(2) * lrelu(x, 0.2)
 *   top block (R = input):     x = act(conv1x1(img) + b)                      fromRGB
 *   every block R -> R/2:      y = conv1x1(down(x)) * sqrt(1/2)               skip, no bias, linear
 *                              h = act(conv3x3(x) + b0)
 *                              h = act(conv3x3_stride2(blur(h, pad 2)) + b1)  the downsampling convolution
 *                              x = y + h * sqrt(1/2)
 *   epilogue at 4x4:           x = [x, mbstd(x)]                               one feature: the group's std
 *                              x = act(conv3x3(x) + b);  x = act(fc(flatten(x)) + b);  logit = fc(x) + b
 * </pre>
 * blur is the FIR filter [1,3,3,1] x [1,3,3,1] / 64 (gain 1); down(x) is blur with padding (1, 1) followed by taking
 * every other pixel (upfirdn2d with down = 2). Convolutions go through the guarded {@link Convolution}.
 */
public final class ReferenceDiscriminator {

    private static final float SQRT2 = (float) Math.sqrt(2);
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);

    private ReferenceDiscriminator() {
    }

    /** images [N, C, R, R] -> logits [N, 1], in the images' manager. */
    public static NDArray forward(Discriminator d, NDArray images) {
        DiscriminatorConfig cfg = d.config();
        NDManager owner = images.getManager();
        return Scoped.compute(owner, () -> {
            Map<String, NDArray> t = d.tensors();
            int top = cfg.resolution();
            String rgb = "b" + top + ".fromrgb";
            NDArray x = act(conv(images, t.get(rgb + ".weight"), 1, 0).add(bias(t, rgb)));
            for (int res = top; res > 4; res /= 2) {
                String p = "b" + res;
                NDArray y = conv(downsample(x), t.get(p + ".skip.weight"), 1, 0).mul(SQRT_HALF);
                NDArray h = act(conv(x, t.get(p + ".conv0.weight"), 1, 1).add(bias(t, p + ".conv0")));
                h = act(conv(ReferenceSynthesis.fir(h, 1f, 2, 2), t.get(p + ".conv1.weight"), 2, 0)
                        .add(bias(t, p + ".conv1")));
                x = y.add(h.mul(SQRT_HALF));
            }
            x = minibatchStd(x, cfg.mbstdGroup(), cfg.mbstdChannels());
            x = act(conv(x, t.get("b4.conv.weight"), 1, 1).add(bias(t, "b4.conv")));
            x = act(fc(x.reshape(x.getShape().get(0), -1), t.get("b4.fc.weight"), t.get("b4.fc.bias")));
            return fc(x, t.get("b4.out.weight"), t.get("b4.out.bias"));
        });
    }

    /** Equalised-lr convolution, zero padding {@code pad}: weight / sqrt(I k k). */
    static NDArray conv(NDArray x, NDArray weight, int stride, int pad) {
        Shape s = weight.getShape();
        float gain = (float) (1 / Math.sqrt((double) s.get(1) * s.get(2) * s.get(3)));
        return Convolution.conv2d(x, weight.mul(gain), null, stride, pad, pad, 1);
    }

    /** The skip path's x1/2: FIR filter with padding (1, 1) (R-1 x R-1), then every other pixel (R/2 x R/2). */
    static NDArray downsample(NDArray x) {
        NDArray f = ReferenceSynthesis.fir(x, 1f, 1, 1);
        return f.get(":, :, ::2, ::2");
    }

    /**
     * Minibatch standard deviation: the batch is split into groups of G = min(group, N) samples (sample n belongs to
     * group n mod N/G); per group, the standard deviation of every feature over its G members, averaged over the
     * feature's channels and pixels: F numbers per group, appended to each member as F constant channels.
     */
    static NDArray minibatchStd(NDArray x, int group, int features) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        long g = Math.min(group, n);
        long m = n / g;
        NDArray y = x.reshape(g, m, features, c / features, h, w);
        NDArray var = y.sub(y.mean(new int[] {0})).square().mean(new int[] {0});      // [M, F, c/F, H, W]
        NDArray std = var.add(1e-8f).sqrt().reshape(m, features, -1).mean(new int[] {2}); // [M, F]
        NDArray maps = std.reshape(1, m, features, 1, 1).repeat(0, g).reshape(n, features, 1, 1)
                .repeat(2, h).repeat(3, w);
        return x.concat(maps, 1);
    }

    static NDArray fc(NDArray x, NDArray weight, NDArray bias) {
        float gain = (float) (1 / Math.sqrt(weight.getShape().get(1)));
        return x.matMul(weight.mul(gain).transpose()).add(bias);
    }

    static NDArray act(NDArray x) {
        return Activation.leakyRelu(x, 0.2f).mul(SQRT2);
    }

    private static NDArray bias(Map<String, NDArray> t, String layer) {
        NDArray b = t.get(layer + ".bias");
        return b.reshape(1, b.getShape().get(0), 1, 1);
    }
}
