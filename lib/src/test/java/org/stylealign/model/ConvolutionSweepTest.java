package org.stylealign.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The convolution shapes the networks use, and the widths a user's checkpoint may bring, swept through every route
 * against the double-precision definition, forward and backward, NCHW and channels-last. Fails naming the shape
 * when the library's convolution is wrong on this CPU; reports (target/conv-sweep.txt) where the engine itself is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConvolutionSweepTest {

    /** One convolution: x [n, ci, h, h], w [co, ci / g, k, k]. */
    record Case(int n, int ci, int co, int groups, int h, int k, int stride, int pad, String use) {
        ConvShape shape() {
            return new ConvShape(n > 1, ci, co, groups, h, h, k, k, stride, pad, pad);
        }

        /** Multiply-adds of an exhaustive check, forward and backward, both layouts. */
        double cost() {
            ConvShape s = shape();
            double outputs = (double) n * co * s.outHeight() * s.outWidth();
            return 6 * outputs * (ci / groups) * k * k;
        }
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        for (int n : new int[] {1, 4}) {
            // styled / plain 3x3 convolutions, the discriminator's epilogue (C + 1), a user's odd widths
            // (libtorch computes most single images with its own loop, batches with oneDNN: fewer n = 1 rows)
            int[] widths = n == 1 ? new int[] {3, 17, 64, 65, 513} : new int[] {3, 16, 17, 33, 48, 64, 65, 80, 96, 129, 513};
            for (int ci : widths) {
                int co = ci == 513 ? 512 : ci == 129 ? 128 : ci == 3 ? 32 : ConvShape.roundUp(ci, 16);
                int maxH = ci >= 129 ? 4 : ci >= 48 ? 16 : 64;
                for (int h = 4; h <= maxH; h *= (n == 1 ? 4 : 2)) {
                    c.add(new Case(n, ci, co, 1, h, 3, 1, 1, ci == 513 || ci == 65 || ci == 129 ? "3x3 conv, D epilogue"
                            : "3x3 conv"));
                }
            }
            c.add(new Case(n, 64, 64, 1, 32, 3, 1, 1, "3x3 conv"));
            c.add(new Case(n, 64, 65, 1, 8, 3, 1, 1, "3x3 conv, odd output width"));
            // the discriminator's downsampling conv: 3x3 stride 2 on the blurred R + 1 input
            for (int ci : new int[] {16, 17, 64, 65}) {
                for (int h : new int[] {9, 17, 65}) {
                    if (ci < 64 || h < 65) {
                        c.add(new Case(n, ci, ci, 1, h, 3, 2, 0, "3x3 stride 2 (D down)"));
                    }
                }
            }
            // 1x1: fromRGB, toRGB, the skip path; and stride 2, which the networks do not use (with 3 input channels
            // its AVX2 weight gradient corrupts the heap: ConvolutionRealEngineTest runs it in a child JVM)
            for (int[] io : new int[][] {{3, 64}, {64, 3}, {17, 64}, {65, 64}, {64, 128}, {129, 128}}) {
                c.add(new Case(n, io[0], io[1], 1, 8, 1, 1, 0, "1x1"));
                if (io[0] >= 16) {
                    c.add(new Case(n, io[0], io[1], 1, 8, 1, 2, 0, "1x1 stride 2"));
                }
            }
            c.add(new Case(n, 3, 16, 1, 64, 1, 1, 0, "1x1 fromRGB"));
            // the polyphase upsampling conv: 2x2 on the padded input, 4 x out channels
            for (int[] io : new int[][] {{64, 64}, {16, 16}, {65, 17}, {64, 48}}) {
                for (int h : new int[] {6, 18}) {
                    c.add(new Case(n, io[0], 4 * io[1], 1, h, 2, 1, 0, "2x2 polyphase up"));
                }
            }
            // depthwise FIR 4x4: blur, upsampling filter (pad 1/2), blur-down (stride 2)
            for (int ch : new int[] {3, 16, 17, 64, 65, 129}) {
                for (int h : ch > 64 ? new int[] {8} : new int[] {8, 34}) {
                    c.add(new Case(n, ch, ch, ch, h, 4, 1, 2, "depthwise 4x4"));
                    c.add(new Case(n, ch, ch, ch, h, 4, 2, 1, "depthwise 4x4 stride 2"));
                }
                c.add(new Case(n, ch, ch, ch, 10, 4, 1, 0, "depthwise 4x4 valid"));
            }
            c.add(new Case(n, 64, 64, 4, 8, 3, 1, 1, "grouped 3x3"));
        }
        return c;
    }

    private NDManager m;
    private final List<String> table = new ArrayList<>();

    @BeforeAll
    void open() {
        m = NDManager.newBaseManager(Device.cpu());
        Convolution.reset();
    }

    @AfterAll
    void close() throws IOException {
        m.close();
        Path out = Path.of("target", "conv-sweep.txt");
        Files.createDirectories(out.getParent());
        List<String> lines = new ArrayList<>();
        lines.add("# " + Cpu.describe());
        lines.add("# per route: the largest error over the checked values divided by its float32 tolerance "
                + "(1e-5 of the sum of |terms|); forward and backward, NCHW and channels-last");
        lines.add(String.format(Locale.ROOT, "%-44s %-26s %-12s %-12s %-12s %s", "shape", "use", "native",
                "padded", "im2col", "auto route NCHW / channels-last"));
        lines.addAll(table);
        Files.write(out, lines);
        lines.forEach(System.out::println);
    }

    private static String cell(ConvCheck.Result r) {
        // error / tolerance: <= 1 is right (float32 rounding); a wrong kernel shows as 10^3 and more
        return String.format(Locale.ROOT, "%s %.2g", r.ok() ? "ok" : "WRONG", r.worstRatio());
    }

    @Test
    void everyRouteIsExactOnEveryShapeAndTheRuntimeCheckSeesWhatTheSweepSees() {
        List<String> failures = new ArrayList<>();
        java.util.Random r = new java.util.Random(7);
        for (Case c : cases()) {
            try (NDManager s = m.newSubManager()) {
                NDArray x = s.randomNormal(new Shape(c.n(), c.ci(), c.h(), c.h()));
                NDArray w = s.randomNormal(0f, (float) (1 / Math.sqrt((double) c.ci() / c.groups() * c.k() * c.k())),
                        new Shape(c.co(), c.ci() / c.groups(), c.k(), c.k()), ai.djl.ndarray.types.DataType.FLOAT32);
                NDArray b = r.nextBoolean() ? s.randomNormal(new Shape(c.co())) : null;
                ConvCheck.Depth depth = c.cost() < 4e6 ? ConvCheck.Depth.EXHAUSTIVE : ConvCheck.Depth.DENSE;
                ConvCheck.Result nat = ConvCheck.verify(Convolution.Route.NATIVE, x, w, b, c.stride(), c.pad(),
                        c.pad(), c.groups(), true, depth);
                // the padded route is the native one where there is nothing to pad
                boolean padsSomething = c.groups() == 1 && !c.shape().paddedChannels(Convolution.BLOCK).equals(c.shape());
                ConvCheck.Result pad = !padsSomething ? nat : ConvCheck.verify(Convolution.Route.PADDED, x, w, b,
                        c.stride(), c.pad(), c.pad(), c.groups(), true, depth);
                ConvCheck.Result col = ConvCheck.verify(Convolution.Route.IM2COL, x, w, b, c.stride(), c.pad(),
                        c.pad(), c.groups(), true, depth);
                // the library's own choice in each layout, with gradients recorded so that its backward is checked
                List<Convolution.Route> autos = new ArrayList<>();
                for (NDArray xl : new NDArray[] {x, Tensors.channelsLast(x)}) {
                    Convolution.Layout layout = Convolution.layoutOf(xl);
                    Convolution.Route auto;
                    try (ai.djl.training.GradientCollector gc =
                                 ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                        NDArray xg = xl.duplicate();
                        xg.setRequiresGradient(true);
                        Convolution.conv2d(xg, w, b, c.stride(), c.pad(), c.pad(), c.groups());
                        auto = Convolution.decisions().stream()
                                .filter(d -> d.shape().equals(c.shape()) && d.layout() == layout).findFirst()
                                .orElseThrow().route();
                    }
                    autos.add(auto);
                    NDArray y = Convolution.apply(auto, xl, w, b, c.stride(), c.pad(), c.pad(), c.groups());
                    ConvCheck.Result lib = ConvCheck.combine(
                            ConvCheck.checkOutput(auto, xl, w, b, y, c.stride(), c.pad(), c.pad(), c.groups(), depth),
                            ConvCheck.checkBackward(auto, xl, w, b, c.stride(), c.pad(), c.pad(), c.groups(), depth));
                    if (!lib.ok()) {
                        failures.add(c.shape() + " " + layout + " (" + c.use() + "): the library's route " + auto
                                + " is wrong: " + lib);
                    }
                }
                table.add(String.format(Locale.ROOT, "%-44s %-26s %-12s %-12s %-12s %s", c.shape(), c.use(),
                        cell(nat), padsSomething ? cell(pad) : "= native", cell(col),
                        autos.get(0) + " / " + autos.get(1)));
                if (padsSomething && !pad.ok()) {
                    // the engine can be wrong on the padded shape too (seen: 65 -> 80 channels, 3x3 stride 2, NCHW
                    // backward, on an AMD EPYC): then the run-time check must have seen it and taken another route
                    if (autos.get(0) == Convolution.Route.PADDED) {
                        failures.add(c.shape() + " (" + c.use() + "): the padded workaround is wrong and the library "
                                + "still takes it: " + pad);
                    } else {
                        System.out.println("engine fault avoided: " + c.shape() + " (" + c.use() + "): padded route "
                                + "wrong (" + pad + "), the library took " + autos.get(0));
                    }
                }
                if (!col.ok()) {
                    failures.add(c.shape() + " (" + c.use() + "): the im2col workaround is wrong: " + col);
                }
                if (!nat.ok()) {
                    // the run-time check samples: on the same output it must see what the dense comparison sees
                    NDArray y = Convolution.apply(Convolution.Route.NATIVE, x, w, b, c.stride(), c.pad(), c.pad(),
                            c.groups());
                    ConvCheck.Result dense = ConvCheck.checkOutput(Convolution.Route.NATIVE, x, w, b, y, c.stride(),
                            c.pad(), c.pad(), c.groups(), depth);
                    ConvCheck.Result light = ConvCheck.checkOutput(Convolution.Route.NATIVE, x, w, b, y, c.stride(),
                            c.pad(), c.pad(), c.groups(), ConvCheck.Depth.RUNTIME);
                    if (!dense.ok() && light.ok()) {
                        failures.add(c.shape() + ": the run-time check missed a wrong output: " + dense);
                    }
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " convolution shape(s) wrong on " + Cpu.describe() + ":\n"
                    + String.join("\n", failures));
        }
        assertTrue(table.size() > 100, "the sweep covers " + table.size() + " shapes");
    }

    @Test
    void theCheckSeesASimulatedWrongEngine() {
        // The engine on the AMD machine that motivated all this was wrong by 0.2-0.6 for 3x3 convolutions of a batch
        // with 65 input channels; the same kind of fault, simulated, must be found forward and backward.
        try (NDManager s = m.newSubManager()) {
            NDArray x = s.randomNormal(new Shape(4, 65, 4, 4));
            NDArray w = s.randomNormal(0f, 0.04f, new Shape(64, 65, 3, 3), ai.djl.ndarray.types.DataType.FLOAT32);
            Convolution.simulateWrongEngine(sh -> sh.in() % 16 != 0 && sh.batched());
            try {
                ConvCheck.Result bad = ConvCheck.verify(Convolution.Route.NATIVE, x, w, null, 1, 1, 1, 1, false,
                        ConvCheck.Depth.RUNTIME);
                assertTrue(!bad.ok(), bad.toString());
                ConvCheck.Result good = ConvCheck.verify(Convolution.Route.PADDED, x, w, null, 1, 1, 1, 1, true,
                        ConvCheck.Depth.RUNTIME);
                assertTrue(good.ok(), good.toString());
            } finally {
                Convolution.simulateWrongEngine(null);
            }
            assertEquals(Convolution.Route.PADDED, Convolution.initialRoute(ConvShape.of(x, w, 1, 1, 1, 1)));
        }
    }
}
