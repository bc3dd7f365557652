package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stylealign.io.IoTestSupport.bits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native safetensors format: bit-exact float32 round trip, fp16, extras, atomic writes, damaged files. */
class NativeFormatTest {

    @TempDir
    Path tmp;

    private static void assertSameTensors(Map<String, HostTensor> a, Map<String, HostTensor> b, String what) {
        if (a == null || b == null) {
            assertEquals(a, b, what);
            return;
        }
        assertEquals(a.keySet(), b.keySet(), what);
        a.forEach((k, v) -> {
            assertArrayEquals(v.shape(), b.get(k).shape(), what + " " + k);
            assertArrayEquals(bits(v.values()), bits(b.get(k).values()), what + " " + k);
        });
    }

    @Test
    void float32RoundTripIsBitExact() throws Exception {
        for (Path src : List.of(IoTestSupport.rosPt(), IoTestSupport.nvPkl())) {
            ImportedCheckpoint c = Checkpoints.read(src);
            Path out = tmp.resolve(src.getFileName() + ".safetensors");
            Checkpoints.writeNative(out, c, false);
            ImportedCheckpoint r = Checkpoints.read(out);
            assertEquals("native", r.format());
            assertEquals(c.generatorConfig(), r.generatorConfig());
            assertEquals(c.discriminatorConfig(), r.discriminatorConfig());
            assertSameTensors(c.gEma(), r.gEma(), "G_ema");
            assertSameTensors(c.g(), r.g(), "G");
            assertSameTensors(c.d(), r.d(), "D");
            assertEquals(c.metadata(), r.metadata());
            assertOnlyFile(out);
        }
    }

    @Test
    void fp16RoundTripWithinHalfPrecision() throws Exception {
        ImportedCheckpoint c = Checkpoints.read(IoTestSupport.nvPkl());
        Path out = tmp.resolve("half.safetensors");
        Checkpoints.writeNative(out, c, true);
        ImportedCheckpoint r = Checkpoints.read(out);
        Path full = tmp.resolve("full.safetensors");
        Checkpoints.writeNative(full, c, false);
        assertTrue(Files.size(out) < Files.size(full) * 0.55, "fp16 file about half the size");
        for (Map.Entry<String, HostTensor> e : c.gEma().entrySet()) {
            float[] a = e.getValue().values();
            float[] b = r.gEma().get(e.getKey()).values();
            for (int i = 0; i < a.length; i++) {
                double tol = Math.max(Math.abs(a[i]) * 0x1p-11, 0x1p-25); // half ulp, or half the subnormal step
                assertEquals(a[i], b[i], tol, e.getKey());
            }
        }
    }

