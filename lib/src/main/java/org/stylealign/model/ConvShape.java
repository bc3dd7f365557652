package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The class of a 2-D convolution as the CPU engine sees it: everything that can change which kernel libtorch and
 * oneDNN pick, except the batch size beyond "one" or "several" (libtorch sends most single-image convolutions to
 * its own loop and batches to oneDNN, whose kernels were wrong for some channel counts on some CPUs).
 *
 * @param batched  more than one image in the batch
 * @param in       input channels
 * @param out      output channels
 * @param groups   1, or the group count of a grouped / depthwise convolution
 * @param height   input height (after any explicit padding the caller did)
 * @param width    input width
 * @param kh       kernel height
 * @param kw       kernel width
 * @param stride   stride (equal in both axes in this project; the rows keep both for clarity)
 * @param padH     implicit zero padding of the convolution, rows
 * @param padW     implicit zero padding of the convolution, columns
 */
public record ConvShape(boolean batched, int in, int out, int groups, int height, int width, int kh, int kw,
                        int stride, int padH, int padW) {

    public ConvShape {
        if (in <= 0 || out <= 0 || groups <= 0 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("convolution channels " + in + " -> " + out + " do not split into "
                    + groups + " groups");
        }
        if (kh <= 0 || kw <= 0 || stride <= 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("bad convolution kernel " + kh + "x" + kw + ", stride " + stride
                    + ", padding " + padH + "," + padW);
        }
    }

    /** The class of {@code conv2d(x, w, stride, padding, groups)}. */
    static ConvShape of(NDArray x, NDArray w, int stride, int padH, int padW, int groups) {
        Shape xs = x.getShape();
        Shape ws = w.getShape();
        if (xs.dimension() != 4 || ws.dimension() != 4) {
            throw new IllegalArgumentException("conv2d wants [N, C, H, W] input and [O, C/groups, kh, kw] weight, got "
                    + xs + " and " + ws);
        }
        if (xs.get(1) != ws.get(1) * groups) {
            throw new IllegalArgumentException("conv2d: input " + xs + " has " + xs.get(1) + " channels, weight " + ws
                    + " with " + groups + " group(s) wants " + ws.get(1) * groups);
        }
        return new ConvShape(xs.get(0) > 1, (int) xs.get(1), (int) ws.get(0), groups, (int) xs.get(2),
                (int) xs.get(3), (int) ws.get(2), (int) ws.get(3), stride, padH, padW);
    }

    public int outHeight() {
        return (height + 2 * padH - kh) / stride + 1;
    }

    public int outWidth() {
        return (width + 2 * padW - kw) / stride + 1;
    }

    public boolean depthwise() {
        return groups > 1 && groups == in;
    }

    /** The same convolution with its channels zero-padded to multiples of {@code m} (groups must be 1). */
    ConvShape paddedChannels(int m) {
        return new ConvShape(batched, roundUp(in, m), roundUp(out, m), groups, height, width, kh, kw, stride, padH,
                padW);
    }

    static int roundUp(int c, int m) {
        return (c + m - 1) / m * m;
    }

    @Override
    public String toString() {
        return (batched ? "n>1" : "n=1") + " ci" + in + " co" + out + (groups > 1 ? " g" + groups : "") + " "
                + height + "x" + width + " k" + kh + (kw != kh ? "x" + kw : "") + " s" + stride + " p" + padH
                + (padW != padH ? "," + padW : "");
    }
}
