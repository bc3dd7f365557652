package org.stylealign.analysis;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;
import org.stylealign.model.NumpyRandom;
import org.stylealign.viz.ImageGrid;

import java.awt.image.BufferedImage;
import java.util.Collections;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatentStatisticsTest {

    @Test
    void aStandardNormalSampleLooksStandardNormal() {
        int n = 4000, d = 16;
        float[] x = new NumpyRandom(1).randn(n * d);
        LatentStatistics s = LatentStatistics.of(x, d);
        assertEquals(1, s.meanStd(), 0.03);
        assertEquals(0, s.skewness(), 0.05);
        assertEquals(0, s.excessKurtosis(), 0.1);
        assertTrue(s.meanAbsCorrelation() < 0.03, "correlation " + s.meanAbsCorrelation());
        assertEquals(Math.sqrt(d), s.meanDistanceToCentre(), 0.1);
        // a shared factor: correlated coordinates; an exponential: skewed, heavy-tailed
        float[] y = x.clone();
        float[] e = new float[x.length];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                y[i * d + k] += 2 * x[i * d];
                e[i * d + k] = (float) -Math.log(1 - 0.999 * Math.abs(Math.tanh(x[i * d + k])));
            }
        }
        assertTrue(LatentStatistics.of(y, d).meanAbsCorrelation() > 0.5);
        LatentStatistics es = LatentStatistics.of(e, d);
        assertTrue(es.skewness() > 0.5 && es.excessKurtosis() > 0.5, es.toString());
        double[] z = LatentStatistics.standardised(y, d);
        double m = 0, v = 0;
        for (int i = 0; i < n; i++) {
            m += z[i * d + 3] / n;
            v += z[i * d + 3] * z[i * d + 3] / n;
        }
        assertEquals(0, m, 1e-6);
        assertEquals(1, v, 1e-6);
        assertEquals(x[5 * d + 2], LatentStatistics.coordinate(x, d, 2)[5], 0);
        assertThrows(IllegalArgumentException.class, () -> LatentStatistics.of(new float[5], 2));
    }

    @Test
    void styleMixingTakesTheRowsItSays() {
        GeneratorConfig c = new GeneratorConfig(16, 3, 8, 8, 2, 0.01f, Map.of(4, 8, 8, 8, 16, 8));
        try (Generator g = Generator.create(c, Device.cpu(), 1); NDManager m = NDManager.newBaseManager()) {
            int cross = StyleMixing.crossoverAt(g, 8);
            assertEquals(1, cross); // 4x4 conv1 reads row 0; the 8 px block's conv0 reads row 1 (with 4x4's toRGB)
            long[] a = {1, 2}, b = {3, 4, 5};
            StyleMixing mix = StyleMixing.of(g, m, a, b, cross, true, 1f);
            assertEquals(6, mix.mixed().getShape().get(0));
            // (1, 2): A_1 with B_2's coarse rows
            var wsA = g.broadcast(g.mapping(g.zFromSeeds(m, 2)));
            var wsB = g.broadcast(g.mapping(g.zFromSeeds(m, 5)));
            var expect = g.synthesis(g.mix(wsB, wsA, cross), Noise.constant());
            assertEquals(0, mix.mixed().get("5:6").sub(expect).abs().max().getFloat(), 1e-5);
            // crossover 0 with coarse from B: every row from A
            StyleMixing none = StyleMixing.of(g, m, a, b, 0, true, 1f);
            assertEquals(0, none.mixed().get("0:1").sub(none.a().get("0:1")).abs().max().getFloat(), 1e-5);
        }
        BufferedImage one = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        var grid = ImageGrid.crossTable(Collections.nCopies(2, one), Collections.nCopies(3, one),
                Collections.nCopies(6, one)).cellSize(4).render();
        assertTrue(grid.getWidth() >= 4 * 4 && grid.getHeight() >= 3 * 4, grid.getWidth() + "x" + grid.getHeight());
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.crossTable(Collections.nCopies(2, one),
                Collections.nCopies(3, one), Collections.nCopies(5, one)));
    }
}