    @Test
    void halfConversionIsExactAndRoundsToNearestEven() {
        for (int h = 0; h < 65536; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(f))));
            } else {
                assertEquals((short) h, Half.fromFloat(f), "half " + Integer.toHexString(h));
            }
        }
        assertEquals(1.0f, Half.toFloat(Half.fromFloat(1 + 0x1p-11f))); // tie -> even (down)
        assertEquals(1 + 0x1p-9f, Half.toFloat(Half.fromFloat(1 + 3 * 0x1p-11f))); // tie -> even (up)
        assertEquals(1 + 0x1p-10f, Half.toFloat(Half.fromFloat(1 + 0x1p-11f + 0x1p-20f))); // above tie -> up
        assertEquals(65504f, Half.toFloat(Half.fromFloat(65519f)));
        assertEquals(Float.POSITIVE_INFINITY, Half.toFloat(Half.fromFloat(65520f)));
        assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat(Half.fromFloat(-1e6f)));
        assertEquals(0x1p-24f, Half.toFloat(Half.fromFloat(0x1p-24f)));
        assertEquals(0f, Half.toFloat(Half.fromFloat(0x1p-25f))); // tie -> even zero
        assertEquals(0x1p-24f, Half.toFloat(Half.fromFloat(0x1.8p-25f)));
        assertEquals(0x1p-23f, Half.toFloat(Half.fromFloat(0x1.8p-24f))); // 1.5 units -> 2 (even)
        assertEquals(0x1p-14f, Half.toFloat(Half.fromFloat(0x1.ffep-15f))); // subnormal rounds up to normal
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Half.toFloat(Half.fromFloat(-0f))));
    }

    @Test
    void extraGroupsAndMetadataSurvive() throws Exception {
        ImportedCheckpoint c = Checkpoints.read(IoTestSupport.nvStateDict());
        Map<String, HostTensor> opt = new LinkedHashMap<>();
        opt.put("step", new HostTensor(new long[0], new float[] {1234}));
        opt.put("m.weight", new HostTensor(new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        ImportedCheckpoint x = c.withExtras(Map.of("train", opt), Map.of("kimg", "1000", "note", "héllo"));
        Path out = tmp.resolve("extra.safetensors");
        Checkpoints.writeNative(out, x, false);
        ImportedCheckpoint r = Checkpoints.read(out);
        assertSameTensors(opt, r.extraGroups().get("train"), "train");
        assertEquals("1000", r.metadata().get("kimg"));
        assertEquals("héllo", r.metadata().get("note"));
        assertEquals(null, r.d());
        // the metadata holds the configs as JSON
        SafeTensors.Contents raw = SafeTensors.read(out);
        assertEquals("stylealign-checkpoint", raw.metadata().get("format"));
        assertEquals("1", raw.metadata().get("version"));
        assertTrue(raw.metadata().get("generator").contains("\"channels\":{\"4\":64,\"8\":64,\"16\":64,\"32\":32}"));
        assertTrue(raw.tensors().containsKey("G_ema.synthesis.b4.const"));
        assertTrue(raw.tensors().containsKey("train.m.weight"));
    }

    @Test
    void reservedMetadataAndBadGroupNamesAreRefused() throws Exception {
        ImportedCheckpoint c = Checkpoints.read(IoTestSupport.nvStateDict());
        Path out = tmp.resolve("bad.safetensors");
        assertThrows(CheckpointException.class,
                () -> Checkpoints.writeNative(out, c.withExtras(Map.of(), Map.of("format", "x")), false));
        assertThrows(CheckpointException.class,
                () -> Checkpoints.writeNative(out, c.withExtras(Map.of("G", Map.of()), Map.of()), false));
        assertFalse(Files.exists(out));
    }

    @Test
    void failedWriteLeavesNoFile() throws Exception {
        Path out = tmp.resolve("fail.bin");
        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFiles.write(out, os -> {
            os.write(new byte[1000]);
            throw new IOException("disk full (simulated)");
        }));
        assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.count(), "no target and no temporary file left");
        }
        // an existing file is left untouched by a failed rewrite
        Files.writeString(out, "old");
        assertThrows(CheckpointException.class, () -> AtomicFiles.write(out, os -> {
            throw new IOException("boom");
        }));
        assertEquals("old", Files.readString(out));
        // a missing folder is a clear error too
        Path missing = tmp.resolve("no/such/dir/x.safetensors");
        ImportedCheckpoint c = Checkpoints.read(IoTestSupport.nvStateDict());
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> Checkpoints.writeNative(missing, c, false));
        assertTrue(e2.getMessage().contains(missing.toString()));
        assertFalse(Files.exists(missing));
    }

    @Test
    void damagedNativeFilesAreRefused() throws Exception {
        ImportedCheckpoint c = Checkpoints.read(IoTestSupport.nvStateDict());
        Path good = tmp.resolve("good.safetensors");
        Checkpoints.writeNative(good, c, false);
        byte[] all = Files.readAllBytes(good);
        for (int cut : new int[] {all.length - 1, all.length / 2, 200, 9, 4}) {
            Path bad = tmp.resolve("cut" + cut + ".safetensors");
            Files.write(bad, Arrays.copyOf(all, cut));
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(bad));
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        }
        // a plain safetensors file without our metadata
        Path foreign = tmp.resolve("foreign.safetensors");
        SafeTensors.write(foreign, Map.of("x", new HostTensor(new long[] {2}, new float[] {1, 2})), Map.of(), false);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(foreign));
        assertTrue(e.getMessage().contains("not a StyleAlign checkpoint"), e.getMessage());
        assertEquals(2, SafeTensors.read(foreign).tensors().get("x").size());
        // offsets pointing outside the data section
        Path lying = tmp.resolve("lying.safetensors");
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        byte[] h = header.getBytes();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putLong(0);
        Files.write(lying, b.array());
        CheckpointException e3 = assertThrows(CheckpointException.class, () -> SafeTensors.read(lying));
        assertTrue(e3.getMessage().contains("outside the data section"), e3.getMessage());
    }

    private void assertOnlyFile(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertTrue(s.allMatch(p -> !p.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }
}
