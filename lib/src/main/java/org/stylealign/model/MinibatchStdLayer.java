package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Minibatch standard deviation: for groups of G = min(groupSize, N) samples (sample n is in group n mod N/G), the
 * standard deviation of every feature over the group, averaged into F extra channels. Lets D see sample variety.
 */
final class MinibatchStdLayer {

    private final int groupSize;
    private final int numChannels;
    private final NDArray eps;

    MinibatchStdLayer(Scalars scalars, int groupSize, int numChannels) {
        this.groupSize = groupSize;
        this.numChannels = numChannels;
        this.eps = scalars.of(1e-8f);
    }

    NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        long g = Math.min(groupSize, n);
        if (n % g != 0) {
            throw new IllegalArgumentException("batch size " + n + " is not a multiple of the minibatch-stddev group "
                    + g);
        }
        long f = numChannels;
        NDArray y = x.reshape(g, n / g, f, c / f, h, w);
        y = y.sub(y.mean(new int[] {0}));
        y = y.square().mean(new int[] {0}).add(eps).sqrt();     // [M, F, c, H, W]
        y = y.reshape(n / g, f, (c / f) * h * w).mean(new int[] {2}); // [M, F]
        y = y.reshape(n / g, f, 1, 1).tile(new long[] {g, 1, h, w});
        return x.concat(y, 1);
    }
}
