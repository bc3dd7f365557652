package org.stylealign.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The latent spaces and options on small random networks (8-16 px, few channels). */
class LatentSpacesTest {

    static final GeneratorConfig GREY8 = new GeneratorConfig(8, 1, 16, 24, 2, 0.01f, Map.of(4, 16, 8, 8));
    static final GeneratorConfig RGB16 = new GeneratorConfig(16, 3, 16, 16, 3, 0.01f,
            GeneratorConfig.channelsFromBase(16, 256, 32));

    static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void greyEightPixelGeneratorAndDiscriminatorRun() {
        try (Generator g = Generator.create(GREY8, Device.cpu(), 3);
             Discriminator d = Discriminator.create(new DiscriminatorConfig(8, 1, Map.of(4, 16, 8, 8), 4, 1),
                     Device.cpu(), 4);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray img = g.generate(g.zFromSeeds(m, 1, 2, 3, 4), 1f, Noise.random());
            assertEquals(new Shape(4, 1, 8, 8), img.getShape());
            assertEquals(new Shape(4, 1), d.forward(img).getShape());
            assertEquals(GREY8.numWs(), 4);
            assertEquals(5, g.styleLayers().size());
        }
    }

    @Test
    void truncationAndCutoff() {
        try (Generator g = Generator.create(RGB16, Device.cpu(), 5); NDManager m = NDManager.newBaseManager()) {
            NDArray ws = g.broadcast(g.mapping(g.zFromSeeds(m, 7, 8)));
            assertEquals(0f, maxDiff(ws, g.truncate(ws, 1f)));
            NDArray avg = g.wAvg(m).reshape(1, 1, RGB16.wDim()).broadcast(ws.getShape());
            assertTrue(maxDiff(avg, g.truncate(ws, 0f)) < 1e-6f);
            NDArray cut = g.truncate(ws, 0f, 2);
            assertTrue(maxDiff(avg.get(":, :2, :"), cut.get(":, :2, :")) < 1e-6f);
            assertEquals(0f, maxDiff(ws.get(":, 2:, :"), cut.get(":, 2:, :")));
            assertThrows(IllegalArgumentException.class, () -> g.truncate(ws, 0.5f, 99));
        }
    }

    @Test
    void zPlusWithEqualRowsEqualsZ() {
        try (Generator g = Generator.create(RGB16, Device.cpu(), 6); NDManager m = NDManager.newBaseManager()) {
            NDArray z = g.zFromSeeds(m, 11);
            NDArray zPlus = z.reshape(1, 1, RGB16.zDim()).repeat(1, g.numWs());
            assertTrue(maxDiff(g.broadcast(g.mapping(z)), g.mappingPlus(zPlus)) < 1e-6f);
            NDArray independent = g.mappingPlus(g.zPlusFromSeeds(m, 11));
            assertEquals(new Shape(1, g.numWs(), RGB16.wDim()), independent.getShape());
            assertTrue(maxDiff(independent.get(":, 0, :"), independent.get(":, 1, :")) > 1e-3f);
        }
    }

    @Test
    void givenNoiseMapsAndPerLayerModes() {
        try (Generator g = Generator.create(RGB16, Device.cpu(), 7); NDManager m = NDManager.newBaseManager()) {
            // Fresh networks have zero noise strength; give them some so noise matters.
            for (Map.Entry<String, NDArray> e : g.tensors().entrySet()) {
                if (e.getKey().endsWith("noise_strength")) {
                    e.getValue().set(new float[] {0.5f});
                }
            }
            NDArray ws = g.broadcast(g.mapping(g.zFromSeeds(m, 1)));
            List<NDArray> zeros = new ArrayList<>();
            List<NDArray> stored = new ArrayList<>();
            for (StyleLayer l : g.styleLayers()) {
                if (!l.isToRgb()) {
                    zeros.add(m.zeros(new Shape(1, 1, l.resolution(), l.resolution())));
                    stored.add(g.tensors().get("synthesis." + l.name() + ".noise_const")
                            .reshape(1, 1, l.resolution(), l.resolution()));
                }
            }
            NDArray none = g.synthesis(ws, Noise.none());
            assertTrue(maxDiff(none, g.synthesis(ws, Noise.maps(zeros))) < 1e-6f);
            assertTrue(maxDiff(g.synthesis(ws, Noise.constant()), g.synthesis(ws, Noise.maps(stored))) < 1e-6f);
            assertTrue(maxDiff(none, g.synthesis(ws, Noise.constant())) > 1e-3f);
            NDArray coarseOnly = g.synthesis(ws, Noise.none().whereResolutionAtMost(8, Noise.Mode.CONST));
            assertTrue(maxDiff(none, coarseOnly) > 1e-4f);
            assertTrue(maxDiff(g.synthesis(ws, Noise.constant()), coarseOnly) > 1e-4f);
        }
    }

    @Test
    void styleSpaceEditsAndStatistics() {
        try (Generator g = Generator.create(RGB16, Device.cpu(), 8); NDManager m = NDManager.newBaseManager()) {
            NDArray ws = g.broadcast(g.mapping(g.zFromSeeds(m, 1, 2)));
            StyleCodes s = g.styles(ws);
            StyleCodes edited = s.editChannel("3_5", 2.5f);
            NDArray delta = edited.get(3).sub(s.get(3));
            assertEquals(2.5f, delta.get(":, 5").min().getFloat(), 1e-5f);
            assertEquals(0f, delta.abs().sum().getFloat() - 2 * 2.5f, 1e-4f);
            assertTrue(maxDiff(g.synthesis(s, Noise.constant()), g.synthesis(edited, Noise.constant())) > 1e-4f);
            assertThrows(IllegalArgumentException.class, () -> s.editChannel("3_999", 1f));
            assertThrows(IllegalArgumentException.class, () -> s.editChannel("three", 1f));

            StyleStatistics stats = StyleStatistics.of(g, 64, 16, 0);
            assertEquals(g.styleLayers().size(), stats.mean().length);
            // Reference: numpy-style std over the same 64 samples computed directly.
            StyleCodes all = g.styles(g.broadcast(g.mapping(g.zFromSeeds(m, seeds(64)))));
            NDArray v = all.get(4);
            NDArray mu = v.mean(new int[] {0});
            float std0 = v.sub(mu).square().sum(new int[] {0}).div(63f).sqrt().getFloat(0);
            assertEquals(std0, stats.std(4, 0), 1e-4f);
            assertEquals(mu.getFloat(0), stats.mean(4, 0), 1e-4f);
        }
    }

    private static long[] seeds(int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = i;
        }
        return s;
    }

    @Test
    void configValidation() {
        assertThrows(IllegalArgumentException.class, () -> new GeneratorConfig(48, 3, 8, 8, 1, 0.01f, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new GeneratorConfig(8, 2, 8, 8, 1, 0.01f,
                Map.of(4, 8, 8, 8)));
        assertThrows(IllegalArgumentException.class, () -> new GeneratorConfig(16, 3, 8, 8, 1, 0.01f,
                Map.of(4, 8, 8, 8)));
        assertEquals(Map.of(4, 512, 8, 512, 16, 512, 32, 512, 64, 256),
                GeneratorConfig.channelsFromBase(64, 16384, 512));
    }

    @Test
    void wrongShapesAreNamed() {
        try (Generator g = Generator.create(RGB16, Device.cpu(), 9); NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.mapping(m.zeros(new Shape(2, 3))));
            assertTrue(e.getMessage().contains("z must have shape [N, 16]"), e.getMessage());
        }
    }
}
