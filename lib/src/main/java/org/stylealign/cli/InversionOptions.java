package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import org.stylealign.apps.Inversion;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The optimisation settings `invert` and `translate` share (a picocli mixin), and the batch loop they both run. */
final class InversionOptions {

    /** The library's settings: the options' defaults (the same for every space). */
    private static final Inversion.Options DEFAULTS = Inversion.Options.defaults(Inversion.Space.W_PLUS);

    @Option(names = "--space", paramLabel = "SPACE", defaultValue = "w+", converter = Values.SpaceConverter.class,
            completionCandidates = Values.Spaces.class,
            description = "The latent space: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Inversion.Space space;

    @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps (default: ${DEFAULT-VALUE}).")
    int steps = DEFAULTS.steps();

    @Option(names = "--lr", paramLabel = "LR", description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
    float lr = DEFAULTS.learningRate();

    @Option(names = "--pixel", paramLabel = "W", description = "Weight of the pixel loss (default: ${DEFAULT-VALUE}).")
    float pixel = DEFAULTS.pixelWeight();

    @Option(names = "--perceptual", paramLabel = "W", description = "Weight of the perceptual loss on the bundled "
            + "domain classifier's features (default: ${DEFAULT-VALUE}; 0: off).")
    float perceptual = DEFAULTS.perceptualWeight();

    @Option(names = "--batch", paramLabel = "N", description = "Images inverted together (default: ${DEFAULT-VALUE}).")
    int batch = 8;

    @Option(names = "--seed", paramLabel = "K", description = "Seed of the noise added to the latent while it is "
            + "optimised (default: ${DEFAULT-VALUE}).")
    int seed = 1;

    /** The library's options from these settings; a bad value is a usage error naming it. */
    Inversion.Options options() {
        if (batch < 1) {
            throw new UsageException("--batch must be at least 1");
        }
        try {
            return new Inversion.Options(space, steps, lr, DEFAULTS.rampUp(), DEFAULTS.rampDown(),
                    DEFAULTS.latentNoise(), pixel, perceptual, seed);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The feature network of the perceptual loss, or null when its weight is 0. The caller closes it. */
    static DomainFeatures features(Inversion.Options o) throws Exception {
        return o.perceptualWeight() > 0 ? DomainFeatures.bundled().orElseThrow(() ->
                new UsageException("no bundled domain classifier for the perceptual loss: use --perceptual 0")) : null;
    }

    /** Inverts {@code images} batch by batch into {@code g}, a progress line per batch on {@code out}. */
    List<Inversion.Result> invert(Generator g, NDArray images, DomainFeatures f, Inversion.Options o, PrintStream out) {
        long n = images.getShape().get(0);
        List<Inversion.Result> results = new ArrayList<>();
        for (long s = 0; s < n; s += batch) {
            NDArray part = images.get(s + ":" + Math.min(n, s + batch));
            Inversion.Result r = Inversion.invert(g, part, f, o, null);
            results.add(r);
            out.printf(Locale.ROOT, "images %d-%d: loss %.4f -> %.4f, mean |pixel error| %.4f, %.1f s%n", s,
                    Math.min(n, s + batch) - 1, r.loss()[0], r.loss()[r.loss().length - 1], r.meanPixel(),
                    r.seconds());
        }
        return results;
    }

    static NDArray concat(List<NDArray> parts) {
        NDArray all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.concat(parts.get(i), 0);
        }
        return all;
    }
}
