package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataException;
import org.stylealign.data.DataPaths;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.model.ResidentMemoryTest;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rotation regressor on a small rotated set from the real builder, and the arithmetic of its score. */
public class PoseRegressorTest {

    @TempDir
    static Path tmp;

    static ImageDataset rotated;
    static ImageDataset.Split split;
    static PoseRegressor regressor;

    /** 160 avataaars at 16 px, each turned by -30..30 degrees (the pose family's jitter, small). */
    public static ImageDataset rotatedSet(Path cache) {
        org.stylealign.data.TestData.assumeNode();
        return new DatasetBuilder(DataPaths.locate().withCache(cache)).threads(2)
                .open(BuildSpec.of("avataaars", 16, 160, 5).withTransform(new BuildSpec.Transform(
                        new BuildSpec.Range(-30, 30), BuildSpec.Range.fixed(0), BuildSpec.Range.fixed(0),
                        BuildSpec.Flip.NONE)));
    }

    @BeforeAll
    static void train() {
        rotated = rotatedSet(tmp.resolve("cache"));
        split = rotated.split(0.25, 3);
        regressor = PoseRegressor.train(rotated, split.train(), PoseRegressor.ROTATION, 300, 32, 1, null);
    }

    @AfterAll
    static void close() {
        if (regressor != null) {
            regressor.close();
        }
    }

    @Test
    void learnsTheRotationAndBeatsTheMeanOnHeldOutImages() {
        assertTrue(PoseRegressor.varies(rotated, PoseRegressor.ROTATION));
        PoseRegressor.Score s = regressor.evaluate(rotated, split.test());
        assertEquals(split.test().length, s.n());
        assertTrue(s.chanceMae() > 10, "the angles span -30..30: guessing the mean is off by ~15 degrees: " + s);
        assertTrue(s.mae() < 0.75 * s.chanceMae() && s.r() > 0.6,
                "held-out error should be well under the mean predictor's: " + s);
        assertEquals("avataaars", regressor.domain());
        assertTrue(regressor.provenance().contains("Pablo Stanley"), regressor.provenance());
        double[] t = PoseRegressor.truth(rotated, split.train(), PoseRegressor.ROTATION);
        assertEquals(java.util.Arrays.stream(t).average().orElseThrow(), regressor.trainingMean(), 1e-9);
    }

    @Test
    void mirroringAnImageMirrorsItsAngle() {
        // trained with mirrored copies whose angle changes sign: a mirrored image reads about minus its angle
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = AttributeClassifier.images(rotated, split.test(), m);
            double[] a = regressor.predict(x), b = regressor.predict(x.flip(3));
            double[] sum = new double[a.length], minus = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                sum[i] = a[i] + b[i];
                minus[i] = -b[i];
            }
            double[] truth = PoseRegressor.truth(rotated, split.test(), PoseRegressor.ROTATION);
            assertTrue(PoseRegressor.score(truth, minus, 0).r() > 0.5, "the mirrored reading, negated, follows the angle");
            assertTrue(PoseRegressor.score(truth, sum, 0).mae() < PoseRegressor.score(truth, a, 0).chanceMae(),
                    "a + mirrored(a) stays near 0");
        }
    }

    @Test
    void scoreArithmeticOnKnownNumbers() {
        double[] truth = {-20, -10, 0, 10, 20};
        PoseRegressor.Score exact = PoseRegressor.score(truth, truth.clone(), 0);
        assertEquals(0, exact.mae(), 1e-12);
        assertEquals(12, exact.chanceMae(), 1e-12); // (20 + 10 + 0 + 10 + 20) / 5
        assertEquals(1, exact.r(), 1e-12);
        PoseRegressor.Score half = PoseRegressor.score(truth, new double[] {-10, -5, 0, 5, 10}, 2);
        assertEquals(6, half.mae(), 1e-12);          // (10 + 5 + 0 + 5 + 10) / 5
        assertEquals(12.4, half.chanceMae(), 1e-12); // (22 + 12 + 2 + 8 + 18) / 5
        assertEquals(1, half.r(), 1e-12, "a scaled reading is perfectly correlated");
        assertEquals(6 / 12.4, half.relativeError(), 1e-12);
        assertEquals(-1, PoseRegressor.score(truth, new double[] {3, 2, 1, 0, -1}, 0).r(), 1e-12);
        assertTrue(Double.isNaN(PoseRegressor.score(truth, new double[5], 0).r()), "a constant reading has no r");
        double[] tenth = new double[48];
        java.util.Arrays.fill(tenth, 0.1); // its sum's rounding makes the mean differ from 0.1
        double[] many = new double[48];
        for (int i = 0; i < many.length; i++) {
            many[i] = i - 20;
        }
        assertTrue(Double.isNaN(PoseRegressor.score(many, tenth, 0.1).r()), "a constant 0.1 has no r either");
        assertThrows(IllegalArgumentException.class, () -> PoseRegressor.score(truth, new double[4], 0));
    }

    @Test
    void dataWithoutTheTargetIsRefusedClearly() {
        org.stylealign.data.TestData.assumeNode();
        ImageDataset frontal = new DatasetBuilder(DataPaths.locate().withCache(tmp.resolve("cache"))).threads(2)
                .open(BuildSpec.of("avataaars", 16, 8, 5));
        assertFalse(PoseRegressor.varies(frontal, PoseRegressor.ROTATION), "every angle is 0");
        var e = assertThrows(IllegalArgumentException.class, () -> PoseRegressor.train(frontal, frontal.indices(),
                PoseRegressor.ROTATION, 1, 4, 1, null));
        assertTrue(e.getMessage().contains("--rotate") && e.getMessage().contains(frontal.manifest().id()),
                e.getMessage());
        assertThrows(DataException.class, () -> PoseRegressor.truth(frontal, new int[] {0}, "yaw"));
    }

    @Test
    void readingManyImagesKeepsMemoryBounded() throws Exception {
        int held = regressor.heldArrays();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = AttributeClassifier.images(rotated, rotated.indices(), m);
            long before = 0;
            for (int i = 0; i < 60; i++) {
                if (i == 10) {
                    System.gc();
                    before = ResidentMemoryTest.residentKb();
                }
                regressor.predict(x); // 160 images in 3 sub-batches each time
            }
            System.gc();
            long growthMb = (ResidentMemoryTest.residentKb() - before) / 1024;
            // a leaked batch of activations per call would cost > 1 MB each, ~50 MB here
            assertTrue(growthMb < 25, "resident memory grew by " + growthMb + " MB over 8,000 readings");
        }
        assertEquals(held, regressor.heldArrays(), "reading must not leave tensors in the regressor's manager");
    }
}
