package org.stylealign.apps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.data.EdgeMaps;
import org.stylealign.io.ModelFamily;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleGan2;
import org.stylealign.model.Tensors;
import org.stylealign.viz.Workbench;

class FromEdgesTest {

    @Test
    void edgeMapsOfTensorsAreTheBuildersEdgeMaps() {
        int s = 6;
        byte[] img = new byte[3 * s * s];
        float[] v = new float[img.length];
        for (int i = 0; i < img.length; i++) {
            int x = i % s;
            img[i] = (byte) (x < 3 ? 250 : (i / (s * s)) * 60); // white left, a colour right
            v[i] = (img[i] & 0xff) / 127.5f - 1f;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray e = FromEdges.edgeMaps(Tensors.owned(m, v, new Shape(1, 3, s, s)));
            byte[] want = EdgeMaps.of(img, 3, s);
            float[] got = e.toFloatArray();
            int black = 0;
            for (int i = 0; i < want.length; i++) {
                assertEquals((want[i] & 0xff) / 127.5f - 1f, got[i], 1e-6f);
                black += want[i] == 0 ? 1 : 0;
            }
            assertEquals(3 * 2 * s, black); // columns 2 and 3, every row, every channel
        }
    }

    @Test
    void findsTheEdgeChildAndTranslatesOnAStandIn(@TempDir Path dir) throws Exception {
        Path models = Workbench.home().resolve("models");
        Files.writeString(dir.resolve("family.json"), """
                {"models": [
                  {"name": "P", "role": "parent", "domain": "avataaars", "checkpoint": "%s"},
                  {"name": "C", "parent": "P", "role": "child", "domain": "personas", "checkpoint": "%s"},
                  {"name": "PE", "parent": "P", "role": "child", "domain": "avataaars-edges", "checkpoint": "%s"}]}
                """.formatted(models.resolve("P.safetensors"), models.resolve("C1.safetensors"),
                models.resolve("C1.safetensors")));
        ModelFamily fam = ModelFamily.load(dir.resolve("family.json"));
        assertEquals("PE", FromEdges.edgeChild(fam).orElseThrow().name());
        assertTrue(FromEdges.edgeChild(ModelFamily.load(models.resolve("family.json"))).isEmpty());
        try (NDManager m = NDManager.newBaseManager(); DomainFeatures f = DomainFeatures.bundled().orElseThrow();
             StyleGan2 p = fam.load("P"); StyleGan2 pe = fam.load("PE")) {
            var g = p.generator();
            NDArray truths = g.generate(g.zFromSeeds(m, 1, 2), 1f, Noise.constant());
            NDArray drawings = FromEdges.edgeMaps(truths);
            FromEdges.Result r = FromEdges.translate(pe.generator(), g, drawings, truths, f, 4, 3, 2, 7);
            assertEquals(new Shape(6, 3, 32, 32), r.variants().getShape());
            assertEquals(new Shape(3, 3, 32, 32), r.random().getShape());
            for (double x : new double[] {r.edgeError(), r.edgeErrorRandom(), r.truthDistance(), r.diversity()}) {
                assertTrue(x > 0 && Double.isFinite(x), r.summary());
            }
            assertTrue(r.edgeError() < 1 && r.edgeErrorRandom() < 1, r.summary());
            // the results of one drawing share its rows below n: variants 0..2 agree there, only the fine rows differ
            NDArray again = Translation.multimodal(g, r.inversion().ws().get("0:1"), 4, 3, 7, 1f);
            assertArrayEquals(again.toFloatArray(), r.variants().get("0:3").toFloatArray(), 1e-5f);
            NDArray second = Translation.multimodal(g, r.inversion().ws().get("1:2"), 4, 3, 107, 1f);
            assertArrayEquals(second.toFloatArray(), r.variants().get("3:6").toFloatArray(), 1e-5f);
        }
    }
}
