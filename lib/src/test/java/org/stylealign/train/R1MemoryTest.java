package org.stylealign.train;

import org.stylealign.model.ResidentMemoryTest;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Second-order gradients must not leak native memory: resident memory stays flat over many R1 and path-length
 * steps.
 */
class R1MemoryTest {

    @Test
    void residentMemoryStaysFlatOverFortyR1Steps() throws Exception {
        try (Trainer t = TinySetup.trainer(TinySetup.config());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = TinySetup.feed(16, 3).images(m, 0, 4);
            long before = 0;
            int steps = 50;
            StringBuilder trace = new StringBuilder();
            for (int i = 0; i < steps; i++) {
                if (i == 10) {
                    System.gc();
                    before = ResidentMemoryTest.residentKb(); // after warm-up
                }
                t.r1(x, 1f);
                t.adamD().step();
                if (i % 10 == 9) {
                    trace.append(ResidentMemoryTest.residentKb() / 1024).append(' ');
                }
            }
            System.gc();
            long growthMb = (ResidentMemoryTest.residentKb() - before) / 1024;
            System.out.println("R1 resident memory (MB, every 10 steps): " + trace + "; growth over 40 steps "
                    + growthMb + " MB");
            assertTrue(growthMb < 15, "resident memory grew by " + growthMb + " MB over 40 R1 steps: " + trace);
        }
    }

    @Test
    void residentMemoryStaysFlatOverFortyPathLengthSteps() throws Exception {
        try (Trainer t = TinySetup.trainer(TinySetup.config().withPathLength(2f, 1))) {
            long before = 0;
            StringBuilder trace = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                if (i == 10) {
                    System.gc();
                    before = ResidentMemoryTest.residentKb();
                }
                t.pathLength(1f);
                t.adamG().step();
                if (i % 10 == 9) {
                    trace.append(ResidentMemoryTest.residentKb() / 1024).append(' ');
                }
            }
            System.gc();
            long growthMb = (ResidentMemoryTest.residentKb() - before) / 1024;
            System.out.println("path-length resident memory (MB, every 10 steps): " + trace + "; growth over 40 "
                    + "steps " + growthMb + " MB");
            assertTrue(growthMb < 15, "resident memory grew by " + growthMb + " MB over 40 path-length steps: "
                    + trace);
        }
    }
}
