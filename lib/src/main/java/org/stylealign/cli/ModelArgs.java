package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ModelIO;
import org.stylealign.io.Npy;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The model selection several commands share (a picocli mixin): {@code --checkpoint FILE}. */
final class ModelArgs {

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "The model: a rosinality "
            + ".pt, an NVlabs .pkl (PyTorch or TensorFlow), a native .safetensors (the format is read from the file).")
    Path checkpoint;

    /** The checkpoint file, named in the error when it is not there. */
    Path file() {
        if (!Files.isRegularFile(checkpoint)) {
            throw new UsageException("--checkpoint " + checkpoint + ": no such file");
        }
        return checkpoint;
    }

    StyleGan2 load() throws CheckpointException {
        return ModelIO.load(file());
    }

    /** The latents of render and styles (a mixin): {@code --seeds | --z}, and {@code --truncation}. */
    static final class Latents {

        @ArgGroup(multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--seeds", paramLabel = "SEEDS", converter = Values.Seeds.Converter.class,
                    description = "z from seeds (numpy RandomState per seed, as NVlabs' generate.py): 1,2,5-8.")
            Values.Seeds seeds;

            @Option(names = "--z", paramLabel = "Z.npy", description = "z from a float32 .npy [N, z dim].")
            Path z;
        }

        @Option(names = "--truncation", paramLabel = "PSI", defaultValue = "1",
                description = "Truncation psi toward the average w (default: ${DEFAULT-VALUE}: none).")
        float truncation;

        /** z from --seeds (numpy RandomState per seed) or --z (a [N, zDim] float .npy). */
        NDArray latents(Generator g, NDManager m) throws CheckpointException {
            if (source.seeds != null) {
                return g.zFromSeeds(m, source.seeds.values());
            }
            Path file = source.z;
            HostTensor z = Npy.read(file);
            int zDim = g.config().zDim();
            if (z.rank() != 2 || z.shape()[1] != zDim) {
                throw new UsageException("--z " + file + ": expected shape [N, " + zDim + "], got " + z.shapeString());
            }
            return m.create(z.values(), new Shape(z.shape())).duplicate();
        }

        /** The seeds of --seeds; none for --z. */
        long[] seeds() {
            return source.seeds == null ? new long[0] : source.seeds.values();
        }
    }
}
