package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.HashMap;
import java.util.Map;

/**
 * 0-d constant tensors owned by libtorch, made once per network. DJL's {@code x.mul(float)} wraps the number in a
 * tensor over Java memory and frees it at once while autograd may still hold it for the backward pass (a silent
 * NaN source in training); multiplying by one of these instead is always safe.
 */
public final class Scalars {

    private final NDManager manager;
    private final Map<Float, NDArray> cache = new HashMap<>();

    public Scalars(NDManager manager) {
        this.manager = manager;
    }

    public synchronized NDArray of(float value) {
        return cache.computeIfAbsent(value, v -> owned(manager, v));
    }

    /** A 0-d float32 tensor whose storage belongs to libtorch, not to a Java buffer. */
    static NDArray owned(NDManager manager, float v) {
        // A cached constant must outlive any NDScope that happens to be open when it is first asked for.
        return Tensors.owned(manager, new float[] {v}, new ai.djl.ndarray.types.Shape());
    }
}
