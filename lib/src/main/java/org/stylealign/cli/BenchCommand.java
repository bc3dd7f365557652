package org.stylealign.cli;

import ai.djl.Device;
import org.stylealign.bench.GeneratorBench;
import org.stylealign.model.Devices;
import org.stylealign.model.GeneratorConfig;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** `stylealign bench`: generator speed and its fraction of the machine's measured convolution peak. */
final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "[generate] [--res 32,64,256] [--batch 8] [--channel-base 16384] [--channel-max 512] [--iters 3] "
                + "[--peer rosinality=DIR [--peer-res 256] [--peer-images 16] [--peer-batch 8]] | "
                + "train [--res 32] [--channels 64,128 | --widths 4:128,8:128,16:64,32:64] [--batch 16] [--steps 12] "
                + "[--freeze mapping,affine] [--profile] [--trace FILE.json] [--peer rosinality=DIR] | localized [--checkpoint F] [--images 4] | invert [--checkpoint F] [--space w+] [--steps 500] [--images 1] "
                + "| reference [--res 32,64] [--batch 8]: "
                + "speed vs the machine's conv peak";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        if (argv.length > 0 && argv[0].equals("reference")) {
            return referenceBench(java.util.Arrays.copyOfRange(argv, 1, argv.length), out);
        }
        if (argv.length > 0 && argv[0].equals("invert")) {
            return invertBench(java.util.Arrays.copyOfRange(argv, 1, argv.length), out);
        }
        if (argv.length > 0 && argv[0].equals("localized")) {
            return localizedBench(java.util.Arrays.copyOfRange(argv, 1, argv.length), out);
        }
        if (argv.length > 0 && argv[0].equals("train")) {
            return trainBench(java.util.Arrays.copyOfRange(argv, 1, argv.length), out);
        }
        if (argv.length > 0 && argv[0].equals("generate")) {
            argv = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        }
        Args a = new Args(argv, Set.of("res", "batch", "channel-base", "channel-max", "iters", "peer", "peer-res",
                "peer-images", "peer-batch"), Set.of());
        List<Integer> resolutions = resolutions(a, "32,64,256");
        int batch = a.intValue("batch", 8);
        int base = a.intValue("channel-base", 16384);
        int max = a.intValue("channel-max", 512);
        int iters = a.intValue("iters", 3);
        if (batch <= 0 || iters <= 0) {
            throw new UsageException("--batch and --iters must be positive");
        }
        java.nio.file.Path peerRepo = peer(a);
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
            new org.stylealign.bench.PeerBench(device, out).rosinality(peerRepo, a.intValue("peer-res", 256),
                    a.intValue("peer-images", 16), a.intValue("peer-batch", 8), bench);
        }
        return 0;
    }

    /** One training iteration per width (all resolutions the same width), phase by phase. */
    private static int trainBench(String[] argv, PrintStream out) throws Exception {
        Args a = new Args(argv, Set.of("res", "channels", "widths", "batch", "steps", "z-dim", "mapping", "freeze",
                "trace", "peer"), Set.of("profile"));
        java.nio.file.Path peerRepo = peer(a);
        List<String> frozen = a.has("freeze") ? List.of(a.get("freeze", "").split(",")) : List.of();
        boolean profile = a.has("profile") || a.has("trace");
        int res = a.intValue("res", 32);
        int batch = a.intValue("batch", 16);
        int steps = a.intValue("steps", 12);
        int zDim = a.intValue("z-dim", 128);
        int mapping = a.intValue("mapping", 2);
        if (batch <= 0 || steps < 4) {
            throw new UsageException("--batch must be positive and --steps at least 4");
        }
        Device device = Devices.preferred();
        out.printf("device %s, intra-op threads %s, %dx%d, batch %d, z=w=%d, mapping %d, R1 lazy every 16%n", device,
                System.getProperty("ai.djl.pytorch.num_threads", "default"), res, res, batch, zDim, mapping);
        GeneratorBench peakProbe = new GeneratorBench(device, 3, out);
        org.stylealign.bench.TrainBench bench = new org.stylealign.bench.TrainBench(device, steps);
        StringBuilder table = new StringBuilder("  width   G ms   D ms   R1 ms   PL ms   step ms   img/s   img/min"
                + "   GFLOP/s   conv peak   of peak" + System.lineSeparator());
        // --widths: one network with a width per resolution (e.g. the family's 4:128,8:128,16:64,32:64);
        // --channels: one network per width, the same at every resolution
        List<java.util.Map<Integer, Integer>> configs = new ArrayList<>();
        if (a.has("widths")) {
            configs.add(TrainOptions.channels(a.get("widths", "")));
        } else {
            for (String c : a.get("channels", "64,128").split(",")) {
                int ch;
                try {
                    ch = Integer.parseInt(c.trim());
                } catch (NumberFormatException e) {
                    throw new UsageException("--channels takes widths like 64,128; got '" + c + "'");
                }
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
            if (a.has("widths")) {
                out.println("widths " + widths);
            }
            if (profile) {
                java.nio.file.Path trace = a.has("trace") ? java.nio.file.Path.of(a.get("trace", "")) : null;
                org.stylealign.bench.OpProfile p = bench.profile(gc, batch, frozen, trace);
                out.printf("%nnative time per iteration, width %s (averaged over one R1 interval)%n",
                        a.has("widths") ? widths.toString() : String.valueOf(ch));
                out.print(p.table(25));
                if (trace != null) {
                    out.println("  Chrome trace: " + trace.toAbsolutePath() + " (chrome://tracing or ui.perfetto.dev)");
                }
                continue;
            }
            double peak = peakProbe.convPeak();
            org.stylealign.bench.TrainBench.Result r = bench.run(gc, batch, peak);
            if (peerRepo != null) {
                out.println();
                new org.stylealign.bench.PeerBench(device, out).rosinalityTraining(peerRepo, res, widths, zDim, mapping,
                        batch, steps, r.stepMs());
                peerRepo = null; // the first configuration only: the reference takes minutes per configuration
            }
            table.append(String.format("  %5d  %5.0f  %5.0f  %6.0f  %6.0f  %8.0f  %6.1f  %8.0f  %8.1f  %10.1f  %7.0f%%%n",
                    ch, r.gStepMs(), r.dStepMs(), r.r1StepMs(), r.plStepMs(), r.stepMs(), r.imagesPerSecond(),
                    60 * r.imagesPerSecond(), r.achievedGflops(), peak, 100 * r.achievedGflops() / peak));
            if (!frozen.isEmpty()) {
                double ms;
                try {
                    ms = bench.frozenStepMs(gc, batch, frozen);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--freeze: " + e.getMessage());
                }
                table.append(String.format("         fine-tuning with %s frozen: %.0f ms per iteration, %.0f img/min "
                        + "(%.2fx the full step)%n", String.join(",", frozen), ms, 60_000.0 * batch / ms,
                        r.stepMs() / ms));
            }
        }
        if (!profile) {
            out.println();
            out.print(table);
        }
        return 0;
    }

    /** A localized-channel scan of a model (the family's parent by default) over a few images. */
    private static int localizedBench(String[] argv, PrintStream out) throws Exception {
        Args a = new Args(argv, Set.of("checkpoint", "images"), Set.of());
        java.nio.file.Path ck = a.has("checkpoint") ? a.path("checkpoint")
                : org.stylealign.viz.Workbench.home().resolve(org.stylealign.viz.Workbench.DEFAULT_MODEL);
        int images = a.intValue("images", 4);
        if (images < 1) {
            throw new UsageException("--images must be at least 1");
        }
        var seg = org.stylealign.metrics.PartSegmenter.bundled();
        java.util.function.Function<ai.djl.ndarray.NDArray, byte[][]> segment = seg.isPresent() ? seg.get()::segment
                : x -> new byte[(int) x.getShape().get(0)][32 * 32]; // no segmenter: every pixel background
        try (org.stylealign.model.StyleGan2 model = org.stylealign.io.ModelIO.load(ck)) {
            out.printf("%s, %d images, segmenter %s, intra-op threads %s%n", ck, images,
                    seg.isPresent() ? "bundled" : "none (one region)", System.getProperty("ai.djl.pytorch.num_threads", "default"));
            var r = org.stylealign.bench.LocalizedBench.run(model.generator(), segment, images, out);
            out.printf(java.util.Locale.ROOT, "%d channels x %d images in %.1f s: %.0f channel-images/s, %.1f GFLOP/s "
                    + "(%.0f%% of the conv peak %.1f GFLOP/s measured in the same run); a scan of 256 images: %.1f min%n",
                    r.channels(), r.images(), r.seconds(), r.channelImagesPerSecond(), r.achievedGflops(),
                    100 * r.achievedGflops() / r.convPeak(), r.convPeak(), r.secondsFor(256) / 60);
        } finally {
            seg.ifPresent(org.stylealign.metrics.PartSegmenter::close);
        }
        return 0;
    }

    /** Optimisation inversion of generated images (the figure: one 32 px image, 500 steps). */
    private static int invertBench(String[] argv, PrintStream out) throws Exception {
        Args a = new Args(argv, Set.of("checkpoint", "space", "steps", "images"), Set.of());
        java.nio.file.Path ck = a.has("checkpoint") ? a.path("checkpoint")
                : org.stylealign.viz.Workbench.home().resolve(org.stylealign.viz.Workbench.DEFAULT_MODEL);
        var space = org.stylealign.apps.Inversion.Space.parse(a.get("space", "w+"));
        int steps = a.intValue("steps", 500), n = a.intValue("images", 1);
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
                    space, n, g.config().resolution(), steps, r.seconds(), 1000 * r.seconds() / steps, r.meanPixel(),
                    peak, System.getProperty("ai.djl.pytorch.num_threads", "default"));
        }
        return 0;
    }

    /** `bench reference`: the readable reference paths of G and D against the fast ones, forward only. */
    private static int referenceBench(String[] argv, PrintStream out) {
        Args a = new Args(argv, Set.of("res", "batch", "iters"), Set.of());
        int batch = a.intValue("batch", 8);
        int iters = a.intValue("iters", 3);
        if (batch <= 0 || iters <= 0) {
            throw new UsageException("--batch and --iters must be positive");
        }
        Device device = Devices.preferred();
        GeneratorBench peakBench = new GeneratorBench(device, 3, out);
        org.stylealign.bench.ReferenceBench bench = new org.stylealign.bench.ReferenceBench(device, iters);
        out.printf("device %s, batch %d, widths min(16384/res, 512); forward only, best of %d%n", device, batch, iters);
        out.println("  network       res  fast                       reference                  speed-up  max |diff|");
        for (int res : resolutions(a, "32,64")) {
            double peak = peakBench.convPeak();
            java.util.Map<Integer, Integer> widths = GeneratorConfig.channelsFromBase(res, 16384, 512);
            org.stylealign.bench.ReferenceBench.print(out,
                    bench.synthesis(new GeneratorConfig(res, 3, 512, 512, 8, 0.01f, widths), batch), peak);
            org.stylealign.bench.ReferenceBench.print(out,
                    bench.discriminator(new org.stylealign.model.DiscriminatorConfig(res, 3, widths, 4, 1), batch), peak);
        }
        return 0;
    }

    /** {@code --peer rosinality=DIR}, checked before minutes of benchmarks rather than after; null without it. */
    private static java.nio.file.Path peer(Args a) {
        if (!a.has("peer")) {
            return null;
        }
        String peer = a.get("peer", "");
        if (!peer.startsWith("rosinality=")) {
            throw new UsageException("--peer takes rosinality=DIR (a checkout of rosinality/stylegan2-pytorch), got '"
                    + peer + "'");
        }
        java.nio.file.Path repo = java.nio.file.Path.of(peer.substring("rosinality=".length()));
        try {
            org.stylealign.bench.PeerBench.checkRosinality(repo);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return repo;
    }

    /** {@code --res 32,64,...} (default {@code fallback}). */
    private static List<Integer> resolutions(Args a, String fallback) {
        List<Integer> out = new ArrayList<>();
        for (String r : a.get("res", fallback).split(",")) {
            try {
                out.add(Integer.parseInt(r.trim()));
            } catch (NumberFormatException e) {
                throw new UsageException("--res takes resolutions like " + fallback + "; got '" + r + "'");
            }
        }
        return out;
    }
}
