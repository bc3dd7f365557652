package org.stylealign.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ModelIO;
import org.stylealign.io.Npy;
import org.stylealign.model.Generator;
import org.stylealign.model.Inference;
import org.stylealign.model.Noise;
import org.stylealign.model.NumpyRandom;
import org.stylealign.model.StyleGan2;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The reference implementation on the same machine, in the same run: rosinality/stylegan2-pytorch's own model code
 * (a checkout the user names) under the Python interpreter that has PyTorch, on the same checkpoint and latents.
 * The checkpoint is a generator the reference initialises itself and saves in its own format, which this project
 * then imports: the comparison also checks the importer.
 */
public final class PeerBench {

    private static final String SCRIPT = "rosinality_peer.py";
    private static final int Z_SEED = 7;

    private final Device device;
    private final PrintStream out;

    public PeerBench(Device device, PrintStream out) {
        this.device = device;
        this.out = out;
    }

    /** Checks that {@code repo} looks like a rosinality/stylegan2-pytorch checkout, naming it otherwise. */
    public static void checkRosinality(Path repo) {
        if (!Files.isRegularFile(repo.resolve("model.py")) || !Files.isDirectory(repo.resolve("op"))) {
            throw new IllegalArgumentException("--peer rosinality=" + repo + ": not a checkout of "
                    + "rosinality/stylegan2-pytorch (no model.py and op/ there)");
        }
    }

