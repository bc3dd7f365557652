package org.stylealign.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.stylealign.model.Convolution;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training on an engine that is wrong for the small convolutions (simulated; see
 * {@link Convolution#simulateWrongEngine}): the run-time check moves them to im2col, backward included, and the R1
 * gradients (double backward through every convolution) equal those of the unmodified engine.
 */
class ConvolutionWorkaroundTrainingTest {

    @AfterEach
    void restore() {
        Convolution.simulateWrongEngine(null);
        Convolution.reset();
    }

    /** D's R1 gradients on a fixed batch; with {@code alsoStep}, two full training steps must then stay finite. */
    private static Map<String, float[]> r1Gradients(boolean alsoStep) {
        try (Trainer t = TinySetup.trainer(TinySetup.config());
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = TinySetup.feed(16, 3).images(m, 0, 4);
            t.adamD().zeroGrad();
            double p = t.r1(x, 1f);
            assertTrue(p > 0 && Double.isFinite(p), "penalty " + p);
            Map<String, float[]> g = new TreeMap<>();
            t.discriminator().tensors().forEach((k, v) -> {
                if (v.hasGradient()) {
                    g.put(k, v.getGradient().toFloatArray());
                }
            });
            if (alsoStep) { // a correct or guarded engine gives finite gradients
                g.forEach((k, v) -> {
                    for (float f : v) {
                        assertTrue(Float.isFinite(f), k + ": non-finite R1 gradient");
                    }
                });
            }
            t.adamD().zeroGrad();
            for (int i = 0; alsoStep && i < 2; i++) {
                StepStats s = t.step(TinySetup.feed(16, 3));
                assertTrue(s.finite(), s.toString());
            }
            return g;
        }
    }

    @Test
    void r1GradientsAndStepsAreTheSameOnTheWorkaroundPath() {
        Convolution.reset();
        Map<String, float[]> engine = r1Gradients(true);
        Convolution.reset();
        Convolution.simulateWrongEngine(s -> s.batched() && s.groups() == 1 && s.kh() > 1 && s.height() <= 8);
        Map<String, float[]> workaround = r1Gradients(true);
        assertFalse(Convolution.decisions().stream().filter(d -> d.route() == Convolution.Route.IM2COL).toList()
                .isEmpty(), "some classes should have moved to im2col: " + Convolution.decisions());
        assertTrue(Convolution.decisions().stream().anyMatch(Convolution.Decision::backwardChecked));
        assertEquals(engine.keySet(), workaround.keySet());
        // and the simulated fault does spoil the gradients of an unguarded engine
        Convolution.force(Convolution.Route.NATIVE);
        try {
            // (training on the spoiled engine may also diverge outright: only the gradients are compared)
            Map<String, float[]> unguarded = r1Gradients(false);
            double worst = 0; // max |difference| / the tensor's largest gradient, over D's tensors
            for (String k : engine.keySet()) {
                float[] a = engine.get(k), u = unguarded.get(k);
                double scale = 1e-9, diff = 0;
                for (int i = 0; i < a.length; i++) {
                    scale = Math.max(scale, Math.abs(a[i]));
                    diff = Math.max(diff, Math.abs(a[i] - u[i]));
                }
                worst = Math.max(worst, diff / scale);
            }
            // spoiled either way: wrong values, or (since the inference path frees and reuses buffers) not finite
            assertTrue(Double.isNaN(worst) || worst > 1e-2,
                    "the simulated fault should change R1 gradients, relative " + worst);
        } finally {
            Convolution.force(null);
        }
        for (String k : engine.keySet()) {
            float[] a = engine.get(k), b = workaround.get(k);
            double scale = 1e-9;
            for (float v : a) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-4 * scale + 1e-7, k + "[" + i + "]: R1 gradient, engine vs workaround");
            }
        }
    }
}
