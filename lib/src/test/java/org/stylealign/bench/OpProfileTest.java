package org.stylealign.bench;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.model.GeneratorConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpProfileTest {

    private static OpProfile.Op op(OpProfile p, String name) {
        return p.ops().stream().filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + p.ops()));
    }

    @Test
    void selfTimeExcludesNestedCallsPerThread(@TempDir Path tmp) throws Exception {
        // thread 1: conv [0, 100) calling mkldnn [10, 70), which calls empty [20, 25); then add [100, 110)
        // thread 2: backward [5, 55) calling conv_backward [10, 50), overlapping thread 1 in time
        Path trace = tmp.resolve("t.json");
        Files.writeString(trace, """
                [
                {"name": "aten::conv2d", "ph": "X", "ts": 0, "dur": 100, "tid": 1},
                {"name": "aten::mkldnn_convolution", "ph": "X", "ts": 10, "dur": 60, "tid": 1},
                {"name": "aten::empty", "ph": "X", "ts": 20, "dur": 5, "tid": 1},
                {"name": "aten::add", "ph": "X", "ts": 100, "dur": 10, "tid": 1},
                {"name": "backward", "ph": "X", "ts": 5, "dur": 50, "tid": 2},
                {"name": "aten::convolution_backward", "ph": "X", "ts": 10, "dur": 40, "tid": 2},
                {"name": "process_name", "ph": "M", "tid": 1}
                ]
                """);
        OpProfile p = OpProfile.parse(trace, 2); // two repetitions: per-repetition figures are halved
        assertEquals(0.020, op(p, "aten::conv2d").selfMs(), 1e-9);
        assertEquals(0.0275, op(p, "aten::mkldnn_convolution").selfMs(), 1e-9);
        assertEquals(0.0025, op(p, "aten::empty").selfMs(), 1e-9);
        assertEquals(0.005, op(p, "aten::add").selfMs(), 1e-9);
        assertEquals(0.005, op(p, "backward").selfMs(), 1e-9);
        assertEquals(0.020, op(p, "aten::convolution_backward").selfMs(), 1e-9);
        assertEquals(0.5, op(p, "aten::add").calls(), 1e-9);
        assertEquals((100 + 10 + 50) / 1000.0 / 2, p.totalMs(), 1e-9);
        double selfSum = p.ops().stream().mapToDouble(OpProfile.Op::selfMs).sum();
        assertEquals(p.totalMs(), selfSum, 1e-9, "self times add up to the top-level time");
        assertEquals("aten::mkldnn_convolution", p.ops().get(0).name(), "largest first");
        String table = p.table(2);
        assertTrue(table.contains("(4 others)") && table.contains("all native operators"), table);
    }

    @Test
    void profilesARealTrainingIteration(@TempDir Path tmp) throws Exception {
        Map<Integer, Integer> widths = new TreeMap<>(Map.of(4, 16, 8, 16));
        GeneratorConfig gc = new GeneratorConfig(8, 3, 16, 16, 2, 0.01f, widths);
        Path trace = tmp.resolve("trace.json");
        OpProfile p = new TrainBench(Device.cpu(), 4).profile(gc, 4, List.of(), trace);
        assertTrue(Files.size(trace) > 0, "the Chrome trace is kept");
        assertTrue(p.totalMs() > 0);
        // forward and backward convolutions of G and D are where a training step's native time is spent
        assertTrue(op(p, "aten::convolution_backward").calls() > 0);
        double convCalls = p.ops().stream().filter(o -> o.name().contains("convolution")).mapToDouble(
                OpProfile.Op::calls).sum();
        assertTrue(convCalls >= 10, "convolutions per step: " + convCalls);
        assertTrue(op(p, "aten::_fused_adam_").calls() >= 2, "G and D updated by the fused Adam kernel");
    }
}