    /** Renders {@code images} latents at {@code res} px (rosinality's channel multiplier 1) on both sides. */
    public void rosinality(Path repo, int res, int images, int batch, GeneratorBench bench)
            throws IOException, InterruptedException, CheckpointException {
        checkRosinality(repo);
        if (res < 8 || res > 1024 || Integer.bitCount(res) != 1 || images < 1 || batch < 1) {
            throw new IllegalArgumentException("--peer-res must be a power of two in 8..1024 and --peer-images, "
                    + "--peer-batch positive; got " + res + ", " + images + ", " + batch);
        }
        Optional<String> python = pythonWithTorch();
        if (python.isEmpty()) {
            out.println("peer rosinality: no Python with PyTorch found (/usr/bin/python3 or python3; on Debian: "
                    + "apt-get install python3-torch), so the reference does not run; the figures above stand alone");
            return;
        }
        String threads = System.getProperty("ai.djl.pytorch.num_threads", String.valueOf(
                Runtime.getRuntime().availableProcessors()));
        Path tmp = Files.createTempDirectory("stylealign-peer-");
        try {
            Path script = tmp.resolve(SCRIPT);
            try (InputStream in = PeerBench.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException("the peer script " + SCRIPT + " is missing from the build");
                }
                Files.copy(in, script);
            }
            Path ck = tmp.resolve("G.pt");
            run(python.get(), script, "make", "--repo", repo.toAbsolutePath().toString(), "--size",
                    String.valueOf(res), "--channel-multiplier", "1", "--out", ck.toString());
            Path zFile = tmp.resolve("z.npy");
            Npy.write(zFile, new HostTensor(new long[] {images, 512}, new NumpyRandom(Z_SEED).randn(images * 512)));
            double peak = bench.convPeak();

            Path refFile = tmp.resolve("ref.npy");
            long t0 = System.nanoTime();
            String json = run(python.get(), script, "render", "--repo", repo.toAbsolutePath().toString(), "--size",
                    String.valueOf(res), "--channel-multiplier", "1", "--checkpoint", ck.toString(), "--z",
                    zFile.toString(), "--batch", String.valueOf(batch), "--threads", threads, "--out",
                    refFile.toString());
            double refProcess = (System.nanoTime() - t0) / 1e9;
            double refLoad = number(json, "load_s"), refRender = number(json, "render_s");

            t0 = System.nanoTime();
            float[] ours;
            double load;
            double render;
            try (StyleGan2 model = ModelIO.load(ck, device);
                 NDManager m = model.generator().manager().newSubManager()) {
                load = (System.nanoTime() - t0) / 1e9;
                Generator g = model.generator();
                HostTensor zh = Npy.read(zFile);
                NDArray z = m.create(zh.values(), new Shape(zh.shape())).duplicate();
                long t1 = System.nanoTime();
                ours = Inference.call(() -> g.generate(z, 1f, Noise.constant()).toFloatArray());
                render = (System.nanoTime() - t1) / 1e9;
            }
            float[] ref = Npy.read(refFile).values();
            double diff = 0;
            double scale = 0;
            for (int i = 0; i < ref.length; i++) {
                diff = Math.max(diff, Math.abs(ref[i] - ours[i]));
                scale = Math.max(scale, Math.abs(ref[i]));
            }
            out.printf(Locale.ROOT, "peer rosinality/stylegan2-pytorch (torch %s, %s threads, batches of %d, "
                    + "torch.no_grad): %d images at %d px (channel multiplier 1) from the same checkpoint and z%n",
                    text(json, "torch"), threads, batch, images, res);
            out.printf(Locale.ROOT, "  reference: load %.1f s, render %.1f s (%.2f s per image), whole process "
                    + "%.1f s, peak resident %.0f MB%n", refLoad, refRender, refRender / images, refProcess,
                    number(json, "max_rss_mb"));
            out.printf(Locale.ROOT, "  this project: load %.1f s, render %.1f s (%.2f s per image, the first call "
                    + "of the process, memory budget %d MB)%n", load, render, render / images,
                    Inference.memoryBudget() >> 20);
            out.printf(Locale.ROOT, "  render %.1fx the reference's speed, load + render %.1fx; max |difference| "
                    + "%.2g over images up to %.2g; conv peak in this run %.1f GFLOP/s%n", refRender / render,
                    (refLoad + refRender) / (load + render), diff, scale, peak);
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * One training iteration of rosinality's train.py recipe (no path length) at the given architecture, beside this
     * project's iteration of {@code ourStepMs} ms measured just before.
     */
    public void rosinalityTraining(Path repo, int res, java.util.Map<Integer, Integer> widths, int zDim, int mapping,
                                   int batch, int steps, double ourStepMs) throws IOException, InterruptedException {
        checkRosinality(repo);
        Optional<String> python = pythonWithTorch();
        if (python.isEmpty()) {
            out.println("peer rosinality: no Python with PyTorch found (/usr/bin/python3 or python3; on Debian: "
                    + "apt-get install python3-torch), so the reference does not run");
            return;
        }
        String threads = System.getProperty("ai.djl.pytorch.num_threads", String.valueOf(
                Runtime.getRuntime().availableProcessors()));
        StringBuilder w = new StringBuilder();
        widths.forEach((r, c) -> w.append(w.length() == 0 ? "" : ",").append(r).append(':').append(c));
        Path tmp = Files.createTempDirectory("stylealign-peer-");
        try {
            Path script = tmp.resolve(SCRIPT);
            try (InputStream in = PeerBench.class.getResourceAsStream(SCRIPT)) {
                Files.copy(java.util.Objects.requireNonNull(in, "the peer script is missing from the build"), script);
            }
            String json = run(python.get(), script, "train", "--repo", repo.toAbsolutePath().toString(), "--size",
                    String.valueOf(res), "--widths", w.toString(), "--latent", String.valueOf(zDim), "--n-mlp",
                    String.valueOf(mapping), "--batch", String.valueOf(batch), "--steps", String.valueOf(steps),
                    "--threads", threads);
            double refStep = number(json, "iteration_s");
            out.printf(Locale.ROOT, "peer rosinality/stylegan2-pytorch train.py recipe (torch %s, %s threads; G %,.0f and "
                    + "D %,.0f parameters; no path length): %.0f ms per iteration (median %.0f ms without R1), %.0f "
                    + "images/min; this project %.0f ms, %.0f images/min: %.1fx the reference's speed%n",
                    text(json, "torch"), threads, number(json, "parameters_g"), number(json, "parameters_d"),
                    1000 * refStep, 1000 * number(json, "median_iteration_s"), 60 * batch / refStep, ourStepMs,
                    60_000.0 * batch / ourStepMs, 1000 * refStep / ourStepMs);
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** The first of /usr/bin/python3 (Debian's python3-torch) and python3 on PATH that imports torch. */
    static Optional<String> pythonWithTorch() {
        for (String py : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(py, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(py);
                }
            } catch (IOException e) {
                // not there: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String run(String python, Path script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path err = Files.createTempFile(script.getParent(), "peer", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        if (p.exitValue() != 0) {
            String tail = String.join("\n", Files.readAllLines(err).stream()
                    .skip(Math.max(0, Files.readAllLines(err).size() - 15)).toList());
            throw new IOException("the reference peer failed (" + String.join(" ", cmd) + "):\n" + tail);
        }
        return stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IOException("the reference peer printed no result: " + stdout));
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([-0-9.eE+]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + key + " in the peer's result " + json);
        }
        return Double.parseDouble(m.group(1));
    }

    private static String text(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": \"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "?";
    }
}
