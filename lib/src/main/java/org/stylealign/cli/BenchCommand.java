package org.stylealign.cli;

import ai.djl.Device;
import org.stylealign.bench.GeneratorBench;
import org.stylealign.model.Devices;
import org.stylealign.model.GeneratorConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `stylealign bench [generate] | train | localized | invert | reference`: speed, each against the machine's
 * convolution peak measured in the same run.
 */
@Command(name = "bench", header = "Speed against this machine's measured convolution peak",
        sortOptions = false, subcommands = {BenchCommand.Generate.class, BenchCommand.Train.class,
        BenchCommand.Localized.class, BenchCommand.Invert.class, BenchCommand.Reference.class},
        description = {"Each against the convolution peak measured in the same run (docs/performance.md). Without "
                + "a sub-command: generate, with the options below."})
final class BenchCommand extends Action {

    @Mixin
    GenerateOptions generate;

    @Override
    public Integer call() throws Exception {
        return generate.run(out());
    }

    /** `bench generate`, the default: inference and forward + backward of generators of FFHQ's widths. */
    static final class GenerateOptions {

        @Option(names = "--res", split = ",", paramLabel = "RES", defaultValue = "32,64,256",
                description = "Resolutions, one table row each (default: ${DEFAULT-VALUE}).")
        List<Integer> resolutions;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "8", description = "Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--channel-base", paramLabel = "N", defaultValue = "16384",
                description = "Widths min(BASE/res, MAX) (default: ${DEFAULT-VALUE}).")
        int base;

        @Option(names = "--channel-max", paramLabel = "N", defaultValue = "512", description = "Default: "
                + "${DEFAULT-VALUE}.")
        int max;

        @Option(names = "--iters", paramLabel = "N", defaultValue = "3", description = "Timed iterations, the best "
                + "counts (default: ${DEFAULT-VALUE}).")
        int iters;

        @Option(names = "--peer", paramLabel = "rosinality=DIR", converter = Values.PeerConverter.class,
                description = "Also run rosinality/stylegan2-pytorch's own model code from the checkout DIR beside.")
        Path peerRepo;

        @Option(names = "--peer-res", paramLabel = "RES", defaultValue = "256", description = "The peer's resolution "
                + "(default: ${DEFAULT-VALUE}).")
        int peerRes;

        @Option(names = "--peer-images", paramLabel = "N", defaultValue = "16", description = "Default: "
                + "${DEFAULT-VALUE}.")
        int peerImages;

        @Option(names = "--peer-batch", paramLabel = "N", defaultValue = "8", description = "Default: "
                + "${DEFAULT-VALUE}.")
        int peerBatch;

