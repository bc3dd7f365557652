package org.stylealign.model;

/**
 * numpy's legacy {@code np.random.RandomState(seed)}: Mersenne Twister MT19937 with the polar Box-Muller normal
 * generator. {@code new NumpyRandom(s).randn(n)} returns the same doubles as {@code RandomState(s).randn(n)}, so a
 * seed picks the same latent here as in NVlabs' generate.py and in the reference fixtures.
 */
public final class NumpyRandom {

    private static final int N = 624;
    private static final int M = 397;

    private final int[] mt = new int[N];
    private int mti;
    private boolean hasGauss;
    private double gauss;

    public NumpyRandom(long seed) {
        if (seed < 0 || seed > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("seed must be between 0 and 2**32 - 1, got " + seed);
        }
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        mti = N;
    }

    private int nextInt32() {
        if (mti >= N) {
            for (int k = 0; k < N; k++) {
                int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
                mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            mti = 0;
        }
        int y = mt[mti++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** Uniform double in [0, 1) with 53 random bits, as numpy's random_sample. */
    public double nextDouble() {
        long a = (nextInt32() & 0xFFFFFFFFL) >>> 5;
        long b = (nextInt32() & 0xFFFFFFFFL) >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** Standard normal, numpy's legacy gauss (pairs from the polar method, the second one cached). */
    public double nextGaussian() {
        if (hasGauss) {
            hasGauss = false;
            return gauss;
        }
        double x1;
        double x2;
        double r2;
        do {
            x1 = 2.0 * nextDouble() - 1.0;
            x2 = 2.0 * nextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    /** {@code RandomState(seed).randn(n).astype(float32)}. */
    public float[] randn(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) nextGaussian();
        }
        return out;
    }
}
