package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.stylealign.data.ImageDataset;
import org.stylealign.model.Generator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * A generator's quality against one real dataset, as the metrics of {@link MetricRegistry} compute it (FID, KID and
 * the own-domain share by default). The real features are computed once, so one instance scores many checkpoints (a
 * run's snapshots, or each snapshot as training writes it). Samples are seeds 0..n-1 at psi 1 with noise seeded
 * per chunk: the same generator gets the same figures on every run, and the engine's global generator is untouched.
 */
public final class Quality {

    /** The figures of one generator by metric name, in the order asked; a metric that does not apply is NaN. */
    public record Result(Map<String, Double> values) {
        public Result {
            values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        public double get(String metric) {
            Double v = values.get(metric);
            if (v == null) {
                throw new IllegalArgumentException("metric '" + metric + "' was not computed; have " + values.keySet());
            }
            return v;
        }

        public double fid() {
            return get("fid");
        }

        public double kid() {
            return get("kid");
        }

        /** NaN when the domain is not one of the classifier's. */
        public double ownShare() {
            return get("own_domain_share");
        }
    }

    /** The default set: FID, KID and the own-domain share. */
    public static final String DEFAULT_METRICS = "fid,kid,own_domain_share";

    private final FeatureExtractor features;
    private final float[][] real;
    private final FeatureStats realStats;
    private final int samples;
    private final int ownClass;
    private final List<Metric> metrics;

    private Quality(FeatureExtractor features, float[][] real, int samples, int ownClass, List<Metric> metrics) {
        this.features = features;
        this.real = real;
        this.realStats = FeatureStats.of(real);
        this.samples = samples;
        this.ownClass = ownClass;
        this.metrics = List.copyOf(metrics);
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
            return new Quality(features, real, samples, own, MetricRegistry.parse(DEFAULT_METRICS));
        }
    }

    /** Against real features computed elsewhere (no domain share): the metrics' inputs without a dataset. */
    public static Quality of(FeatureExtractor features, float[][] realFeatures, int samples) {
        if (samples < 2 || realFeatures.length < 2) {
            throw new IllegalArgumentException("need at least 2 samples and 2 real feature vectors, got " + samples
                    + " and " + realFeatures.length);
        }
        return new Quality(features, realFeatures, samples, -1, MetricRegistry.parse(DEFAULT_METRICS));
    }

    /** The same real set and samples, scored by other metrics (names from {@link MetricRegistry}). */
    public Quality withMetrics(String commaSeparated) {
        return new Quality(features, real, samples, ownClass, MetricRegistry.parse(commaSeparated));
    }

    public List<String> metricNames() {
        return metrics.stream().map(Metric::name).toList();
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
            Evaluation e = new Evaluation(gen, m, features, real, realStats, samples, ownClass);
            Map<String, Double> out = new LinkedHashMap<>();
            for (Metric metric : metrics) {
                out.put(metric.name(), metric.appliesTo(e) ? metric.compute(e) : Double.NaN);
            }
            return new Result(out);
        }
    }

    /** Samples for seeds 0..n-1, psi 1, in chunks of 32 whose noise is seeded by the chunk's first seed. */
    public static NDArray samples(Generator gen, NDManager m, int n) {
        List<NDArray> parts = new ArrayList<>();
        for (int s = 0; s < n; s += 32) {
            long[] seeds = LongStream.range(s, Math.min(n, s + 32)).toArray();
            parts.add(gen.generate(gen.zFromSeeds(m, seeds), 1f, gen.seededNoise(m, seeds.length, s)));
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
