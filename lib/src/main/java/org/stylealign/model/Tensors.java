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

    /**
     * The same [N, C, H, W] values stored channels-last (NHWC in memory, the "channels_last" memory format):
     * oneDNN then runs convolutions without reordering their operands, 1.1-1.3x faster for 3x3 convolutions and
     * over 3x for the depthwise FIR filters on a CPU. Element-wise operations keep the layout, so one conversion at a
     * network's input carries through. Differentiable.
     */
    public static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        // permute to NHWC, copy into that order (flattening cannot be a view), view back as NCHW
        return x.transpose(0, 2, 3, 1).reshape(-1).reshape(n, h, w, c).transpose(0, 3, 1, 2);
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
