package org.stylealign.metrics;

import org.stylealign.io.CheckpointException;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The readers bundled with the library as classpath resources: copied to a temporary file and loaded from it. */
final class Bundled {

    /** A loader of a safetensors file. */
    interface Loader<T> {
        T load(Path file) throws CheckpointException;
    }

    private Bundled() {
    }

    /** The resource loaded, or empty when this build does not hold it; {@code what} names it in errors. */
    static <T> Optional<T> read(String resource, String what, Loader<T> loader) throws CheckpointException {
        try (InputStream in = Bundled.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            Path tmp = Files.createTempFile("stylealign-bundled-", ".safetensors");
            try {
                Files.write(tmp, in.readAllBytes());
                return Optional.of(loader.load(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot read the bundled " + what + ": " + e.getMessage(), e);
        }
    }
}