        int run(PrintStream out) throws Exception {
            if (batch <= 0 || iters <= 0) {
                throw new UsageException("--batch and --iters must be positive");
            }
            Device device = Devices.preferred();
            String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
            out.printf("device %s, intra-op threads %s, %d CPU(s) visible, batch %d, widths min(%d/res, %d)%n",
                    device, threads, Runtime.getRuntime().availableProcessors(), batch, base, max);
            GeneratorBench bench = new GeneratorBench(device, iters, out);
            // The peak is measured again before every row: on a shared machine the rate moves, and a ratio is only
            // meaningful between measurements taken together.
            StringBuilder table = new StringBuilder(
                    "  res  GFLOP/img   conv peak | inference: ms/batch   img/s   GFLOP/s   of peak | fwd+bwd: ms/batch"
                            + "   GFLOP/s   of peak | top-layer conv alone" + System.lineSeparator());
            for (int res : resolutions) {
                double peak = bench.convPeak();
                GeneratorConfig cfg = new GeneratorConfig(res, 3, 512, 512, 8, 0.01f,
                        GeneratorConfig.channelsFromBase(res, base, max));
                GeneratorBench.Result r = bench.run(cfg, batch, peak);
                // The same machine's rate for a plain conv of the last layer's shape: the ceiling narrow layers allow.
                double top = bench.convRate(cfg.channelsAt(res), res, batch, false);
                table.append(String.format("  %3d  %9.2f  %10.1f | %19.0f  %6.2f  %8.1f  %7.0f%% | %17.0f  %8.1f  %7.0f%% | %6.1f (%.0f%%)%n",
                        res, r.gflopPerImage(), peak, r.forwardMs(), r.imagesPerSecond(), r.achievedGflops(),
                        100 * r.fractionOfPeak(), r.forwardBackwardMs(), r.trainingGflops(),
                        100 * r.trainingGflops() / peak, top, 100 * top / peak));
            }
            out.println();
            out.print(table);
            if (peerRepo != null) {
                out.println();
                new org.stylealign.bench.PeerBench(device, out).rosinality(peerRepo, peerRes, peerImages, peerBatch,
                        bench);
            }
            return 0;
        }
    }

    @Command(name = "generate", header = "Generation: inference and forward + backward (the default)",
            sortOptions = false, description = "Generators of FFHQ's widths (min(BASE/res, MAX)) at each resolution; "
            + "also a plain convolution of the top layer's shape, the ceiling narrow layers allow.")
    static final class Generate extends Action {
        @Mixin
        GenerateOptions options;

        @Override
        public Integer call() throws Exception {
            return options.run(out());
        }
    }

    /** One training iteration per width (all resolutions the same width), phase by phase. */
    @Command(name = "train", header = "One training iteration, phase by phase", sortOptions = false,
            description = {"G, D, R1 and path length steps of fresh networks on random images (the data pipeline "
            + "is not timed), R1 lazy every 16 steps."})
    static final class Train extends Action {

        @Option(names = "--res", paramLabel = "RES", description = "Default: ${DEFAULT-VALUE}.")
        int res = 32;

        @Option(names = "--channels", split = ",", paramLabel = "CH", defaultValue = "64,128", description = "One "
                + "network per width, the same at every resolution (default: ${DEFAULT-VALUE}).")
        List<Integer> channels;

        @Option(names = "--widths", paramLabel = "RES:CH,...", converter = Values.Widths.Converter.class,
                description = "One network with a width per resolution, e.g. 4:128,8:128,16:64,32:64 (the "
                        + "family's); wins over --channels.")
        Values.Widths widths;

        @Option(names = "--batch", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int batch = 16;

        @Option(names = "--steps", paramLabel = "N", description = "Timed steps, at least 4 (default: "
                + "${DEFAULT-VALUE}).")
        int steps = 12;

        @Option(names = "--z-dim", paramLabel = "N", description = "z and w size (default: ${DEFAULT-VALUE}).")
        int zDim = 128;

        @Option(names = "--mapping", paramLabel = "N", description = "Mapping layers (default: ${DEFAULT-VALUE}).")
        int mapping = 2;

        @Option(names = "--freeze", split = ",", paramLabel = "PART", description = "Also time fine-tuning with these "
                + "parts frozen (names as finetune --freeze), e.g. mapping,affine.")
        List<String> frozen = List.of();

        @Option(names = "--profile", description = "Native operators by self time instead of the table.")
        boolean profile;

        @Option(names = "--trace", paramLabel = "FILE.json", description = "With the profile, a Chrome trace "
                + "(chrome://tracing or ui.perfetto.dev).")
        Path trace;

        @Option(names = "--peer", paramLabel = "rosinality=DIR", converter = Values.PeerConverter.class,
                description = "Also time rosinality/stylegan2-pytorch's training step (first network only).")
        Path peerRepo;

        @Override
        public Integer call() throws Exception {
            PrintStream out = out();
            Path peerRepo = this.peerRepo;
            boolean profile = this.profile || trace != null;
            if (batch <= 0 || steps < 4) {
                throw new UsageException("--batch must be positive and --steps at least 4");
            }
            Device device = Devices.preferred();
            out.printf("device %s, intra-op threads %s, %dx%d, batch %d, z=w=%d, mapping %d, R1 lazy every 16%n",
                    device, System.getProperty("ai.djl.pytorch.num_threads", "default"), res, res, batch, zDim,
                    mapping);
            GeneratorBench peakProbe = new GeneratorBench(device, 3, out);
            org.stylealign.bench.TrainBench bench = new org.stylealign.bench.TrainBench(device, steps);
            StringBuilder table = new StringBuilder("  width   G ms   D ms   R1 ms   PL ms   step ms   img/s   img/min"
                    + "   GFLOP/s   conv peak   of peak" + System.lineSeparator());
            // --widths: one network with a width per resolution (e.g. the family's 4:128,8:128,16:64,32:64);
            // --channels: one network per width, the same at every resolution
            List<java.util.Map<Integer, Integer>> configs = new ArrayList<>();
            if (this.widths != null) {
                configs.add(this.widths.byResolution());
            } else {
                for (int ch : channels) {
                    java.util.Map<Integer, Integer> widths = new java.util.TreeMap<>();
                    for (int r = 4; r <= res; r *= 2) {
                        widths.put(r, ch);
                    }
                    configs.add(widths);
                }
            }
            for (java.util.Map<Integer, Integer> widths : configs) {
                int ch = widths.get(res) == null ? 0 : widths.get(res);
                GeneratorConfig gc;
                try {
                    gc = new GeneratorConfig(res, 3, zDim, zDim, mapping, 0.01f, widths);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--widths: " + e.getMessage());
                }
                if (this.widths != null) {
                    out.println("widths " + widths);
                }
                if (profile) {
                    org.stylealign.bench.OpProfile p = bench.profile(gc, batch, frozen, trace);
                    out.printf("%nnative time per iteration, width %s (averaged over one R1 interval)%n",
                            this.widths != null ? widths.toString() : String.valueOf(ch));
                    out.print(p.table(25));
                    if (trace != null) {
                        out.println("  Chrome trace: " + trace.toAbsolutePath()
                                + " (chrome://tracing or ui.perfetto.dev)");
                    }
                    continue;
                }
                double peak = peakProbe.convPeak();
                org.stylealign.bench.TrainBench.Result r = bench.run(gc, batch, peak);
                if (peerRepo != null) {
                    out.println();
                    new org.stylealign.bench.PeerBench(device, out).rosinalityTraining(peerRepo, res, widths, zDim,
                            mapping, batch, steps, r.stepMs());
                    peerRepo = null; // the first configuration only: the reference takes minutes per configuration
                }
                table.append(String.format(
                        "  %5d  %5.0f  %5.0f  %6.0f  %6.0f  %8.0f  %6.1f  %8.0f  %8.1f  %10.1f  %7.0f%%%n", ch,
                        r.gStepMs(), r.dStepMs(), r.r1StepMs(), r.plStepMs(), r.stepMs(), r.imagesPerSecond(),
                        60 * r.imagesPerSecond(), r.achievedGflops(), peak, 100 * r.achievedGflops() / peak));
                if (!frozen.isEmpty()) {
                    double ms;
                    try {
                        ms = bench.frozenStepMs(gc, batch, frozen);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("--freeze: " + e.getMessage());
                    }
                    table.append(String.format("         fine-tuning with %s frozen: %.0f ms per iteration, "
                            + "%.0f img/min (%.2fx the full step)%n", String.join(",", frozen), ms,
                            60_000.0 * batch / ms, r.stepMs() / ms));
                }
            }
            if (!profile) {
                out.println();
                out.print(table);
            }
            return 0;
        }
    }

    /** A localized-channel scan of a model (the family's parent by default) over a few images. */
    @Command(name = "localized", header = "A localized-channel scan: channel-images/s", sortOptions = false,
            description = "StyleSpace's localized-channel detection (notebook 05) over a few images, with the "
            + "bundled part segmenter.")
    static final class Localized extends Action {

        @Option(names = "--checkpoint", paramLabel = "FILE", description = "The model (default: the workbench's, "
                + "models/P.safetensors).")
        Path checkpoint;

        @Option(names = "--images", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int images = 4;

        @Override
        public Integer call() throws Exception {
            PrintStream out = out();
            Path ck = defaultModel(checkpoint);
            if (images < 1) {
                throw new UsageException("--images must be at least 1");
            }
            var seg = org.stylealign.metrics.PartSegmenter.bundled();
            // no segmenter: every pixel background
            java.util.function.Function<ai.djl.ndarray.NDArray, byte[][]> segment = seg.isPresent()
                    ? seg.get()::segment : x -> new byte[(int) x.getShape().get(0)][32 * 32];
            try (org.stylealign.model.StyleGan2 model = org.stylealign.io.ModelIO.load(ck)) {
                out.printf("%s, %d images, segmenter %s, intra-op threads %s%n", ck, images,
                        seg.isPresent() ? "bundled" : "none (one region)",
                        System.getProperty("ai.djl.pytorch.num_threads", "default"));
                var r = org.stylealign.bench.LocalizedBench.run(model.generator(), segment, images, out);
                out.printf(java.util.Locale.ROOT, "%d channels x %d images in %.1f s: %.0f channel-images/s, "
                        + "%.1f GFLOP/s (%.0f%% of the conv peak %.1f GFLOP/s measured in the same run); a scan of "
                        + "256 images: %.1f min%n",
                        r.channels(), r.images(), r.seconds(), r.channelImagesPerSecond(), r.achievedGflops(),
                        100 * r.achievedGflops() / r.convPeak(), r.convPeak(), r.secondsFor(256) / 60);
            } finally {
                seg.ifPresent(org.stylealign.metrics.PartSegmenter::close);
            }
            return 0;
        }
    }

    /** Optimisation inversion of generated images (the figure: one 32 px image, 500 steps). */
    @Command(name = "invert", header = "Optimisation inversion of the model's own samples", sortOptions = false,
            description = "Samples of seeds from 31000, inverted after 5 warm-up steps.")
    static final class Invert extends Action {

        @Option(names = "--checkpoint", paramLabel = "FILE", description = "The model (default: the workbench's, "
                + "models/P.safetensors).")
        Path checkpoint;

        @Option(names = "--space", paramLabel = "SPACE", defaultValue = "w+", converter = Values.SpaceConverter.class,
                completionCandidates = Values.Spaces.class,
                description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        org.stylealign.apps.Inversion.Space space;

        @Option(names = "--steps", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int steps = 500;

        @Option(names = "--images", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int n = 1;

        @Override
        public Integer call() throws Exception {
            PrintStream out = out();
            Path ck = defaultModel(checkpoint);
            try (org.stylealign.model.StyleGan2 model = org.stylealign.io.ModelIO.load(ck);
                 var f = org.stylealign.metrics.DomainFeatures.bundled().orElseThrow();
                 ai.djl.ndarray.NDManager m = model.generator().manager().newSubManager()) {
                var g = model.generator();
                double peak = new org.stylealign.bench.GeneratorBench(g.device(), 3, out).convPeak();
                var target = g.generate(g.zFromSeeds(m, org.stylealign.model.Generator.seedRange(31_000, n)), 1f,
                        org.stylealign.model.Noise.constant());
                var o = org.stylealign.apps.Inversion.Options.defaults(space);
                org.stylealign.apps.Inversion.invert(g, target, f, o.withSteps(5), null); // warm-up
                var r = org.stylealign.apps.Inversion.invert(g, target, f, o.withSteps(steps), null);
                out.printf(java.util.Locale.ROOT, "%s: %d image(s) of %d px, %d steps in %.1f s (%.1f ms per step), "
                        + "mean |pixel error| %.4f; conv peak in the same run %.1f GFLOP/s, intra-op threads %s%n",
                        space, n, g.config().resolution(), steps, r.seconds(), 1000 * r.seconds() / steps,
                        r.meanPixel(), peak, System.getProperty("ai.djl.pytorch.num_threads", "default"));
            }
            return 0;
        }
    }

    /** `bench reference`: the readable reference paths of G and D against the fast ones, forward only. */
    @Command(name = "reference", header = "The readable reference G and D against the fast paths",
            sortOptions = false, description = "Forward only, FFHQ's widths (min(16384/res, 512)).")
    static final class Reference extends Action {

        @Option(names = "--res", split = ",", paramLabel = "RES", defaultValue = "32,64",
                description = "Default: ${DEFAULT-VALUE}.")
        List<Integer> resolutions;

        @Option(names = "--batch", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
        int batch = 8;

        @Option(names = "--iters", paramLabel = "N", description = "Best of N (default: ${DEFAULT-VALUE}).")
        int iters = 3;

        @Override
        public Integer call() {
            PrintStream out = out();
            if (batch <= 0 || iters <= 0) {
                throw new UsageException("--batch and --iters must be positive");
            }
            Device device = Devices.preferred();
            GeneratorBench peakBench = new GeneratorBench(device, 3, out);
            org.stylealign.bench.ReferenceBench bench = new org.stylealign.bench.ReferenceBench(device, iters);
            out.printf("device %s, batch %d, widths min(16384/res, 512); forward only, best of %d%n", device, batch,
                    iters);
            out.println("  network       res  fast                       reference                  speed-up"
                    + "  max |diff|");
            for (int res : resolutions) {
                double peak = peakBench.convPeak();
                java.util.Map<Integer, Integer> widths = GeneratorConfig.channelsFromBase(res, 16384, 512);
                org.stylealign.bench.ReferenceBench.print(out,
                        bench.synthesis(new GeneratorConfig(res, 3, 512, 512, 8, 0.01f, widths), batch), peak);
                org.stylealign.bench.ReferenceBench.print(out, bench.discriminator(
                        new org.stylealign.model.DiscriminatorConfig(res, 3, widths, 4, 1), batch), peak);
            }
            return 0;
        }
    }

    /** The model a benchmark runs: the one named, else the workbench's (the family's parent). */
    private static Path defaultModel(Path named) {
        return named != null ? named
                : org.stylealign.viz.Workbench.home().resolve(org.stylealign.viz.Workbench.DEFAULT_MODEL);
    }
}
