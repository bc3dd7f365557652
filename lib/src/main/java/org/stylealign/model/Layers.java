package org.stylealign.model;

import ai.djl.ndarray.NDArray;

/** Small numerical pieces shared by the layers. */
final class Layers {

    static final float SQRT2 = (float) Math.sqrt(2.0);

    private Layers() {
    }

    /** x / sqrt(mean(x^2, axis) + 1e-8). */
    static NDArray normalize2ndMoment(NDArray x, int axis, NDArray eps) {
        return x.div(x.square().mean(new int[] {axis}, true).add(eps).sqrt());
    }
}
