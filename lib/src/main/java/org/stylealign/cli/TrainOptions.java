package org.stylealign.cli;

import org.stylealign.data.BuildSpec;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.CheckpointException;
import org.stylealign.model.Devices;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.train.DatasetFeed;
import org.stylealign.train.Snapshots;
import org.stylealign.train.TrainConfig;
import org.stylealign.train.Trainer;
import org.stylealign.train.TrainingRun;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What `stylealign train` and `stylealign finetune` share (a picocli mixin): the data, the output folder, the run
 * length, the recipe's overrides, the metrics at every snapshot.
 */
final class TrainOptions {

    @Mixin
    Data data;

    @Option(names = "--out", order = 20, required = true, paramLabel = "DIR", description = "The run folder: snapshot"
            + ".safetensors (to resume), snapshot-<kimg>.safetensors in float16 at every snapshot (the run's "
            + "trajectory), metrics.csv, quality.csv.")
    Path out;

    @Option(names = "--kimg", order = 21, required = true, paramLabel = "K",
            description = "Thousands of real images to show.")
    float kimg;

    @Option(names = "--batch", order = 22, paramLabel = "N",
            description = "1..4 or a multiple of 4 (default: ${DEFAULT-VALUE}).")
    int batch = 16;

    @Option(names = "--r1-gamma", order = 23, paramLabel = "G",
            description = "R1 weight (default: 0.0002 res^2 / batch).")
    Float r1Gamma;

    @Option(names = "--pl-weight", order = 24, paramLabel = "W",
            description = "Path length weight (default: 2; 0: off).")
    Float plWeight;

    @Option(names = "--lr", order = 25, paramLabel = "LR",
            description = "Adam's learning rate of G and D (default: 0.002).")
    Float lr;

    @Option(names = "--snapshot-kimg", order = 26, paramLabel = "K", description = "A snapshot every K kimg (default: "
            + "${DEFAULT-VALUE}).")
    float snapshotKimg = 4f;

    @Option(names = "--train-seed", order = 27, paramLabel = "K",
            description = "Seed of the networks and the data order (default: --seed).")
    Integer trainSeed;

    @Option(names = "--xflip", order = 28, description = "Mirror real images at random.")
    boolean xflip;

    @Option(names = "--resume", order = 29, description = "Continue from OUT/snapshot.safetensors when it exists (the "
            + "configuration from the snapshot).")
    boolean resume;

    @Option(names = "--metrics", order = 40, paramLabel = "N",
            description = "At every snapshot, the registry's metrics of N samples against the training data, in "
                    + "OUT/quality.csv.")
    Integer metrics;

    @Mixin
    MetricsCommand.Features features;

    /** The data of training and of `stylealign metrics` (a mixin): a domain built when missing, or a built folder. */
    static final class Data {

        // Not required by picocli: `stylealign metrics` has sub-commands, for which these do not apply.
        @ArgGroup(multiplicity = "0..1")
        Source source;

        static final class Source {
            @ArgGroup(exclusive = false)
            Domain domain;

            @Option(names = "--data", order = 13, paramLabel = "DIR",
                    description = "A built dataset folder, instead of --domain.")
            Path dir;
        }

        static final class Domain {
            @Option(names = "--domain", order = 10, required = true, paramLabel = "NAME",
                    description = "The data: a domain, built into data/cache/ when missing (or --data). It may "
                            + "carry fixed transforms: avataaars-tx20, avataaars-ty20, avataaars-rot180.")
            String name;

            @Option(names = "--size", order = 11, required = true, paramLabel = "S",
                    description = "Image size of --domain.")
            int size;

            @Option(names = "--count", order = 12, required = true, paramLabel = "N",
                    description = "Images of --domain.")
            int count;
        }

        @Option(names = "--seed", order = 14, paramLabel = "K", description = "Builder seed of --domain (default: "
                + "${DEFAULT-VALUE}).")
        int seed = 1;

        /** The build of --domain/--size/--count/--seed, or null for --data. */
        BuildSpec spec() {
            if (source == null) {
                throw new UsageException("give exactly one of --data DIR and --domain NAME (with --size, --count)");
            }
            // a style name also works: avataaars-tx20 is avataaars shifted right by 20%
            return source.domain == null ? null
                    : BuildSpec.ofStyle(source.domain.name, source.domain.size, source.domain.count, seed);
        }

        /** The dataset of --domain/--size/--count/--seed (built when missing) or of --data. */
        ImageDataset dataset(PrintStream out) {
            BuildSpec spec = spec();
            if (spec == null) {
                if (!Files.isDirectory(source.dir)) {
                    throw new UsageException("--data " + source.dir + ": no such folder");
                }
                return ImageDataset.open(source.dir);
            }
            out.println("dataset " + spec.id() + " (built if missing)");
            return new DatasetBuilder().open(spec);
        }

