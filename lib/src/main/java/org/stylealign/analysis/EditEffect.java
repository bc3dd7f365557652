package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.metrics.AttributeClassifier;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleStatistics;

import java.util.function.UnaryOperator;

/**
 * What one StyleSpace channel edit does in a model, for comparing aligned models: the same latents, the channel
 * moved by alpha times its standard deviation in that model (the StyleSpace convention), rendered with the stored
 * noise before and after.
 *
 * <ul>
 *   <li><b>attribute response</b>: mean over images of (attribute read after - before), by an attribute
 *       classifier of the model's domain;</li>
 *   <li><b>change-map agreement</b> of two models: per image, the Pearson correlation over pixels of the two
 *       change maps |after - before| (averaged over colour channels), optionally after a known transform of the
 *       first map (a shift or flip between the models' domains); averaged over images.</li>
 * </ul>
 */
public final class EditEffect {

    /** Images before and after one edit, [N, C, H, W] in [-1, 1], owned by the manager given to {@link #of}. */
    public record Edit(NDArray before, NDArray after) {
        /** Per image: the mean over colour channels of |after - before|, [N, H, W]. */
        public NDArray changeMap() {
            return after.sub(before).abs().mean(new int[] {1});
        }
    }

    private EditEffect() {
    }

    /**
     * Renders {@code z} [N, zDim] in {@code g}, before and after adding alpha x std(channel) to the channel (std over
     * {@code stats}, the model's own style statistics).
     */
    public static Edit of(Generator g, StyleStatistics stats, NDArray z, int layer, int channel, float alpha,
                          NDManager m) {
        return of(g, stats, z, Control.channel(layer, channel), alpha, m);
    }

    /**
     * Renders {@code z} [N, zDim] in {@code g} before and after {@code control} of strength alpha (see
     * {@link Control} for its units; {@code stats} are g's own style statistics, unused by W directions).
     */
    public static Edit of(Generator g, StyleStatistics stats, NDArray z, Control control, float alpha, NDManager m) {
        NDArray zz = z.duplicate();
        zz.attach(m);
        NDArray ws = g.broadcast(g.mapping(zz));
        NDArray before = g.synthesis(g.styles(ws), Noise.constant());
        NDArray after = g.synthesis(control.apply(g, stats, ws, alpha), Noise.constant());
        return new Edit(before, after);
    }

    /** The mean change of an attribute over images, with its standard error (sd / sqrt(n)). */
    public record Response(double mean, double standardError, int n) {
        /** Whether the mean differs from 0 by more than two standard errors. */
        public boolean nonZero() {
            return Math.abs(mean) > 2 * standardError;
        }
    }

    /** Mean of (attribute after - attribute before) over the edit's images. */
    public static double attributeResponse(Edit e, AttributeClassifier reader, String attribute) {
        return response(e, reader, attribute).mean();
    }

    /** The attribute's change per image, summarised as mean and standard error. */
    public static Response response(Edit e, AttributeClassifier reader, String attribute) {
        double[] a = reader.score(e.before(), attribute), b = reader.score(e.after(), attribute);
        int n = a.length;
        double sum = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            double d = b[i] - a[i];
            sum += d;
            sq += d * d;
        }
        double mean = sum / n;
        double var = n > 1 ? Math.max(0, (sq - n * mean * mean) / (n - 1)) : 0;
        return new Response(mean, Math.sqrt(var / n), n);
    }

    /**
     * Mean over images of the correlation between the change maps of {@code a} (transformed by {@code transformA},
     * which takes and returns [N, H, W]; null for none) and {@code b}. Images whose map is constant count as 0.
     */
    public static double changeMapAgreement(Edit a, Edit b, UnaryOperator<NDArray> transformA) {
        NDArray ma = a.changeMap();
        if (transformA != null) {
            ma = transformA.apply(ma);
        }
        NDArray mb = b.changeMap();
        if (!ma.getShape().equals(mb.getShape())) {
            throw new IllegalArgumentException("change maps differ in shape: " + ma.getShape() + " vs "
                    + mb.getShape());
        }
        int n = (int) ma.getShape().get(0);
        int px = (int) (ma.getShape().size() / n);
        float[] x = ma.toFloatArray(), y = mb.toFloatArray();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] u = new double[px], v = new double[px];
            for (int k = 0; k < px; k++) {
                u[k] = x[i * px + k];
                v[k] = y[i * px + k];
            }
            double r = ChannelSearch.correlation(u, v);
            sum += Double.isNaN(r) ? 0 : r;
        }
        return sum / n;
    }

    /**
     * A transform of change maps [N, H, W] to {@code size} x {@code size} by average pooling (H a multiple of size):
     * compares a parent's edit with the same edit in a lower-resolution child (the paper's resolution transfer).
     */
    public static UnaryOperator<NDArray> downsampled(int size) {
        return map -> ImageDistance.poolTo(map, size, size);
    }
}
