package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.ModelIO;
import org.stylealign.metrics.Distances;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.metrics.FeatureExtractor;
import org.stylealign.metrics.FeatureStats;
import org.stylealign.metrics.TorchScriptFeatures;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
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
            "       stylealign metrics train-classifier --domains a,b,c --out FILE.safetensors [--size 32]",
            "                          [--count 1000] [--seed 1] [--steps 600] [--batch 64]",
            "Features: the bundled 32 px domain classifier unless --classifier or --features (TorchScript, e.g.",
            "NVlabs' inception-2015-12-05.pt: 299 px, 0..255, return_features=True).");

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public String summary() {
        return "FID / KID / domain share of checkpoints or a run's snapshots vs a domain; train-classifier";
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
        Args a = new Args(argv, Set.of("checkpoint", "domain", "size", "count", "seed", "data", "samples", "features",
                "classifier"), Set.of());
        List<Path> checkpoints = checkpoints(a.path("checkpoint"));
        ImageDataset data = TrainOptions.dataset(a, out);
        int samples = a.intValue("samples", 1000);
        if (samples < 2) {
            throw new UsageException("--samples must be at least 2");
        }
        try (FeatureExtractor fx = extractor(a); NDManager m = NDManager.newBaseManager()) {
            int nReal = Math.min(samples, data.size());
            int[] idx = java.util.stream.IntStream.range(0, nReal).toArray();
            float[][] real = fx.features(DomainFeatures.Source.of("real", data).images(m, idx));
            FeatureStats realStats = FeatureStats.of(real);
            // The manifest names the domain of a --data folder as well as of a --domain build.
            String domain = a.get("domain", data.manifest() == null ? "" : data.manifest().domain());
            int own = fx instanceof DomainFeatures df ? df.classes().indexOf(domain) : -1;
            out.printf(Locale.ROOT, "features %s; %d real images of %s; %d samples per checkpoint%n", fx.name(),
                    nReal, data.dir().getFileName(), samples);
            out.println("checkpoint,fid,kid" + (own >= 0 ? ",own_domain_share" : ""));
            for (Path ck : checkpoints) {
                float[][] gen;
                double share = Double.NaN;
                try (StyleGan2 model = ModelIO.load(ck); NDManager g = m.newSubManager()) {
                    NDArray img = samples(model.generator(), g, samples);
                    gen = fx.features(img);
                    if (own >= 0) {
                        share = share(((DomainFeatures) fx).probabilities(img), own);
                    }
                }
                double fid = Distances.fid(FeatureStats.of(gen), realStats);
                double kid = Distances.kid(gen, real, 1);
                out.printf(Locale.ROOT, "%s,%.4f,%.6f%s%n", ck.getFileName(), fid, kid,
                        own >= 0 ? String.format(Locale.ROOT, ",%.4f", share) : "");
            }
            if (own < 0 && fx instanceof DomainFeatures df) {
                out.println("(no own-domain share: '" + domain + "' is not one of the classifier's domains "
                        + df.classes() + ")");
            }
        }
        return 0;
    }

    /** Samples for seeds 0..n-1, psi 1, random noise (seeded, so a metric is the same on every run), in chunks. */
    static NDArray samples(Generator gen, NDManager m, int n) {
        ai.djl.engine.Engine.getInstance().setRandomSeed(0);
        List<NDArray> parts = new ArrayList<>();
        for (int s = 0; s < n; s += 32) {
            long[] seeds = java.util.stream.LongStream.range(s, Math.min(n, s + 32)).toArray();
            parts.add(gen.generate(gen.zFromSeeds(m, seeds), 1f, Noise.random()));
        }
        return ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts), 0);
    }

    static double share(float[][] probs, int cls) {
        int hits = 0;
        for (float[] p : probs) {
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            hits += best == cls ? 1 : 0;
        }
        return hits / (double) probs.length;
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

    private static FeatureExtractor extractor(Args a) throws Exception {
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
            BuildSpec spec = BuildSpec.of(d.trim(), size, count, seed);
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
                    BuildSpec held = BuildSpec.of(sources.get(c).name(), size, 200, seed + 1000);
                    ImageDataset ds = new DatasetBuilder().open(held);
                    NDArray img = DomainFeatures.Source.of("held", ds).images(m,
                            java.util.stream.IntStream.range(0, ds.size()).toArray());
                    out.printf(Locale.ROOT, "held-out %-12s %.1f%% classified as itself%n", sources.get(c).name(),
                            100 * share(f.probabilities(img), c));
                }
            }
        }
        return 0;
    }
}
