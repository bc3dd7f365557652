package org.stylealign.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;

import org.stylealign.io.TorchScriptArchive;

import java.util.Collections;
import java.util.List;

/**
 * Whole-network updates in one native call each: the Adam step of torch.optim.Adam(fused=True) and the EMA lerp,
 * over lists of tensors. Called per tensor from Java they cost ~10 small native operations per parameter (over
 * 1,000 per training step for the family's networks), which at 4-32 px is a tenth of the step; libtorch's fused
 * and foreach kernels do the same arithmetic in one pass. Reached through a TorchScript module written from Java
 * ({@link TorchScriptArchive}), as DJL exposes neither.
 */
public final class ListKernels implements AutoCloseable {

    private static final String SOURCE = """
            class ListKernels(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def adam(self: __torch__.ListKernels,
                params: List[Tensor],
                grads: List[Tensor],
                m: List[Tensor],
                v: List[Tensor],
                steps: List[Tensor],
                lr: float,
                beta1: float,
                beta2: float,
                eps: float) -> int:
                torch._fused_adam_(params, grads, m, v, annotate(List[Tensor], []), steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=0., eps=eps, amsgrad=False, maximize=False)
                torch._foreach_zero_(grads)
                return 0
              def lerp(self: __torch__.ListKernels,
                ema: List[Tensor],
                params: List[Tensor],
                weight: float) -> int:
                torch._foreach_lerp_(ema, params, weight)
                return 0
              def copy(self: __torch__.ListKernels,
                dst: List[Tensor],
                src: List[Tensor]) -> int:
                torch._foreach_copy_(dst, src)
                return 0
              def forward(self: __torch__.ListKernels) -> int:
                return 0
            """;

    private final ScriptModule module;

    public ListKernels(NDManager parent) {
        module = new ScriptModule(parent, "ListKernels", SOURCE);
    }

    /**
     * One Adam step (bias-corrected, eps after the square root), in place; the gradients are zeroed after. Every
     * list is in the same order; {@code step} is a 0-d float tensor holding the step number (1 for the first).
     */
    public void adam(List<NDArray> params, List<NDArray> grads, List<NDArray> m, List<NDArray> v, NDArray step,
              double lr, double beta1, double beta2, double eps) {
        run("adam", list(params), list(grads), list(m), list(v), list(Collections.nCopies(params.size(), step)), IValue.from(lr), IValue.from(beta1),
                IValue.from(beta2), IValue.from(eps));
    }

    /** ema += weight * (params - ema), per tensor, in place. */
    public void lerp(List<NDArray> ema, List<NDArray> params, double weight) {
        run("lerp", list(ema), list(params), IValue.from(weight));
    }

    /** dst := src, per tensor, in place. */
    public void copy(List<NDArray> dst, List<NDArray> src) {
        run("copy", list(dst), list(src));
    }

    private static IValue list(List<NDArray> tensors) {
        return IValue.listFrom(tensors.stream().map(t -> (PtNDArray) t).toArray(PtNDArray[]::new));
    }

    private void run(String method, IValue... args) {
        try (IValue ignored = IValueUtils.runMethod(module.block, method, args)) {
            // the result is a constant; the work is the in-place update
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    @Override
    public void close() {
        module.close();
    }
}
