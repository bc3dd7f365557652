package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.ModelIO;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.metrics.FeatureExtractor;
import org.stylealign.metrics.Quality;
import org.stylealign.metrics.TorchScriptFeatures;
import org.stylealign.model.StyleGan2;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * `stylealign metrics`: FID, KID and the domain classifier's own-domain share of a checkpoint's samples against a
 * domain (for a run folder: of every snapshot-*.safetensors in it), and `metrics train-classifier` for the default
 * feature network.
 */
@Command(name = "metrics", header = "FID, KID, own-domain share; classifiers and the segmenter",
        sortOptions = false, subcommands = {MetricsCommand.TrainClassifier.class,
        MetricsCommand.TrainAttributes.class, MetricsCommand.TrainSegmenter.class, MetricsCommand.Classify.class},
        description = {"Without a sub-command: the metrics of a checkpoint's samples against a domain; for a run "
                + "folder, of every snapshot-<kimg>.safetensors in it (docs/metrics.md). Features: the bundled 32 px "
                + "domain classifier unless --classifier or --features (TorchScript, e.g. NVlabs' "
                + "inception-2015-12-05.pt: 299 px, 0..255, return_features=True)."})
final class MetricsCommand extends Action {

    // Not required by picocli: the sub-commands do without it.
    @Option(names = "--checkpoint", order = 1, paramLabel = "FILE|RUN_DIR",
            description = "A checkpoint, or a run folder (every snapshot-<kimg>.safetensors in it, in order). "
                    + "Required.")
    Path checkpoint;

    @Mixin
    TrainOptions.Data data;

    @Option(names = "--samples", order = 30, paramLabel = "N",
            description = "Samples per checkpoint (default: ${DEFAULT-VALUE}).")
    int samples = 1000;

    @Mixin
    Features features;

    /** The feature network and the metric set of `metrics` and of training's `--metrics` (a mixin). */
    static final class Features {

        @ArgGroup
        Network network;

        static final class Network {
            @Option(names = "--features", order = 42, paramLabel = "INCEPTION.pt",
                    description = "A TorchScript feature network (NVlabs' Inception).")
            Path torchScript;

            @Option(names = "--classifier", order = 43, paramLabel = "FILE.safetensors",
                    description = "A domain classifier (metrics train-classifier) instead of the bundled one.")
            Path classifier;
        }

        @Option(names = "--metric-set", order = 41, paramLabel = "NAMES",
                completionCandidates = Values.MetricNames.class,
                description = "Metrics by registry name, comma-separated: ${COMPLETION-CANDIDATES} (default: "
                        + Quality.DEFAULT_METRICS + ").")
        String metricSet;

        /** The feature network of --features / --classifier, else the bundled domain classifier. */
        FeatureExtractor extractor() throws Exception {
            if (network != null && network.torchScript != null) {
                return TorchScriptFeatures.nvlabsInception(network.torchScript);
            }
            return domainClassifier(network == null ? null : network.classifier);
        }

        /** {@code --metric-set a,b}: the metrics by registry name (default: FID, KID, own-domain share). */
        Quality metricSet(Quality q) {
            if (metricSet == null) {
                return q;
            }
            try {
                return q.withMetrics(metricSet);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--metric-set: " + e.getMessage());
            }
        }
    }

