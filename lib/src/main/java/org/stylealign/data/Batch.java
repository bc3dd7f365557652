package org.stylealign.data;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * One batch on the caller's NDManager.
 *
 * @param images  float32 (N, C, H, W) in [-1, 1]
 * @param masks   uint8 (N, H, W) {@link PartClass} ordinals, or null when the dataset has none
 * @param labels  the label record of each image (as built: augmentation does not change them)
 * @param indices dataset index of each image
 * @param flipped whether each image (and mask) was mirrored left-right
 * @param shifts  per image {dx, dy} in pixels applied by the shift augmentation
 */
public record Batch(NDArray images, NDArray masks, List<LabelRecord> labels, int[] indices, boolean[] flipped,
                    int[][] shifts) implements AutoCloseable {

    public int size() {
        return indices.length;
    }

    @Override
    public void close() {
        images.close();
        if (masks != null) {
            masks.close();
        }
    }
}
