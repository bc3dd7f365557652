package org.stylealign.apps;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataException;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.ModelFamily;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.metrics.FeatureExtractor;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.Tensors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A translation scored against the true answer: the same emoji name drawn by two artists. A parent trained on
 * style A (e.g. Noto) and its child fine-tuned on style B (e.g. Twemoji), neither trained on a test name of the
 * fixed name split ({@link org.stylealign.data.EmojiSplit}); each test source of style A is inverted into the parent
 * and rendered by the child, and the result is compared with the true style-B image of the same name - by pixel
 * distance (mean absolute difference, images in [-1, 1]) and by perceptual distance
 * ({@link DomainFeatures#perceptualDistance}). Three baselines say what the numbers are worth: the untranslated
 * source (no translation at all), a random child sample (the child's style without the source's content), and the
 * child's training image nearest to the source in feature space (the best a look-up in the child's data can do).
 */
public final class PairedBenchmark {

    /** Method names of the baselines, as the rows carry them. */
    public static final String SOURCE = "baseline: the untranslated source";
    public static final String RANDOM = "baseline: a random child sample";
    public static final String NEAREST = "baseline: the child's nearest training image";

    private PairedBenchmark() {
    }

    /**
     * The test pairs: the test-split builds of two emoji styles with the same seed and count (every test name), so
     * image i of both is the same name. Checks that both manifests say "test" and that the names agree index by index.
     */
    public record Pairs(ImageDataset sources, ImageDataset truths, List<String> names) {
        public int count() {
            return names.size();
        }

        /** Sources [n, C, R, R] in [-1, 1] (the first n pairs), in manager m. */
        public NDArray sourceImages(NDManager m, int n) {
            return images(sources, n, m);
        }

        /** The true translations of the first n sources, [n, C, R, R] in [-1, 1]. */
        public NDArray truthImages(NDManager m, int n) {
            return images(truths, n, m);
        }
    }

    /** Builds (or reuses) the test split of both emoji domains at {@code size} px, seed {@code seed}. */
    public static Pairs testPairs(DatasetBuilder b, String sourceDomain, String truthDomain, int size, long seed) {
        int n = b.available(sourceDomain, BuildSpec.Split.TEST);
        if (n != b.available(truthDomain, BuildSpec.Split.TEST)) {
            throw new DataException(sourceDomain + " and " + truthDomain + " hold different numbers of test names");
        }
        ImageDataset a = b.open(BuildSpec.of(sourceDomain, size, n, seed).withSplit(BuildSpec.Split.TEST));
        ImageDataset t = b.open(BuildSpec.of(truthDomain, size, n, seed).withSplit(BuildSpec.Split.TEST));
        return pairs(a, t);
    }

    /** Pairs two built datasets, checking that both are test splits and name the same emoji at every index. */
    public static Pairs pairs(ImageDataset sources, ImageDataset truths) {
        for (ImageDataset d : List.of(sources, truths)) {
            if (d.manifest().split() != BuildSpec.Split.TEST) {
                throw new DataException("dataset " + d.dir() + " is not a test split (its manifest says split "
                        + d.manifest().split().key() + "): a paired benchmark scores held-out names only");
            }
        }
        if (sources.size() != truths.size() || sources.imageSize() != truths.imageSize()) {
            throw new DataException("datasets " + sources.dir() + " and " + truths.dir() + " differ in count or size");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            String a = sources.label(i).key(), t = truths.label(i).key();
            if (!a.equals(t)) {
                throw new DataException("image " + i + " is '" + a + "' in " + sources.dir() + " but '" + t + "' in "
                        + truths.dir() + ": build both with the same seed and count");
            }
            names.add(a);
        }
        return new Pairs(sources, truths, List.copyOf(names));
    }

    /**
     * The emoji parent and child of a family for this benchmark: a child whose domain is an emoji set other than
     * its emoji parent's, preferring the family's own parent. Empty when there is none ({@link #missing} says why).
     */
    public static Optional<ModelFamily.Member> emojiChild(ModelFamily f) {
        List<ModelFamily.Member> out = new ArrayList<>();
        for (ModelFamily.Member m : f.members()) {
            if (m.parent() == null || !isEmoji(m.domain())) {
                continue;
            }
            ModelFamily.Member p = f.member(m.parent());
            if (isEmoji(p.domain()) && !p.domain().equals(m.domain())) {
                out.add(m);
            }
        }
        return out.stream().filter(m -> m.parent().equals(f.parent().name())).findFirst()
                .or(() -> out.stream().findFirst());
    }

    /** Why a family has no emoji pair, or null when it has one. */
    public static String missing(ModelFamily f) {
        if (emojiChild(f).isPresent()) {
            return null;
        }
        return f.members().stream().anyMatch(m -> isEmoji(m.domain()))
                ? "the family has emoji models but no child fine-tuned from an emoji parent to another emoji set"
                : "the family has no emoji parent and child (models/emoji-family.json or STYLEALIGN_EMOJI_FAMILY)";
    }

    static boolean isEmoji(String domain) {
        return domain != null && domain.startsWith("emoji-");
    }

    /** One method's distances to the truth over the pairs: means and their standard errors. */
    public record Row(String method, int n, double pixel, double pixelSe, double perceptual, double perceptualSe) {
    }

    /** Per method, the distances of its images [N, C, R, R] to {@code truths} [N, C, R, R]. */
    public static List<Row> score(NDArray truths, Map<String, NDArray> methods, DomainFeatures features) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : methods.entrySet()) {
            double[][] d = distances(e.getValue(), truths, features);
            rows.add(new Row(e.getKey(), d[0].length, mean(d[0]), se(d[0]), mean(d[1]), se(d[1])));
        }
        return rows;
    }

    /**
     * Per image, {pixel distances, perceptual distances} of {@code images} to {@code truths}; images are clipped to
     * [-1, 1] first (as they are shown: a generator's overshoot is not a difference anyone sees).
     */
    public static double[][] distances(NDArray images, NDArray truths, DomainFeatures features) {
        if (!images.getShape().equals(truths.getShape())) {
            throw new IllegalArgumentException("images " + images.getShape() + " and truths " + truths.getShape()
                    + " differ in shape");
        }
        int n = (int) images.getShape().get(0);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray a = images.clip(-1f, 1f), t = truths.clip(-1f, 1f);
            float[] pix = a.sub(t).abs().reshape(n, -1).mean(new int[] {1}).toFloatArray();
            float[] per = features.perceptualDistance(a, t).toFloatArray();
            double[][] out = new double[2][n];
            for (int i = 0; i < n; i++) {
                out[0][i] = pix[i];
                out[1][i] = per[i];
            }
            return out;
        }
    }

    /**
     * For each query image, the candidate nearest to it in the feature space of {@code features} (Euclidean):
     * the images [N, C, R, R] in the queries' manager, and in {@code chosen} (when not null) their indices.
     */
    public static NDArray nearest(NDArray queries, NDArray candidates, FeatureExtractor features, int[] chosen) {
        float[][] q = features.features(queries), c = features.features(candidates);
        int[] pick = new int[q.length];
        for (int i = 0; i < q.length; i++) {
            double best = Double.MAX_VALUE;
            for (int j = 0; j < c.length; j++) {
                double s = 0;
                for (int k = 0; k < q[i].length; k++) {
                    double d = q[i][k] - c[j][k];
                    s += d * d;
                }
                if (s < best) {
                    best = s;
                    pick[i] = j;
                }
            }
        }
        if (chosen != null) {
            System.arraycopy(pick, 0, chosen, 0, Math.min(chosen.length, pick.length));
        }
        NDManager m = queries.getManager();
        NDList parts = new NDList();
        for (int j : pick) {
            parts.add(candidates.get(j + ":" + (j + 1)));
        }
        NDArray out = NDArrays.concat(parts);
        out.attach(m);
        parts.close();
        return out;
    }

    /** The benchmark's outcome: a row per method and the images each method drew (method -> [N, C, R, R]). */
    public record Result(List<Row> rows, Map<String, NDArray> images, Map<Inversion.Space, Inversion.Result> inversions) {
        public Row row(String method) {
            return rows.stream().filter(r -> r.method().equals(method)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no method '" + method + "'"));
        }
    }

    /**
     * Runs the benchmark: {@code sources} [N, C, R, R] (style A, test names) inverted into {@code parent} through
     * each space in {@code spaces} ({@code steps} Adam steps, the perceptual loss of {@code features}), rendered by
     * {@code child} ("via Z", ...), and the three baselines - the sources themselves, random child samples (z seeds
     * from {@code seed}), the nearest of {@code childTraining} (the child's training images) - all scored against
     * {@code truths}. Images belong to the sources' manager.
     */
    public static Result run(Generator parent, Generator child, NDArray sources, NDArray truths, NDArray childTraining,
                             DomainFeatures features, List<Inversion.Space> spaces, int steps, long seed) {
        if (!parent.config().equals(child.config())) {
            throw new IllegalArgumentException("parent and child differ in architecture: a parent latent does not fit "
                    + "the child");
        }
        Map<String, NDArray> methods = new LinkedHashMap<>();
        Map<Inversion.Space, Inversion.Result> inv = new LinkedHashMap<>();
        for (Inversion.Space s : spaces) {
            Inversion.Result r = Inversion.invert(parent, sources, features, Inversion.Options.defaults(s)
                    .withSteps(steps), null);
            inv.put(s, r);
            methods.put("via " + s, Translation.render(child, r));
        }
        int n = (int) sources.getShape().get(0);
        methods.put(SOURCE, sources);
        methods.put(RANDOM, child.generate(child.zFromSeeds(sources.getManager(), Generator.seedRange(seed, n)), 1f,
                Noise.constant()));
        methods.put(NEAREST, nearest(sources, childTraining, features, null));
        return new Result(score(truths, methods, features), methods, inv);
    }

    /** The first n images of a built dataset as [n, C, R, R] in [-1, 1]. */
    public static NDArray images(ImageDataset ds, int n, NDManager m) {
        if (n < 1 || n > ds.size()) {
            throw new IllegalArgumentException("dataset " + ds.dir() + " holds " + ds.size() + " images, asked for "
                    + n);
        }
        int per = ds.channels() * ds.imageSize() * ds.imageSize();
        float[] v = new float[n * per];
        for (int i = 0; i < n; i++) {
            byte[] b = ds.pixels(i);
            for (int j = 0; j < per; j++) {
                v[i * per + j] = (b[j] & 0xff) / 127.5f - 1f;
            }
        }
        return Tensors.owned(m, v, new Shape(n, ds.channels(), ds.imageSize(), ds.imageSize()));
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }

    /** Standard error of the mean (0 for a single value). */
    private static double se(double[] a) {
        if (a.length < 2) {
            return 0;
        }
        double m = mean(a), s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (a.length - 1) / a.length);
    }
}
