package org.stylealign.train;

/** Training produced a NaN/Inf or an exploding loss; the networks of the failed step are not to be trusted. */
public final class TrainingDivergedException extends RuntimeException {

    public TrainingDivergedException(String message) {
        super(message);
    }
}
