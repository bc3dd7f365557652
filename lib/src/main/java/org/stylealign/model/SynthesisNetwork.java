package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;

import java.util.ArrayList;
import java.util.List;

/** W+ -> S -> image: the blocks from 4x4 to the output resolution, and the StyleSpace layer table. */
final class SynthesisNetwork {

    final List<SynthesisBlock> blocks = new ArrayList<>();
    final List<StyleLayer> styleLayers;
    private final List<FullyConnectedLayer> affines = new ArrayList<>();
    private final List<SynthesisLayer> convOfLayer = new ArrayList<>(); // null for toRGB layers

    SynthesisNetwork(Params params, Scalars scalars, Fir fir, GeneratorConfig cfg) {
        List<StyleLayer> layers = new ArrayList<>();
        int noiseIndex = 0;
        int k = 0;
        for (int res = 4; res <= cfg.resolution(); res *= 2, k++) {
            SynthesisBlock b = new SynthesisBlock(params, scalars, fir, cfg, res);
            blocks.add(b);
            if (b.conv0 != null) {
                addConv(layers, b.conv0, 2 * k - 1, noiseIndex++);
            }
            addConv(layers, b.conv1, 2 * k, noiseIndex++);
            layers.add(new StyleLayer(layers.size(), b.torgb.name.substring("synthesis.".length()), res,
                    StyleLayer.Kind.TORGB, b.torgb.inChannels, cfg.imageChannels(), 2 * k + 1, -1));
            affines.add(b.torgb.affine);
            convOfLayer.add(null);
        }
        styleLayers = List.copyOf(layers);
    }

    private void addConv(List<StyleLayer> layers, SynthesisLayer conv, int wIndex, int noiseIndex) {
        layers.add(new StyleLayer(layers.size(), conv.name.substring("synthesis.".length()), conv.resolution,
                StyleLayer.Kind.CONV, conv.inChannels, conv.outChannels, wIndex, noiseIndex));
        affines.add(conv.affine);
        convOfLayer.add(conv);
    }

    /** S for every layer from W+ [N, numWs, W]. */
    List<NDArray> styles(NDArray ws) {
        List<NDArray> out = new ArrayList<>(styleLayers.size());
        for (StyleLayer l : styleLayers) {
            NDArray w = ws.get(":, " + l.wIndex() + ", :");
            out.add(affines.get(l.index()).forward(w));
        }
        return out;
    }

    /**
     * Styles -> images. Without a graph ({@link Inference#active()}) each block runs in its own scope, so only its
     * outputs outlive it, and a batch too large for the {@linkplain Inference#memoryBudget() memory budget} at some
     * block is split there: each chunk runs through the remaining blocks on its own, the low resolutions still
     * seeing the whole batch. With a graph the whole batch runs at once and autograd keeps what it needs.
     */
    NDArray render(List<NDArray> styles, Noise noise, NDManager manager) {
        return render(styles, noise, manager, null);
    }

    /**
     * As {@link #render(List, Noise, NDManager)}; when {@code perBlock} is not null, each block appends its features
     * at their true scale (the sqrt(2) gain the fast path leaves to the next layer applied) and its running image.
     */
    NDArray render(List<NDArray> styles, Noise noise, NDManager manager, List<NDArray> perBlock) {
        long batch = styles.get(0).getShape().get(0);
        if (!Inference.active() || perBlock != null) {
            // with a graph, or when every block's output is asked for, the whole batch runs at once and stays
            NDArray x = null;
            NDArray img = null;
            for (int k = 0; k < blocks.size(); k++) {
                NDArray[] r = runBlock(k, x, img, styles, noise, manager, 0, batch, batch);
                x = r[0];
                img = r[1];
                if (perBlock != null) {
                    perBlock.add(x.mul(SynthesisLayer.GAIN));
                    perBlock.add(img);
                }
            }
            return img;
        }
        return renderLean(0, null, null, styles, noise, manager, 0, batch, Inference.memoryBudget());
    }

    /** Blocks k.. for rows [from, to) of the batch; x and img are that block's inputs for those rows (or null). */
    private NDArray renderLean(int k, NDArray x, NDArray img, List<NDArray> styles, Noise noise, NDManager manager,
                               long from, long to, long budget) {
        long total = styles.get(0).getShape().get(0);
        long n = to - from;
        for (; k < blocks.size(); k++) {
            long fit = Math.max(1, budget / blocks.get(k).peakBytesPerImage());
            if (n > fit) {
                NDList parts = new NDList();
                for (long a = 0; a < n; a += fit) {
                    long b = Math.min(n, a + fit);
                    NDArray xs = x == null ? null : x.get(new NDIndex("{}:{}", a, b));
                    NDArray is = img == null ? null : img.get(new NDIndex("{}:{}", a, b));
                    parts.add(renderLean(k, xs, is, styles, noise, manager, from + a, from + b, budget));
                }
                close(x, img);
                NDArray out = NDArrays.concat(parts, 0);
                parts.close();
                return out;
            }
            NDArray[] r;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                r = runBlock(k, x, img, styles, noise, manager, from, to, total);
                NDScope.unregister(r);
            }
            close(x, img);
            NDScope.register(r[0]);
            NDScope.register(r[1]);
            x = r[0];
            img = r[1];
        }
        x.close();
        return img;
    }

    private static void close(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null) {
                a.close();
            }
        }
    }

    /** One block for rows [from, to) of a batch of {@code total}. */
    private NDArray[] runBlock(int k, NDArray x, NDArray img, List<NDArray> styles, Noise noise, NDManager manager,
                               long from, long to, long total) {
        SynthesisBlock b = blocks.get(k);
        int layer = firstLayer(k);
        int count = b.conv0 == null ? 2 : 3;
        boolean all = from == 0 && to == total;
        NDArray[] s = new NDArray[count];
        NDArray[] nz = new NDArray[count];
        for (int j = 0; j < count; j++, layer++) {
            s[j] = all ? styles.get(layer) : styles.get(layer).get(new NDIndex("{}:{}", from, to));
            SynthesisLayer conv = convOfLayer.get(layer);
            nz[j] = conv == null ? null : rows(noise.mapFor(styleLayers.get(layer), conv, manager, to - from),
                    from, to, total);
        }
        return b.forward(x, img, s, nz, to - from);
    }

    /** Rows [from, to) of a caller's per-image noise map [total, 1, R, R]; shared and chunk-drawn maps as they are. */
    private static NDArray rows(NDArray map, long from, long to, long total) {
        boolean perImage = map != null && total > 1 && map.getShape().get(0) == total;
        return perImage && to - from != total ? map.get(new NDIndex("{}:{}", from, to)) : map;
    }

    /** Index of block k's first style layer. */
    private int firstLayer(int k) {
        return k == 0 ? 0 : 3 * k - 1;
    }
}
