package org.stylealign.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingRunTest {

    @TempDir
    Path tmp;

    @Test
    void runWritesMetricsProgressAndSnapshots() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (Trainer t = TinySetup.trainer(TinySetup.config())) {
            TrainingRun.run(t, TinySetup.feed(16, 3), tmp, new TrainingRun.Options(12, 2, 1, 1e4), ps);
        }
        Table m = Table.read().csv(tmp.resolve(TrainingRun.METRICS).toFile());
        assertEquals(3, m.rowCount());
        assertTrue(m.columnNames().containsAll(java.util.List.of("step", "kimg", "loss_g", "loss_d", "r1",
                "sec_per_step")), m.columnNames().toString());
        String log = out.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("ETA") && log.contains("s/step") && log.contains("kimg"), log);
        // Resume to 20 images: the metrics continue, the snapshot advances.
        java.util.List<Long> seen = new java.util.ArrayList<>();
        try (Trainer t = Snapshots.resume(tmp.resolve(TrainingRun.SNAPSHOT), Device.cpu())) {
            assertEquals(3, t.step());
            TrainingRun.run(t, TinySetup.feed(16, 3), tmp, new TrainingRun.Options(20, 0, 1, 1e4), ps, null,
                    (s, images, total) -> {
                        assertEquals(20, total);
                        seen.add(images);
                    });
        }
        assertEquals(5, Table.read().csv(tmp.resolve(TrainingRun.METRICS).toFile()).rowCount());
        assertEquals(java.util.List.of(16L, 20L), seen, "the listener hears every step with the images seen");
    }

    @Test
    void nanStopsWithAClearMessageAndKeepsTheLastGoodSnapshot() throws Exception {
        ImageFeed good = TinySetup.feed(16, 3);
        ImageFeed poisoned = new ImageFeed() {
            @Override
            public NDArray images(NDManager m, long step, int batch) {
                NDArray x = good.images(m, step, batch);
                return step < 2 ? x : x.mul(Float.NaN);
            }

            @Override
            public int resolution() {
                return 16;
            }

            @Override
            public int channels() {
                return 3;
            }
        };
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Trainer t = TinySetup.trainer(TinySetup.config())) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () ->
                    TrainingRun.run(t, poisoned, tmp, new TrainingRun.Options(40, 2, 1, 1e4), quiet));
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("last good snapshot"),
                    e.getMessage());
        }
        Path snap = tmp.resolve(TrainingRun.SNAPSHOT);
        assertTrue(Files.isRegularFile(snap));
        try (Trainer t = Snapshots.resume(snap, Device.cpu())) {
            assertEquals(2, t.step());
            for (NDArray a : t.generator().tensors().values()) {
                for (float v : a.toFloatArray()) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }
}
