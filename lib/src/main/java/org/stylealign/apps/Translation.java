package org.stylealign.apps;

import ai.djl.ndarray.NDArray;
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
}
