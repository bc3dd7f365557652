package org.stylealign.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The npm inputs in data/dicebear: installed with {@code npm ci} from the committed lockfile on first use, so the
 * versions are exactly the pinned ones.
 */
public final class NpmPackages {

    private static final Object LOCK = new Object();

    private NpmPackages() {
    }

    /** Makes sure data/dicebear/node_modules holds the locked packages; runs npm ci if a marker package is missing. */
    public static Path ensureInstalled(DataPaths paths, String markerPackage) {
        Path modules = paths.nodeModules();
        synchronized (LOCK) {
            if (Files.isRegularFile(modules.resolve(markerPackage).resolve("package.json"))) {
                return modules;
            }
            Path npm = DataPaths.onPath("npm").orElseThrow(() -> new DataException(
                    "npm is not on PATH; it is needed once to install " + markerPackage + " into " + modules
                            + " (Debian: apt-get install nodejs npm)"));
            if (!Files.isRegularFile(paths.npmDir().resolve("package-lock.json"))) {
                throw new DataException("missing lockfile " + paths.npmDir().resolve("package-lock.json"));
            }
            run(paths.npmDir(), List.of(npm.toString(), "ci", "--no-audit", "--no-fund"), 600);
            if (!Files.isRegularFile(modules.resolve(markerPackage).resolve("package.json"))) {
                throw new DataException("npm ci in " + paths.npmDir() + " did not install " + markerPackage);
            }
            return modules;
        }
    }

    static void run(Path dir, List<String> cmd, long timeoutSeconds) {
        try {
            Path log = Files.createTempFile("stylealign-npm", ".log");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new DataException(String.join(" ", cmd) + " in " + dir + " took over " + timeoutSeconds + " s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (p.exitValue() != 0) {
                throw new DataException(String.join(" ", cmd) + " in " + dir + " failed (exit " + p.exitValue()
                        + "):\n" + tail(out, 2000));
            }
        } catch (IOException e) {
            throw new DataException("cannot run " + String.join(" ", cmd) + " in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while running " + cmd.get(0), e);
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : s.substring(s.length() - n);
    }
}
