package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.metrics.Attribute;
import org.stylealign.metrics.AttributeClassifier;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleCodes;
import org.stylealign.model.StyleLayer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds StyleSpace channels that control an attribute, as the StyleSpace method does with a classifier's labels:
 * render N samples, read the attribute on each, and score every channel by how its style value separates the
 * samples. For a binary attribute: (mean over positives - mean over negatives) / std over all samples, positives
 * being the images read as positive (p >= 0.5; the top and bottom quarter when either side has fewer than 10). For a
 * luminance attribute: the correlation of the style value with the luminance read. The sign says which way to edit.
 */
public final class ChannelSearch {

    /** A channel and its effect size; {@code name} in the paper's "layer_channel" form. */
    public record Channel(int layer, int channel, String name, double effect) {
        /** This channel as a control to apply in any model of the architecture. */
        public Control.Channel control() {
            return Control.channel(layer, channel);
        }
    }

    /**
     * A multi-channel S direction from the {@code k} strongest channels of a ranking: each weighted by its effect
     * (sign included), so that the edit raises the attribute along every channel at once.
     */
    public static Control.StyleDirection direction(List<Channel> ranked, int k) {
        if (k < 1 || k > ranked.size()) {
            throw new IllegalArgumentException("k must be in 1.." + ranked.size() + ", got " + k);
        }
        List<Control.Channel> cs = new ArrayList<>();
        double[] w = new double[k];
        for (int i = 0; i < k; i++) {
            cs.add(ranked.get(i).control());
            w[i] = ranked.get(i).effect();
        }
        return new Control.StyleDirection(cs, w);
    }

    private ChannelSearch() {
    }

    /**
     * Every channel of every style layer of {@code g}, strongest first.
     *
     * @param samples   latents from seeds firstSeed .. firstSeed + samples - 1, psi = 1, stored noise
     * @param attribute a binary or luminance attribute of {@code reader}
     */
    public static List<Channel> rank(Generator g, AttributeClassifier reader, String attribute, int samples,
                                     long firstSeed, int batch) {
        Attribute a = reader.attribute(attribute);
        if (a.kind() == Attribute.Kind.CATEGORICAL) {
            throw new IllegalArgumentException("channel search needs a binary or luminance attribute; '" + attribute
                    + "' is categorical");
        }
        if (samples < 20) {
            throw new IllegalArgumentException("channel search needs at least 20 samples, got " + samples);
        }
        List<StyleLayer> layers = g.styleLayers();
        float[][][] s = new float[layers.size()][][]; // [layer][sample][channel]
        for (StyleLayer l : layers) {
            s[l.index()] = new float[samples][];
        }
        double[] y = new double[samples];
        for (int done = 0; done < samples; done += batch) {
            int n = Math.min(batch, samples - done);
            long[] seeds = Generator.seedRange(firstSeed + done, n);
            try (NDManager m = g.manager().newSubManager()) {
                StyleCodes codes = g.styles(g.broadcast(g.mapping(g.zFromSeeds(m, seeds))));
                double[] read = reader.score(g.synthesis(codes, Noise.constant()), attribute);
                System.arraycopy(read, 0, y, done, n);
                for (StyleLayer l : layers) {
                    float[] v = codes.get(l.index()).toFloatArray();
                    int c = l.channels();
                    for (int i = 0; i < n; i++) {
                        s[l.index()][done + i] = java.util.Arrays.copyOfRange(v, i * c, (i + 1) * c);
                    }
                }
            }
        }
        boolean[] pos = null, neg = null;
        if (a.kind() == Attribute.Kind.BINARY) {
            pos = new boolean[samples];
            neg = new boolean[samples];
            int np = 0;
            for (int i = 0; i < samples; i++) {
                pos[i] = y[i] >= 0.5;
                neg[i] = !pos[i];
                np += pos[i] ? 1 : 0;
            }
            if (np < 10 || samples - np < 10) { // too few on one side: the top and bottom quarter of p
                double[] sorted = y.clone();
                java.util.Arrays.sort(sorted);
                double lo = sorted[samples / 4], hi = sorted[samples - 1 - samples / 4];
                for (int i = 0; i < samples; i++) {
                    pos[i] = y[i] >= hi;
                    neg[i] = y[i] <= lo;
                }
            }
        }
        List<Channel> out = new ArrayList<>();
        for (StyleLayer l : layers) {
            for (int c = 0; c < l.channels(); c++) {
                double[] v = new double[samples];
                for (int i = 0; i < samples; i++) {
                    v[i] = s[l.index()][i][c];
                }
                double e = pos == null ? correlation(v, y) : separation(v, pos, neg);
                out.add(new Channel(l.index(), c, l.index() + "_" + c, Double.isNaN(e) ? 0 : e));
            }
        }
        out.sort(Comparator.comparingDouble((Channel ch) -> -Math.abs(ch.effect())));
        return out;
    }

    static double separation(double[] v, boolean[] pos, boolean[] neg) {
        double sp = 0, sn = 0, sum = 0, sq = 0;
        int np = 0, nn = 0;
        for (int i = 0; i < v.length; i++) {
            sum += v[i];
            sq += v[i] * v[i];
            if (pos[i]) {
                sp += v[i];
                np++;
            } else if (neg[i]) {
                sn += v[i];
                nn++;
            }
        }
        double mean = sum / v.length;
        double sd = Math.sqrt(Math.max(0, sq / v.length - mean * mean));
        return np == 0 || nn == 0 || sd == 0 ? Double.NaN : (sp / np - sn / nn) / sd;
    }

    /** Pearson correlation of two samples; NaN when either is constant. */
    public static double correlation(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }
}
