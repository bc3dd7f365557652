package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.model.Generator;

/**
 * What metrics read about one generator against one real set: its samples (drawn once, on first use), their
 * features and, with a domain classifier, their class probabilities; and the real set's features. Lives inside one
 * {@link Quality#of} call; the samples belong to its manager.
 */
public final class Evaluation {

    private final Generator generator;
    private final NDManager manager;
    private final FeatureExtractor features;
    private final float[][] real;
    private final FeatureStats realStats;
    private final int samples;
    private final int ownClass;
    private NDArray images;
    private float[][] generated;
    private FeatureStats generatedStats;
    private float[][] probabilities;

    Evaluation(Generator generator, NDManager manager, FeatureExtractor features, float[][] real,
               FeatureStats realStats, int samples, int ownClass) {
        this.generator = generator;
        this.manager = manager;
        this.features = features;
        this.real = real;
        this.realStats = realStats;
        this.samples = samples;
        this.ownClass = ownClass;
    }

    public Generator generator() {
        return generator;
    }

    public FeatureExtractor featureExtractor() {
        return features;
    }

    /** The samples: seeds 0..n-1, psi 1, seeded noise ({@link Quality#samples}). */
    public NDArray images() {
        if (images == null) {
            images = Quality.samples(generator, manager, samples);
        }
        return images;
    }

    public float[][] generatedFeatures() {
        if (generated == null) {
            generated = features.features(images());
        }
        return generated;
    }

    public FeatureStats generatedStats() {
        if (generatedStats == null) {
            generatedStats = FeatureStats.of(generatedFeatures());
        }
        return generatedStats;
    }

    public float[][] realFeatures() {
        return real;
    }

    public FeatureStats realStats() {
        return realStats;
    }

    /** The index of the real set's domain among the classifier's classes, or -1. */
    public int ownClass() {
        return ownClass;
    }

    /** Class probabilities of the samples; only with a {@link DomainFeatures} extractor. */
    public float[][] probabilities() {
        if (!(features instanceof DomainFeatures df)) {
            throw new IllegalStateException("class probabilities need a domain classifier, not " + features.name());
        }
        if (probabilities == null) {
            probabilities = df.probabilities(images());
        }
        return probabilities;
    }
}
