package org.stylealign.train;

import java.util.List;

/**
 * Hyper-parameters of adversarial training. Made by {@link #recipe} (the one recipe, StyleGAN2's) and its builder;
 * the record is the checked, immutable result. Equalised learning rate means plain Adam with lr 0.002 suits every
 * layer.
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

    /**
     * The project's one training recipe, StyleGAN2(-ADA)'s: Adam lr 0.002, betas (0, 0.99), eps 1e-8; lazy R1 with
     * gamma = 0.0002 * res^2 / batch every 16 D steps; path length weight 2 every 4 G steps; style mixing 0.9; G EMA
     * half-life batch * 10 / 32 kimg with ramp-up 0.05 (the half-life never exceeds 5% of the images seen, so a short
     * fine-tuning shows in G_ema at once); no mirroring; seed 0; nothing frozen. Change what differs on the builder.
     */
    public static Builder recipe(int resolution, int batch) {
        if (resolution < 4 || batch <= 0) {
            throw new IllegalArgumentException("recipe needs a resolution >= 4 and a positive batch, got " + resolution
                    + ", " + batch);
        }
        Builder b = new Builder();
        b.batch = batch;
        b.r1Gamma = 0.0002f * resolution * resolution / batch;
        b.emaKimg = batch * 10f / 32f;
        return b;
    }

    /** {@link #recipe} as it is. */
    public static TrainConfig defaults(int resolution, int batch) {
        return recipe(resolution, batch).build();
    }

    /** A builder holding this configuration, to change a few settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.batch = batch;
        b.lrG = lrG;
        b.lrD = lrD;
        b.beta1 = beta1;
        b.beta2 = beta2;
        b.eps = eps;
        b.r1Gamma = r1Gamma;
        b.r1Interval = r1Interval;
        b.emaKimg = emaKimg;
        b.emaRampup = emaRampup;
        b.styleMixProb = styleMixProb;
        b.xflip = xflip;
        b.seed = seed;
        b.frozen = frozen;
        b.plWeight = plWeight;
        b.plInterval = plInterval;
        return b;
    }

    public TrainConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    public TrainConfig withR1(float gamma, int interval) {
        return toBuilder().r1(gamma, interval).build();
    }

    public TrainConfig withEma(float kimg, float rampup) {
        return toBuilder().ema(kimg, rampup).build();
    }

    public TrainConfig withFrozen(List<String> parts) {
        return toBuilder().frozen(parts).build();
    }

    /** Path-length regularisation (NVlabs: weight 2, every 4 G steps); weight 0 turns it off. */
    public TrainConfig withPathLength(float weight, int interval) {
        return toBuilder().pathLength(weight, interval).build();
    }

    /** Settings by name, checked when {@link #build} makes the config. */
    public static final class Builder {
        private int batch = 16;
        private float lrG = 0.002f;
        private float lrD = 0.002f;
        private float beta1 = 0f;
        private float beta2 = 0.99f;
        private float eps = 1e-8f;
        private float r1Gamma;
        private int r1Interval = 16;
        private float emaKimg;
        private float emaRampup = 0.05f;
        private float styleMixProb = 0.9f;
        private boolean xflip;
        private long seed;
        private List<String> frozen = List.of();
        private float plWeight = 2f;
        private int plInterval = 4;

        private Builder() {
        }

        public Builder batch(int images) {
            this.batch = images;
            return this;
        }

        /** The same Adam learning rate for G and D. */
        public Builder learningRate(float lr) {
            return learningRates(lr, lr);
        }

        public Builder learningRates(float g, float d) {
            this.lrG = g;
            this.lrD = d;
            return this;
        }

        public Builder adam(float beta1, float beta2, float eps) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            return this;
        }

        /** Lazy R1: weight gamma (0: off) every {@code interval} D steps. */
        public Builder r1(float gamma, int interval) {
            this.r1Gamma = gamma;
            this.r1Interval = interval;
            return this;
        }

        /** G EMA half-life in kimg and its ramp-up (0: none). */
        public Builder ema(float halfLifeKimg, float rampup) {
            this.emaKimg = halfLifeKimg;
            this.emaRampup = rampup;
            return this;
        }

        public Builder styleMixing(float probability) {
            this.styleMixProb = probability;
            return this;
        }

        public Builder xflip(boolean on) {
            this.xflip = on;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Parts not trained ({@link Freeze}'s vocabulary). */
        public Builder frozen(List<String> parts) {
            this.frozen = parts;
            return this;
        }

        /** Path-length regularisation: weight (0: off) every {@code interval} G steps. */
        public Builder pathLength(float weight, int interval) {
            this.plWeight = weight;
            this.plInterval = interval;
            return this;
        }

        public TrainConfig build() {
            return new TrainConfig(batch, lrG, lrD, beta1, beta2, eps, r1Gamma, r1Interval, emaKimg, emaRampup,
                    styleMixProb, xflip, seed, frozen, plWeight, plInterval);
        }
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
