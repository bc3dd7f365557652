package org.stylealign.analysis;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleCodes;
import org.stylealign.model.StyleStatistics;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Controls (S channels, S directions, W directions) and the searches that find W directions. */
class LatentSearchTest {

    static Generator g;
    static StyleStatistics stats;

    @BeforeAll
    static void create() {
        g = Generator.create(ComponentResetTest.TINY, Device.cpu(), 7);
        stats = StyleStatistics.of(g, 64, 32, 100);
    }

    @AfterAll
    static void close() {
        g.close();
    }

    // ---- linear algebra against answers known by construction ----

    @Test
    void ridgeRecoversAnExactLinearLaw() {
        Random r = new Random(1);
        double[] truth = {2, -1, 0.5, 0};
        double[][] x = new double[200][4];
        double[] y = new double[200];
        for (int i = 0; i < 200; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = r.nextGaussian() + 3; // off-centre: the intercept must absorb it
            }
            y[i] = 7 + truth[0] * x[i][0] + truth[1] * x[i][1] + truth[2] * x[i][2];
        }
        LinearProbe.Fit f = LinearProbe.ridge(x, y, 1e-9);
        assertArrayEquals(truth, f.weights(), 1e-6);
        assertEquals(y[5], f.predict(x[5]), 1e-6);
    }

    @Test
    void logisticFindsTheSeparatingNormal() {
        Random r = new Random(2);
        int n = 600, d = 6;
        double[] normal = {0.6, 0, -0.8, 0, 0, 0};
        double[][] x = new double[n][d];
        boolean[] label = new boolean[n];
        for (int i = 0; i < n; i++) {
            double t = 0;
            for (int j = 0; j < d; j++) {
                x[i][j] = r.nextGaussian();
                t += normal[j] * x[i][j];
            }
            label[i] = t + 0.3 * r.nextGaussian() > 0.2; // noisy labels: the fit stays finite
        }
        LinearProbe.Fit f = LinearProbe.logistic(x, label, 1e-4);
        double dot = 0, norm = 0;
        for (int j = 0; j < d; j++) {
            dot += f.weights()[j] * normal[j];
            norm += f.weights()[j] * f.weights()[j];
        }
        assertTrue(dot / Math.sqrt(norm) > 0.98, "cosine to the true normal " + dot / Math.sqrt(norm));
        assertThrows(IllegalArgumentException.class, () -> LinearProbe.logistic(x, new boolean[n], 0.01));
    }

    @Test
    void pcaFindsTheAxesOfAKnownCovariance() {
        Random r = new Random(3);
        int n = 4000;
        // std 3 along (1, 1)/sqrt 2, std 1 along (1, -1)/sqrt 2, std 0.1 along z
        double[][] x = new double[n][3];
        for (int i = 0; i < n; i++) {
            double a = 3 * r.nextGaussian(), b = r.nextGaussian();
            x[i] = new double[] {(a + b) / Math.sqrt(2), (a - b) / Math.sqrt(2), 0.1 * r.nextGaussian()};
        }
        LinearProbe.Components pc = LinearProbe.pca(x, 3);
        assertEquals(9, pc.variances()[0], 0.5);
        assertEquals(1, pc.variances()[1], 0.1);
        assertEquals(0.01, pc.variances()[2], 0.002);
        assertEquals(1 / Math.sqrt(2), Math.abs(pc.vectors()[0][0]), 0.01);
        assertEquals(1 / Math.sqrt(2), Math.abs(pc.vectors()[0][1]), 0.01);
        assertTrue(pc.vectors()[0][0] * pc.vectors()[0][1] > 0);
        assertEquals(1.0, pc.share(0) + pc.share(1) + pc.share(2), 1e-9);
    }

    // ---- controls ----

    @Test
    void everyControlOfZeroStrengthChangesNothing() {
        float[] d = new float[g.config().wDim()];
        d[3] = 1;
        List<Control> controls = List.of(Control.channel(2, 5),
                new Control.StyleDirection(List.of(Control.channel(1, 0), Control.channel(4, 3)), new double[] {1, -2}),
                new Control.WDirection("x", d, 0.5f));
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray z = g.zFromSeeds(m, 1, 2);
            for (Control c : controls) {
                EditEffect.Edit none = EditEffect.of(g, stats, z, c, 0f, m);
                assertEquals(0f, none.changeMap().max().getFloat(), c.name());
                EditEffect.Edit some = EditEffect.of(g, stats, z, c, 6f, m);
                assertTrue(some.changeMap().max().getFloat() > 1e-4, c.name() + " changes the image");
            }
        }
    }

    @Test
    void aOneChannelDirectionIsTheChannelEditAndWeightsScaleByEachStd() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray ws = g.broadcast(g.mapping(g.zFromSeeds(m, 3, 4)));
            StyleCodes a = Control.channel(2, 5).apply(g, stats, ws, 3f);
            StyleCodes b = new Control.StyleDirection(List.of(Control.channel(2, 5)), new double[] {10})
                    .apply(g, stats, ws, 3f);
            assertEquals(0f, a.get(2).sub(b.get(2)).abs().max().getFloat(), 1e-6f);
            // two channels with weights (3, 4)/5: channel (1, 0) moves by alpha 0.6 std, (4, 3) by alpha 0.8 std
            StyleCodes base = g.styles(ws);
            StyleCodes two = new Control.StyleDirection(List.of(Control.channel(1, 0), Control.channel(4, 3)),
                    new double[] {3, 4}).apply(g, stats, ws, 2f);
            assertEquals(2 * 0.6 * stats.std(1, 0), two.get(1).sub(base.get(1)).get(":, 0").getFloat(0), 1e-5);
            assertEquals(2 * 0.8 * stats.std(4, 3), two.get(4).sub(base.get(4)).get(":, 3").getFloat(1), 1e-5);
            assertEquals(0f, two.get(1).sub(base.get(1)).get(":, 1:").abs().max().getFloat(), 1e-6f);
        }
    }

    @Test
    void aWEditMovesTheChosenRowsByAlphaSteps() {
        int wDim = g.config().wDim();
        float[] d = new float[wDim];
        d[0] = 3;
        d[1] = 4; // normalised to (0.6, 0.8)
        Control.WDirection dir = new Control.WDirection("x", d, 0.5f, 1, 3);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray ws = g.broadcast(g.mapping(g.zFromSeeds(m, 5)));
            NDArray diff = dir.edit(g, ws, 2f).sub(ws);
            assertEquals(0f, diff.get(":, 0, :").abs().max().getFloat(), 1e-6f);
            assertEquals(0.6f, diff.get(0, 1, 0).getFloat(), 1e-6f);
            assertEquals(0.8f, diff.get(0, 2, 1).getFloat(), 1e-6f);
            assertEquals(0f, diff.get(":, 3:, :").abs().max().getFloat(), 1e-6f);
        }
        Control.WDirection random = dir.random(g, new Random(1));
        assertEquals(dir.step(), random.step());
        assertEquals(1.0, random.cosine(random), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new Control.WDirection("zero", new float[wDim], 1f));
        assertThrows(IllegalArgumentException.class, () -> new Control.WDirection("x", d, 0f));
    }

    @Test
    void randomControlsKeepKindLayerAndSize() {
        Random r = new Random(5);
        Control.Channel c = Control.channel(3, 2);
        for (int i = 0; i < 20; i++) {
            Control.Channel o = c.random(g, r);
            assertEquals(3, o.layer());
            assertTrue(o.channel() != 2);
        }
        var dir = new Control.StyleDirection(List.of(Control.channel(1, 0), Control.channel(1, 1),
                Control.channel(4, 3)), new double[] {1, -1, 2});
        var rd = dir.random(g, r);
        assertEquals(List.of(1, 1, 4), rd.channels().stream().map(Control.Channel::layer).toList());
        for (int i = 0; i < 3; i++) {
            assertEquals(Math.abs(dir.weights()[i]), Math.abs(rd.weights()[i]), 1e-12);
        }
        assertThrows(IllegalArgumentException.class,
                () -> new Control.StyleDirection(List.of(c, c), new double[] {1, 1}));
    }

    // ---- searches on a real (tiny, random) generator ----

    /** Mean brightness of each image: a score the W direction must learn to raise. */
    static final Function<NDArray, double[]> BRIGHTNESS = images -> {
        long n = images.getShape().get(0);
        float[] v = images.reshape(n, -1).mean(new int[] {1}).toFloatArray();
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    };

    @Test
    void interFaceGanDirectionRaisesItsScoreMoreThanRandomDirections() {
        LatentSearch.Probe probe = LatentSearch.interFaceGan(g, BRIGHTNESS, false, "brightness", 400, 1000, 100);
        assertEquals("r", probe.metric());
        assertTrue(probe.heldOut() > 0.5, "held-out correlation " + probe.heldOut());
        assertEquals(320, probe.trained());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray z = g.zFromSeeds(m, 1, 2, 3, 4, 5, 6, 7, 8);
            double found = meanChange(probe.direction(), z, m);
            assertTrue(found > 0, "the direction raises brightness: " + found);
            Random r = new Random(9);
            for (int i = 0; i < 5; i++) {
                double random = meanChange(probe.direction().random(g, r), z, m);
                assertTrue(found > Math.abs(random), "found " + found + " vs random " + random);
            }
        }
        // the same through a probability: a binary attribute with a held-out accuracy above chance
        LatentSearch.Probe binary = LatentSearch.interFaceGan(g, images -> {
            double[] b = BRIGHTNESS.apply(images);
            for (int i = 0; i < b.length; i++) {
                b[i] = 1 / (1 + Math.exp(-b[i] / 0.01));
            }
            return b;
        }, true, "bright", 400, 1000, 100);
        assertEquals("accuracy", binary.metric());
        assertTrue(binary.heldOut() > binary.chance(), binary.heldOut() + " vs chance " + binary.chance());
        assertTrue(binary.direction().cosine(probe.direction()) > 0.5,
                "both find the same direction: cosine " + binary.direction().cosine(probe.direction()));
    }

    private double meanChange(Control c, NDArray z, NDManager m) {
        EditEffect.Edit e = EditEffect.of(g, stats, z, c, 2f, m);
        double[] before = BRIGHTNESS.apply(e.before()), after = BRIGHTNESS.apply(e.after());
        double s = 0;
        for (int i = 0; i < before.length; i++) {
            s += after[i] - before[i];
        }
        return s / before.length;
    }

    @Test
    void principalComponentsAreOrthonormalAndOrderedByVariance() {
        List<LatentSearch.Component> pcs = LatentSearch.principalComponents(g, 300, 1, 100, 4);
        assertEquals(4, pcs.size());
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(i == j ? 1 : 0, pcs.get(i).direction().cosine(pcs.get(j).direction()), 1e-4);
            }
            if (i > 0) {
                assertTrue(pcs.get(i).varianceShare() <= pcs.get(i - 1).varianceShare());
                assertTrue(pcs.get(i).direction().step() <= pcs.get(i - 1).direction().step());
            }
        }
        double total = pcs.stream().mapToDouble(LatentSearch.Component::varianceShare).sum();
        assertTrue(total > 0 && total <= 1 + 1e-9, "variance shares sum to " + total);
        // the step is the std of w along the component, measured independently here
        LatentSearch.Component first = pcs.get(0);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            long[] seeds = new long[300];
            for (int i = 0; i < 300; i++) {
                seeds[i] = 1 + i;
            }
            float[] w = g.mapping(g.zFromSeeds(m, seeds)).toFloatArray();
            int dim = g.config().wDim();
            double sum = 0, sq = 0;
            for (int i = 0; i < 300; i++) {
                double p = 0;
                for (int k = 0; k < dim; k++) {
                    p += w[i * dim + k] * first.direction().direction()[k];
                }
                sum += p;
                sq += p * p;
            }
            double sd = Math.sqrt((sq - sum * sum / 300) / 299);
            assertEquals(sd, first.direction().step(), 1e-3 * sd);
        }
    }
}
