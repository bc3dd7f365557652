package org.stylealign.io;

import java.util.Arrays;

/**
 * A tensor held in Java memory as float32 values in C order: the common currency between checkpoint files and the
 * DJL networks. Readers convert every stored dtype (fp16, bf16, fp64, ints) to float32; writers may narrow again.
 */
public record HostTensor(long[] shape, float[] values) {

    public HostTensor {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
        }
    }

    public long size() {
        return values.length;
    }

    public int rank() {
        return shape.length;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The same values viewed with another shape of equal element count. */
    public HostTensor reshape(long... newShape) {
        return new HostTensor(newShape, values);
    }
}
