package org.stylealign.viz;

import org.stylealign.io.CheckpointException;
import org.stylealign.io.ModelFamily;
import org.stylealign.model.Flops;
import org.stylealign.model.GeneratorConfig;

import java.util.Locale;
import java.util.Map;

/**
 * How many samples a notebook can afford for a family on this machine. The notebooks' full sizes were chosen for
 * the shipped family (a 32 px parent, {@link #REFERENCE}) on 2 threads; a sample of a larger family costs more in the
 * generator (its FLOPs) and in every later step that touches pixels (classifiers, change maps, distances), so counts
 * are scaled by the smaller of the two ratios' inverses and by the threads available, never above the notebook's own
 * figure. Deterministic: the same family and thread count give the same counts (no timing).
 */
public final class Budget {

    /** The shipped family's parent (models/P): 32 px, z = w = 128, 4 mapping layers, widths 128/128/64/64. */
    public static final GeneratorConfig REFERENCE = new GeneratorConfig(32, 3, 128, 128, 4, 0.01f,
            Map.of(4, 128, 8, 128, 16, 64, 32, 64));
    /** Threads the full sizes were chosen for (the project's 2-core machine). */
    public static final int REFERENCE_THREADS = 2;

    private final GeneratorConfig config;
    private final int threads;
    private final boolean smoke;
    private final double scale;

    private Budget(GeneratorConfig config, int threads, boolean smoke) {
        this.config = config;
        this.threads = threads;
        this.smoke = smoke;
        double flops = Flops.generatorForward(config) / Flops.generatorForward(REFERENCE);
        double pixels = (double) config.resolution() * config.resolution() / (REFERENCE.resolution() * REFERENCE.resolution());
        this.scale = Math.min(1.0, (double) threads / REFERENCE_THREADS / Math.max(1.0, Math.max(flops, pixels)));
    }

    /** The budget of a family: its parent's architecture, this run's threads and mode. */
    public static Budget of(ModelFamily family) throws CheckpointException {
        return of(family.config(family.parent().name()), Workbench.threads(), Workbench.smoke());
    }

    public static Budget of(GeneratorConfig parent, int threads, boolean smoke) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return new Budget(parent, threads, smoke);
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
        return Math.max(Math.min(floor, n), (int) Math.ceil(n * scale));
    }

    /** One line for the top of a notebook saying what the budget did and why. */
    public String note() {
        double gflops = Flops.generatorForward(config) / 1e9;
        String what = String.format(Locale.ROOT, "Budget: parent at %d px, %.2f GFLOP per image (the shipped 32 px "
                        + "parent: %.2f), %d thread(s)", config.resolution(), gflops,
                Flops.generatorForward(REFERENCE) / 1e9, threads);
        if (scale >= 1.0) {
            return what + ": sample counts as the notebook gives them" + (smoke ? " (smoke sizes)." : ".");
        }
        return what + String.format(Locale.ROOT, ": sample counts x %.3f of the notebook's %s sizes (never below %s), to "
                + "keep the run near the shipped family's length (longer where the floors bind); the figures rest on "
                + "fewer samples and are noisier. More threads (STYLEALIGN_THREADS) raise the counts.", scale,
                smoke ? "smoke" : "full", smoke ? "4" : "the smoke sizes");
    }

    @Override
    public String toString() {
        return note();
    }
}
