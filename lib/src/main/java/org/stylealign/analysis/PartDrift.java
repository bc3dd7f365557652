package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import org.stylealign.model.Generator;
import org.stylealign.model.Part;

import java.util.Map;
import java.util.Set;

/**
 * How far a part's weights moved between two generators of the same architecture (e.g. a parent and a snapshot of
 * its fine-tuning): ||W_b - W_a|| / ||W_a|| over the part's trainable tensors (buffers such as w_avg and the stored
 * noise maps are not weights and are left out). 0 for an untouched part.
 */
public final class PartDrift {

    private PartDrift() {
    }

    public static double relative(Generator a, Generator b, Part part) {
        if (!a.config().equals(b.config())) {
            throw new IllegalArgumentException("generators of different architectures: " + a.config() + " vs "
                    + b.config());
        }
        Set<String> trainable = a.params().trainableNames();
        Map<String, NDArray> ta = a.tensors(), tb = b.tensors();
        double diff = 0, norm = 0;
        int matched = 0;
        for (String name : trainable) {
            if (!part.matches(name)) {
                continue;
            }
            matched++;
            float[] x = ta.get(name).toFloatArray(), y = tb.get(name).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double d = (double) y[i] - x[i];
                diff += d * d;
                norm += (double) x[i] * x[i];
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException("no trainable tensor belongs to part " + part);
        }
        return norm == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff / norm);
    }
}
