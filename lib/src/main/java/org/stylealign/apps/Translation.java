package org.stylealign.apps;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.Scoped;

/**
 * Rendering one model's latent with an aligned model: the step every application shares (translation, zero-shot
 * vision). A latent of space Z or Z+ goes through the target's own mapping network; a W or W+ latent is used as is
 * (so it carries the source mapping's statistics, e.g. its colour palette, into the target).
 */
public final class Translation {

    private Translation() {
    }

    /** The target's images [N, C, R, R] of an inversion's latent, with the target's stored noise maps. */
    public static NDArray render(Generator target, Inversion.Space space, NDArray latent) {
        return Scoped.compute(latent.getManager(),
                () -> target.synthesis(Inversion.toWs(target, space, latent), Noise.constant()));
    }

    /** The target's images of {@code result}'s latent. */
    public static NDArray render(Generator target, Inversion.Result result) {
        return render(target, result.space(), result.latent());
    }

    /**
     * Reference-based translation (paper Fig. 6, 22, 23): W+ rows below {@code n} from the source's codes, rows from
     * {@code n} on from the reference's, rendered by the target. {@code wsSource} [N, numWs, W] and {@code
     * wsReference} [N or 1, numWs, W] are W+ codes in the target's space (for Z / Z+ inversions:
     * {@code Inversion.toWs(target, space, latent)}); n = 0 is the reference, n = numWs the source.
     */
    public static NDArray referenceBased(Generator target, NDArray wsSource, NDArray wsReference, int n) {
        return Scoped.compute(wsSource.getManager(), () -> {
            NDArray ref = wsReference.getShape().get(0) == 1 && wsSource.getShape().get(0) > 1
                    ? wsReference.repeat(0, wsSource.getShape().get(0)) : wsReference;
            return target.synthesis(target.mix(wsSource, ref, n), Noise.constant());
        });
    }

    /**
     * Multimodal translation from structure (paper Fig. 37): the W+ rows below {@code n} from the structure image's
     * codes {@code wsStructure} [1, numWs, W], the rest from {@code k} random z (seeds {@code seed}.. through the
     * target's mapping at truncation {@code psi}): k images [k, C, R, R] sharing the structure.
     */
    public static NDArray multimodal(Generator target, NDArray wsStructure, int n, int k, long seed, float psi) {
        if (wsStructure.getShape().get(0) != 1) {
            throw new IllegalArgumentException("one structure image at a time, got " + wsStructure.getShape());
        }
        NDManager m = wsStructure.getManager();
        return Scoped.compute(m, () -> {
            NDArray fine = target.truncate(target.broadcast(target.mapping(
                    target.zFromSeeds(m, Generator.seedRange(seed, k)))), psi);
            return target.synthesis(target.mix(wsStructure.repeat(0, k), fine, n), Noise.constant());
        });
    }
}
