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

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * `stylealign metrics`: FID, KID and the domain classifier's own-domain share of a checkpoint's samples against a
 * domain (for a run folder: of every snapshot-*.safetensors in it), and `metrics train-classifier` for the default
 * feature network.
 */
final class MetricsCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: stylealign metrics --checkpoint FILE|RUN_DIR (--domain NAME --size S --count N [--seed K] | --data DIR)",
            "                          [--samples 1000] [--features INCEPTION.pt | --classifier FILE.safetensors]",
            "                          [--metric-set " + String.join(",", org.stylealign.metrics.MetricRegistry.names())
                    + "] (the registry's metrics)",
            "       stylealign metrics train-classifier --domains a,b,c --out FILE.safetensors [--size 32]",
            "                          (a domain may carry a fixed transform: avataaars-tx20, avataaars-rot180)",
            "                          [--count 1000] [--seed 1] [--steps 600] [--batch 64]",
            "       stylealign metrics train-attributes --domain NAME --out FILE.safetensors [--size 32] [--count 12000]",
            "                          [--seed 101] [--steps 3000] [--batch 64] [--test 0.15] [--fp16]",
            "                          an attribute classifier (glasses, facial hair, hair/skin luminance, mouth...; see",
            "                          docs/attributes.md) on a domain's exact labels, scored on held-out images",
            "       stylealign metrics train-segmenter --out FILE.safetensors [--domains avataaars,personas,micah]",
            "                          [--count 4000] [--test-count 500] [--seed 1] [--steps 3000] [--batch 32] [--fp16]",
            "                          the part segmenter for generated images (docs/segmenter.md) on the exact part",
            "                          masks, scored by per-class IoU on held-out images (builder seed 1001)",
            "       stylealign metrics classify (--data DIR | --checkpoint FILE) [--samples 1000] [--classifier F]",
            "                          how the domain classifier labels real images or a model's samples",
            "Features: the bundled 32 px domain classifier unless --classifier or --features (TorchScript, e.g.",
            "NVlabs' inception-2015-12-05.pt: 299 px, 0..255, return_features=True).");

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public String summary() {
        return "FID / KID / domain share of checkpoints or a run's snapshots vs a domain; train-classifier, "
                + "train-attributes";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            out.println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        if (argv[0].equals("train-classifier")) {
            return trainClassifier(new Args(java.util.Arrays.copyOfRange(argv, 1, argv.length),
                    Set.of("domains", "out", "size", "count", "seed", "steps", "batch"), Set.of()), out);
        }
        if (argv[0].equals("train-attributes")) {
            return trainAttributes(new Args(java.util.Arrays.copyOfRange(argv, 1, argv.length),
                    Set.of("domain", "out", "size", "count", "seed", "steps", "batch", "test"), Set.of("fp16")), out);
        }
        if (argv[0].equals("train-segmenter")) {
            return trainSegmenter(new Args(java.util.Arrays.copyOfRange(argv, 1, argv.length),
                    Set.of("domains", "out", "count", "test-count", "seed", "steps", "batch"), Set.of("fp16")), out);
        }
        if (argv[0].equals("classify")) {
            return classify(new Args(java.util.Arrays.copyOfRange(argv, 1, argv.length),
                    Set.of("data", "checkpoint", "samples", "classifier"), Set.of()), out);
        }
        Args a = new Args(argv, Set.of("checkpoint", "domain", "size", "count", "seed", "data", "samples", "features",
                "classifier", "metric-set"), Set.of());
        List<Path> checkpoints = checkpoints(a.path("checkpoint"));
        ImageDataset data = TrainOptions.dataset(a, out);
        int samples = a.intValue("samples", 1000);
        if (samples < 2) {
            throw new UsageException("--samples must be at least 2");
        }
        try (FeatureExtractor fx = extractor(a)) {
            // The manifest names the domain of a --data folder as well as of a --domain build.
            String domain = data.manifest() == null ? a.get("domain", "") : data.manifest().style();
            Quality q = metricSet(a, Quality.against(fx, data, domain, samples));
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

    /** {@code --metric-set a,b}: the metrics by registry name (default: FID, KID, own-domain share). */
    static Quality metricSet(Args a, Quality q) {
        if (!a.has("metric-set")) {
            return q;
        }
        try {
            return q.withMetrics(a.get("metric-set", ""));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--metric-set: " + e.getMessage());
        }
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

    /** The feature network of --features / --classifier, else the bundled domain classifier. */
    static FeatureExtractor extractor(Args a) throws Exception {
        if (a.has("features") && a.has("classifier")) {
            throw new UsageException("give --features or --classifier, not both");
        }
        if (a.has("features")) {
            return TorchScriptFeatures.nvlabsInception(a.path("features"));
        }
        if (a.has("classifier")) {
            return DomainFeatures.load(a.path("classifier"));
        }
        return DomainFeatures.bundled().orElseThrow(() -> new UsageException("this build has no bundled domain "
                + "classifier: train one with 'stylealign metrics train-classifier' and pass --classifier FILE"));
    }

    private static int trainClassifier(Args a, PrintStream out) throws Exception {
        int size = a.intValue("size", 32);
        int count = a.intValue("count", 1000);
        int seed = a.intValue("seed", 1);
        List<DomainFeatures.Source> sources = new ArrayList<>();
        for (String d : a.require("domains").split(",")) {
            BuildSpec spec = BuildSpec.ofStyle(d.trim(), size, count, seed);
            out.println("dataset " + spec.id());
            sources.add(DomainFeatures.Source.of(d.trim(), new DatasetBuilder().open(spec)));
        }
        if (sources.size() < 2) {
            throw new UsageException("--domains needs at least two domains");
        }
        Path dest = a.path("out");
        long t0 = System.nanoTime();
        try (DomainFeatures f = DomainFeatures.train(sources, a.intValue("steps", 600), a.intValue("batch", 64),
                seed, out)) {
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

    private static int trainAttributes(Args a, PrintStream out) throws Exception {
        String domain = a.require("domain");
        List<org.stylealign.metrics.Attribute> attrs;
        try {
            attrs = org.stylealign.metrics.Attribute.forDomain(domain);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--domain: " + e.getMessage());
        }
        double test = Double.parseDouble(a.get("test", "0.15"));
        if (!(test > 0 && test < 1)) {
            throw new UsageException("--test must be a fraction in (0, 1), got " + test);
        }
        int steps = a.intValue("steps", 3000);
        int batch = a.intValue("batch", 64);
        if (steps < 1 || batch < 2) {
            throw new UsageException("--steps must be >= 1 and --batch >= 2");
        }
        BuildSpec spec = BuildSpec.ofStyle(domain, a.intValue("size", 32), a.intValue("count", 12000),
                a.intValue("seed", 101));
        out.println("dataset " + spec.id() + " (built if missing)");
        ImageDataset ds = new DatasetBuilder().open(spec);
        ImageDataset.Split split = ds.split(test, a.intValue("seed", 101));
        Path dest = a.path("out");
        long t0 = System.nanoTime();
        try (org.stylealign.metrics.AttributeClassifier c = org.stylealign.metrics.AttributeClassifier.train(ds,
                split.train(), attrs, steps, batch, a.intValue("seed", 101), out)) {
            double secs = (System.nanoTime() - t0) / 1e9;
            if (dest.getParent() != null) {
                Files.createDirectories(dest.getParent());
            }
            c.save(dest, a.has("fp16"));
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

    private static int trainSegmenter(Args a, PrintStream out) throws Exception {
        List<String> domains = List.of(a.get("domains", "avataaars,personas,micah").split(","));
        int count = a.intValue("count", 4000), testCount = a.intValue("test-count", 500);
        int steps = a.intValue("steps", 3000), batch = a.intValue("batch", 32), seed = a.intValue("seed", 1);
        if (count < 10 || testCount < 1 || steps < 1 || batch < 2) {
            throw new UsageException("--count must be >= 10, --test-count >= 1, --steps >= 1 and --batch >= 2");
        }
        Path dest = a.path("out");
        List<ImageDataset> train = new java.util.ArrayList<>(), test = new java.util.ArrayList<>();
        List<int[]> idx = new java.util.ArrayList<>();
        DatasetBuilder builder = new DatasetBuilder();
        for (String d : domains) {
            BuildSpec tr = BuildSpec.of(d.trim(), org.stylealign.metrics.PartSegmenter.SIZE, count, seed).withMasks();
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
            s.save(dest, a.has("fp16"));
            out.printf(Locale.ROOT, "trained in %.0f s; wrote %s (%d bytes)%n", secs, dest, Files.size(dest));
            out.println("provenance: " + s.provenance());
            out.println("dataset,images,pixel_accuracy,mean_iou," + String.join(",",
                    java.util.Arrays.stream(org.stylealign.data.PartClass.values()).map(c -> "iou_" + c.key()).toList()));
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

    private static int classify(Args a, PrintStream out) throws Exception {
        if (a.has("data") == a.has("checkpoint")) {
            throw new UsageException("classify: give exactly one of --data DIR and --checkpoint FILE");
        }
        int n = a.intValue("samples", 1000);
        if (n < 1) {
            throw new UsageException("--samples must be at least 1");
        }
        if (!(extractor(a) instanceof DomainFeatures f)) {
            throw new UsageException("classify needs a domain classifier (--classifier), not --features");
        }
        try (f; NDManager m = NDManager.newBaseManager()) {
            NDArray img;
            String what;
            if (a.has("data")) {
                Path dir = a.path("data");
                if (!Files.isDirectory(dir)) {
                    throw new UsageException("--data " + dir + ": no such folder");
                }
                ImageDataset ds = ImageDataset.open(dir);
                n = Math.min(n, ds.size());
                img = DomainFeatures.Source.of("data", ds).images(m, java.util.stream.IntStream.range(0, n).toArray());
                what = n + " images of " + dir.getFileName();
            } else {
                Path ck = a.path("checkpoint");
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
