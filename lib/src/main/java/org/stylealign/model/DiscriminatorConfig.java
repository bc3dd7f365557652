package org.stylealign.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * The architecture of a residual StyleGAN2 discriminator with minibatch standard deviation.
 *
 * @param resolution    input size, a power of two in 8..1024
 * @param imageChannels 1 or 3
 * @param channels      feature channels per resolution (4 .. resolution)
 * @param mbstdGroup    minibatch-stddev group size (the group used is min(mbstdGroup, batch))
 * @param mbstdChannels number of stddev feature channels (1 in both reference codes)
 */
public record DiscriminatorConfig(int resolution, int imageChannels, Map<Integer, Integer> channels,
                                  int mbstdGroup, int mbstdChannels) {

    public DiscriminatorConfig {
        if (resolution < 8 || resolution > 1024 || Integer.bitCount(resolution) != 1) {
            throw new IllegalArgumentException("resolution must be a power of two in 8..1024, got " + resolution);
        }
        if (imageChannels != 1 && imageChannels != 3) {
            throw new IllegalArgumentException("imageChannels must be 1 or 3, got " + imageChannels);
        }
        if (mbstdGroup <= 0 || mbstdChannels <= 0) {
            throw new IllegalArgumentException("mbstdGroup and mbstdChannels must be positive");
        }
        channels = java.util.Collections.unmodifiableMap(new TreeMap<>(channels));
        for (int r = 4; r <= resolution; r *= 2) {
            Integer c = channels.get(r);
            if (c == null || c <= 0) {
                throw new IllegalArgumentException("no positive channel count for resolution " + r + " in " + channels);
            }
        }
    }

    public int channelsAt(int res) {
        return channels.get(res);
    }
}
