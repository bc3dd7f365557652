package org.stylealign.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * The architecture of a StyleGAN2 generator (skip toRGB, modulated convolutions), enough to build it and to check a
 * checkpoint against it. Channel counts are per resolution (4, 8, ..., resolution).
 *
 * @param resolution       output size, a power of two in 8..1024
 * @param imageChannels    1 (grey) or 3 (RGB)
 * @param zDim             input noise size
 * @param wDim             intermediate latent size (also the style input of every affine layer)
 * @param mappingLayers    depth of the mapping MLP
 * @param mappingLrMul     equalised-lr multiplier of the mapping layers (0.01 in both reference codes)
 * @param channels         feature channels per resolution
 */
public record GeneratorConfig(int resolution, int imageChannels, int zDim, int wDim, int mappingLayers,
                              float mappingLrMul, Map<Integer, Integer> channels) {

    public GeneratorConfig {
        if (resolution < 8 || resolution > 1024 || Integer.bitCount(resolution) != 1) {
            throw new IllegalArgumentException("resolution must be a power of two in 8..1024, got " + resolution);
        }
        if (imageChannels != 1 && imageChannels != 3) {
            throw new IllegalArgumentException("imageChannels must be 1 or 3, got " + imageChannels);
        }
        if (zDim <= 0 || wDim <= 0 || mappingLayers <= 0) {
            throw new IllegalArgumentException("zDim, wDim and mappingLayers must be positive: "
                    + zDim + ", " + wDim + ", " + mappingLayers);
        }
        channels = java.util.Collections.unmodifiableMap(new TreeMap<>(channels));
        for (int r = 4; r <= resolution; r *= 2) {
            Integer c = channels.get(r);
            if (c == null || c <= 0) {
                throw new IllegalArgumentException("no positive channel count for resolution " + r + " in " + channels);
            }
        }
    }

    /** The NVlabs rule: channels(r) = min(channelBase / r, channelMax). */
    public static Map<Integer, Integer> channelsFromBase(int resolution, int channelBase, int channelMax) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (int r = 4; r <= resolution; r *= 2) {
            m.put(r, Math.max(1, Math.min(channelBase / r, channelMax)));
        }
        return m;
    }

    /** Number of w vectors the synthesis network consumes (two per block plus the last toRGB; 2*log2(R)-2). */
    public int numWs() {
        return 2 * log2(resolution) - 2;
    }

    public int channelsAt(int res) {
        return channels.get(res);
    }

    static int log2(int v) {
        return 31 - Integer.numberOfLeadingZeros(v);
    }
}