    /** The classifier of {@code file}, else the bundled one. */
    static DomainFeatures domainClassifier(Path file) throws Exception {
        if (file != null) {
            return DomainFeatures.load(file);
        }
        return DomainFeatures.bundled().orElseThrow(() -> new UsageException("this build has no bundled domain "
                + "classifier: train one with 'stylealign metrics train-classifier' and pass --classifier FILE"));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        if (checkpoint == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Missing required option: '--checkpoint=FILE|RUN_DIR'");
        }
        List<Path> checkpoints = checkpoints(checkpoint);
        ImageDataset data = this.data.dataset(out);
        if (samples < 2) {
            throw new UsageException("--samples must be at least 2");
        }
        try (FeatureExtractor fx = features.extractor()) {
            // The manifest names the domain of a --data folder as well as of a --domain build.
            String domain = data.manifest() == null ? this.data.domain() : data.manifest().style();
            Quality q = features.metricSet(Quality.against(fx, data, domain, samples));
            out.printf(Locale.ROOT, "features %s; %d real images of %s; %d samples per checkpoint%n", fx.name(),
                    q.realCount(), data.dir().getFileName(), samples);
            out.println("checkpoint," + String.join(",", q.metricNames()));
            for (Path ck : checkpoints) {
                Quality.Result r;
                try (StyleGan2 model = ModelIO.load(ck)) {
                    r = q.of(model.generator());
                }
                StringBuilder line = new StringBuilder(ck.getFileName().toString());
                for (double v : r.values().values()) {
                    line.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v));
                }
                out.println(line);
            }
            if (!q.hasShare() && fx instanceof DomainFeatures df) {
                out.println("(no own-domain share: '" + domain + "' is not one of the classifier's domains "
                        + df.classes() + ")");
            }
        }
        return 0;
    }

    private static List<Path> checkpoints(Path p) throws java.io.IOException {
        if (Files.isRegularFile(p)) {
            return List.of(p);
        }
        if (!Files.isDirectory(p)) {
            throw new UsageException("--checkpoint " + p + ": no such file or folder");
        }
        try (Stream<Path> s = Files.list(p)) {
            List<Path> l = s.filter(f -> f.getFileName().toString().matches("snapshot-[0-9.]+\\.safetensors"))
                    .sorted(java.util.Comparator.comparingDouble(f -> Double.parseDouble(f.getFileName().toString()
                            .replace("snapshot-", "").replace(".safetensors", ""))))
                    .toList();
            if (l.isEmpty()) {
                throw new UsageException("--checkpoint " + p + ": no snapshot-<kimg>.safetensors in this folder");
            }
            return l;
        }
    }

    @Command(name = "train-classifier", header = "Train the domain classifier (the default features)",
            sortOptions = false, description = "On built domains, scored on 200 held-out images of each (builder "
            + "seed + 1000).")
    static final class TrainClassifier extends Action {

        @Option(names = "--domains", required = true, split = ",", paramLabel = "NAME", description = "At least two "
                + "domains; one may carry a fixed transform: avataaars-tx20, avataaars-rot180.")
        List<String> domains;

        @Option(names = "--out", required = true, paramLabel = "FILE.safetensors")
        Path dest;

        @Option(names = "--size", paramLabel = "S", description = "Default: ${DEFAULT-VALUE}.")
        int size = 32;

        @Option(names = "--count", paramLabel = "N", description = "Images per domain (default: ${DEFAULT-VALUE}).")
        int count = 1000;

        @Option(names = "--seed", paramLabel = "K", description = "Default: ${DEFAULT-VALUE}.")
        int seed = 1;

        @Option(names = "--steps", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int steps = 600;

        @Option(names = "--batch", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int batch = 64;

        @Override
        public Integer call() throws Exception {
            PrintStream out = out();
            List<DomainFeatures.Source> sources = new ArrayList<>();
            for (String d : domains) {
                BuildSpec spec = BuildSpec.ofStyle(d.trim(), size, count, seed);
                out.println("dataset " + spec.id());
                sources.add(DomainFeatures.Source.of(d.trim(), new DatasetBuilder().open(spec)));
            }
            if (sources.size() < 2) {
                throw new UsageException("--domains needs at least two domains");
            }
            long t0 = System.nanoTime();
            try (DomainFeatures f = DomainFeatures.train(sources, steps, batch, seed, out)) {
                f.save(dest);
                out.printf(Locale.ROOT, "trained in %.0f s; wrote %s (%d bytes)%n", (System.nanoTime() - t0) / 1e9,
                        dest, Files.size(dest));
                // accuracy on images after the training range (same builder seed, unseen indices)
                try (NDManager m = NDManager.newBaseManager()) {
                    for (int c = 0; c < sources.size(); c++) {
                        BuildSpec held = BuildSpec.ofStyle(sources.get(c).name(), size, 200, seed + 1000);
                        ImageDataset ds = new DatasetBuilder().open(held);
                        NDArray img = DomainFeatures.Source.of("held", ds).images(m,
                                java.util.stream.IntStream.range(0, ds.size()).toArray());
                        out.printf(Locale.ROOT, "held-out %-12s %.1f%% classified as itself%n", sources.get(c).name(),
                                100 * Quality.share(f.probabilities(img), c));
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "train-attributes", header = "Train an attribute classifier on a domain's labels",
            sortOptions = false, description = {"Glasses, facial hair, hair and skin luminance, mouth... "
            + "(docs/attributes.md), on a domain's exact labels, scored on held-out images."})
    static final class TrainAttributes extends Action {

        @Option(names = "--domain", required = true, paramLabel = "NAME")
        String domain;

        @Option(names = "--out", required = true, paramLabel = "FILE.safetensors")
        Path dest;

        @Option(names = "--size", paramLabel = "S", description = "Default: ${DEFAULT-VALUE}.")
        int size = 32;

        @Option(names = "--count", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int count = 12000;

        @Option(names = "--seed", paramLabel = "K", description = "Builder seed and training seed (default: "
                + "${DEFAULT-VALUE}).")
        int seed = 101;

        @Option(names = "--steps", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int steps = 3000;

        @Option(names = "--batch", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int batch = 64;

        @Option(names = "--test", paramLabel = "FRACTION", description = "Held out (default: ${DEFAULT-VALUE}).")
        double test = 0.15;

        @Option(names = "--fp16", description = "Store float16.")
        boolean fp16;

        @Override
        public Integer call() throws Exception {
            PrintStream out = out();
            List<org.stylealign.metrics.Attribute> attrs;
            try {
                attrs = org.stylealign.metrics.Attribute.forDomain(domain);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--domain: " + e.getMessage());
            }
            if (!(test > 0 && test < 1)) {
                throw new UsageException("--test must be a fraction in (0, 1), got " + test);
            }
            if (steps < 1 || batch < 2) {
                throw new UsageException("--steps must be >= 1 and --batch >= 2");
            }
            BuildSpec spec = BuildSpec.ofStyle(domain, size, count, seed);
            out.println("dataset " + spec.id() + " (built if missing)");
            ImageDataset ds = new DatasetBuilder().open(spec);
            ImageDataset.Split split = ds.split(test, seed);
            long t0 = System.nanoTime();
            try (org.stylealign.metrics.AttributeClassifier c = org.stylealign.metrics.AttributeClassifier.train(ds,
                    split.train(), attrs, steps, batch, seed, out)) {
                double secs = (System.nanoTime() - t0) / 1e9;
                if (dest.getParent() != null) {
                    Files.createDirectories(dest.getParent());
                }
                c.save(dest, fp16);
                out.printf(Locale.ROOT, "trained on %d images in %.0f s; wrote %s (%d bytes)%n", split.train().length,
                        secs, dest, Files.size(dest));
                out.println("provenance: " + c.provenance());
                out.printf(Locale.ROOT, "held-out: %d images of %s%n", split.test().length, spec.id());
                out.println("attribute,metric,value,baseline,extra,n");
                for (var sc : c.evaluate(ds, split.test())) {
                    out.printf(Locale.ROOT, "%s,%s,%.4f,%.4f,%.4f,%d%n", sc.attribute(), sc.metric(), sc.value(),
                            sc.baseline(), sc.extra(), sc.n());
                }
            }
            return 0;
        }
    }

    @Command(name = "train-segmenter", header = "Train the part segmenter on exact part masks", sortOptions = false,
            description = {"The part segmenter for generated images (docs/segmenter.md), scored by per-class IoU on "
            + "held-out images (builder seed 1001)."})
    static final class TrainSegmenter extends Action {

        @Option(names = "--out", required = true, paramLabel = "FILE.safetensors")
        Path dest;

        @Option(names = "--domains", split = ",", paramLabel = "NAME", defaultValue = "avataaars,personas,micah",
                description = "Domains with masks (default: ${DEFAULT-VALUE}).")
        List<String> domains;

        @Option(names = "--count", paramLabel = "N", description = "Training images per domain (default: "
                + "${DEFAULT-VALUE}).")
        int count = 4000;

        @Option(names = "--test-count", paramLabel = "N", description = "Held-out images per domain (default: "
                + "${DEFAULT-VALUE}).")
        int testCount = 500;

        @Option(names = "--seed", paramLabel = "K", description = "Default: ${DEFAULT-VALUE}.")
        int seed = 1;

        @Option(names = "--steps", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int steps = 3000;

        @Option(names = "--batch", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int batch = 32;

        @Option(names = "--fp16", description = "Store float16.")
        boolean fp16;

        @Override
        public Integer call() throws Exception {
            PrintStream out = out();
            if (count < 10 || testCount < 1 || steps < 1 || batch < 2) {
                throw new UsageException("--count must be >= 10, --test-count >= 1, --steps >= 1 and --batch >= 2");
            }
            List<ImageDataset> train = new java.util.ArrayList<>(), test = new java.util.ArrayList<>();
            List<int[]> idx = new java.util.ArrayList<>();
            DatasetBuilder builder = new DatasetBuilder();
            for (String d : domains) {
                BuildSpec tr = BuildSpec.of(d.trim(), org.stylealign.metrics.PartSegmenter.SIZE, count, seed)
                        .withMasks();
                BuildSpec te = BuildSpec.of(d.trim(), org.stylealign.metrics.PartSegmenter.SIZE, testCount, 1001)
                        .withMasks();
                out.println("datasets " + tr.id() + " and " + te.id() + " (built if missing)");
                ImageDataset ds = builder.open(tr);
                train.add(ds);
                idx.add(ds.indices());
                test.add(builder.open(te));
            }
            long t0 = System.nanoTime();
            try (org.stylealign.metrics.PartSegmenter s = org.stylealign.metrics.PartSegmenter.train(train, idx, steps,
                    batch, seed, out)) {
                double secs = (System.nanoTime() - t0) / 1e9;
                if (dest.getParent() != null) {
                    Files.createDirectories(dest.getParent());
                }
                s.save(dest, fp16);
                out.printf(Locale.ROOT, "trained in %.0f s; wrote %s (%d bytes)%n", secs, dest, Files.size(dest));
                out.println("provenance: " + s.provenance());
                out.println("dataset,images,pixel_accuracy,mean_iou," + String.join(",",
                        java.util.Arrays.stream(org.stylealign.data.PartClass.values()).map(c -> "iou_" + c.key())
                                .toList()));
                for (ImageDataset ds : test) {
                    var e = s.evaluate(ds, ds.indices());
                    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s,%d,%.4f,%.4f", e.dataset(),
                            e.images(), e.pixelAccuracy(), e.meanIou()));
                    e.iou().values().forEach(v -> b.append(String.format(Locale.ROOT, ",%.4f", v)));
                    out.println(b);
                }
            }
            return 0;
        }
    }

    @Command(name = "classify", header = "How the domain classifier labels images or samples", sortOptions = false)
    static final class Classify extends Action {

        @ArgGroup(multiplicity = "1")
        Images images;

        static final class Images {
            @Option(names = "--data", paramLabel = "DIR", description = "A built dataset folder.")
            Path dir;

            @Option(names = "--checkpoint", paramLabel = "FILE", description = "A model: its samples of seeds 0..N-1, "
                    + "psi 1.")
            Path checkpoint;
        }

        @Option(names = "--samples", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int samples = 1000;

        @Option(names = "--classifier", paramLabel = "FILE.safetensors", description = "Default: the bundled one.")
        Path classifier;

        @Override
        public Integer call() throws Exception {
            PrintStream out = out();
            int n = samples;
            if (n < 1) {
                throw new UsageException("--samples must be at least 1");
            }
            try (DomainFeatures f = domainClassifier(classifier); NDManager m = NDManager.newBaseManager()) {
                NDArray img;
                String what;
                if (images.dir != null) {
                    Path dir = images.dir;
                    if (!Files.isDirectory(dir)) {
                        throw new UsageException("--data " + dir + ": no such folder");
                    }
                    ImageDataset ds = ImageDataset.open(dir);
                    n = Math.min(n, ds.size());
                    img = DomainFeatures.Source.of("data", ds).images(m,
                            java.util.stream.IntStream.range(0, n).toArray());
                    what = n + " images of " + dir.getFileName();
                } else {
                    Path ck = images.checkpoint;
                    if (!Files.isRegularFile(ck)) {
                        throw new UsageException("--checkpoint " + ck + ": no such file");
                    }
                    try (StyleGan2 model = ModelIO.load(ck)) {
                        img = Quality.samples(model.generator(), m, n);
                    }
                    what = n + " samples of " + ck.getFileName() + " (seeds 0.." + (n - 1) + ", psi 1)";
                }
                float[][] p = f.probabilities(img);
                out.println(what + ", classified by " + f.name() + ":");
                out.println("domain,share");
                for (int c = 0; c < f.classes().size(); c++) {
                    out.printf(Locale.ROOT, "%s,%.4f%n", f.classes().get(c), Quality.share(p, c));
                }
            }
            return 0;
        }
    }
}
