package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import org.stylealign.apps.Encoder;
import org.stylealign.apps.Inversion;
import org.stylealign.io.CheckpointException;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Option(names = "--noise-reg", paramLabel = "W", description = "Optimise the noise maps too, with the "
            + "projectors' noise regulariser at this weight (NVlabs and rosinality use 1e5; default: 0, the stored maps "
            + "stay). The latents alone then do not reproduce the reconstructions: their noise is not written.")
    float noiseReg = 0f;

    @Option(names = "--encoder", paramLabel = "FILE", description = "Start from this encoder's answer (an "
            + "apps.Encoder trained for this checkpoint, e.g. models/encoder-P.safetensors) instead of zeros or w_avg, "
            + "in any space (Z and Z+ through the inverted mapping network); with --steps 0, the encoder's answer alone.")
    Path encoder;

    /** The library's options from these settings; a bad value is a usage error naming it. */
    Inversion.Options options() {
        if (batch < 1) {
            throw new UsageException("--batch must be at least 1");
        }
        if (steps == 0 && encoder == null) {
            throw new UsageException("--steps 0 needs --encoder (the encoder's answer alone)");
        }
        try {
            // with --steps 0 the options are not run (the encoder answers alone), only checked
            return new Inversion.Options(space, steps == 0 ? 1 : steps, lr, DEFAULTS.rampUp(), DEFAULTS.rampDown(),
                    DEFAULTS.latentNoise(), pixel, perceptual, seed, noiseReg);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The feature network of the perceptual loss, or null when its weight is 0. The caller closes it. */
    static DomainFeatures features(Inversion.Options o) throws Exception {
        return o.perceptualWeight() > 0 ? DomainFeatures.bundled().orElseThrow(() ->
                new UsageException("no bundled domain classifier for the perceptual loss: use --perceptual 0")) : null;
    }

    /**
     * Inverts {@code images} batch by batch into {@code g} (from the encoder's answer with --encoder), a progress
     * line per batch on {@code out}.
     */
    List<Inversion.Result> invert(Generator g, NDArray images, DomainFeatures f, Inversion.Options o, PrintStream out) {
        Encoder enc = null;
        if (encoder != null) {
            if (!Files.isRegularFile(encoder)) {
                throw new UsageException("--encoder " + encoder + ": no such file");
            }
            try {
                enc = Encoder.load(encoder, g);
            } catch (CheckpointException e) {
                throw new UsageException("--encoder " + encoder + ": " + e.getMessage());
            }
            out.println("from the encoder " + encoder.getFileName() + " (" + enc.training() + ")"
                    + (steps == 0 ? ", no optimisation" : ""));
        }
        try {
            long n = images.getShape().get(0);
            List<Inversion.Result> results = new ArrayList<>();
            for (long s = 0; s < n; s += batch) {
                NDArray part = images.get(s + ":" + Math.min(n, s + batch));
                Inversion.Result r = enc == null ? Inversion.invert(g, part, f, o, null)
                        : steps == 0 ? Inversion.fromEncoder(g, part, enc, o.space())
                        : Inversion.invert(g, part, enc, f, o, null);
                results.add(r);
                String loss = r.loss().length == 0 ? "the encoder's answer"
                        : String.format(Locale.ROOT, "loss %.4f -> %.4f", r.loss()[0], r.loss()[r.loss().length - 1]);
                out.printf(Locale.ROOT, "images %d-%d: %s, mean |pixel error| %.4f, %.1f s%n", s,
                        Math.min(n, s + batch) - 1, loss, r.meanPixel(), r.seconds());
            }
            return results;
        } finally {
            if (enc != null) {
                enc.close();
            }
        }
    }

    static NDArray concat(List<NDArray> parts) {
        NDArray all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.concat(parts.get(i), 0);
        }
        return all;
    }
}
