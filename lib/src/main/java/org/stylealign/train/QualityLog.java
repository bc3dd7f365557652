package org.stylealign.train;

import org.stylealign.io.AtomicFiles;
import org.stylealign.io.CheckpointException;
import org.stylealign.metrics.Quality;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A snapshot hook that scores G_ema with a {@link Quality} (its metrics from the registry) at every snapshot, one line
 * per snapshot in a CSV ({@code kimg}, one column per metric, {@code seconds}). A resumed run drops the lines past its
 * starting point, as the training log does, so the file always describes one run. Usable from notebooks as from the
 * {@code --metrics} option of train / finetune.
 */
public final class QualityLog implements TrainingRun.SnapshotHook {

    /** The file name the CLI uses in a run folder. */
    public static final String FILE = "quality.csv";

    private final Quality quality;
    private final Path csv;
    private final PrintStream out;

    /** @param out progress lines, or null for none */
    public QualityLog(Quality quality, Path csv, PrintStream out) {
        this.quality = quality;
        this.csv = csv;
        this.out = out;
    }

    public String header() {
        return "kimg," + String.join(",", quality.metricNames()) + ",seconds";
    }

    @Override
    public void written(Trainer t, Path historyFile) throws IOException, CheckpointException {
        long t0 = System.nanoTime();
        Quality.Result r = quality.of(t.generatorEma());
        double secs = (System.nanoTime() - t0) / 1e9;
        double kimg = t.imagesSeen() / 1000.0;
        List<String> lines = new ArrayList<>();
        lines.add(header());
        if (Files.isRegularFile(csv)) {
            for (String l : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
                try {
                    if (Double.parseDouble(l.split(",")[0]) < kimg - 1e-9) {
                        lines.add(l);
                    }
                } catch (NumberFormatException ignored) {
                    // the header
                }
            }
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%.3f", kimg));
        StringBuilder said = new StringBuilder();
        for (var e : r.values().entrySet()) {
            double v = e.getValue();
            line.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v));
            if (!Double.isNaN(v)) {
                said.append(String.format(Locale.ROOT, "  %s %.5g", e.getKey(), v));
            }
        }
        line.append(String.format(Locale.ROOT, ",%.1f", secs));
        lines.add(line.toString());
        AtomicFiles.writeLines(csv, lines);
        if (out != null) {
            out.printf(Locale.ROOT, "quality at %.1f kimg:%s  (%.0f s)%n", kimg, said, secs);
        }
    }
}
