package org.stylealign.metrics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.stylealign.optim.Adam;

import java.util.Map;
import java.util.function.Function;

/**
 * The one training loop of the project's small image readers (domain and attribute classifiers, part segmenter):
 * the project's Adam ({@link Adam}: betas 0.9, 0.999, eps 1e-8) over named tensors, one step per call, the loss built
 * by the caller in a manager that is closed after the step.
 */
final class ClassifierTrainer {

    private final Map<String, NDArray> params;
    private final Adam adam;
    private final NDManager manager;
    private int step;

    ClassifierTrainer(Map<String, NDArray> params, NDManager manager, double lr) {
        this.params = params;
        this.manager = manager;
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
        this.adam = new Adam(params, manager, lr, 0.9, 0.999, 1e-8);
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
                adam.zeroGrad();
                throw new IllegalStateException(what + " training diverged at step " + step + " (loss " + value + ")");
            }
            adam.step();
        }
        return value;
    }

    /** Ends training: the tensors stop recording gradients; the optimiser state is freed. */
    void finish() {
        for (NDArray p : params.values()) {
            p.setRequiresGradient(false);
        }
        adam.close();
    }
}
