package org.stylealign.train;

import org.stylealign.io.CheckpointException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training loop around a {@link Trainer}: runs to a number of images, writes a snapshot every so many steps and
 * at the end (atomically, to {@code snapshot.safetensors} in the output folder), appends one line per step to
 * {@code metrics.csv} (flushed, readable by Tablesaw while the run goes on) and prints progress lines with an ETA.
 * On a NaN/Inf or exploding loss it stops with a {@link TrainingDivergedException}; the last snapshot on disk is
 * the last good state. With {@code history}, every snapshot (and the starting point of a fresh run) is also kept as
 * a float16 model checkpoint {@code snapshot-<kimg>.safetensors} (G_ema, G, D; no optimiser state) so that the
 * trajectory of a run can be rendered later; the full-precision {@code snapshot.safetensors} is what resumes.
 */
public final class TrainingRun {

    public static final String SNAPSHOT = "snapshot.safetensors";
    public static final String METRICS = "metrics.csv";
    static final String HEADER = "step,kimg,loss_g,loss_d_real,loss_d_fake,loss_d,r1,sec_per_step,pl,pl_mean";

    /** Called after each history snapshot is written (e.g. to compute quality metrics of it). */
    @FunctionalInterface
    public interface SnapshotHook {
        void written(Trainer t, Path historyFile) throws IOException, CheckpointException;
    }

    /**
     * @param totalImages   stop once this many real images have been shown
     * @param snapshotEvery steps between snapshots (0: only at the end)
     * @param logEvery      steps between progress lines
     * @param maxLoss       a loss above this counts as exploding
     * @param history       keep a float16 copy of every snapshot as snapshot-&lt;kimg&gt;.safetensors
     */
    public record Options(long totalImages, int snapshotEvery, int logEvery, double maxLoss, boolean history) {

        public Options(long totalImages, int snapshotEvery, int logEvery, double maxLoss) {
            this(totalImages, snapshotEvery, logEvery, maxLoss, false);
        }

        public Options {
            if (totalImages <= 0 || snapshotEvery < 0 || logEvery <= 0 || !(maxLoss > 0)) {
                throw new IllegalArgumentException("totalImages and logEvery must be positive, snapshotEvery >= 0, "
                        + "maxLoss > 0");
            }
        }

        public static Options of(long totalImages) {
            return new Options(totalImages, 500, 10, 1e4);
        }
    }

    private TrainingRun() {
    }

    /** Told after every step (e.g. to move a progress bar in a notebook). */
    @FunctionalInterface
    public interface StepListener {
        void stepped(StepStats s, long imagesSeen, long totalImages);
    }

    /** Runs {@code t} until {@code o.totalImages()}; returns the final snapshot. */
    public static Path run(Trainer t, ImageFeed feed, Path outDir, Options o, PrintStream progress)
            throws IOException, CheckpointException {
        return run(t, feed, outDir, o, progress, null);
    }

    /** As above, calling {@code hook} (may be null) after every history snapshot. */
    public static Path run(Trainer t, ImageFeed feed, Path outDir, Options o, PrintStream progress,
                           SnapshotHook hook) throws IOException, CheckpointException {
        return run(t, feed, outDir, o, progress, hook, null);
    }

