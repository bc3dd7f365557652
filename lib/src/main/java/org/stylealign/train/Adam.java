package org.stylealign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.stylealign.io.HostTensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam over named tensors, with the update of torch.optim.Adam (bias-corrected, eps added after the square root).
 * Its whole state (first and second moments, step count) is plain tensors and a number, so a snapshot restores it
 * exactly. Gradients are zeroed after every step: libtorch accumulates them across backward passes.
 */
final class Adam implements AutoCloseable {

    private final Map<String, NDArray> params;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long t;

    /** @param params the tensors to update, by name, in a fixed order; their gradients must be enabled. */
    Adam(Map<String, NDArray> params, NDManager owner, double lr, double beta1, double beta2, double eps) {
        this.params = new LinkedHashMap<>(params);
        this.manager = owner.newSubManager();
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            m.put(e.getKey(), persistent(manager.zeros(e.getValue().getShape())));
            v.put(e.getKey(), persistent(manager.zeros(e.getValue().getShape())));
        }
    }

    private static NDArray persistent(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    List<String> names() {
        return List.copyOf(params.keySet());
    }

    long steps() {
        return t;
    }

    /** One update from the accumulated gradients, then the gradients are zeroed. Run outside any collector. */
    void step() {
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (lr / bc1);
        float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray mi = m.get(e.getKey());
            NDArray vi = v.get(e.getKey());
            // Every temporary (the gradient handle included) is freed when the scope closes.
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = p.getGradient();
                mi.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                vi.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                NDArray denom = vi.sqrt().muli(invSqrtBc2).addi((float) eps);
                p.subi(mi.div(denom).muli(stepSize));
            }
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** Zeroes the gradients without an update (e.g. after a step was rejected). */
    void zeroGrad() {
        for (NDArray p : params.values()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** State as host tensors: "m.NAME", "v.NAME". */
    Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String k : params.keySet()) {
            out.put("m." + k, host(m.get(k)));
            out.put("v." + k, host(v.get(k)));
        }
        return out;
    }

    void restore(Map<String, HostTensor> state, long steps) {
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
    }
}
