package org.stylealign.train;

/**
 * What one training step did.
 *
 * @param step       index of the step just run (0-based)
 * @param imagesSeen real images shown to D so far, this step included
 * @param lossG      generator loss, mean softplus(-D(G(z)))
 * @param lossDReal  mean softplus(-D(x))
 * @param lossDFake  mean softplus(D(G(z)))
 * @param r1         mean squared gradient norm |dD(x)/dx|^2 when R1 ran this step, else NaN
 * @param seconds    wall time of the step
 * @param pl         mean path-length penalty (pl_lengths - pl_mean)^2 when it ran this step, else NaN
 * @param plMean     running mean of the path lengths after this step (0 before the first penalty)
 */
public record StepStats(long step, long imagesSeen, double lossG, double lossDReal, double lossDFake, double r1,
                        double seconds, double pl, double plMean) {

    public double lossD() {
        return lossDReal + lossDFake;
    }

    boolean finite() {
        return Double.isFinite(lossG) && Double.isFinite(lossDReal) && Double.isFinite(lossDFake);
    }
}
