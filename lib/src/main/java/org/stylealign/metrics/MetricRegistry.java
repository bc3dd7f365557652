package org.stylealign.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics by name: FID, KID and the own-domain share are registered here; a researcher adds one with
 * {@link #register} and every caller (the training hook, {@code stylealign metrics}, the notebooks) can ask for it.
 */
public final class MetricRegistry {

    private static final Map<String, Metric> METRICS = new LinkedHashMap<>();

    static {
        register(new Simple("fid", "Frechet distance of the feature distributions (NVlabs' FID arithmetic)",
                e -> Distances.fid(e.generatedStats(), e.realStats())));
        register(new Simple("kid", "kernel (MMD^2) distance, 100 subsets of min(n, 1000) (NVlabs' KID arithmetic)",
                e -> Distances.kid(e.generatedFeatures(), e.realFeatures(), 1)));
        register(new Metric() {
            @Override
            public String name() {
                return "own_domain_share";
            }

            @Override
            public String description() {
                return "share of samples the domain classifier assigns to the real set's domain";
            }

            @Override
            public boolean appliesTo(Evaluation e) {
                return e.ownClass() >= 0;
            }

            @Override
            public double compute(Evaluation e) {
                return Quality.share(e.probabilities(), e.ownClass());
            }
        });
    }

    private MetricRegistry() {
    }

    /** Adds (or replaces) a metric under its name. */
    public static synchronized void register(Metric m) {
        if (m.name() == null || !m.name().matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("a metric name is lower-case letters, digits and '_', got '" + m.name()
                    + "'");
        }
        METRICS.put(m.name(), m);
    }

    /** The metric of that name; an unknown name is an error that lists the known ones. */
    public static synchronized Metric get(String name) {
        Metric m = METRICS.get(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown metric '" + name + "'; known: " + String.join(", ", names()));
        }
        return m;
    }

    public static synchronized List<String> names() {
        return new ArrayList<>(METRICS.keySet());
    }

    /** Parses "fid,kid" into metrics (blank entries ignored). */
    public static List<Metric> parse(String commaSeparated) {
        List<Metric> out = new ArrayList<>();
        for (String n : commaSeparated.split(",")) {
            if (!n.isBlank()) {
                out.add(get(n.trim()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no metric named in '" + commaSeparated + "'");
        }
        return out;
    }

    private record Simple(String name, String description, java.util.function.ToDoubleFunction<Evaluation> f)
            implements Metric {
        @Override
        public double compute(Evaluation e) {
            return f.applyAsDouble(e);
        }
    }
}
