package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

import java.util.List;
import java.util.Map;

/**
 * The StyleGAN2 synthesis network written to be read (Karras et al., "Analyzing and Improving the Image Quality of
 * StyleGAN", CVPR 2020, Sec. 2 and Fig. 2), beside the fast path of {@link SynthesisNetwork}: the same tensors
 * (canonical names, docs/parameters.md), the same style codes, the same images to float32 rounding
 * ({@code ReferenceSynthesisTest}). Nothing here is folded or reordered for speed:
 *
 * <ul>
 *   <li>every styled convolution builds its <b>per-sample weights</b>: modulation, then demodulation,
 *       <pre>
 *   w'[n,o,i,k]  = g * w[o,i,k] * s[n,i]                  g = 1 / sqrt(I * 3 * 3)  (equalised learning rate)
 *   w''[n,o,i,k] = w'[n,o,i,k] / sqrt(sum_{i,k} w'[n,o,i,k]^2 + 1e-8)
 *       </pre>
 *       and convolves each sample with its own weights (one grouped convolution, a group per sample);</li>
 *   <li>the upsampling convolution (conv0 of every block above 4x4) is the <b>transposed convolution</b>, stride 2,
 *       written as its definition: zeros inserted between the input pixels, then a full convolution with the
 *       kernel rotated by 180 degrees; followed by the <b>FIR filter</b> [1,3,3,1] x [1,3,3,1] / 64 with gain 4,
 *       padding (1, 1);</li>
 *   <li>then <b>noise</b> (the stored map times the layer's learned strength), <b>bias</b> and the <b>leaky ReLU</b>
 *       with its gain: y = sqrt(2) * lrelu(x + noise_strength * noise + b, 0.2);</li>
 *   <li><b>toRGB</b>: a modulated 1x1 convolution (gain 1 / sqrt(I)), no demodulation, plus a bias, no activation;
 *       </li>
 *   <li>the <b>skip</b> architecture: img_R = upsample(img_{R/2}) + toRGB_R(x_R), where upsample is zero insertion,
 *       padding (2, 1) and the same FIR filter with gain 4.</li>
 * </ul>
 * Convolutions go through the guarded {@link Convolution}, so the reference is exact on every CPU too. Only the
 * stored noise ({@code Noise.constant()}) and no noise ({@code Noise.none()}) are supported: random noise cannot be
 * compared.
 */
public final class ReferenceSynthesis {

    private static final float SQRT2 = (float) Math.sqrt(2);
    private static final float[] FIR_1D = {1, 3, 3, 1};

    private ReferenceSynthesis() {
    }

    /**
     * Renders style codes with the reference path. {@code withNoise}: the stored noise maps (as
     * {@code Noise.constant()}); false: no noise. Returns images [N, C, R, R] in the codes' manager.
     */
    public static NDArray render(Generator g, StyleCodes styles, boolean withNoise) {
        if (!styles.layers().equals(g.styleLayers())) {
            throw new IllegalArgumentException("these style codes belong to a different architecture");
        }
        NDManager owner = styles.get(0).getManager();
        return Scoped.compute(owner, () -> renderScoped(g, styles, withNoise, null));
    }

    /**
     * The features after every block (true scale: after the activation and its gain) and the running image, 4x4
     * first, alternating [features_4, image_4, features_8, image_8, ...]: the reference for
     * {@link Generator#features}.
     */
    public static List<NDArray> blockOutputs(Generator g, StyleCodes styles, boolean withNoise) {
        NDManager owner = styles.get(0).getManager();
        return Scoped.computeAll(owner, () -> {
            List<NDArray> out = new java.util.ArrayList<>();
            renderScoped(g, styles, withNoise, out);
            return new ai.djl.ndarray.NDList(out);
        });
    }

    private static NDArray renderScoped(Generator g, StyleCodes styles, boolean withNoise, List<NDArray> perBlock) {
        Map<String, NDArray> t = g.tensors();
        List<StyleLayer> layers = g.styleLayers();
        long n = styles.batchSize();
        NDArray x = null;   // features
        NDArray img = null; // the running image of the skip architecture
        for (StyleLayer l : layers) {
            String p = "synthesis." + l.name();
            NDArray s = styles.get(l.index()); // [N, I]
            if (l.isToRgb()) {
                NDArray y = toRgb(x, s, t.get(p + ".weight"), t.get(p + ".bias"));
                img = img == null ? y : upsample(img).add(y);
                if (perBlock != null) { // toRGB closes a block
                    perBlock.add(x);
                    perBlock.add(img);
                }
                continue;
            }
            if (x == null) { // the 4x4 block starts from the learned constant
                NDArray c = t.get("synthesis.b4.const");
                x = c.expandDims(0).repeat(0, n);
            }
            boolean up = l.name().endsWith(".conv0");
            x = styledConv(x, s, t.get(p + ".weight"), up);
            if (withNoise) {
                NDArray noise = t.get(p + ".noise_const"); // [R, R], the same map for every sample
                x = x.add(noise.mul(t.get(p + ".noise_strength")));
            }
            NDArray b = t.get(p + ".bias");
            x = Activation.leakyRelu(x.add(b.reshape(1, b.getShape().get(0), 1, 1)), 0.2f).mul(SQRT2);
        }
        return img;
    }

