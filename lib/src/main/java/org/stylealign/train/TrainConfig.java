package org.stylealign.train;

import java.util.List;

/**
 * Hyper-parameters of adversarial training (the NVlabs StyleGAN2 recipe). Equalised learning rate means plain Adam
 * with lr 0.002 suits every layer.
 *
 * @param batch        images per step (for G and for D)
 * @param lrG          generator Adam learning rate (scaled by interval/(interval+1) under lazy path length)
 * @param lrD          discriminator Adam learning rate (scaled by interval/(interval+1) under lazy R1, as NVlabs)
 * @param beta1        Adam beta1 (0 in StyleGAN2)
 * @param beta2        Adam beta2 (0.99; raised to the same ratio under lazy R1)
 * @param eps          Adam epsilon
 * @param r1Gamma      R1 weight gamma; 0 turns R1 off
 * @param r1Interval   lazy R1: penalty every this many D steps, weighted by the interval
 * @param emaKimg      half-life of the generator EMA in thousands of images
 * @param emaRampup    EMA ramp-up: half-life at most imagesSeen * emaRampup; 0 for none
 * @param styleMixProb probability of style-mixing regularisation per batch
 * @param xflip        mirror real images left-right with probability 1/2
 * @param seed         seed of every random draw (z, noise, mixing, flips)
 * @param frozen       parts not trained (see {@link Freeze})
 * @param plWeight     path-length regularisation weight (2 in StyleGAN2); 0 turns it off
 * @param plInterval   lazy path length: penalty every this many G steps, weighted by the interval (4)
 */
public record TrainConfig(int batch, float lrG, float lrD, float beta1, float beta2, float eps, float r1Gamma,
                          int r1Interval, float emaKimg, float emaRampup, float styleMixProb, boolean xflip,
                          long seed, List<String> frozen, float plWeight, int plInterval) {

    public TrainConfig {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        if (!(lrG > 0) || !(lrD > 0)) {
            throw new IllegalArgumentException("learning rates must be positive: G " + lrG + ", D " + lrD);
        }
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(eps > 0)) {
            throw new IllegalArgumentException("Adam needs 0 <= beta1, beta2 < 1 and eps > 0");
        }
        if (r1Gamma < 0 || r1Interval <= 0) {
            throw new IllegalArgumentException("r1Gamma must be >= 0 and r1Interval >= 1");
        }
        if (emaKimg < 0 || emaRampup < 0) {
            throw new IllegalArgumentException("emaKimg and emaRampup must be >= 0");
        }
        if (styleMixProb < 0 || styleMixProb > 1) {
            throw new IllegalArgumentException("styleMixProb must be in [0, 1], got " + styleMixProb);
        }
        if (plWeight < 0 || plWeight > 0 && plInterval <= 0) {
            throw new IllegalArgumentException("plWeight must be >= 0 and plInterval >= 1 when path length is on; got "
                    + plWeight + ", " + plInterval);
        }
        frozen = List.copyOf(frozen == null ? List.of() : frozen);
        Freeze.check(frozen);
    }

    /** The NVlabs defaults for a resolution and batch; gamma by the rule of thumb 0.0002 * res^2 / batch. */
    public static TrainConfig defaults(int resolution, int batch) {
        return new TrainConfig(batch, 0.002f, 0.002f, 0f, 0.99f, 1e-8f, 0.0002f * resolution * resolution / batch,
                16, 10f, 0f, 0.9f, false, 0L, List.of(), 0f, 4);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(batch, lrG, lrD, beta1, beta2, eps, r1Gamma, r1Interval, emaKimg, emaRampup,
                styleMixProb, xflip, s, frozen, plWeight, plInterval);
    }

    public TrainConfig withR1(float gamma, int interval) {
        return new TrainConfig(batch, lrG, lrD, beta1, beta2, eps, gamma, interval, emaKimg, emaRampup,
                styleMixProb, xflip, seed, frozen, plWeight, plInterval);
    }

    public TrainConfig withEma(float kimg, float rampup) {
        return new TrainConfig(batch, lrG, lrD, beta1, beta2, eps, r1Gamma, r1Interval, kimg, rampup,
                styleMixProb, xflip, seed, frozen, plWeight, plInterval);
    }

    public TrainConfig withStyleMixing(float prob) {
        return new TrainConfig(batch, lrG, lrD, beta1, beta2, eps, r1Gamma, r1Interval, emaKimg, emaRampup,
                prob, xflip, seed, frozen, plWeight, plInterval);
    }

    public TrainConfig withXflip(boolean on) {
        return new TrainConfig(batch, lrG, lrD, beta1, beta2, eps, r1Gamma, r1Interval, emaKimg, emaRampup,
                styleMixProb, on, seed, frozen, plWeight, plInterval);
    }

    public TrainConfig withLearningRates(float g, float d) {
        return new TrainConfig(batch, g, d, beta1, beta2, eps, r1Gamma, r1Interval, emaKimg, emaRampup,
                styleMixProb, xflip, seed, frozen, plWeight, plInterval);
    }

    public TrainConfig withFrozen(List<String> parts) {
        return new TrainConfig(batch, lrG, lrD, beta1, beta2, eps, r1Gamma, r1Interval, emaKimg, emaRampup,
                styleMixProb, xflip, seed, parts, plWeight, plInterval);
    }

    /** Path-length regularisation (NVlabs: weight 2, every 4 G steps); weight 0 turns it off. */
    public TrainConfig withPathLength(float weight, int interval) {
        return new TrainConfig(batch, lrG, lrD, beta1, beta2, eps, r1Gamma, r1Interval, emaKimg, emaRampup,
                styleMixProb, xflip, seed, frozen, weight, interval);
    }

    /** Lazy-regularisation ratio of G's optimiser: interval / (interval + 1), or 1 without path length. */
    public double gRatio() {
        return plWeight > 0 ? plInterval / (plInterval + 1.0) : 1.0;
    }

    /** Lazy-regularisation ratio of D's optimiser: interval / (interval + 1), or 1 without R1. */
    public double dRatio() {
        return r1Gamma > 0 ? r1Interval / (r1Interval + 1.0) : 1.0;
    }
}
