package org.stylealign.metrics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.stylealign.data.ImageDataset;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * FID, KID and the own-domain share of a generator's samples against one real dataset. The real features are
 * computed once, so one instance scores many checkpoints (a run's snapshots, or each snapshot as training writes it).
 * Samples are seeds 0..n-1 at psi 1 with seeded noise: the same generator gets the same figures on every run.
 */
public final class Quality {

    /** The figures of one generator; {@code ownShare} is NaN when the domain is not one of the classifier's. */
    public record Result(double fid, double kid, double ownShare) {
    }

    private final FeatureExtractor features;
    private final float[][] real;
    private final FeatureStats realStats;
    private final int samples;
    private final int ownClass;

    private Quality(FeatureExtractor features, float[][] real, int samples, int ownClass) {
        this.features = features;
        this.real = real;
        this.realStats = FeatureStats.of(real);
        this.samples = samples;
        this.ownClass = ownClass;
    }

    /**
     * Scores against the first min(samples, size) images of {@code data}; {@code domain} names the class whose share
     * is reported (pass null for the dataset's own style from its manifest, e.g. "avataaars-tx20").
     */
    public static Quality against(FeatureExtractor features, ImageDataset data, String domain, int samples) {
        if (samples < 2) {
            throw new IllegalArgumentException("need at least 2 samples for FID/KID, got " + samples);
        }
        String d = domain != null ? domain : data.manifest() == null ? "" : data.manifest().style();
        int own = features instanceof DomainFeatures df ? df.classes().indexOf(d) : -1;
        int n = Math.min(samples, data.size());
        try (NDManager m = NDManager.newBaseManager()) {
            float[][] real = features.features(DomainFeatures.Source.of("real", data).images(m,
                    IntStream.range(0, n).toArray()));
            return new Quality(features, real, samples, own);
        }
    }

    public int realCount() {
        return real.length;
    }

    public int samples() {
        return samples;
    }

    /** True when the own-domain share is reported (the features are a domain classifier that knows the domain). */
    public boolean hasShare() {
        return ownClass >= 0;
    }

    public Result of(Generator gen) {
        try (NDManager m = NDManager.newBaseManager(gen.device())) {
            NDArray img = samples(gen, m, samples);
            float[][] gf = features.features(img);
            double share = ownClass >= 0 ? share(((DomainFeatures) features).probabilities(img), ownClass)
                    : Double.NaN;
            return new Result(Distances.fid(FeatureStats.of(gf), realStats), Distances.kid(gf, real, 1), share);
        }
    }

    /** Samples for seeds 0..n-1, psi 1, random noise from a fixed engine seed, in chunks of 32. */
    public static NDArray samples(Generator gen, NDManager m, int n) {
        Engine.getInstance().setRandomSeed(0);
        List<NDArray> parts = new ArrayList<>();
        for (int s = 0; s < n; s += 32) {
            long[] seeds = LongStream.range(s, Math.min(n, s + 32)).toArray();
            parts.add(gen.generate(gen.zFromSeeds(m, seeds), 1f, Noise.random()));
        }
        return NDArrays.concat(new NDList(parts), 0);
    }

    /** The fraction of rows whose most probable class is {@code cls}. */
    public static double share(float[][] probs, int cls) {
        int hits = 0;
        for (float[] p : probs) {
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            hits += best == cls ? 1 : 0;
        }
        return hits / (double) probs.length;
    }
}