    /** Modulation, demodulation and the (upsampling) convolution with per-sample weights. */
    static NDArray styledConv(NDArray x, NDArray s, NDArray weight, boolean up) {
        long n = x.getShape().get(0);
        long o = weight.getShape().get(0), i = weight.getShape().get(1);
        float gain = (float) (1 / Math.sqrt(i * 9.0));
        // w'[n,o,i,k] = g w[o,i,k] s[n,i]
        NDArray w = weight.expandDims(0).mul(gain).mul(s.reshape(n, 1, i, 1, 1));
        // w'' = w' / sqrt(sum_{i,k} w'^2 + 1e-8)
        NDArray d = w.square().sum(new int[] {2, 3, 4}, true).add(1e-8f).sqrt();
        w = w.div(d);
        // one group per sample: [1, N*I, H, W] with weights [N*O, I, 3, 3]
        long h = x.getShape().get(2), wd = x.getShape().get(3);
        NDArray xs = x.reshape(1, n * i, h, wd);
        NDArray ws = w.reshape(n * o, i, 3, 3);
        NDArray y;
        if (up) {
            // transposed convolution, stride 2: insert zeros between pixels (2H-1 x 2W-1), full convolution with the
            // kernel rotated by 180 degrees (padding 2): (2H+1) x (2W+1)
            NDArray z = zeroInsert(xs);
            y = Convolution.conv2d(z, ws.flip(2, 3), null, 1, 2, 2, (int) n);
            // FIR filter with gain 4 (the zeros dilute the mean by 4), padding (1, 1): 2H x 2W
            y = fir(y, 4f, 1, 1);
        } else {
            y = Convolution.conv2d(xs, ws, null, 1, 1, 1, (int) n);
        }
        return y.reshape(n, o, y.getShape().get(2), y.getShape().get(3));
    }

    /** toRGB: modulated 1x1 convolution (gain 1/sqrt(I)), no demodulation, plus bias. */
    static NDArray toRgb(NDArray x, NDArray s, NDArray weight, NDArray bias) {
        long n = x.getShape().get(0);
        long c = weight.getShape().get(0), i = weight.getShape().get(1);
        float gain = (float) (1 / Math.sqrt(i));
        NDArray w = weight.expandDims(0).mul(gain).mul(s.reshape(n, 1, i, 1, 1)); // [N, C, I, 1, 1]
        long h = x.getShape().get(2), wd = x.getShape().get(3);
        NDArray y = Convolution.conv2d(x.reshape(1, n * i, h, wd), w.reshape(n * c, i, 1, 1), null, 1, 0, 0, (int) n);
        return y.reshape(n, c, h, wd).add(bias.reshape(1, c, 1, 1));
    }

    /** The skip path's x2 upsampling: zero insertion (2H x 2W), padding (2, 1), FIR filter with gain 4. */
    static NDArray upsample(NDArray img) {
        Shape s = img.getShape();
        NDArray z = zeroInsert(img); // (2H-1) x (2W-1)
        z = z.pad(new Shape(0, 1, 0, 1), 0); // 2H x 2W: the zero after the last pixel
        return fir(z, 4f, 2, 1);
    }

    /** [.., H, W] -> [.., 2H-1, 2W-1]: the pixels at even positions, zeros between them. */
    static NDArray zeroInsert(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        NDArray z = x.reshape(n, c, h, 1, w, 1).pad(new Shape(0, 1, 0, 0, 0, 1), 0).reshape(n, c, 2 * h, 2 * w);
        return z.get(":, :, :" + (2 * h - 1) + ", :" + (2 * w - 1));
    }

    /**
     * The 4x4 FIR filter [1,3,3,1] x [1,3,3,1] / 64 times {@code gain} on every channel, after zero padding of
     * {@code before} pixels at the top and left and {@code after} at the bottom and right (upfirdn2d's pad).
     */
    static NDArray fir(NDArray x, float gain, int before, int after) {
        long c = x.getShape().get(1);
        float[] k = new float[16];
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                k[a * 4 + b] = FIR_1D[a] * FIR_1D[b] / 64f * gain;
            }
        }
        NDArray f = x.getManager().create(k, new Shape(1, 1, 4, 4)).repeat(0, c);
        NDArray p = x.pad(new Shape(before, after, before, after), 0);
        return Convolution.conv2d(p, f, null, 1, 0, 0, (int) c);
    }
}
