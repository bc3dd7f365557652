package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

import java.util.function.Supplier;

/**
 * Runs a forward computation in an {@link NDScope} so that every intermediate tensor is freed on return, and hands
 * the results to the caller's manager (and to the caller's own scope, when one is open). This is what keeps
 * resident memory flat over long loops: libtorch memory is invisible to the Java GC.
 */
public final class Scoped {

    private Scoped() {
    }

    public static NDArray compute(NDManager owner, Supplier<NDArray> body) {
        return computeAll(owner, () -> new NDList(body.get())).singletonOrThrow();
    }

    public static NDList computeAll(NDManager owner, Supplier<NDList> body) {
        NDList out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = body.get();
            out.attach(owner);
            NDScope.unregister(out);
        }
        for (NDArray a : out) {
            NDScope.register(a);
        }
        return out;
    }
}
