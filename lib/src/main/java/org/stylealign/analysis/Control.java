package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleCodes;
import org.stylealign.model.StyleLayer;
import org.stylealign.model.StyleStatistics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Something that edits an image: one StyleSpace channel, a direction over several S channels, or a direction in W.
 * A control is found in one model and applied, unchanged, in another of the same architecture (the point of
 * alignment). Its strength alpha is in standard deviations:
 * <ul>
 *   <li>S channels: alpha x the channel's std <em>in the model it is applied in</em> (the StyleSpace convention,
 *       so that a channel with a different scale in the child is moved comparably);</li>
 *   <li>W directions: alpha x {@code step}, a fixed length in W measured where the direction was found (the std of
 *       w . d over samples), so that a random direction of the same step has equal norm.</li>
 * </ul>
 */
public sealed interface Control permits Control.Channel, Control.StyleDirection, Control.WDirection {

    /** A short name for tables, e.g. "6_501", "S(6_501,8_12,...)", "W:glasses". */
    String name();

    /**
     * The style codes of {@code ws} [N, numWs, wDim] after the edit of strength {@code alpha} in {@code g}.
     * {@code stats} are g's own style statistics (unused by W directions, may be null for them).
     */
    StyleCodes apply(Generator g, StyleStatistics stats, NDArray ws, float alpha);

    /** A control of the same kind and size chosen at random (a random channel of the same layer, ...). */
    Control random(Generator g, Random rng);

    static Channel channel(int layer, int channel) {
        return new Channel(layer, channel);
    }

    /** One S channel, in StyleSpace order ({@code layer_channel}). */
    record Channel(int layer, int channel) implements Control {
        @Override
        public String name() {
            return layer + "_" + channel;
        }

        @Override
        public StyleCodes apply(Generator g, StyleStatistics stats, NDArray ws, float alpha) {
            requireStats(stats, this);
            return g.styles(ws).editChannel(layer, channel, alpha * stats.std(layer, channel));
        }

        /** Another channel of the same layer. */
        @Override
        public Channel random(Generator g, Random rng) {
            int c = g.styleLayers().get(layer).channels();
            if (c < 2) {
                throw new IllegalArgumentException("layer " + layer + " has one channel: no other to pick");
            }
            return new Channel(layer, (channel + 1 + rng.nextInt(c - 1)) % c);
        }
    }

    /**
     * Several S channels moved together: entry i by alpha x weight[i] x std(channel i); the weights have unit L2 norm
     * (normalised on construction), so a single-entry direction is the single-channel edit.
     */
    record StyleDirection(List<Channel> channels, double[] weights) implements Control {
        public StyleDirection {
            if (channels.isEmpty() || channels.size() != weights.length) {
                throw new IllegalArgumentException("an S direction needs one weight per channel, got "
                        + channels.size() + " channels and " + weights.length + " weights");
            }
            if (new HashSet<>(channels).size() != channels.size()) {
                throw new IllegalArgumentException("an S direction lists a channel twice: " + channels);
            }
            double norm = 0;
            for (double w : weights) {
                norm += w * w;
            }
            if (!(norm > 0) || Double.isInfinite(norm)) {
                throw new IllegalArgumentException("an S direction needs finite weights, not all zero");
            }
            weights = weights.clone();
            for (int i = 0; i < weights.length; i++) {
                weights[i] /= Math.sqrt(norm);
            }
            channels = List.copyOf(channels);
        }

        @Override
        public String name() {
            StringBuilder b = new StringBuilder("S(");
            for (int i = 0; i < channels.size(); i++) {
                b.append(i == 0 ? "" : ",").append(weights[i] < 0 ? "-" : "").append(channels.get(i).name());
            }
            return b.append(')').toString();
        }

