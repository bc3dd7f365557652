package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.data.PartClass;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleCodes;
import org.stylealign.model.StyleLayer;
import org.stylealign.model.StyleStatistics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * StyleSpace channels that control one semantic region (Wu, Lischinski, Shechtman, CVPR 2021, Sec. 4; the StyleAlign
 * paper's Tables 1, 3, 4), as the StyleSpace code computes them:
 * <ol>
 *   <li>for each image and S channel, the <b>gradient map</b>: |d image / d s_c|, averaged over colour channels, at
 *       32 x 32 (larger images average-pooled);</li>
 *   <li>for each region r of the image's part mask with o_r > 0 pixels (area fraction p = o_r / 1024): the map
 *       thresholded at its (1 - p) percentile (numpy's linear interpolation; pixels strictly above), n_r = pixels of
 *       the thresholded map inside r, and the score n_r / o_r^{discount} (discount 2: StyleSpace's weighting that
 *       favours small regions); the image's <b>top region</b> is the region of largest score;</li>
 *   <li>a channel's <b>top rate</b> for r: the share of the images containing r whose top region is r;</li>
 *   <li>the channel is <b>localized</b> to r when its top rate for r exceeds {@code minRate} (0.5) and the next
 *       region's rate by more than {@code minGap} (0.25).</li>
 * </ol>
 * Deviation from StyleSpace, for speed on a CPU: the gradient is taken by a forward finite difference,
 * (G(s + eps std_c e_c) - G(s)) / eps, eps = 0.1 channel standard deviations, for many channels in one batch (one
 * image's codes repeated once per channel of a layer, each row moving its own channel). The thresholds only rank a
 * map's pixels, so the map's scale (and the division by eps) does not matter. toRGB layers are left out by default,
 * as in StyleSpace (their channels act on colour everywhere). A region of fewer than {@code minRegionPixels} pixels
 * in an image counts as absent there: with the discount, a one-pixel speck hit by the map would outscore every real
 * part (StyleSpace's instructions merge small regions for the same reason).
 */
public final class LocalizedChannels {

    /** Detection settings; {@link #defaults()} are StyleSpace's. */
    public record Options(int images, long firstSeed, float epsilon, double discount, double minRate, double minGap,
                          boolean includeToRgb, int minRegionPixels) {
        public Options {
            if (images < 1 || !(epsilon > 0) || !(minRate > 0 && minRate < 1) || !(minGap >= 0 && minGap < 1)
                    || minRegionPixels < 1) {
                throw new IllegalArgumentException("bad localized-channel options: images " + images + ", epsilon "
                        + epsilon + ", minRate " + minRate + ", minGap " + minGap + ", minRegionPixels "
                        + minRegionPixels);
            }
        }

        /** StyleSpace's settings; regions of fewer than 4 of the 1,024 pixels count as absent. */
        public static Options defaults() {
            return new Options(256, 700_000, 0.1f, 2, 0.5, 0.25, false, 4);
        }

        public Options withImages(int n) {
            return new Options(n, firstSeed, epsilon, discount, minRate, minGap, includeToRgb, minRegionPixels);
        }

        public Options withThresholds(double rate, double gap) {
            return new Options(images, firstSeed, epsilon, discount, rate, gap, includeToRgb, minRegionPixels);
        }

        public Options withMinRegionPixels(int px) {
            return new Options(images, firstSeed, epsilon, discount, minRate, minGap, includeToRgb, px);
        }
    }

    /** A channel localized to a region, with its top rate there and the next region's. */
    public record Localized(int layer, int channel, String name, PartClass region, double rate, PartClass second,
                            double secondRate) {
    }

    /**
     * The top rates of every scanned channel: {@code rates[layer][channel][region]} (null rows for layers left out),
     * with how many images contained each region.
     */
    public record Scan(List<StyleLayer> layers, double[][][] rates, int[] imagesWithRegion, int images,
                       Options options) {

        /** The channels localized by the options' thresholds. */
        public List<Localized> localized() {
            return localized(options.minRate(), options.minGap());
        }

        /** The channels localized by other thresholds (the rates are kept, so no rescan is needed). */
        public List<Localized> localized(double minRate, double minGap) {
            List<Localized> out = new ArrayList<>();
            PartClass[] cls = PartClass.values();
            for (StyleLayer l : layers) {
                double[][] r = rates[l.index()];
                if (r == null) {
                    continue;
                }
                for (int c = 0; c < r.length; c++) {
                    int best = -1, next = -1;
                    for (int k = 0; k < r[c].length; k++) {
                        if (best < 0 || r[c][k] > r[c][best]) {
                            next = best;
                            best = k;
                        } else if (next < 0 || r[c][k] > r[c][next]) {
                            next = k;
                        }
                    }
                    double second = next < 0 ? 0 : r[c][next];
                    if (r[c][best] > minRate && r[c][best] - second > minGap) {
                        out.add(new Localized(l.index(), c, l.channelName(c), cls[best], r[c][best],
                                next < 0 ? null : cls[next], second));
                    }
                }
            }
            return out;
        }

        /** Number of channels scanned. */
        public int channels() {
            int n = 0;
            for (double[][] r : rates) {
                n += r == null ? 0 : r.length;
            }
            return n;
        }
    }

    private LocalizedChannels() {
    }

    /**
     * Scans {@code g} over {@code options.images()} latents (seeds from {@code firstSeed}, psi = 1, stored noise);
     * each image's part mask comes from {@code segment} (one class per pixel at 32 x 32, {@link PartClass} ordinals),
     * called on the unedited images. {@code progress} receives the number of images done (may be null).
     */
    public static Scan scan(Generator g, StyleStatistics stats, Function<NDArray, byte[][]> segment, Options options,
                            IntConsumer progress) {
        return scan(g.styleLayers(), g.manager(), (m, seeds) -> g.styles(g.broadcast(g.mapping(g.zFromSeeds(m, seeds)))),
                codes -> g.synthesis(codes, Noise.constant()), stats, segment, options, progress);
    }

    /**
     * The scan over any renderer of style codes ({@code codes}: the codes of the latents of some seeds, made in the
     * given manager, a sub-manager of {@code root} closed after each batch; {@code render}: codes -> images [N, C,
     * H, W] in the codes' manager), e.g. a synthetic renderer in tests.
     */
    public static Scan scan(List<StyleLayer> layers, NDManager root,
                            java.util.function.BiFunction<NDManager, long[], StyleCodes> codes,
                            Function<StyleCodes, NDArray> render, StyleStatistics stats,
                            Function<NDArray, byte[][]> segment, Options options, IntConsumer progress) {
        int regions = PartClass.values().length;
        long[][][] top = new long[layers.size()][][];
        for (StyleLayer l : layers) {
            if (options.includeToRgb() || !l.isToRgb()) {
                top[l.index()] = new long[l.channels()][regions];
            }
        }
        int[] withRegion = new int[regions];
        int batch = 16;
        for (int done = 0; done < options.images(); done += batch) {
            int n = Math.min(batch, options.images() - done);
            long[] seeds = Generator.seedRange(options.firstSeed() + done, n);
            try (NDManager m = root.newSubManager()) {
                StyleCodes s = codes.apply(m, seeds);
                NDArray base = render.apply(s);
                byte[][] masks = segment.apply(base);
                for (int i = 0; i < n; i++) {
                    byte[] mask = masks[i];
                    int[] size = regionSizes(mask, regions);
                    for (int k = 0; k < regions; k++) {
                        if (size[k] < options.minRegionPixels()) {
                            size[k] = 0; // a speck: absent (the discount would let one hit pixel outscore any part)
                        }
                    }
                    for (int k = 0; k < regions; k++) {
                        withRegion[k] += size[k] > 0 ? 1 : 0;
                    }
                    NDArray base1 = base.get(i + ":" + (i + 1));
                    for (StyleLayer l : layers) {
                        if (top[l.index()] == null) {
                            continue;
                        }
                        float[] maps = changeMaps(render, s, i, l, stats, options.epsilon(), base1);
                        int px = maps.length / l.channels();
                        for (int c = 0; c < l.channels(); c++) {
                            int k = topRegion(Arrays.copyOfRange(maps, c * px, (c + 1) * px), mask, size,
                                    options.discount());
                            if (k >= 0) {
                                top[l.index()][c][k]++;
                            }
                        }
                    }
                }
            }
            if (progress != null) {
                progress.accept(done + n);
            }
        }
        double[][][] rates = new double[layers.size()][][];
        for (StyleLayer l : layers) {
            long[][] t = top[l.index()];
            if (t == null) {
                continue;
            }
            rates[l.index()] = new double[t.length][regions];
            for (int c = 0; c < t.length; c++) {
                for (int k = 0; k < regions; k++) {
                    rates[l.index()][c][k] = withRegion[k] == 0 ? 0 : (double) t[c][k] / withRegion[k];
                }
            }
        }
        return new Scan(layers, rates, withRegion, options.images(), options);
    }

    /**
     * The change maps of every channel of layer {@code l} for image {@code i}: one batch holding image i's codes once
     * per channel, row c with channel c moved by eps x std; |edited - base| averaged over colour channels and pooled
     * to 32 x 32: [channels x 32 x 32] flattened.
     */
    static float[] changeMaps(Function<StyleCodes, NDArray> render, StyleCodes s, int i, StyleLayer l,
                              StyleStatistics stats, float eps, NDArray base1) {
        int c = l.channels();
        NDManager m = base1.getManager();
        try (NDManager sub = m.newSubManager()) {
            List<NDArray> rows = new ArrayList<>();
            for (int k = 0; k < s.size(); k++) {
                NDArray one = s.get(k).get(i + ":" + (i + 1));
                one.attach(sub);
                NDArray rep = one.repeat(0, c);
                rep.attach(sub); // everything below follows its inputs' manager: freed when sub closes
                rows.add(rep);
            }
            float[] d = new float[c * c];
            for (int k = 0; k < c; k++) {
                d[k * c + k] = eps * Math.max(stats.std(l.index(), k), 1e-6f);
            }
            NDArray step = sub.create(d, new Shape(c, c));
            rows.set(l.index(), rows.get(l.index()).add(step));
            NDArray edited = render.apply(new StyleCodes(s.layers(), rows));
            NDArray b = base1.duplicate();
            b.attach(sub);
            NDArray map = edited.sub(b).abs().mean(new int[] {1});
            long h = map.getShape().get(1);
            if (h < 32) {
                throw new IllegalArgumentException("localized-channel detection needs images of at least 32 px, got "
                        + h);
            }
            map = ImageDistance.poolTo(map, 32, 32);
            return map.toFloatArray();
        }
    }

    static int[] regionSizes(byte[] mask, int regions) {
        int[] size = new int[regions];
        for (byte b : mask) {
            size[b & 0xff]++;
        }
        return size;
    }

    /**
     * The region with the largest overlap score n_r / o_r^discount for one change map (see the class comment), or -1
     * when the map is constant or its top pixels fall in no region of the mask.
     */
    static int topRegion(float[] map, byte[] mask, int[] size, double discount) {
        if (map.length != mask.length) {
            throw new IllegalArgumentException("a change map of " + map.length + " pixels for a mask of "
                    + mask.length);
        }
        float[] sorted = map.clone();
        Arrays.sort(sorted);
        if (sorted[0] == sorted[sorted.length - 1]) {
            return -1;
        }
        int best = -1;
        double bestScore = -1;
        int total = map.length;
        for (int k = 0; k < size.length; k++) {
            int o = size[k];
            if (o == 0) {
                continue;
            }
            double threshold = percentile(sorted, 100.0 * (1 - (double) o / total));
            int hit = 0;
            for (int j = 0; j < total; j++) {
                if ((mask[j] & 0xff) == k && map[j] > threshold) {
                    hit++;
                }
            }
            double score = hit / Math.pow(o, discount);
            if (score > bestScore) {
                bestScore = score;
                best = k;
            }
        }
        // no region hit at all: no vote (StyleSpace's nanargmax would count such an image for class 0)
        return bestScore > 0 ? best : -1;
    }

    /** numpy.percentile with linear interpolation on sorted values, q in [0, 100]. */
    static double percentile(float[] sorted, double q) {
        double pos = q / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * The paper's overlap table of two scans of aligned models: {@code counts[a][b]} = channels localized to region a
     * in {@code first} and to region b in {@code second} (the same channel, layer_channel), over the given regions.
     */
    public record Overlap(List<PartClass> regions, int[][] counts, int[] firstTotals, int[] secondTotals) {
        /** Channels localized in both models (to any of the regions). */
        public int shared() {
            int s = 0;
            for (int[] row : counts) {
                for (int v : row) {
                    s += v;
                }
            }
            return s;
        }

        /** Of the channels localized in both, the share localized to the same region: the table's diagonal. */
        public double diagonalShare() {
            int d = 0;
            for (int i = 0; i < counts.length; i++) {
                d += counts[i][i];
            }
            return shared() == 0 ? Double.NaN : (double) d / shared();
        }

        /** Of the first model's localized channels, the share localized to the same region in the second. */
        public double keptShare() {
            int d = 0, t = 0;
            for (int i = 0; i < counts.length; i++) {
                d += counts[i][i];
                t += firstTotals[i];
            }
            return t == 0 ? Double.NaN : (double) d / t;
        }
    }

    public static Overlap overlap(List<Localized> first, List<Localized> second, List<PartClass> regions) {
        int k = regions.size();
        int[][] counts = new int[k][k];
        int[] t1 = new int[k], t2 = new int[k];
        java.util.Map<String, PartClass> inSecond = new java.util.HashMap<>();
        for (Localized l : second) {
            inSecond.put(l.name(), l.region());
            int j = regions.indexOf(l.region());
            if (j >= 0) {
                t2[j]++;
            }
        }
        for (Localized l : first) {
            int i = regions.indexOf(l.region());
            if (i < 0) {
                continue;
            }
            t1[i]++;
            PartClass r2 = inSecond.get(l.name());
            int j = r2 == null ? -1 : regions.indexOf(r2);
            if (j >= 0) {
                counts[i][j]++;
            }
        }
        return new Overlap(List.copyOf(regions), counts, t1, t2);
    }
}
