package org.stylealign.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared reference fixtures are (../shared/fixtures, passed in by Maven). Missing fixtures fail loudly. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path root() {
        String p = System.getProperty("stylealign.fixtures");
        if (p == null) {
            throw new IllegalStateException("system property stylealign.fixtures is not set (run through Maven)");
        }
        Path dir = Path.of(p).resolve("stylegan2").normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixture folder not found: " + dir
                    + " (the shared fixtures must sit at ../shared/fixtures beside the repository, or set "
                    + "STYLEALIGN_FIXTURES to their folder)");
        }
        return dir;
    }

    public static Path rosinality() {
        return root().resolve("rosinality-s32-sd64-mlp4-ch64.pt");
    }

    public static Path rosinalityRef() {
        return root().resolve("ref-rosinality-s32-sd64-mlp4-ch64");
    }

    public static Path nvlabsPickle() {
        return root().resolve("nvlabs-r32-z64-w64-map4-cb1024-cmax64.pkl");
    }

    /** The NVlabs fixture written in the TensorFlow pickle format; its reference outputs are {@link #nvlabsRef()}. */
    public static Path tfPickle() {
        return root().resolveSibling("stylegan2-tf").resolve("nvlabs-tf-r32-z64-w64-map4.pkl");
    }

    public static Path nvlabsStateDict() {
        return root().resolve("nvlabs-r32-z64-w64-map4-cb1024-cmax64-state_dict.pt");
    }

    public static Path nvlabsRef() {
        return root().resolve("ref-nvlabs-r32-z64-w64-map4-cb1024-cmax64");
    }
}
