package org.stylealign.apps;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;
import org.stylealign.model.Part;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Morphing and layer swapping end where they should: at the end models, exactly. */
class MorphingTest {

    static final GeneratorConfig CFG = new GeneratorConfig(16, 3, 8, 8, 2, 0.01f, Map.of(4, 16, 8, 12, 16, 8));

    static double maxAbs(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void theGridsCornersAreTheEndModelsAtTheEndLatents() {
        try (Generator a = Generator.create(CFG, Device.cpu(), 1); Generator b = Generator.create(CFG, Device.cpu(), 2);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray z1 = a.zFromSeeds(m, 3);
            NDArray z2 = a.zFromSeeds(m, 4);
            double[] t = {0, 0.5, 1};
            NDArray grid = Morphing.grid(a, b, z1, z2, t, t);
            assertEquals(9, grid.getShape().get(0));
            // row = t2 (weights), column = t1 (latent); each row renders its three latents as one batch
            NDArray zs = z1.concat(Morphing.slerp(z1, z2, 0.5), 0).concat(z2, 0);
            NDArray rowA = a.generate(zs, 1f, Noise.constant());
            NDArray rowB = b.generate(zs, 1f, Noise.constant());
            assertEquals(0, maxAbs(grid.get("0:3"), rowA), 0, "t2 = 0 is model A, exactly");
            assertEquals(0, maxAbs(grid.get("6:9"), rowB), 0, "t2 = 1 is model B, exactly");
            assertEquals(0, maxAbs(grid.get("0:1"), a.generate(z1, 1f, Noise.constant())), 1e-5); // batch-size rounding
            // and the middle is neither end
            assertTrue(maxAbs(grid.get("4:5"), rowA.get("1:2")) > 1e-3);
            assertTrue(maxAbs(grid.get("4:5"), rowB.get("1:2")) > 1e-3);
            NDArray diag = Morphing.diagonal(a, b, z1, z2, 5);
            assertEquals(5, diag.getShape().get(0));
            assertEquals(0, maxAbs(diag.get("4:5"), b.generate(z2, 1f, Noise.constant())), 0, "the last frame is B at z2");
            assertEquals(0, maxAbs(diag.get("0:1"), a.generate(z1, 1f, Noise.constant())), 0, "the first is A at z1");
            // the half-way model is the mean of the two models' tensors
            try (Generator h = a.interpolate(b, 0.5)) {
                String k = "synthesis.b8.conv1.weight";
                NDArray mean = a.tensors().get(k).add(b.tensors().get(k)).div(2);
                assertEquals(0, maxAbs(h.tensors().get(k), mean), 1e-6);
            }
            assertThrows(IllegalArgumentException.class, () -> a.interpolate(b, 1.5));
        }
    }

    @Test
    void slerpKeepsTheNormOfUnitVectorsAndHitsItsEnds() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray x = m.create(new float[] {1, 0, 0, 0, 1, 0}, new ai.djl.ndarray.types.Shape(2, 3));
            NDArray y = m.create(new float[] {0, 1, 0, 0, 0, 1}, new ai.djl.ndarray.types.Shape(2, 3));
            NDArray mid = Morphing.slerp(x, y, 0.5);
            float[] n = mid.norm(new int[] {1}).toFloatArray();
            assertEquals(1f, n[0], 1e-6f);
            assertEquals(1f, n[1], 1e-6f);
            assertEquals(0, maxAbs(Morphing.slerp(x, y, 0), x), 0);
            assertEquals(0, maxAbs(Morphing.slerp(x, y, 1), y), 0);
        }
    }

    @Test
    void aSwapBelowTheLowestResolutionIsBAndAboveTheTopIsAsSynthesis() {
        try (Generator a = Generator.create(CFG, Device.cpu(), 1); Generator b = Generator.create(CFG, Device.cpu(), 2);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray z = a.zFromSeeds(m, 5, 6);
            try (Generator s = LayerSwap.swap(a, b, 4)) {
                assertEquals(0, maxAbs(s.generate(z, 1f, Noise.constant()), b.generate(z, 1f, Noise.constant())), 0);
            }
            // every block from A, B's mapping: A's images of B's w
            try (Generator s = LayerSwap.swap(a, b, 32)) {
                NDArray ws = b.broadcast(b.mapping(z));
                assertEquals(0, maxAbs(s.synthesis(ws, Noise.constant()), a.synthesis(ws, Noise.constant())), 0);
            }
            // swapping at 8: the 4x4 block is A's, the rest B's
            try (Generator s = LayerSwap.swap(a, b, 8)) {
                for (var e : s.tensors().entrySet()) {
                    Generator src = e.getKey().startsWith("synthesis.b4.") ? a : b;
                    assertEquals(0, maxAbs(e.getValue(), src.tensors().get(e.getKey())), 0, e.getKey());
                }
            }
            assertThrows(IllegalArgumentException.class, () -> LayerSwap.swap(a, b, 12));
            assertEquals(List.of(Part.parse("block@4")), List.of(new Part(Part.Kind.BLOCK, 4)));
        }
    }
}
