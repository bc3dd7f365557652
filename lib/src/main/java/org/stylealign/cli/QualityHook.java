package org.stylealign.cli;

import org.stylealign.data.ImageDataset;
import org.stylealign.io.CheckpointException;
import org.stylealign.metrics.FeatureExtractor;
import org.stylealign.metrics.Quality;
import org.stylealign.train.Trainer;
import org.stylealign.train.QualityLog;
import org.stylealign.train.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * `--metrics N [--metric-set fid,kid,...]` of train / finetune: the library's {@link QualityLog} over the training
 * data, with the feature network the options name; closes it when the run ends.
 */
final class QualityHook implements TrainingRun.SnapshotHook, AutoCloseable {

    private final FeatureExtractor features;
    private final QualityLog log;

    private QualityHook(FeatureExtractor features, QualityLog log) {
        this.features = features;
        this.log = log;
    }

    static QualityHook open(int n, MetricsCommand.Features options, ImageDataset data, PrintStream out, Path outDir)
            throws Exception {
        if (n < 2) {
            throw new UsageException("--metrics takes the number of samples (at least 2), got " + n);
        }
        FeatureExtractor fx = options.extractor();
        try {
            Quality q = options.metricSet(Quality.against(fx, data, null, n));
            Path csv = outDir.resolve(QualityLog.FILE);
            out.printf(Locale.ROOT, "quality at each snapshot: %s by %s, %d samples vs %d real images -> %s%n",
                    String.join(", ", q.metricNames()), fx.name(), n, q.realCount(), csv);
            return new QualityHook(fx, new QualityLog(q, csv, out));
        } catch (RuntimeException e) {
            fx.close();
            throw e;
        }
    }

    @Override
    public void written(Trainer t, Path historyFile) throws IOException, CheckpointException {
        log.written(t, historyFile);
    }

    @Override
    public void close() {
        features.close();
    }
}
