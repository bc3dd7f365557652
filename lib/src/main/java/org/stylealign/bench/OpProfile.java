package org.stylealign.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the native time goes: runs some work under libtorch's profiler and sums the <em>self</em> time of every
 * operator (its duration minus that of the operators it called), so that a convolution's backward is not also
 * counted under the autograd node that called it. The trace is libtorch's Chrome-trace JSON, kept if asked for
 * (open it in chrome://tracing or Perfetto).
 */
public final class OpProfile {

    /** One operator's share: self milliseconds and calls, both per repetition of the profiled work. */
    public record Op(String name, double selfMs, double calls) {
    }

    private final List<Op> ops;
    private final double totalMs;

    private OpProfile(List<Op> ops, double totalMs) {
        this.ops = ops;
        this.totalMs = totalMs;
    }

    /**
     * Profiles {@code repetitions} runs of {@code work}.
     *
     * @param trace where to keep the Chrome trace, or null to delete it
     */
    public static OpProfile of(Runnable work, int repetitions, Path trace) throws IOException {
        Path file = trace != null ? trace : Files.createTempFile("stylealign-profile-", ".json");
        try {
            JniUtils.startProfile(false, false, false);
            try {
                for (int i = 0; i < repetitions; i++) {
                    work.run();
                }
            } finally {
                JniUtils.stopProfile(file.toString());
            }
            return parse(file, repetitions);
        } finally {
            if (trace == null) {
                Files.deleteIfExists(file);
            }
        }
    }

    static OpProfile parse(Path file, int repetitions) throws IOException {
        List<double[]> spans = new ArrayList<>(); // {start, duration, thread, name index}
        List<String> names = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        try (Reader r = Files.newBufferedReader(file)) {
            JsonElement root = JsonParser.parseReader(r);
            JsonArray events = root.isJsonArray() ? root.getAsJsonArray()
                    : root.getAsJsonObject().getAsJsonArray("traceEvents");
            for (JsonElement e : events) {
                JsonObject o = e.getAsJsonObject();
                if (!o.has("ph") || !"X".equals(o.get("ph").getAsString())) {
                    continue;
                }
                String name = o.get("name").getAsString();
                int id = index.computeIfAbsent(name, k -> {
                    names.add(k);
                    return names.size() - 1;
                });
                double tid = o.has("tid") ? o.get("tid").getAsDouble() : 0;
                spans.add(new double[] {o.get("ts").getAsDouble(), o.get("dur").getAsDouble(), tid, id});
            }
        }
        // Per thread, in start order (longer first on ties), a stack of open spans gives every span its parent.
        spans.sort(Comparator.<double[]>comparingDouble(s -> s[2]).thenComparingDouble(s -> s[0])
                .thenComparingDouble(s -> -s[1]));
        double[] self = new double[names.size()];
        double[] calls = new double[names.size()];
        double total = 0;
        Deque<double[]> open = new ArrayDeque<>();
        double thread = Double.NaN;
        for (double[] s : spans) {
            if (s[2] != thread) {
                open.clear();
                thread = s[2];
            }
            while (!open.isEmpty() && open.peek()[0] + open.peek()[1] <= s[0]) {
                open.pop();
            }
            int id = (int) s[3];
            self[id] += s[1];
            calls[id]++;
            if (open.isEmpty()) {
                total += s[1];
            } else {
                self[(int) open.peek()[3]] -= s[1];
            }
            open.push(s);
        }
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            ops.add(new Op(names.get(i), self[i] / 1000 / repetitions, calls[i] / repetitions));
        }
        ops.sort(Comparator.comparingDouble(Op::selfMs).reversed());
        return new OpProfile(List.copyOf(ops), total / 1000 / repetitions);
    }

    /** Operators by self time, largest first. */
    public List<Op> ops() {
        return ops;
    }

    /** Native time per repetition (top-level operators), ms. */
    public double totalMs() {
        return totalMs;
    }

    /** A table of the {@code top} largest operators and the rest, per repetition. */
    public String table(int top) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %-52s %9s %8s %7s%n", "native operator",
                "ms/step", "calls", "share"));
        double shown = 0;
        for (int i = 0; i < Math.min(top, ops.size()); i++) {
            Op o = ops.get(i);
            shown += o.selfMs();
            b.append(row(o.name(), o.selfMs(), o.calls()));
        }
        double calls = ops.stream().mapToDouble(Op::calls).sum();
        double shownCalls = ops.stream().limit(top).mapToDouble(Op::calls).sum();
        b.append(row("(" + Math.max(ops.size() - top, 0) + " others)", totalMs - shown, calls - shownCalls));
        b.append(row("all native operators", totalMs, calls));
        return b.toString();
    }

    private String row(String name, double ms, double calls) {
        String n = name.length() > 52 ? name.substring(0, 49) + "..." : name;
        return String.format(Locale.ROOT, "  %-52s %9.1f %8.0f %6.1f%%%n", n, ms, calls,
                totalMs > 0 ? 100 * ms / totalMs : 0);
    }
}
