package org.stylealign.metrics;

/**
 * One figure of a generator's quality, computed from an {@link Evaluation} (its samples, their features, the real
 * set's features). Metrics are found by name in {@link MetricRegistry}, as NVlabs' {@code metric_main} finds them.
 */
public interface Metric {

    /** The name in tables, CSV headers and {@code --metric-set}. */
    String name();

    /** One line for help texts. */
    String description();

    /** False when this evaluation cannot give the figure (e.g. a share without a domain classifier). */
    default boolean appliesTo(Evaluation e) {
        return true;
    }

    double compute(Evaluation e);
}
