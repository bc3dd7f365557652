package org.stylealign.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.function.Function;

/** Small ownership helpers that every network and loader needs. */
public final class Tensors {

    private Tensors() {
    }

    /**
     * A tensor with a copy of {@code values} in libtorch-owned memory, attached to {@code m}. DJL's
     * {@code create(float[])} wraps Java memory without copying; a tensor that is kept, saved for autograd or
     * viewed must not depend on it. Not registered in any open NDScope: the caller owns it through {@code m}.
     */
    public static NDArray owned(NDManager m, float[] values, Shape shape) {
        try (NDArray wrapped = m.create(values, shape)) {
            NDArray t = wrapped.duplicate();
            t.attach(m);
            NDScope.unregister(t);
            return t;
        }
    }

    /** Builds something that owns a new manager on {@code device}; the manager is closed if building fails. */
    static <T> T withNewManager(Device device, Function<NDManager, T> build) {
        NDManager m = NDManager.newBaseManager(device);
        try {
            return build.apply(m);
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }
}