        @Override
        public StyleCodes apply(Generator g, StyleStatistics stats, NDArray ws, float alpha) {
            requireStats(stats, this);
            StyleCodes s = g.styles(ws);
            List<StyleLayer> layers = g.styleLayers();
            float[][] delta = new float[layers.size()][];
            for (int i = 0; i < channels.size(); i++) {
                Channel c = channels.get(i);
                if (c.layer() < 0 || c.layer() >= layers.size() || c.channel() < 0
                        || c.channel() >= layers.get(c.layer()).channels()) {
                    throw new IllegalArgumentException("no channel " + c.name() + " in this generator");
                }
                if (delta[c.layer()] == null) {
                    delta[c.layer()] = new float[layers.get(c.layer()).channels()];
                }
                delta[c.layer()][c.channel()] += (float) (alpha * weights[i] * stats.std(c.layer(), c.channel()));
            }
            for (int l = 0; l < delta.length; l++) {
                if (delta[l] != null) {
                    NDArray v = s.get(l);
                    try (NDArray step = v.getManager().create(delta[l]).reshape(1, delta[l].length)) {
                        s = s.with(l, v.add(step));
                    }
                }
            }
            return s;
        }

        /** As many distinct random channels, each in the layer of the entry it replaces, with the same |weights|. */
        @Override
        public StyleDirection random(Generator g, Random rng) {
            List<Channel> picked = new ArrayList<>();
            Set<Channel> used = new HashSet<>(channels);
            double[] w = new double[weights.length];
            for (int i = 0; i < channels.size(); i++) {
                Channel c;
                int tries = 0;
                do {
                    c = channels.get(i).random(g, rng);
                } while (!used.add(c) && ++tries < 1000);
                picked.add(c);
                w[i] = Math.abs(weights[i]) * (rng.nextBoolean() ? 1 : -1);
            }
            return new StyleDirection(picked, w);
        }
    }

    /**
     * A unit direction d in W, moved by alpha x step on the W+ rows [fromRow, toRow) (every row: the W edit of
     * InterFaceGAN and GANSpace; a range: a layer-restricted edit).
     */
    record WDirection(String label, float[] direction, float step, int fromRow, int toRow) implements Control {
        public WDirection {
            double norm = 0;
            for (float v : direction) {
                norm += (double) v * v;
            }
            if (!(norm > 0) || Double.isInfinite(norm)) {
                throw new IllegalArgumentException("a W direction needs a finite non-zero vector");
            }
            if (!(step > 0) || Float.isInfinite(step)) {
                throw new IllegalArgumentException("a W direction needs a positive step, got " + step);
            }
            if (fromRow < 0 || toRow <= fromRow) {
                throw new IllegalArgumentException("W+ rows must be 0 <= from < to, got " + fromRow + ".." + toRow);
            }
            float[] d = new float[direction.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) (direction[i] / Math.sqrt(norm));
            }
            direction = d;
        }

        /** On every W+ row. */
        public WDirection(String label, float[] direction, float step) {
            this(label, direction, step, 0, Integer.MAX_VALUE);
        }

        @Override
        public String name() {
            return "W:" + label;
        }

        @Override
        public StyleCodes apply(Generator g, StyleStatistics stats, NDArray ws, float alpha) {
            return g.styles(edit(g, ws, alpha));
        }

        /** The edited W+ itself. */
        public NDArray edit(Generator g, NDArray ws, float alpha) {
            int wDim = g.config().wDim(), rows = g.numWs();
            if (direction.length != wDim) {
                throw new IllegalArgumentException("this W direction has " + direction.length
                        + " dimensions; the generator's W has " + wDim);
            }
            float[] delta = new float[rows * wDim];
            for (int r = fromRow; r < Math.min(toRow, rows); r++) {
                for (int k = 0; k < wDim; k++) {
                    delta[r * wDim + k] = alpha * step * direction[k];
                }
            }
            NDManager m = ws.getManager();
            try (NDArray d = m.create(delta, new Shape(1, rows, wDim))) {
                return ws.add(d);
            }
        }

        /** A random unit direction (Gaussian, normalised) with the same step and rows: a control of equal norm. */
        @Override
        public WDirection random(Generator g, Random rng) {
            float[] d = new float[direction.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) rng.nextGaussian();
            }
            return new WDirection("random", d, step, fromRow, toRow);
        }

        /** Cosine of the angle to another direction. */
        public double cosine(WDirection other) {
            double s = 0;
            for (int i = 0; i < direction.length; i++) {
                s += (double) direction[i] * other.direction[i];
            }
            return s;
        }
    }

    private static void requireStats(StyleStatistics stats, Control c) {
        if (stats == null) {
            throw new IllegalArgumentException(c.name() + " is in standard deviations of S channels: give the "
                    + "model's StyleStatistics");
        }
    }
}
