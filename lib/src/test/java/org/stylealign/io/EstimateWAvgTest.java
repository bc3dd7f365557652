package org.stylealign.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.stylealign.model.Generator;
import org.stylealign.model.NumpyRandom;
import org.stylealign.model.StyleGan2;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ModelIO#estimateWAvg} against the w_avg the reference codes stored (rosinality's {@code mean_latent(4096)},
 * NVlabs' {@code mapping.w_avg}): both are means of 4,096 mapped z drawn by other generators, so they must agree
 * within the sampling error of two such means, which the test measures from the model's own spread of w.
 */
class EstimateWAvgTest {

    @Test
    void estimateAgreesWithTheStoredLatentAverage() throws Exception {
        check(IoTestSupport.rosPt(), IoTestSupport.fixtures().resolve("ref-" + IoTestSupport.ROS + "/latent_avg.npy"));
        check(IoTestSupport.nvPkl(), IoTestSupport.fixtures().resolve("ref-" + IoTestSupport.NV + "/w_avg.npy"));
    }

    private static void check(Path checkpoint, Path storedFile) throws Exception {
        float[] stored = Npy.read(storedFile).values();
        try (StyleGan2 model = ModelIO.load(checkpoint)) {
            Generator g = model.generator();
            int d = stored.length;
            // the spread of w over z other than the estimate's (seed 0): per-dimension variance of one sample
            double[] var = new double[d];
            try (NDManager m = g.manager().newSubManager()) {
                int n = ModelIO.W_AVG_SAMPLES;
                int zDim = g.config().zDim();
                NDArray w = g.mapping(m.create(new NumpyRandom(12345).randn(n * zDim), new Shape(n, zDim)));
                float[] v = w.sub(w.mean(new int[] {0})).square().mean(new int[] {0}).toFloatArray();
                for (int j = 0; j < d; j++) {
                    var[j] = v[j];
                }
            }
            ModelIO.estimateWAvg(g);
            float[] estimate = g.tensors().get("mapping.w_avg").toFloatArray();
            double err = 0;
            double expected = 0; // E|a - b|^2 for two independent means of n samples
            double storedNorm = 0;
            for (int j = 0; j < d; j++) {
                double t = estimate[j] - stored[j];
                err += t * t;
                expected += 2 * var[j] / ModelIO.W_AVG_SAMPLES;
                storedNorm += (double) stored[j] * stored[j];
            }
            double ratio = Math.sqrt(err / expected);
            System.out.printf("%s: |estimate - stored| = %.4g, sampling error %.4g (ratio %.2f), |stored| %.4g%n",
                    checkpoint.getFileName(), Math.sqrt(err), Math.sqrt(expected), ratio, Math.sqrt(storedNorm));
            // chi with d degrees of freedom, scaled to mean ~1: 1.6 is beyond 5 standard deviations at d = 64
            assertTrue(ratio < 1.6, checkpoint + ": the estimate is " + ratio + " sampling errors from the stored w_avg");
            // and the check has power: the estimate is far closer than the spread of a single w
            assertTrue(Math.sqrt(err) < 0.1 * Math.sqrt(expected * ModelIO.W_AVG_SAMPLES / 2),
                    checkpoint + ": estimate not closer than a single sample");
        }
    }
}
