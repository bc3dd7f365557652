package org.stylealign.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every 2-D convolution of the networks goes through here: libtorch's convolution, guarded against CPU kernels that
 * compute some shapes wrong.
 *
 * <p>Why: libtorch 2.7.1's CPU convolution (oneDNN) returned wrong values, and NaN in training, on an AVX-512 AMD
 * EPYC for 3x3 convolutions of a batch whose input channels were not a multiple of the SIMD block (16 floats;
 * 8 with AVX2): oneDNN stores such tensors in blocks padded with extra channels, and the padding was not zero there.
 * The discriminator's epilogue sees C + 1 channels (minibatch stddev), so D was wrong on that machine and right on
 * others. Three routes compute the same function:
 * <ul>
 *   <li>{@link Route#NATIVE}: {@code Conv2d.conv2d} as is.</li>
 *   <li>{@link Route#PADDED}: input and output channels zero-padded to multiples of 16, so the engine never pads
 *       anything itself; the extra weights are zero and the extra outputs dropped: the same mathematics.</li>
 *   <li>{@link Route#IM2COL}: the k x k shifted (strided) views of the input stacked and multiplied with the weight
 *       matrix: no convolution kernel at all, only slicing and a matrix product. Slower; the last resort.</li>
 * </ul>
 * In the default mode ({@code auto}) a convolution whose channels are not multiples of 16 takes the padded route
 * from the start, and every shape class ({@link ConvShape}) is checked once per process, at its first
 * use, against the double-precision definition ({@link ConvReference}) on the call's own data and memory layout:
 * its output, and (when the call records gradients) its gradients on a copy of its first images. A class whose
 * route is wrong moves to the next route, and the process says so once on stderr. The setting {@code STYLEALIGN_CONV} (or the system property
 * {@code stylealign.conv}) forces {@code native}, {@code padded} or {@code im2col} everywhere, unchecked.
 * Only float32 on the CPU is checked; GPU convolutions run natively.
 */
public final class Convolution {

    /** How a convolution is computed; all routes give the same function. */
    public enum Route { NATIVE, PADDED, IM2COL }

    /** Channel block that the padded route rounds to: the AVX-512 float block (a multiple of AVX2's 8). */
    static final int BLOCK = 16;

    /**
     * The memory layout of a convolution's input, part of its class: oneDNN picks other kernels for NCHW and for
     * channels-last (NHWC) tensors, and a kernel wrong for one layout may be right for the other.
     */
    public enum Layout {
        /** NCHW, contiguous. */
        CONTIGUOUS,
        /** Channels-last or another strided view. */
        STRIDED,
        /** Not known (the engine does not tell): checked in both layouts. */
        UNKNOWN;

        @Override
        public String toString() {
            return switch (this) {
                case CONTIGUOUS -> "NCHW";
                case STRIDED -> "channels-last";
                case UNKNOWN -> "any layout";
            };
        }
    }

    /** What was decided for one shape class in one layout, and the checks behind it. */
    public record Decision(ConvShape shape, Layout layout, Route route, List<ConvCheck.Result> checks,
                           boolean backwardChecked) {
        /** The checks of routes that were found wrong (empty when the first route was right). */
        public List<ConvCheck.Result> failures() {
            return checks.stream().filter(c -> !c.ok()).toList();
        }
    }

    private record Key(ConvShape shape, Layout layout) {
    }

    private static final Map<Key, Decision> DECISIONS = new LinkedHashMap<>();
    private static final java.lang.invoke.MethodHandle IS_CONTIGUOUS = isContiguousHandle();
    private static volatile Route forced = parseSetting();
    private static volatile boolean diagnostic;
    private static volatile Predicate<ConvShape> fault; // tests only: simulates a wrong engine

    private Convolution() {
    }

    // ---- the operation ----

    /** {@code conv2d(x, w)} with stride 1, no padding, no bias. */
    public static NDArray conv2d(NDArray x, NDArray w) {
        return conv2d(x, w, null, 1, 0, 0, 1);
    }

    /**
     * The convolution of x [N, C, H, W] with w [O, C / groups, kh, kw] plus bias [O] (may be null), with the given
     * stride and implicit zero padding, as {@code torch.nn.functional.conv2d} defines it. Differentiable.
     */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray bias, int stride, int padH, int padW, int groups) {
        Route route = forced;
        if (route == null && isFloatCpu(x)) {
            return checkedCall(x, w, bias, stride, padH, padW, groups);
        }
        return apply(route == null ? Route.NATIVE : route, x, w, bias, stride, padH, padW, groups);
    }

    /** Computes the convolution by one route, unchecked. */
    public static NDArray apply(Route route, NDArray x, NDArray w, NDArray bias, int stride, int padH, int padW,
                                int groups) {
        return switch (route) {
            case NATIVE -> engine(x, w, bias, stride, padH, padW, groups);
            case PADDED -> padded(x, w, bias, stride, padH, padW, groups);
            case IM2COL -> im2col(x, w, bias, stride, padH, padW, groups);
        };
    }

    private static NDArray engine(NDArray x, NDArray w, NDArray bias, int stride, int padH, int padW, int groups) {
        NDArray y = Conv2d.conv2d(x, w, bias, new Shape(stride, stride), new Shape(padH, padW), new Shape(1, 1), groups)
                .singletonOrThrow();
        Predicate<ConvShape> f = fault;
        if (f != null && f.test(ConvShape.of(x, w, stride, padH, padW, groups))) {
            y = y.mul(1.25f).add(0.375f); // errors of the size seen on the AMD machine, forward and backward
        }
        return y;
    }

    /** Channels zero-padded to multiples of {@link #BLOCK}; grouped convolutions are not padded. */
    private static NDArray padded(NDArray x, NDArray w, NDArray bias, int stride, int padH, int padW, int groups) {
        long ci = x.getShape().get(1), co = w.getShape().get(0);
        long cip = ConvShape.roundUp((int) ci, BLOCK), cop = ConvShape.roundUp((int) co, BLOCK);
        if (groups != 1 || (cip == ci && cop == co)) {
            return engine(x, w, bias, stride, padH, padW, groups);
        }
        // torch's pad order: last axis first, (before, after) per axis
        NDArray xp = cip == ci ? x : x.pad(new Shape(0, 0, 0, 0, 0, cip - ci), 0);
        // derived weights belong to the call (x's manager), not to the network that owns w: otherwise every call
        // outside an NDScope would leave a padded copy (and its autograd node) in the network's manager
        NDArray wp = callOwned(w.pad(new Shape(0, 0, 0, 0, 0, cip - ci, 0, cop - co), 0), x);
        NDArray bp = bias == null || cop == co ? bias : callOwned(bias.pad(new Shape(0, cop - co), 0), x);
        NDArray y = engine(xp, wp, bp, stride, padH, padW, 1);
        NDArray kept = cop == co ? y : y.get(new NDIndex(":, 0:{}", co));
        if (Inference.active()) {
            // without a graph nothing else holds the padded copies: the caller's close of the result frees all
            if (xp != x) {
                xp.close();
            }
            if (kept != y) {
                y.close();
            }
        }
        return kept;
    }

    /**
     * im2col: y = W [g, O/g, C/g kh kw] x cols [N, g, C/g kh kw, Ho Wo], where cols stacks the kh kw strided views
     * of the zero-padded input. Engine-independent except for the matrix product.
     */
    static NDArray im2col(NDArray x, NDArray w, NDArray bias, int stride, int padH, int padW, int groups) {
        ConvShape s = ConvShape.of(x, w, stride, padH, padW, groups);
        long n = x.getShape().get(0);
        int ho = s.outHeight(), wo = s.outWidth();
        NDArray xp = padH == 0 && padW == 0 ? x : x.pad(new Shape(padW, padW, padH, padH), 0);
        NDList taps = new NDList(s.kh() * s.kw());
        for (int u = 0; u < s.kh(); u++) {
            for (int v = 0; v < s.kw(); v++) {
                taps.add(xp.get(new NDIndex(":, :, {}:{}:{}, {}:{}:{}", u, u + stride * (ho - 1) + 1, stride,
                        v, v + stride * (wo - 1) + 1, stride)));
            }
        }
        int g = groups, cin = s.in() / g, cout = s.out() / g;
        NDArray cols = NDArrays.stack(taps, 2) // [N, C, kh kw, Ho, Wo], channel-major like the weight
                .reshape(n, g, (long) cin * s.kh() * s.kw(), (long) ho * wo);
        NDArray wm = callOwned(w.reshape(g, cout, (long) cin * s.kh() * s.kw()), x);
        NDArray y = wm.matMul(cols).reshape(n, s.out(), ho, wo); // [N, g, O/g, Ho Wo] -> [N, O, Ho, Wo]
        return bias == null ? y : y.add(callOwned(bias.reshape(1, s.out(), 1, 1), x));
    }

    /** Hands a tensor derived from a weight to the manager of the call's input. */
    private static NDArray callOwned(NDArray derived, NDArray x) {
        derived.attach(x.getManager());
        return derived;
    }

    // ---- the policy ----

    private static boolean isFloatCpu(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 && x.getDevice().getDeviceType().equals(Device.Type.CPU)
                && x instanceof PtNDArray;
    }

    /**
     * The route a class starts on: padded whenever the engine would otherwise pad channels itself. Both engine
     * faults seen so far were in its handling of channel tails (3x3 forward on an AMD EPYC; the 1x1 stride-2 weight
     * gradient under {@code ONEDNN_MAX_CPU_ISA=AVX2}, which was wrong in some calls only and corrupted the heap in
     * others), so the check alone cannot be trusted with them: they are avoided, not only detected.
     */
    static Route initialRoute(ConvShape s) {
        boolean enginePads = s.in() % BLOCK != 0 || s.out() % BLOCK != 0;
        return s.groups() == 1 && enginePads ? Route.PADDED : Route.NATIVE;
    }

    private static Route next(ConvShape s, Route r) {
        if (r == Route.NATIVE && s.groups() == 1 && !s.paddedChannels(BLOCK).equals(s)) {
            return Route.PADDED;
        }
        return r == Route.IM2COL ? null : Route.IM2COL;
    }

    /**
     * The first call of a shape class is computed by its route and checked on its own data; a wrong result moves the
     * class to the next route (said once on stderr) and is computed again. Later calls take the decided route.
     */
    private static NDArray checkedCall(NDArray x, NDArray w, NDArray bias, int stride, int padH, int padW,
                                       int groups) {
        ConvShape s = ConvShape.of(x, w, stride, padH, padW, groups);
        Layout layout = layoutOf(x);
        Key key = new Key(s, layout);
        boolean backward = JniUtils.isGradMode() && (requiresGrad(x) || requiresGrad(w));
        synchronized (DECISIONS) {
            Decision d = DECISIONS.get(key);
            if (d != null && (d.backwardChecked() || !backward)) {
                return apply(d.route(), x, w, bias, stride, padH, padW, groups);
            }
            List<ConvCheck.Result> checks = new ArrayList<>(d == null ? List.of() : d.checks());
            Route r = d == null ? initialRoute(s) : d.route();
            if (diagnostic && d == null && r != Route.NATIVE) {
                NDArray y = apply(Route.NATIVE, x, w, bias, stride, padH, padW, groups);
                checks.add(ConvCheck.checkOutput(Route.NATIVE, x, w, bias, y, stride, padH, padW, groups,
                        ConvCheck.Depth.RUNTIME));
                y.close();
            }
            NDArray y;
            while (true) {
                y = apply(r, x, w, bias, stride, padH, padW, groups);
                ConvCheck.Result c = ConvCheck.checkOutput(r, x, w, bias, y, stride, padH, padW, groups,
                        ConvCheck.Depth.RUNTIME);
                if (c.ok() && backward) {
                    c = ConvCheck.combine(c, ConvCheck.checkBackward(r, x, w, bias, stride, padH, padW, groups,
                            ConvCheck.Depth.RUNTIME));
                }
                if (c.ok() && layout == Layout.UNKNOWN) {
                    c = ConvCheck.combine(c, ConvCheck.verify(r, x, w, bias, stride, padH, padW, groups, backward,
                            ConvCheck.Depth.RUNTIME));
                }
                checks.add(c);
                if (c.ok()) {
                    break;
                }
                Route nr = next(s, r);
                if (nr == null) {
                    throw new IllegalStateException("libtorch's convolution and every workaround are wrong on this CPU "
                            + "for " + s + " " + layout + ": " + checks + " (" + Cpu.describe() + ")");
                }
                System.err.printf(Locale.ROOT, "stylealign: libtorch's convolution is wrong on this CPU for %s %s by "
                        + "route %s (%s); using route %s for it (%s)%n", s, layout, r, c.summary(), nr,
                        Cpu.describe());
                r = nr;
            }
            DECISIONS.put(key, new Decision(s, layout, r, List.copyOf(checks), backward));
            return y;
        }
    }

    /** NCHW-contiguous or not, asked of libtorch; UNKNOWN where this DJL version does not let us ask. */
    static Layout layoutOf(NDArray x) {
        if (IS_CONTIGUOUS == null || !(x instanceof PtNDArray p)) {
            return Layout.UNKNOWN;
        }
        try {
            return (boolean) IS_CONTIGUOUS.invokeExact(p.getHandle().longValue()) ? Layout.CONTIGUOUS
                    : Layout.STRIDED;
        } catch (Throwable e) {
            return Layout.UNKNOWN;
        }
    }

    // DJL 0.35 exposes no stride or memory-format query; its JNI binding has torchIsContiguous, package-private.
    private static java.lang.invoke.MethodHandle isContiguousHandle() {
        try {
            Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            java.lang.reflect.Field instance = lib.getDeclaredField("LIB");
            instance.setAccessible(true);
            java.lang.reflect.Method m = lib.getDeclaredMethod("torchIsContiguous", long.class);
            m.setAccessible(true);
            return java.lang.invoke.MethodHandles.lookup().unreflect(m).bindTo(instance.get(null))
                    .asType(java.lang.invoke.MethodType.methodType(boolean.class, long.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean requiresGrad(NDArray a) {
        return a instanceof PtNDArray p && JniUtils.requiresGrad(p);
    }

    // ---- settings and reports ----

    private static Route parseSetting() {
        String v = System.getProperty("stylealign.conv", System.getenv("STYLEALIGN_CONV"));
        return parse(v);
    }

    static Route parse(String v) {
        if (v == null || v.isBlank() || v.equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            return Route.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("STYLEALIGN_CONV / stylealign.conv: unknown convolution route '" + v
                    + "'; use auto, native, padded or im2col");
        }
    }

    /** Forces one route for every convolution of this process (null: back to the checked automatic choice). */
    public static void force(Route route) {
        forced = route;
    }

    /** The forced route, or null in the automatic mode. */
    public static Route forced() {
        return forced;
    }

    /**
     * In diagnostic mode each newly checked class whose automatic route is not native also has the native route
     * checked, so a report shows where the engine itself is wrong ({@code stylealign info}).
     */
    public static void diagnostic(boolean on) {
        diagnostic = on;
    }

    /** Every shape class decided so far in this process, in order of first use. */
    public static List<Decision> decisions() {
        synchronized (DECISIONS) {
            return List.copyOf(DECISIONS.values());
        }
    }

    /** Forgets every decision (the next use of each class checks again). */
    public static void reset() {
        synchronized (DECISIONS) {
            DECISIONS.clear();
        }
    }

    /**
     * For tests of the workaround on machines whose engine is right: from now on the engine's result is made wrong
     * (y 1.25 + 0.375, so gradients too) for the shapes, as the engine sees them, that match; null ends it. Never
     * set outside tests.
     */
    public static void simulateWrongEngine(Predicate<ConvShape> shapes) {
        fault = shapes;
    }
}
