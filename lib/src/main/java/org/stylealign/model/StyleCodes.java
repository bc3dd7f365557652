package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch of points in StyleSpace (S): for every style layer, the [N, channels] values its affine layer produced.
 * Values are the raw affine outputs, as in the StyleSpace paper and the reference fixtures (toRGB gains are applied
 * when rendering). Edits return new codes; the tensors belong to the manager of the codes they came from.
 */
public final class StyleCodes {

    private final List<StyleLayer> layers;
    private final List<NDArray> values;

    public StyleCodes(List<StyleLayer> layers, List<NDArray> values) {
        if (layers.size() != values.size()) {
            throw new IllegalArgumentException("StyleSpace has " + layers.size() + " layers, got "
                    + values.size() + " tensors");
        }
        long n = -1;
        for (int i = 0; i < layers.size(); i++) {
            var shape = values.get(i).getShape();
            if (shape.dimension() != 2 || shape.get(1) != layers.get(i).channels()) {
                throw new IllegalArgumentException("layer " + layers.get(i).name() + " needs [N, "
                        + layers.get(i).channels() + "] styles, got " + shape);
            }
            if (n >= 0 && shape.get(0) != n) {
                throw new IllegalArgumentException("styles of layer " + layers.get(i).name()
                        + " have batch " + shape.get(0) + ", others " + n);
            }
            n = shape.get(0);
        }
        this.layers = List.copyOf(layers);
        this.values = List.copyOf(values);
    }

    public List<StyleLayer> layers() {
        return layers;
    }

    public int size() {
        return layers.size();
    }

    public long batchSize() {
        return values.get(0).getShape().get(0);
    }

    public NDArray get(int layer) {
        return values.get(layer);
    }

    public NDArray get(String layerName) {
        return values.get(indexOf(layerName));
    }

    public int indexOf(String layerName) {
        for (StyleLayer l : layers) {
            if (l.name().equals(layerName)) {
                return l.index();
            }
        }
        throw new IllegalArgumentException("no style layer named '" + layerName + "'");
    }

    public NDList asList() {
        return new NDList(values);
    }

    /** The same codes with one layer's values replaced. */
    public StyleCodes with(int layer, NDArray newValues) {
        List<NDArray> v = new ArrayList<>(values);
        v.set(layer, newValues);
        return new StyleCodes(layers, v);
    }

    /** Adds {@code delta} to one channel of every sample (the paper's single-channel edit uses alpha * std). */
    public StyleCodes editChannel(int layer, int channel, float delta) {
        StyleLayer l = layers.get(layer);
        if (channel < 0 || channel >= l.channels()) {
            throw new IllegalArgumentException("layer " + l.name() + " has " + l.channels()
                    + " channels, no channel " + channel);
        }
        NDArray v = values.get(layer);
        float[] d = new float[l.channels()];
        d[channel] = delta;
        NDManager m = v.getManager();
        try (NDArray step = m.create(d).reshape(1, l.channels())) {
            return with(layer, v.add(step));
        }
    }

    /** Parses a paper channel name such as "15_45" and applies {@link #editChannel}. */
    public StyleCodes editChannel(String channelName, float delta) {
        int[] lc = parseChannel(channelName);
        return editChannel(lc[0], lc[1], delta);
    }

    public static int[] parseChannel(String channelName) {
        String[] p = channelName.split("_");
        if (p.length != 2) {
            throw new IllegalArgumentException("channel names look like 'layer_channel' (e.g. 15_45), got '"
                    + channelName + "'");
        }
        try {
            return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("channel names look like 'layer_channel' (e.g. 15_45), got '"
                    + channelName + "'");
        }
    }
}
