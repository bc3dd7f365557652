package org.stylealign.metrics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The one training loop of the project's small image readers (domain and attribute classifiers): Adam over named
 * tensors, one step per call, the loss built by the caller in a manager that is closed after the step.
 */
final class ClassifierTrainer {

    private final Map<String, NDArray> params;
    private final NDManager manager;
    private final Map<String, NDArray[]> moments = new LinkedHashMap<>();
    private final double lr;
    private final double b1 = 0.9;
    private final double b2 = 0.999;
    private int step;

    ClassifierTrainer(Map<String, NDArray> params, NDManager manager, double lr) {
        this.params = params;
        this.manager = manager;
        this.lr = lr;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            e.getValue().setRequiresGradient(true);
            moments.put(e.getKey(), new NDArray[] {manager.zeros(e.getValue().getShape()),
                    manager.zeros(e.getValue().getShape())});
        }
    }

    /**
     * One step: {@code loss} builds a scalar loss from a fresh sub-manager (closed afterwards), Adam updates every
     * tensor. Returns the loss; a non-finite loss is an IllegalStateException (naming {@code what} and the step).
     */
    double step(Function<NDManager, NDArray> loss, String what) {
        step++;
        double value;
        try (NDManager m = manager.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.apply(m);
                gc.backward(l);
                value = l.getFloat();
            }
            if (!Double.isFinite(value)) {
                throw new IllegalStateException(what + " training diverged at step " + step + " (loss " + value + ")");
            }
            double c1 = 1 - Math.pow(b1, step);
            double c2 = 1 - Math.pow(b2, step);
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                NDArray[] mv = moments.get(e.getKey());
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning(); // frees the update's temporaries (outside any graph)
                    NDArray g = p.getGradient();
                    mv[0].muli(b1).addi(g.mul(1 - b1));
                    mv[1].muli(b2).addi(g.square().mul(1 - b2));
                    NDArray upd = mv[0].div(c1).div(mv[1].div(c2).sqrt().add(1e-8)).mul(lr);
                    p.subi(upd);
                }
                JniUtils.zeroGrad((PtNDArray) p);
            }
        }
        return value;
    }

    /** Ends training: the tensors stop recording gradients; the optimiser state is freed. */
    void finish() {
        for (NDArray p : params.values()) {
            p.setRequiresGradient(false);
        }
        for (NDArray[] mv : moments.values()) {
            mv[0].close();
            mv[1].close();
        }
    }
}
