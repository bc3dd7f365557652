package org.stylealign.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rendering without a graph: in bounded memory (a 256 px render of 16 images, measured as the peak resident memory
 * of a fresh JVM), chunked exactly (the same images as one batch), and the graph path left as it was.
 */
public class LeanInferenceTest {

    /** 256 px, narrow enough for a unit test: 16 channels at 128-256 px are 4 MB per image and feature map. */
    static final GeneratorConfig CFG = new GeneratorConfig(256, 3, 64, 64, 2, 0.01f,
            Map.of(4, 64, 8, 64, 16, 64, 32, 64, 64, 32, 128, 16, 256, 16));
    static final int IMAGES = 16;
    /** Activation budget of the child: 48 MB, about 6 images per chunk at 256 px. */
    static final String BUDGET = "48m";
    /** Peak resident memory the render may add to what the process held before it. */
    static final long BOUND_MB = 250;

    /**
     * Child JVM: builds the generator, then renders 16 images at 256 px, and prints the resident memory before and
     * the peak after. With "graph" the render runs with gradient recording on (everything kept for a backward pass,
     * the whole batch at once: what every render did before the lean path).
     */
    public static void main(String[] args) throws IOException {
        boolean graph = args.length > 0 && args[0].equals("graph");
        try (Generator g = Generator.create(CFG, Device.cpu(), 3); NDManager m = NDManager.newBaseManager()) {
            // every convolution shape checked once on a small batch first: the checks' own copies are not the render's
            g.generate(g.zFromSeeds(m, 0, 1), 1f, Noise.constant()).toFloatArray();
            System.gc();
            long before = status("VmRSS:");
            Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // the peak restarts from here
            NDArray z = g.zFromSeeds(m, Generator.seedRange(10, IMAGES));
            float[] img;
            if (graph) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    img = g.generate(z, 1f, Noise.constant()).toFloatArray();
                }
            } else {
                img = g.generate(z, 1f, Noise.constant()).toFloatArray();
            }
            long peak = status("VmHWM:");
            System.out.println("before " + before + " peak " + peak + " values " + img.length);
        }
    }

    private static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }

    /** {before MB, peak MB} of a child render. */
    private static long[] child(String mode) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx1g", "-Xms64m", "-cp",
                System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
                "-Dstylealign.memory=" + BUDGET, LeanInferenceTest.class.getName(), mode);
        Path err = Files.createTempFile("lean-render", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish");
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        assertEquals(0, p.exitValue(), "child failed: " + out + "\n" + stderr);
        String line = out.lines().filter(l -> l.startsWith("before ")).findFirst()
                .orElseThrow(() -> new AssertionError("no result from the child: " + out + "\n" + stderr));
        String[] f = line.split(" ");
        assertEquals(String.valueOf(IMAGES * 3 * 256 * 256), f[5]);
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
    }

    @Test
    void aRenderOf16ImagesAt256PxStaysWithinItsBoundAndTheOldPathDoesNot() throws Exception {
        long[] lean = child("lean");
        long[] graph = child("graph");
        long leanMb = lean[1] - lean[0], graphMb = graph[1] - graph[0];
        System.out.printf("16 x 256 px: peak resident memory added by the render %d MB without a graph (budget %s), "
                + "%d MB with one (process peak %d vs %d MB)%n", leanMb, BUDGET, graphMb, lean[1], graph[1]);
        assertTrue(leanMb < BOUND_MB, "the lean render added " + leanMb + " MB to resident memory (bound "
                + BOUND_MB + " MB)");
        // the bound discriminates: the path that keeps every intermediate (all renders before) goes far over it
        assertTrue(graphMb > 2 * BOUND_MB, "the graph path added only " + graphMb + " MB: the bound tells nothing");
    }

    @Test
    void chunkedRenderingGivesTheSameImagesAsOneBatch() {
        GeneratorConfig small = new GeneratorConfig(64, 3, 32, 32, 2, 0.01f,
                Map.of(4, 32, 8, 32, 16, 32, 32, 16, 64, 16));
        try (Generator g = Generator.create(small, Device.cpu(), 5); NDManager m = NDManager.newBaseManager()) {
            NDArray z = g.zFromSeeds(m, Generator.seedRange(0, 7));
            List<NDArray> maps = g.styleLayers().stream().filter(l -> l.noiseIndex() >= 0)
                    .map(l -> m.randomNormal(new ai.djl.ndarray.types.Shape(7, 1, l.resolution(), l.resolution())))
                    .toList();
            float[] whole;
            float[] chunked;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                whole = g.generate(z, 0.8f, Noise.maps(maps)).toFloatArray(); // one batch, graph path
            }
            long saved = Inference.memoryBudget();
            try {
                Inference.setMemoryBudget(1); // one image per chunk from the 8 px block on
                chunked = g.generate(z, 0.8f, Noise.maps(maps)).toFloatArray();
            } finally {
                Inference.setMemoryBudget(saved);
            }
            double worst = 0;
            for (int i = 0; i < whole.length; i++) {
                worst = Math.max(worst, Math.abs(whole[i] - chunked[i]));
            }
            assertTrue(worst < 1e-5, "chunked vs whole batch: max |diff| " + worst);
            assertTrue(g.manager().getManagedArrays().size() < 200, "the generator's manager collects tensors");
        }
    }

    @Test
    void inferenceTurnsGradientRecordingOffAndRestoresIt() {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            assertFalse(Inference.active());
            boolean inside = Inference.call(Inference::active);
            assertTrue(inside);
            assertTrue(JniUtils.isGradMode(), "the collector's mode was not restored");
        }
        assertTrue(Inference.active());
    }

    @Test
    void memorySettingsParse() {
        assertEquals(768L << 20, Inference.parseBytes("768m"));
        assertEquals(2L << 30, Inference.parseBytes("2G"));
        assertEquals(1536L << 20, Inference.parseBytes("1.5gb"));
        assertEquals(4096, Inference.parseBytes("4096"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Inference.parseBytes("lots"));
        assertTrue(e.getMessage().contains("STYLEALIGN_MEMORY") && e.getMessage().contains("lots"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Inference.parseBytes("-1g"));
        assertEquals(64L << 20, Inference.defaultBudget(4L << 30));
        assertEquals(96L << 20, Inference.defaultBudget(24L << 30));
        assertEquals(256L << 20, Inference.defaultBudget(256L << 30));
    }
}
