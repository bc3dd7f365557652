package org.stylealign.cli;

import org.stylealign.model.Devices;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.CheckpointException;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.train.DatasetFeed;
import org.stylealign.train.Snapshots;
import org.stylealign.train.TrainConfig;
import org.stylealign.train.Trainer;
import org.stylealign.train.TrainingRun;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What `stylealign train` and `stylealign finetune` share: the data, the output folder, the run length, R1. */
final class TrainOptions {

    static final Set<String> DATA = Set.of("domain", "size", "count", "seed", "data");
    static final Set<String> RUN = Set.of("out", "kimg", "batch", "r1-gamma", "pl-weight", "snapshot-kimg", "lr",
            "train-seed", "metrics", "metric-set", "features", "classifier");
    static final Set<String> FLAGS = Set.of("resume", "xflip");

    static final String DATA_USAGE = String.join("\n",
            "data:   --domain NAME --size S --count N [--seed K]   builds (or reuses) a domain in data/cache/",
            "        (NAME may carry fixed transforms: avataaars-tx20, avataaars-ty20, avataaars-rot180)",
            "        | --data DIR                                   a built dataset folder",
            "run:    --out DIR --kimg K [--batch 16] [--r1-gamma G (0.0002 res^2/batch)] [--pl-weight 2 (0: off)]",
            "        [--lr 0.002] [--snapshot-kimg 4] [--train-seed K (--seed)] [--xflip] [--resume]",
            "        [--metrics N [--classifier F | --features INCEPTION.pt] [--metric-set fid,kid,own_domain_share]]"
                    + "  the registry's metrics of N samples",
            "        at every snapshot, against the training data, in OUT/quality.csv",
            "--resume continues from OUT/snapshot.safetensors when it exists (config from the snapshot).",
            "Each snapshot is also kept in float16 as OUT/snapshot-<kimg>.safetensors (the run's trajectory).");

    private TrainOptions() {
    }

    static Set<String> valued(Set<String> own) {
        Set<String> s = new HashSet<>(DATA);
        s.addAll(RUN);
        s.addAll(own);
        return s;
    }

    /** The dataset of --domain/--size/--count/--seed (built when missing) or of --data. */
    static ImageDataset dataset(Args a, PrintStream out) {
        if (a.has("data") == a.has("domain")) {
            throw new UsageException("give exactly one of --data DIR and --domain NAME (with --size, --count)");
        }
        if (a.has("data")) {
            Path dir = a.path("data");
            if (!Files.isDirectory(dir)) {
                throw new UsageException("--data " + dir + ": no such folder");
            }
            return ImageDataset.open(dir);
        }
        // a style name also works: avataaars-tx20 is avataaars shifted right by 20%
        BuildSpec spec = BuildSpec.ofStyle(a.require("domain"), intRequired(a, "size"), intRequired(a, "count"),
                a.intValue("seed", 1));
        out.println("dataset " + spec.id() + " (built if missing)");
        return new DatasetBuilder().open(spec);
    }

    private static int intRequired(Args a, String name) {
        a.require(name);
        return a.intValue(name, 0);
    }

    static long seed(Args a) {
        return a.intValue("train-seed", a.intValue("seed", 1));
    }

    /** The run's hyper-parameters from the options (NVlabs defaults where not given). */
    static TrainConfig config(Args a, int resolution, List<String> frozen) {
        int batch = a.intValue("batch", 16);
        if (batch <= 0 || batch % 4 != 0 && batch > 4) {
            throw new UsageException("--batch must be 1..4 or a multiple of 4 (the minibatch-stddev group), got "
                    + batch);
        }
        TrainConfig d = TrainConfig.defaults(resolution, batch);
        float gamma = a.floatValue("r1-gamma", d.r1Gamma());
        float lr = a.floatValue("lr", d.lrG());
        float pl = a.floatValue("pl-weight", d.plWeight());
        if (gamma < 0 || pl < 0 || !(lr > 0)) {
            throw new UsageException("--r1-gamma and --pl-weight must be >= 0 and --lr > 0");
        }
        // the library's recipe; the options only override what they name
        return d.toBuilder().r1(gamma, d.r1Interval()).pathLength(pl, d.plInterval()).learningRate(lr)
                .xflip(a.has("xflip")).seed(seed(a)).frozen(frozen).build();
    }

    static TrainingRun.Options runOptions(Args a, int batch) {
        float kimg = a.floatValue("kimg", Float.NaN);
        if (!a.has("kimg") || !(kimg > 0)) {
            throw new UsageException("--kimg (thousands of real images to show) is required and must be > 0");
        }
        float snapKimg = a.floatValue("snapshot-kimg", 4f);
        if (!(snapKimg > 0)) {
            throw new UsageException("--snapshot-kimg must be > 0, got " + snapKimg);
        }
        int every = Math.max(1, Math.round(snapKimg * 1000f / batch));
        return new TrainingRun.Options(Math.round(kimg * 1000.0), every, 10, 1e4, true);
    }

    /** OUT/snapshot.safetensors when --resume and it exists; an error when it exists without --resume. */
    static Path resumable(Args a) {
        Path snap = a.path("out").resolve(TrainingRun.SNAPSHOT);
        if (Files.isRegularFile(snap) && !a.has("resume")) {
            throw new UsageException(snap + " exists: pass --resume to continue that run, or choose another --out");
        }
        return a.has("resume") && Files.isRegularFile(snap) ? snap : null;
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
    static int run(Trainer t, ImageDataset data, Args a, PrintStream out) throws Exception {
        try (t) {
            TrainConfig c = t.config();
            GeneratorConfig gc = t.generator().config();
            out.printf(Locale.ROOT, "model %dpx x%d, z %d, w %d, mapping %d, channels %s%n", gc.resolution(),
                    gc.imageChannels(), gc.zDim(), gc.wDim(), gc.mappingLayers(), gc.channels());
            out.printf(Locale.ROOT, "batch %d, lr %.4g, R1 gamma %.4g, path length %.3g, EMA %.3g kimg, xflip %s, "
                    + "seed %d, frozen %s%n", c.batch(), c.lrG(), c.r1Gamma(), c.plWeight(), c.emaKimg(), c.xflip(),
                    c.seed(), c.frozen().isEmpty() ? "nothing" : String.join(",", c.frozen()));
            TrainingRun.Options o = runOptions(a, c.batch());
            DatasetFeed feed = new DatasetFeed(data, c.batch(), c.seed());
            Path dir = a.path("out");
            TrainingRun.SnapshotHook hook = a.has("metrics") ? QualityHook.open(a, data, dir, out) : null;
            try {
                Path snap = TrainingRun.run(t, feed, dir, o, out, hook);
                out.println("metrics: " + dir.resolve(TrainingRun.METRICS) + "; resume with --resume; snapshot " + snap);
            } finally {
                if (hook instanceof AutoCloseable ac) {
                    ac.close();
                }
            }
        }
        return 0;
    }

    /** "4:64,8:64,16:32" -> {4=64, 8=64, 16=32}. */
    static Map<Integer, Integer> channels(String spec) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split(":");
            try {
                if (kv.length != 2) {
                    throw new NumberFormatException();
                }
                m.put(Integer.parseInt(kv[0].trim()), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new UsageException("--channels takes RES:CH pairs like 4:64,8:64,16:32; got '" + spec + "'");
            }
        }
        return m;
    }
}
