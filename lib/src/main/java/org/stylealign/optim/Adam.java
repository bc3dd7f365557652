package org.stylealign.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.stylealign.io.HostTensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam over named tensors, with the update of torch.optim.Adam (bias-corrected, eps added after the square root),
 * run by libtorch's fused Adam kernel over all tensors at once ({@link ListKernels}).
 * Its whole state (first and second moments, step count) is plain tensors and a number, so a snapshot restores it
 * exactly. Gradients are zeroed after every step: libtorch accumulates them across backward passes.
 */
public final class Adam implements AutoCloseable {

    private final Map<String, NDArray> params;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final ListKernels kernels;
    private final boolean ownsKernels;
    private final List<NDArray> paramList;
    private final List<NDArray> mList;
    private final List<NDArray> vList;
    private final NDArray stepCount; // 0-d float: the fused kernel reads the step from a tensor
    private long t;

    /** @param params the tensors to update, by name, in a fixed order; their gradients must be enabled. */
    /**
     * Adam with its own fused kernels (a small TorchScript module loaded once, freed on {@link #close}).
     *
     * @param params the tensors to update, by name, in a fixed order; their gradients must be enabled
     */
    public Adam(Map<String, NDArray> params, NDManager owner, double lr, double beta1, double beta2, double eps) {
        this(params, owner, new ListKernels(owner), true, lr, beta1, beta2, eps);
    }

    /** Adam sharing {@code kernels} with other optimisers (the caller closes them). */
    public Adam(Map<String, NDArray> params, NDManager owner, ListKernels kernels, double lr, double beta1,
                double beta2, double eps) {
        this(params, owner, kernels, false, lr, beta1, beta2, eps);
    }

    private Adam(Map<String, NDArray> params, NDManager owner, ListKernels kernels, boolean ownsKernels, double lr,
                 double beta1, double beta2, double eps) {
        this.params = new LinkedHashMap<>(params);
        this.manager = owner.newSubManager();
        this.kernels = kernels;
        this.ownsKernels = ownsKernels;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            m.put(e.getKey(), persistent(manager.zeros(e.getValue().getShape())));
            v.put(e.getKey(), persistent(manager.zeros(e.getValue().getShape())));
        }
        paramList = List.copyOf(this.params.values());
        mList = List.copyOf(m.values());
        vList = List.copyOf(v.values());
        stepCount = persistent(org.stylealign.model.Tensors.owned(manager, new float[] {0f},
                new ai.djl.ndarray.types.Shape()));
    }

    private static NDArray persistent(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    public List<String> names() {
        return List.copyOf(params.keySet());
    }

    public long steps() {
        return t;
    }

    /** One update from the accumulated gradients, then the gradients are zeroed. Run outside any collector. */
    public void step() {
        step(lr);
    }

    /** {@link #step()} at another learning rate (a schedule's value for this step). */
    public void step(double learningRate) {
        t++;
        stepCount.set(new float[] {t});
        // Every temporary (the gradient handles included) is freed when the scope closes.
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> grads = new ArrayList<>(paramList.size());
            for (NDArray p : paramList) {
                grads.add(p.getGradient());
            }
            kernels.adam(paramList, grads, mList, vList, stepCount, learningRate, beta1, beta2, eps);
        }
    }

    /** Zeroes the gradients without an update (e.g. after a step was rejected). */
    public void zeroGrad() {
        for (NDArray p : params.values()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** State as host tensors: "m.NAME", "v.NAME". */
    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String k : params.keySet()) {
            out.put("m." + k, host(m.get(k)));
            out.put("v." + k, host(v.get(k)));
        }
        return out;
    }

    public void restore(Map<String, HostTensor> state, long steps) {
        for (String k : params.keySet()) {
            set(m.get(k), state.get("m." + k), "m." + k);
            set(v.get(k), state.get("v." + k), "v." + k);
        }
        t = steps;
    }

    private static void set(NDArray target, HostTensor h, String name) {
        if (h == null) {
            throw new IllegalArgumentException("optimiser state has no tensor '" + name + "'");
        }
        if (!java.util.Arrays.equals(h.shape(), target.getShape().getShape())) {
            throw new IllegalArgumentException("optimiser state '" + name + "' has shape " + h.shapeString()
                    + ", expected " + target.getShape());
        }
        target.set(java.nio.FloatBuffer.wrap(h.values()));
    }

    private static HostTensor host(NDArray a) {
        return new HostTensor(a.getShape().getShape(), a.toFloatArray());
    }

    @Override
    public void close() {
        manager.close();
        if (ownsKernels) {
            kernels.close();
        }
    }
}
