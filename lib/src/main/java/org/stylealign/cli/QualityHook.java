package org.stylealign.cli;

import org.stylealign.data.ImageDataset;
import org.stylealign.io.AtomicFiles;
import org.stylealign.io.CheckpointException;
import org.stylealign.metrics.FeatureExtractor;
import org.stylealign.metrics.Quality;
import org.stylealign.train.Trainer;
import org.stylealign.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * `--metrics N` of train / finetune: FID, KID and own-domain share of G_ema at every history snapshot, against the
 * training data, one line per snapshot in OUT/quality.csv. A resumed run drops the lines past its starting point,
 * as the training log does, so the file always describes one run.
 */
final class QualityHook implements TrainingRun.SnapshotHook, AutoCloseable {

    static final String FILE = "quality.csv";
    static final String HEADER = "kimg,fid,kid,own_domain_share,seconds";

    private final FeatureExtractor features;
    private final Quality quality;
    private final Path csv;
    private final PrintStream out;

    private QualityHook(FeatureExtractor features, Quality quality, Path csv, PrintStream out) {
        this.features = features;
        this.quality = quality;
        this.csv = csv;
        this.out = out;
    }

    static QualityHook open(Args a, ImageDataset data, Path outDir, PrintStream out) throws Exception {
        int n = a.intValue("metrics", 0);
        if (n < 2) {
            throw new UsageException("--metrics takes the number of samples (at least 2), got " + a.get("metrics", ""));
        }
        FeatureExtractor fx = MetricsCommand.extractor(a);
        try {
            Quality q = Quality.against(fx, data, null, n);
            out.printf(Locale.ROOT, "quality at each snapshot: %s, %d samples vs %d real images -> %s%n", fx.name(), n,
                    q.realCount(), outDir.resolve(FILE));
            return new QualityHook(fx, q, outDir.resolve(FILE), out);
        } catch (RuntimeException e) {
            fx.close();
            throw e;
        }
    }

    @Override
    public void written(Trainer t, Path historyFile) throws IOException, CheckpointException {
        long t0 = System.nanoTime();
        Quality.Result r = quality.of(t.generatorEma());
        double secs = (System.nanoTime() - t0) / 1e9;
        double kimg = t.imagesSeen() / 1000.0;
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        if (Files.isRegularFile(csv)) {
            for (String l : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
                String[] f = l.split(",");
                try {
                    if (Double.parseDouble(f[0]) < kimg - 1e-9) {
                        lines.add(l);
                    }
                } catch (NumberFormatException ignored) {
                    // the header
                }
            }
        }
        String share = quality.hasShare() ? String.format(Locale.ROOT, "%.4f", r.ownShare()) : "";
        lines.add(String.format(Locale.ROOT, "%.3f,%.4f,%.6f,%s,%.1f", kimg, r.fid(), r.kid(), share, secs));
        AtomicFiles.writeLines(csv, lines);
        out.printf(Locale.ROOT, "quality at %.1f kimg: FID %.3f  KID %.5f%s  (%.0f s)%n", kimg, r.fid(), r.kid(),
                quality.hasShare() ? String.format(Locale.ROOT, "  own-domain share %.1f%%", 100 * r.ownShare()) : "",
                secs);
    }

    @Override
    public void close() {
        features.close();
    }
}