        /** --domain's name; "" for --data. */
        String domain() {
            return source == null || source.domain == null ? "" : source.domain.name;
        }
    }

    long seed() {
        return trainSeed != null ? trainSeed : data.seed;
    }

    /** The run's hyper-parameters from the options (NVlabs defaults where not given). */
    TrainConfig config(int resolution, List<String> frozen) {
        if (batch <= 0 || batch % 4 != 0 && batch > 4) {
            throw new UsageException("--batch must be 1..4 or a multiple of 4 (the minibatch-stddev group), got "
                    + batch);
        }
        TrainConfig d = TrainConfig.defaults(resolution, batch);
        float gamma = r1Gamma != null ? r1Gamma : d.r1Gamma();
        float lrate = lr != null ? lr : d.lrG();
        float pl = plWeight != null ? plWeight : d.plWeight();
        if (gamma < 0 || pl < 0 || !(lrate > 0)) {
            throw new UsageException("--r1-gamma and --pl-weight must be >= 0 and --lr > 0");
        }
        // the library's recipe; the options only override what they name
        return d.toBuilder().r1(gamma, d.r1Interval()).pathLength(pl, d.plInterval()).learningRate(lrate)
                .xflip(xflip).seed(seed()).frozen(frozen).build();
    }

    TrainingRun.Options runOptions(int batch) {
        if (!(kimg > 0)) {
            throw new UsageException("--kimg (thousands of real images to show) is required and must be > 0");
        }
        if (!(snapshotKimg > 0)) {
            throw new UsageException("--snapshot-kimg must be > 0, got " + snapshotKimg);
        }
        int every = Math.max(1, Math.round(snapshotKimg * 1000f / batch));
        return new TrainingRun.Options(Math.round(kimg * 1000.0), every, 10, 1e4, true);
    }

    /** OUT/snapshot.safetensors when --resume and it exists; an error when it exists without --resume. */
    Path resumable() {
        Path snap = out.resolve(TrainingRun.SNAPSHOT);
        if (Files.isRegularFile(snap) && !resume) {
            throw new UsageException(snap + " exists: pass --resume to continue that run, or choose another --out");
        }
        return resume && Files.isRegularFile(snap) ? snap : null;
    }

    static Trainer resume(Path snap, PrintStream out) throws CheckpointException {
        Trainer t = Snapshots.resume(snap, Devices.preferred());
        out.printf(Locale.ROOT, "resuming %s at step %d (%.3f kimg)%n", snap, t.step(), t.imagesSeen() / 1000.0);
        return t;
    }

    /** Clear words when the data and the model differ in size or colour. */
    static void checkMatch(ImageDataset data, GeneratorConfig gc, String modelWhat) {
        if (data.imageSize() != gc.resolution() || data.channels() != gc.imageChannels()) {
            throw new UsageException("resolution mismatch: the dataset " + data.dir() + " has " + data.imageSize()
                    + "x" + data.imageSize() + " " + colour(data.channels()) + " images but " + modelWhat + " makes "
                    + gc.resolution() + "x" + gc.resolution() + " " + colour(gc.imageChannels()) + " images");
        }
    }

    private static String colour(int c) {
        return c == 1 ? "grey" : "RGB";
    }

    /** Runs and reports; the snapshot hook computes FID/KID of each history snapshot when --metrics is given. */
    int run(Trainer t, ImageDataset data, PrintStream out) throws Exception {
        try (t) {
            TrainConfig c = t.config();
            GeneratorConfig gc = t.generator().config();
            out.printf(Locale.ROOT, "model %dpx x%d, z %d, w %d, mapping %d, channels %s%n", gc.resolution(),
                    gc.imageChannels(), gc.zDim(), gc.wDim(), gc.mappingLayers(), gc.channels());
            out.printf(Locale.ROOT, "batch %d, lr %.4g, R1 gamma %.4g, path length %.3g, EMA %.3g kimg, xflip %s, "
                    + "seed %d, frozen %s%n", c.batch(), c.lrG(), c.r1Gamma(), c.plWeight(), c.emaKimg(), c.xflip(),
                    c.seed(), c.frozen().isEmpty() ? "nothing" : String.join(",", c.frozen()));
            TrainingRun.Options o = runOptions(c.batch());
            DatasetFeed feed = new DatasetFeed(data, c.batch(), c.seed());
            TrainingRun.SnapshotHook hook = metrics != null ? QualityHook.open(metrics, features, data, out, this.out)
                    : null;
            try {
                Path snap = TrainingRun.run(t, feed, this.out, o, out, hook);
                out.println("metrics: " + this.out.resolve(TrainingRun.METRICS) + "; resume with --resume; snapshot "
                        + snap);
            } finally {
                if (hook instanceof AutoCloseable ac) {
                    ac.close();
                }
            }
        }
        return 0;
    }
}
