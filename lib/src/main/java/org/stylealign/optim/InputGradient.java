package org.stylealign.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.IValueUtils;


/**
 * Differentiable input gradients (create_graph) for the regularisers: R1 (the squared norm of d(sum y)/dx per
 * sample) and path length (the Jacobian-vector lengths of d(sum img * noise)/dws). DJL only offers
 * {@code backward(create_graph=true)}, which stores graph-carrying gradients in the leaves' {@code .grad} and so
 * makes reference cycles that libtorch never frees (tens of MB per step). {@code torch.autograd.grad} returns the
 * gradient without storing it; DJL cannot call it directly, so a three-line TorchScript module does, written here
 * as a TorchScript archive (no Python needed) and loaded by the PyTorch engine.
 */
public final class InputGradient implements AutoCloseable {

    private static final String R1_SOURCE = """
            class R1(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.R1,
                y: Tensor,
                x: Tensor) -> Tensor:
                g = torch.autograd.grad([torch.sum(y)], [x], None, None, True)
                r = unchecked_cast(Tensor, g[0])
                return torch.sum(torch.square(r), [1, 2, 3])
            """;

    // pl_lengths as NVlabs: sqrt(mean over ws of sum over the w dimension of grad^2)
    private static final String PL_SOURCE = """
            class PL(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.PL,
                img: Tensor,
                noise: Tensor,
                ws: Tensor) -> Tensor:
                g = torch.autograd.grad([torch.sum(torch.mul(img, noise))], [ws], None, None, True)
                r = unchecked_cast(Tensor, g[0])
                return torch.sqrt(torch.mean(torch.sum(torch.square(r), [2]), [1]))
            """;

    private final ScriptModule module;

    private InputGradient(NDManager parent, String className, String source) {
        module = new ScriptModule(parent, className, source);
    }

    /** The R1 helper ({@link #squaredNorm}). */
    public static InputGradient r1(NDManager parent) {
        return new InputGradient(parent, "R1", R1_SOURCE);
    }

    /** The path-length helper ({@link #pathLengths}). */
    public static InputGradient pathLength(NDManager parent) {
        return new InputGradient(parent, "PL", PL_SOURCE);
    }

    /**
     * @param y logits computed from {@code x} inside a gradient collector
     * @param x [N, C, H, W] input that requires a gradient
     * @return [N]: sum over C, H, W of (d sum(y) / dx)^2, with a graph back to the parameters behind {@code y}
     */
    public NDArray squaredNorm(NDArray y, NDArray x) {
        NDList out = IValueUtils.forward(module.block, new NDList(y, x), true);
        return out.singletonOrThrow();
    }

    /**
     * @param img   [N, C, H, W] images synthesised from {@code ws} inside a gradient collector
     * @param noise [N, C, H, W] constant projection directions
     * @param ws    [N, numWs, wDim], requiring a gradient
     * @return [N]: sqrt(mean_i sum_k (d sum(img * noise) / dws[n, i, k])^2), with a graph back to G's parameters
     */
    public NDArray pathLengths(NDArray img, NDArray noise, NDArray ws) {
        NDList out = IValueUtils.forward(module.block, new NDList(img, noise, ws), true);
        return out.singletonOrThrow();
    }

    @Override
    public void close() {
        module.close();
    }
}
