package org.stylealign.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Shared set-up: the project's data/ inputs with a throw-away cache folder. */
final class TestData {

    private TestData() {
    }

    static DataPaths paths(Path cache) {
        return DataPaths.locate().withCache(cache);
    }

    static void assumeNode() {
        Assumptions.assumeTrue(DataPaths.onPath("node").isPresent(), "node is not on PATH");
    }

    static DatasetBuilder builder(Path cache) {
        return new DatasetBuilder(paths(cache)).threads(2);
    }

    static byte[] read(Path p) throws Exception {
        return Files.readAllBytes(p);
    }
}
