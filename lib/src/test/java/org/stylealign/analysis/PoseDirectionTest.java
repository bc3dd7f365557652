package org.stylealign.analysis;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.data.ImageDataset;
import org.stylealign.metrics.PoseRegressor;
import org.stylealign.metrics.PoseRegressorTest;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleStatistics;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pose W direction: the ridge direction of a real rotation regressor's reading over W. On a tiny random
 * generator the reading is whatever the regressor makes of its images; the direction must still predict it on
 * held-out latents and raise it more than random directions of the same step do.
 */
class PoseDirectionTest {

    @Test
    void thePoseDirectionPredictsAndRaisesTheAngleRead(@TempDir Path tmp) {
        ImageDataset rotated = PoseRegressorTest.rotatedSet(tmp.resolve("cache"));
        try (PoseRegressor reg = PoseRegressor.train(rotated, rotated.indices(), PoseRegressor.ROTATION, 150, 32, 2,
                null); Generator g = Generator.create(ComponentResetTest.TINY, Device.cpu(), 11)) {
            LatentSearch.Probe probe = LatentSearch.pose(g, reg, 300, 1000, 100);
            assertEquals("W:rotation", probe.direction().name());
            assertEquals("r", probe.metric());
            assertEquals(240, probe.trained());
            assertTrue(probe.heldOut() > 0.3, "held-out r of the linear reading " + probe.heldOut());
            StyleStatistics stats = StyleStatistics.of(g, 64, 32, 100);
            try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
                NDArray z = g.zFromSeeds(m, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
                double found = change(g, stats, reg, probe.direction(), z, m);
                assertTrue(found > 0, "the direction turns the reading up: " + found);
                Random r = new Random(4);
                for (int i = 0; i < 5; i++) {
                    double random = change(g, stats, reg, probe.direction().random(g, r), z, m);
                    assertTrue(found > Math.abs(random), "found " + found + " vs random " + random);
                }
            }
        }
    }

    /** Mean change of the angle read after an edit of 2 steps. */
    private static double change(Generator g, StyleStatistics stats, PoseRegressor reg, Control c, NDArray z,
                                 NDManager m) {
        EditEffect.Edit e = EditEffect.of(g, stats, z, c, 2f, m);
        double[] before = reg.predict(e.before()), after = reg.predict(e.after());
        double s = 0;
        for (int i = 0; i < before.length; i++) {
            s += after[i] - before[i];
        }
        return s / before.length;
    }
}
