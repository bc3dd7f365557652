package org.stylealign.data;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/**
 * Where the project's data/ folder is: the system property {@code stylealign.home} or the environment variable
 * {@code STYLEALIGN_HOME} (the project root), else the first parent of the working directory or of this class's
 * location that holds data/dicebear/package.json.
 */
public final class DataPaths {

    private final Path dataDir;
    private final Path cacheDir;

    public DataPaths(Path dataDir) {
        this(dataDir, dataDir.resolve("cache"));
    }

    /** With the built datasets somewhere else than data/cache (tests, scratch builds). */
    public DataPaths(Path dataDir, Path cacheDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
    }

    /** The same inputs, another cache folder. */
    public DataPaths withCache(Path cache) {
        return new DataPaths(dataDir, cache);
    }

    public static DataPaths locate() {
        String home = System.getProperty("stylealign.home", System.getenv("STYLEALIGN_HOME"));
        if (home != null && !home.isBlank()) {
            Path d = Paths.get(home).resolve("data");
            if (!Files.isDirectory(d)) {
                throw new DataException("stylealign.home/STYLEALIGN_HOME is " + home + " but it has no data/ folder");
            }
            return new DataPaths(d);
        }
        Optional<Path> found = search(Paths.get("").toAbsolutePath());
        if (found.isEmpty()) {
            try {
                Path code = Paths.get(DataPaths.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                found = search(code);
            } catch (URISyntaxException | SecurityException | NullPointerException e) {
                // fall through to the error below
            }
        }
        return new DataPaths(found.orElseThrow(() -> new DataException(
                "cannot find the project's data/ folder (with data/dicebear/package.json) above "
                        + Paths.get("").toAbsolutePath() + "; set STYLEALIGN_HOME to the project root")));
    }

    private static Optional<Path> search(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("data/dicebear/package.json"))) {
                return Optional.of(p.resolve("data"));
            }
        }
        return Optional.empty();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Built datasets (git-ignored). */
    public Path cacheDir() {
        return cacheDir;
    }

    /** The npm package (package.json, lockfile, render.mjs) whose node_modules hold every npm-sourced input. */
    public Path npmDir() {
        return dataDir.resolve("dicebear");
    }

    public Path nodeModules() {
        return npmDir().resolve("node_modules");
    }

    /** An executable on PATH (the system property stylealign.path replaces PATH when set), or empty. */
    public static Optional<Path> onPath(String name) {
        String path = System.getProperty("stylealign.path", System.getenv("PATH"));
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Paths.get(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
