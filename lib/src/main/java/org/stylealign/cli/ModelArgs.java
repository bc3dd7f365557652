package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ModelIO;
import org.stylealign.io.Npy;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleGan2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The options that several commands share: the checkpoint, the latents, truncation and noise. */
final class ModelArgs {

    static final Set<String> LATENT_OPTIONS = Set.of("checkpoint", "seeds", "z", "truncation", "noise", "out");

    private ModelArgs() {
    }

    static StyleGan2 load(Args a) throws CheckpointException {
        Path ck = a.path("checkpoint");
        if (!Files.isRegularFile(ck)) {
            throw new UsageException("--checkpoint " + ck + ": no such file");
        }
        return ModelIO.load(ck);
    }

    /** z from --seeds (numpy RandomState per seed) or --z (a [N, zDim] float .npy). */
    static NDArray latents(Args a, Generator g, NDManager m) throws CheckpointException {
        if (a.has("seeds") == a.has("z")) {
            throw new UsageException("give exactly one of --seeds and --z");
        }
        if (a.has("seeds")) {
            return g.zFromSeeds(m, a.seeds("seeds"));
        }
        Path file = a.path("z");
        HostTensor z = Npy.read(file);
        int zDim = g.config().zDim();
        if (z.rank() != 2 || z.shape()[1] != zDim) {
            throw new UsageException("--z " + file + ": expected shape [N, " + zDim + "], got " + z.shapeString());
        }
        return m.create(z.values(), new Shape(z.shape())).duplicate();
    }

    static Noise noise(Args a) {
        String n = a.get("noise", "const");
        return switch (n) {
            case "const" -> Noise.constant();
            case "random" -> Noise.random();
            case "none" -> Noise.none();
            default -> throw new UsageException("--noise must be const, random or none; got '" + n + "'");
        };
    }

    static float truncation(Args a) {
        return a.floatValue("truncation", 1f);
    }
}
