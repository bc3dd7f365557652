package org.stylealign.viz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.ModelFamily;
import org.stylealign.io.ModelIO;
import org.stylealign.model.Flops;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Inference;
import org.stylealign.model.Noise;
import org.stylealign.model.StyleGan2;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How many samples a notebook can afford for a family on this machine. The notebooks' full sizes were chosen for
 * the shipped family (a 32 px parent, {@link #REFERENCE}) on 2 threads; a sample of a larger family costs more in the
 * generator (its FLOPs) and in every later step that touches pixels (classifiers, change maps, distances), so counts
 * are scaled by the smaller of the two ratios' inverses and by the threads available, never above the notebook's own
 * figure. Deterministic: the same family and thread count give the same counts (no timing).
 *
 * <p>Two more things keep a large family usable. A smoke run (which checks that the notebooks run, not what they
 * find) works on a {@link ModelFamily#preview} of a family that costs more than {@link #PREVIEW_ABOVE} times the
 * shipped parent per image: {@link Workbench#family()} cuts every member to a lower resolution, so smoke stays quick
 * for any family. A full run keeps the family's resolution; when its counts had to be cut, the budget times one of
 * the parent's images here and the note says how long the counts handed out so far take at least, before the work
 * starts.
 */
public final class Budget {

    /** The shipped family's parent (models/P): 32 px, z = w = 128, 4 mapping layers, widths 128/128/64/64. */
    public static final GeneratorConfig REFERENCE = new GeneratorConfig(32, 3, 128, 128, 4, 0.01f,
            Map.of(4, 128, 8, 128, 16, 64, 32, 64));
    /** Threads the full sizes were chosen for (the project's 2-core machine). */
    public static final int REFERENCE_THREADS = 2;
    /**
     * A smoke run previews a family whose parent costs more than this many times the shipped parent per image (per
     * {@link #REFERENCE_THREADS} threads): a 64 px family (4x) runs as it is, an FFHQ-size 1024 px one (~980x) at
     * 32 px (53x).
     */
    public static final double PREVIEW_ABOVE = 64;

    private final GeneratorConfig config;
    private final int threads;
    private final boolean smoke;
    private final double scale;
    private final ModelFamily family;       // null when made from a config alone: nothing to time
    private final GeneratorConfig original; // the parent as its file holds it (differs in a preview)
    private final List<Integer> handedOut = new ArrayList<>();
    private double secondsPerImage = Double.NaN;

    private Budget(GeneratorConfig config, int threads, boolean smoke, ModelFamily family, GeneratorConfig original) {
        this.config = config;
        this.threads = threads;
        this.smoke = smoke;
        this.family = family;
        this.original = original;
        this.scale = Math.min(1.0, (double) threads / REFERENCE_THREADS / cost(config));
    }

    /** Cost of one image of {@code c} relative to the shipped parent: its FLOPs or its pixels, whichever is more. */
    static double cost(GeneratorConfig c) {
        double flops = Flops.generatorForward(c) / Flops.generatorForward(REFERENCE);
        double pixels = (double) c.resolution() * c.resolution() / (REFERENCE.resolution() * REFERENCE.resolution());
        return Math.max(1.0, Math.max(flops, pixels));
    }

    /**
     * The parent resolution a smoke run works at: the parent's own when one image costs at most
     * {@link #PREVIEW_ABOVE} times the shipped parent's (per {@link #REFERENCE_THREADS} threads), else the largest
     * lower one that does (8 px at the least).
     */
    public static int previewResolution(GeneratorConfig parent, int threads) {
        int r = parent.resolution();
        while (r > 8 && cost(ModelIO.cropped(parent, r)) * REFERENCE_THREADS / threads > PREVIEW_ABOVE) {
            r /= 2;
        }
        return r;
    }

    /** The budget of a family (a {@link ModelFamily#preview} or not): its parent, this run's threads and mode. */
    public static Budget of(ModelFamily family) throws CheckpointException {
        String parent = family.parent().name();
        return new Budget(family.config(parent), checkThreads(Workbench.threads()), Workbench.smoke(), family,
                family.original().config(parent));
    }

    public static Budget of(GeneratorConfig parent, int threads, boolean smoke) {
        return new Budget(parent, checkThreads(threads), smoke, null, parent);
    }

    private static int checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return threads;
    }

    /** The factor applied to sample counts, in (0, 1]. */
    public double scale() {
        return scale;
    }

    /**
     * A sample count: {@code full} (or {@code smoke} in a smoke run) times {@link #scale()}, rounded up, but never
     * below the smoke size in a full run, nor below min(smoke, 4) in a smoke run.
     */
    public int samples(int full, int smoke) {
        return samples(full, smoke, this.smoke ? Math.min(smoke, 4) : smoke);
    }

    /** As {@link #samples(int, int)}, with the floor an analysis needs (e.g. enough samples to split). */
    public int samples(int full, int smoke, int floor) {
        int n = this.smoke ? smoke : full;
        int k = Math.max(Math.min(floor, n), (int) Math.ceil(n * scale));
        handedOut.add(k);
        return k;
    }

    /**
     * Seconds one parent image (batch of 2, after a first image that pays for set-up) takes on this machine, measured
     * once; NaN for a budget made from a configuration alone.
     */
    public double secondsPerImage() {
        if (Double.isNaN(secondsPerImage) && family != null) {
            secondsPerImage = time(family);
        }
        return secondsPerImage;
    }

    private static double time(ModelFamily family) {
        try (StyleGan2 model = family.load(family.parent().name());
             NDManager m = NDManager.newBaseManager(model.generator().device())) {
            Generator g = model.generator();
            Inference.run(() -> g.generate(g.zFromSeeds(m, 0), 1f, Noise.constant()).close());
            NDArray z = g.zFromSeeds(m, 1, 2);
            long t0 = System.nanoTime();
            Inference.run(() -> g.generate(z, 1f, Noise.constant()).close());
            return (System.nanoTime() - t0) / 2e9;
        } catch (CheckpointException e) {
            throw new IllegalStateException("cannot time the parent: " + e.getMessage(), e);
        }
    }

    /** One line for the top of a notebook saying what the budget did and why. */
    public String note() {
        String what = String.format(Locale.ROOT, "Budget: parent at %d px, %.2f GFLOP per image (the shipped 32 px "
                        + "parent: %.2f), %d thread(s)", config.resolution(), Flops.generatorForward(config) / 1e9,
                Flops.generatorForward(REFERENCE) / 1e9, threads);
        if (original.resolution() != config.resolution()) {
            what = String.format(Locale.ROOT, "Smoke run on a preview: the family's members cut to 1/%d of their "
                            + "resolution (the parent's %d px -> %d px; ModelFamily.preview), as one image at %d px "
                            + "costs %.0fx the shipped parent's here; the images and numbers below are not the "
                            + "family's, only a check that every cell runs. %s", original.resolution() / config.resolution(),
                    original.resolution(), config.resolution(), original.resolution(), cost(original), what);
        }
        if (scale >= 1.0) {
            return what + ": sample counts as the notebook gives them" + (smoke ? " (smoke sizes)." : ".");
        }
        String cut = what + String.format(Locale.ROOT, ": sample counts x %.3f of the notebook's %s sizes (never below "
                + "%s), to keep the run near the shipped family's length (longer where the floors bind); the figures "
                + "rest on fewer samples and are noisier. More threads (STYLEALIGN_THREADS) raise the counts.", scale,
                smoke ? "smoke" : "full", smoke ? "4" : "the smoke sizes");
        if (smoke || family == null) {
            return cut;
        }
        double s = secondsPerImage();
        int images = handedOut.stream().mapToInt(Integer::intValue).sum();
        return cut + String.format(Locale.ROOT, " Time: one parent image takes %.2f s here (measured now); the counts "
                        + "above (%s) are %d images, each rendered at least once: at least %s, and the analyses "
                        + "render most several times.", s, handedOut.stream().map(String::valueOf)
                        .collect(Collectors.joining(", ")), images, duration(images * s));
    }

    static String duration(double seconds) {
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 7200) {
            return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    @Override
    public String toString() {
        return note();
    }
}
