package org.stylealign.model;

import org.junit.jupiter.api.Test;
import org.stylealign.io.HostTensor;
import org.stylealign.io.Npy;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NumpyRandomTest {

    @Test
    void reproducesTheFixtureLatentsBitExactly() throws Exception {
        // Both fixture sets drew z with np.random.RandomState(z_seed).randn(4, 64).astype(float32).
        check(Fixtures.rosinalityRef().resolve("z.npy"), 4000);
        check(Fixtures.rosinalityRef().resolve("z2_mix.npy"), 4001);
        check(Fixtures.nvlabsRef().resolve("z.npy"), 8000);
        check(Fixtures.nvlabsRef().resolve("z2_mix.npy"), 8001);
    }

    private static void check(Path npy, long seed) throws Exception {
        HostTensor ref = Npy.read(npy);
        float[] ours = new NumpyRandom(seed).randn(ref.values().length);
        assertArrayEquals(ref.values(), ours, 0f, npy.toString());
    }

    @Test
    void refusesSeedsNumpyRefuses() {
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandom(-1));
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandom(1L << 32));
    }
}
