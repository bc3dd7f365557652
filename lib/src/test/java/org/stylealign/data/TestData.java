package org.stylealign.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Shared set-up: the project's data/ inputs with a throw-away cache folder. */
public final class TestData {

    private TestData() {
    }

    static DataPaths paths(Path cache) {
        return DataPaths.locate().withCache(cache);
    }

    /**
     * Skips a test that needs Node.js when it is missing - but under CI=true a missing tool fails the test: CI
     * installs everything (environment/setup.sh), so a skip there would hide a broken environment.
     */
    public static void assumeNode() {
        boolean node = DataPaths.onPath("node").isPresent();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.assertTrue(node, "node is not on PATH (CI=true: environment/setup.sh should have installed it)");
        }
        Assumptions.assumeTrue(node, "node is not on PATH");
    }

    static DatasetBuilder builder(Path cache) {
        return new DatasetBuilder(paths(cache)).threads(2);
    }

    static byte[] read(Path p) throws Exception {
        return Files.readAllBytes(p);
    }
}
