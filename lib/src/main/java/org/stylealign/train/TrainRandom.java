package org.stylealign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.SplittableRandom;

/**
 * Counter-based randomness: every draw comes from a stream keyed by (seed, step, purpose), never from the engine's
 * global generator. The whole random state of a run is therefore its seed and step count, which makes a resumed run
 * draw exactly what the uninterrupted one would have drawn.
 */
final class TrainRandom {

    static final int Z_G = 1;
    static final int Z_D = 2;
    static final int NOISE_G = 3;
    static final int NOISE_D = 4;
    static final int MIX_G = 5;
    static final int MIX_D = 6;
    static final int FLIP = 7;
    static final int NOISE_R1 = 8;
    static final int Z_PL = 9;
    static final int MIX_PL = 10;
    static final int NOISE_PL = 11;
    static final int PL_DIRECTIONS = 12;

    private TrainRandom() {
    }

    static SplittableRandom stream(long seed, long step, int purpose) {
        long h = seed * 0x9E3779B97F4A7C15L + step;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L + purpose;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(h ^ (h >>> 31));
    }

    /** Standard normal values as a libtorch-owned tensor of {@code shape} in {@code m}. */
    static NDArray normal(NDManager m, SplittableRandom r, Shape shape) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return owned(m, v, shape);
    }

    /** Copies Java values into libtorch memory: a tensor over a Java array must not outlive the call. */
    static NDArray owned(NDManager m, float[] v, Shape shape) {
        try (NDArray wrapped = m.create(v, shape)) {
            NDArray t = wrapped.duplicate();
            t.attach(m);
            return t;
        }
    }
}
