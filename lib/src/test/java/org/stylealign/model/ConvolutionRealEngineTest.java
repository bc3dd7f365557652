package org.stylealign.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run-time check against a real wrong kernel, not a simulated one. With oneDNN limited to AVX2
 * ({@code ONEDNN_MAX_CPU_ISA=AVX2}, read once when libtorch starts, hence a child JVM), libtorch 2.7.1's weight
 * gradient of a 1x1 stride-2 convolution of a channels-last batch with few input channels was wrong by 10^4 times
 * its tolerance on an Intel Xeon (family 6 model 207, 2026-11-26). Through {@link Convolution} the gradient must be
 * right on any machine; where the kernel is wrong, the check must have said so and moved the class off the native
 * route.
 */
class ConvolutionRealEngineTest {

    /** Runs in the child JVM: the convolution and its weight gradient, through the library, against the reference. */
    public static void main(String[] args) {
        ConvShape s = new ConvShape(true, 3, 64, 1, 8, 8, 1, 1, 2, 0, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Tensors.channelsLast(m.randomNormal(new Shape(4, 3, 8, 8)));
            NDArray w = m.randomNormal(0f, 0.5f, new Shape(64, 3, 1, 1), DataType.FLOAT32);
            w.setRequiresGradient(true);
            float[] g = new float[4 * 64 * 4 * 4];
            java.util.Random r = new java.util.Random(3);
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) r.nextGaussian();
            }
            float[] dw;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Convolution.conv2d(x, w, null, 2, 0, 0, 1);
                gc.backward(y.mul(Tensors.owned(m, g, y.getShape())).sum());
                dw = w.getGradient().toFloatArray();
            }
            ConvReference ref = new ConvReference(s, 4, x.toFloatArray(), w.toFloatArray(), null);
            double worst = 0;
            for (int o = 0; o < 64; o++) {
                for (int c = 0; c < 3; c++) {
                    ConvReference.Value v = ref.gradWeight(g, o, c, 0, 0);
                    worst = Math.max(worst, v.error(dw[o * 3 + c]) / v.tolerance());
                }
            }
            Convolution.Decision d = Convolution.decisions().stream().filter(e -> e.shape().equals(s)).findFirst()
                    .orElseThrow();
            System.out.println("route " + d.route() + " wrong-routes " + d.failures().size() + " worst " + worst);
            System.exit(worst <= 1 ? 0 : 1);
        }
    }

    @Test
    void aWrongAvx2KernelIsFoundAndAvoided() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", ConvolutionRealEngineTest.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
        pb.environment().remove("STYLEALIGN_CONV");
        Path err = Files.createTempFile("conv-avx2", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        System.out.println("child (ONEDNN_MAX_CPU_ISA=AVX2): " + out);
        assertEquals(0, p.exitValue(), "the weight gradient through Convolution is wrong: " + out + "\n" + stderr);
        boolean engineWrong = stderr.contains("is wrong on this CPU for n>1 ci3 co64 8x8 k1 s2 p0 by route NATIVE");
        assertEquals(engineWrong, out.contains("wrong-routes 1"), out + "\n" + stderr);
        if (engineWrong) {
            assertTrue(!out.contains("route NATIVE"), out);
        }
    }
}
