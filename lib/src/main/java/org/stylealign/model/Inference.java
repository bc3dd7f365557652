package org.stylealign.model;

import ai.djl.pytorch.jni.JniUtils;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Inference without autograd and in bounded memory.
 *
 * <p>When no graph is recorded (libtorch's grad mode is off on this thread: outside a GradientCollector, or inside
 * {@link #call}), the generator frees every intermediate tensor as soon as its consumer has run, overwrites
 * temporaries in place, and renders large batches in chunks so that the activations held at once stay within the
 * {@linkplain #memoryBudget() memory budget}. Inside a GradientCollector it keeps everything the backward pass may
 * need, as before.
 *
 * <p>The budget is the setting {@code STYLEALIGN_MEMORY} (or the system property {@code stylealign.memory}): bytes,
 * or a number with k, m or g, e.g. {@code 512m}; by default 1/256 of the machine's memory, at least 64 MB and at most
 * 256 MB. Larger chunks were measured no faster (256 px, 2 cores: the same CPU time per image from 1 to 13 images per
 * chunk) but leave more memory behind in the allocator. Chunks never go below one image, so a model whose single
 * image needs more still runs.
 */
public final class Inference {

    /** The environment variable of the budget. */
    public static final String SETTING = "STYLEALIGN_MEMORY";
    static final long MIN_DEFAULT = 64L << 20;
    static final long MAX_DEFAULT = 256L << 20;

    private static volatile long budget = fromSetting();

    private Inference() {
    }

    /**
     * Runs {@code body} without recording a graph (libtorch's {@code no_grad} on this thread) and restores the
     * previous mode: for rendering, style extraction and analyses called where a collector might be open.
     */
    public static <T> T call(Supplier<T> body) {
        boolean was = JniUtils.isGradMode();
        if (was) {
            JniUtils.setGradMode(false);
        }
        try {
            return body.get();
        } finally {
            if (was) {
                JniUtils.setGradMode(true);
            }
        }
    }

    /** {@link #call} for a body without a result. */
    public static void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    /** True when operations on this thread record no graph, so intermediates may be freed and overwritten. */
    public static boolean active() {
        return !JniUtils.isGradMode();
    }

    /** Bytes of activations one inference call may hold at once (see the class comment). */
    public static long memoryBudget() {
        return budget;
    }

    /** Sets the budget for this process; {@code bytes <= 0} goes back to the setting or the default. */
    public static void setMemoryBudget(long bytes) {
        budget = bytes > 0 ? bytes : fromSetting();
    }

    private static long fromSetting() {
        String v = System.getProperty("stylealign.memory", System.getenv(SETTING));
        if (v == null || v.isBlank()) {
            return defaultBudget(physicalMemory());
        }
        return parseBytes(v);
    }

    static long defaultBudget(long physical) {
        if (physical <= 0) {
            return MIN_DEFAULT;
        }
        return Math.max(MIN_DEFAULT, Math.min(MAX_DEFAULT, physical / 256));
    }

    /** "123", "512k", "768m", "2g" (case-insensitive, an optional trailing b) -> bytes. */
    static long parseBytes(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> { }
            }
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1).trim();
        }
        try {
            double d = Double.parseDouble(s);
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return (long) (d * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SETTING + " / stylealign.memory: expected a size such as 768m or 2g, got '"
                    + v + "'");
        }
    }

    private static long physicalMemory() {
        try {
            java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return sun.getTotalMemorySize();
            }
        } catch (RuntimeException | LinkageError e) {
            // fall through: the floor
        }
        return -1;
    }
}
