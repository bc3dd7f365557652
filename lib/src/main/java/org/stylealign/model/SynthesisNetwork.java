package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

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

    NDArray render(List<NDArray> styles, Noise noise, NDManager manager) {
        return render(styles, noise, manager, null);
    }

    /**
     * As {@link #render(List, Noise, NDManager)}; when {@code perBlock} is not null, each block appends its features
     * at their true scale (the sqrt(2) gain the fast path leaves to the next layer applied) and its running image.
     */
    NDArray render(List<NDArray> styles, Noise noise, NDManager manager, List<NDArray> perBlock) {
        long batch = styles.get(0).getShape().get(0);
        NDArray x = null;
        NDArray img = null;
        int layer = 0;
        for (SynthesisBlock b : blocks) {
            int count = b.conv0 == null ? 2 : 3;
            NDArray[] s = new NDArray[count];
            NDArray[] nz = new NDArray[count];
            for (int j = 0; j < count; j++, layer++) {
                s[j] = styles.get(layer);
                SynthesisLayer conv = convOfLayer.get(layer);
                nz[j] = conv == null ? null : noise.mapFor(styleLayers.get(layer), conv, manager, batch);
            }
            NDArray[] r = b.forward(x, img, s, nz, batch);
            x = r[0];
            img = r[1];
            if (perBlock != null) {
                perBlock.add(x.mul(SynthesisLayer.GAIN));
                perBlock.add(img);
            }
        }
        return img;
    }
}