    /** As above, telling {@code listener} (may be null) after every step. */
    public static Path run(Trainer t, ImageFeed feed, Path outDir, Options o, PrintStream progress,
                           SnapshotHook hook, StepListener listener) throws IOException, CheckpointException {
        Files.createDirectories(outDir);
        if (o.history() && t.imagesSeen() == 0) {
            history(t, outDir, hook);
        }
        Path snapshot = outDir.resolve(SNAPSHOT);
        Path metrics = outDir.resolve(METRICS);
        prepareMetrics(metrics, t.step());
        long startImages = t.imagesSeen();
        long t0 = System.nanoTime();
        int batch = t.config().batch();
        try (BufferedWriter csv = Files.newBufferedWriter(metrics, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            while (t.imagesSeen() < o.totalImages()) {
                StepStats s;
                try {
                    s = t.step(feed);
                } catch (TrainingDivergedException e) {
                    throw stopped(e.getMessage(), snapshot);
                }
                csv.write(line(s));
                csv.newLine();
                csv.flush();
                double worst = Math.max(Math.abs(s.lossG()), Math.abs(s.lossD()));
                if (worst > o.maxLoss() || !Double.isNaN(s.r1()) && s.r1() > o.maxLoss()
                        || !Double.isNaN(s.pl()) && s.pl() > o.maxLoss()) {
                    throw stopped("step " + s.step() + ": exploding loss (G " + s.lossG() + ", D " + s.lossD()
                            + ", R1 " + s.r1() + ", path length " + s.pl() + " > " + o.maxLoss() + ")", snapshot);
                }
                if (listener != null) {
                    listener.stepped(s, t.imagesSeen(), o.totalImages());
                }
                boolean last = t.imagesSeen() >= o.totalImages();
                if (s.step() % o.logEvery() == 0 || last) {
                    double elapsed = (System.nanoTime() - t0) / 1e9;
                    double perImage = elapsed / Math.max(1, t.imagesSeen() - startImages);
                    double eta = perImage * (o.totalImages() - t.imagesSeen());
                    double secPerStep = perImage * batch;
                    progress.println(String.format(Locale.ROOT,
                            "step %d  kimg %.2f/%.2f  G %.4f  D %.4f%s  %.2f s/step  ETA %s",
                            s.step(), t.imagesSeen() / 1000.0, o.totalImages() / 1000.0, s.lossG(), s.lossD(),
                            Double.isNaN(s.r1()) ? "" : String.format(Locale.ROOT, "  R1 %.4f", s.r1()),
                            secPerStep, duration(eta)));
                    progress.flush();
                }
                if (!last && o.snapshotEvery() > 0 && t.step() % o.snapshotEvery() == 0) {
                    Snapshots.save(t, snapshot);
                    if (o.history()) {
                        history(t, outDir, hook);
                    }
                }
            }
        }
        Snapshots.save(t, snapshot);
        if (o.history()) {
            history(t, outDir, hook);
        }
        progress.println("done: " + t.imagesSeen() + " images, snapshot " + snapshot);
        return snapshot;
    }

    /** snapshot-000012.safetensors at 12 kimg, snapshot-000000.096.safetensors at 96 images. */
    public static String historyName(long imagesSeen) {
        String kimg = imagesSeen % 1000 == 0 ? String.format(Locale.ROOT, "%06d", imagesSeen / 1000)
                : String.format(Locale.ROOT, "%010.3f", imagesSeen / 1000.0);
        return "snapshot-" + kimg + ".safetensors";
    }

    private static void history(Trainer t, Path outDir, SnapshotHook hook) throws IOException, CheckpointException {
        Path file = outDir.resolve(historyName(t.imagesSeen()));
        Snapshots.saveModel(t, file, true);
        if (hook != null) {
            hook.written(t, file);
        }
    }

    private static TrainingDivergedException stopped(String why, Path snapshot) {
        String keep = Files.isRegularFile(snapshot) ? "the last good snapshot is kept: " + snapshot
                : "no snapshot was written yet";
        return new TrainingDivergedException("training stopped: " + why + "; " + keep);
    }

    /** Keeps the header and the lines of steps before {@code nextStep} (lines a resumed run will redo go). */
    private static void prepareMetrics(Path metrics, long nextStep) throws IOException {
        List<String> keep = new ArrayList<>();
        keep.add(HEADER);
        if (Files.isRegularFile(metrics)) {
            List<String> lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
            for (int i = 1; i < lines.size(); i++) {
                String l = lines.get(i);
                int comma = l.indexOf(',');
                try {
                    if (comma > 0 && Long.parseLong(l.substring(0, comma)) < nextStep) {
                        keep.add(l);
                    }
                } catch (NumberFormatException ignored) {
                    // a torn last line from an interrupted run
                }
            }
        }
        Path tmp = metrics.resolveSibling(METRICS + ".tmp");
        Files.write(tmp, keep, StandardCharsets.UTF_8);
        Files.move(tmp, metrics, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static String line(StepStats s) {
        return String.format(Locale.ROOT, "%d,%.3f,%.6g,%.6g,%.6g,%.6g,%s,%.4f,%s,%.6g", s.step(),
                s.imagesSeen() / 1000.0, s.lossG(), s.lossDReal(), s.lossDFake(), s.lossD(), optional(s.r1()),
                s.seconds(), optional(s.pl()), s.plMean());
    }

    private static String optional(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
