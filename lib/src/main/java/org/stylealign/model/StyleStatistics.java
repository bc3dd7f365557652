package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;

/**
 * Mean and standard deviation of every StyleSpace channel over random samples. The paper's single-channel edit
 * moves a channel by alpha times its std, so edits of different channels are comparable.
 */
public record StyleStatistics(List<StyleLayer> layers, float[][] mean, float[][] std, int samples) {

    /**
     * Statistics over {@code samples} latents drawn with seeds firstSeed, firstSeed + 1, ... (numpy RandomState,
     * as {@link Generator#zFromSeeds}), no truncation.
     */
    public static StyleStatistics of(Generator g, int samples, int batch, long firstSeed) {
        if (samples < 2 || batch <= 0) {
            throw new IllegalArgumentException("need at least 2 samples and a positive batch, got "
                    + samples + ", " + batch);
        }
        List<StyleLayer> layers = g.styleLayers();
        double[][] sum = new double[layers.size()][];
        double[][] sumSq = new double[layers.size()][];
        for (StyleLayer l : layers) {
            sum[l.index()] = new double[l.channels()];
            sumSq[l.index()] = new double[l.channels()];
        }
        for (int done = 0; done < samples; done += batch) {
            int n = Math.min(batch, samples - done);
            long[] seeds = Generator.seedRange(firstSeed + done, n);
            try (NDManager m = g.manager().newSubManager()) {
                StyleCodes s = g.styles(g.broadcast(g.mapping(g.zFromSeeds(m, seeds))));
                for (StyleLayer l : layers) {
                    NDArray v = s.get(l.index());
                    float[] a = v.toFloatArray();
                    int c = l.channels();
                    for (int i = 0; i < a.length; i++) {
                        sum[l.index()][i % c] += a[i];
                        sumSq[l.index()][i % c] += (double) a[i] * a[i];
                    }
                }
            }
        }
        float[][] mean = new float[layers.size()][];
        float[][] std = new float[layers.size()][];
        for (StyleLayer l : layers) {
            int c = l.channels();
            mean[l.index()] = new float[c];
            std[l.index()] = new float[c];
            for (int k = 0; k < c; k++) {
                double mu = sum[l.index()][k] / samples;
                double var = (sumSq[l.index()][k] - samples * mu * mu) / (samples - 1);
                mean[l.index()][k] = (float) mu;
                std[l.index()][k] = (float) Math.sqrt(Math.max(var, 0));
            }
        }
        return new StyleStatistics(layers, mean, std, samples);
    }

    public float mean(int layer, int channel) {
        return mean[layer][channel];
    }

    public float std(int layer, int channel) {
        return std[layer][channel];
    }

    /** std of a channel named as in the paper, e.g. "6_501". */
    public float std(String channelName) {
        int[] lc = StyleCodes.parseChannel(channelName);
        return std[lc[0]][lc[1]];
    }
}
