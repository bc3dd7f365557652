package org.stylealign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The real images a trainer sees. For an exact resume the batch of a step must depend on the step index only (not
 * on how many batches were asked for before), which is why the index is passed in.
 */
public interface ImageFeed {

    /** Images [batch, C, R, R] in [-1, 1], float32, owned by {@code m}. */
    NDArray images(NDManager m, long step, int batch);

    /** Image resolution R. */
    int resolution();

    /** Image channels C (1 or 3). */
    int channels();
}
