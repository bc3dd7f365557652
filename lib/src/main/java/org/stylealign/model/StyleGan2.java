package org.stylealign.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A loaded StyleGAN2 checkpoint: the generator for inference (G_ema), and, when the file had them, the training
 * generator G and the discriminator D. Closing it frees all of their tensors.
 */
public final class StyleGan2 implements AutoCloseable {

    private final Generator generator;
    private final Generator trainingGenerator;
    private final Discriminator discriminator;
    private final Path source;
    private final String format;
    private final List<String> notes;

    public StyleGan2(Generator generator, Generator trainingGenerator, Discriminator discriminator, Path source,
                     String format, List<String> notes) {
        this.generator = generator;
        this.trainingGenerator = trainingGenerator;
        this.discriminator = discriminator;
        this.source = source;
        this.format = format;
        this.notes = List.copyOf(notes);
    }

    /** G_ema: the generator every analysis and application uses. */
    public Generator generator() {
        return generator;
    }

    /** G (the un-averaged training generator), when the file has one. */
    public Optional<Generator> trainingGenerator() {
        return Optional.ofNullable(trainingGenerator);
    }

    public Optional<Discriminator> discriminator() {
        return Optional.ofNullable(discriminator);
    }

    public GeneratorConfig config() {
        return generator.config();
    }

    public Path source() {
        return source;
    }

    /** The file format it was read from: "rosinality", "nvlabs-pkl", "state-dict" or "native". */
    public String format() {
        return format;
    }

    /** Remarks made while importing (assumptions, values that had to be computed). */
    public List<String> notes() {
        return notes;
    }

    @Override
    public void close() {
        generator.close();
        if (trainingGenerator != null) {
            trainingGenerator.close();
        }
        if (discriminator != null) {
            discriminator.close();
        }
    }

    @Override
    public String toString() {
        return "StyleGan2[" + format + " " + source + ", " + generator.config() + "]";
    }
}
