package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stylealign.io.IoTestSupport.bits;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.io.IoTestSupport.StorageSpec;
import org.stylealign.io.IoTestSupport.TensorSpec;

/** torch.save containers: every dtype, strided views, shared storage, 0-d tensors, zip and legacy layouts. */
class TorchFormatTest {

    @TempDir
    Path tmp;

    private static byte[] le(int size, double... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * size).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            switch (size) {
                case 1 -> b.put((byte) x);
                case 2 -> b.putShort((short) x);
                case 4 -> b.putInt((int) x);
                default -> b.putLong((long) x);
            }
        }
        return b.array();
    }

    private static Map<String, StorageSpec> storages() {
        Map<String, StorageSpec> s = new LinkedHashMap<>();
        s.put("0", new StorageSpec("FloatStorage", 6, IoTestSupport.floats(0, 1, 2, 3, 4, 5)));
        ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3c00).putShort((short) 0xc000);
        s.put("1", new StorageSpec("HalfStorage", 2, h.array()));
        ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) (Float.floatToRawIntBits(1.5f) >>> 16)).putShort((short) (Float.floatToRawIntBits(-3f) >>> 16));
        s.put("2", new StorageSpec("BFloat16Storage", 2, bf.array()));
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).putDouble(-1e300);
        s.put("3", new StorageSpec("DoubleStorage", 2, d.array()));
        s.put("4", new StorageSpec("LongStorage", 2, le(8, -9, 1 << 20)));
        s.put("5", new StorageSpec("IntStorage", 2, le(4, 7, -8)));
        s.put("6", new StorageSpec("ByteStorage", 2, le(1, 200, 1)));
        s.put("7", new StorageSpec("BoolStorage", 2, le(1, 1, 0)));
        return s;
    }

    private static List<TensorSpec> specs() {
        List<TensorSpec> t = new ArrayList<>();
        t.add(TensorSpec.contiguous("f32", "0", 2, 3));
        t.add(new TensorSpec("transposed", "0", 0, new long[] {3, 2}, new long[] {1, 3})); // a.t()
        t.add(new TensorSpec("slice", "0", 4, new long[] {2}, new long[] {1})); // shares storage 0
        t.add(new TensorSpec("scalar", "0", 5, new long[0], new long[0])); // 0-d
        t.add(new TensorSpec("broadcast", "0", 1, new long[] {2, 2}, new long[] {0, 1})); // expand()
        t.add(TensorSpec.contiguous("f16", "1", 2));
        t.add(TensorSpec.contiguous("bf16", "2", 2));
        t.add(TensorSpec.contiguous("f64", "3", 2));
        t.add(TensorSpec.contiguous("i64", "4", 2));
        t.add(TensorSpec.contiguous("i32", "5", 2));
        t.add(TensorSpec.contiguous("u8", "6", 2));
        t.add(TensorSpec.contiguous("bool", "7", 2));
        return t;
    }

    private static void checkValues(String file, Object top) throws Exception {
        @SuppressWarnings("unchecked")
        Map<Object, Object> m = (Map<Object, Object>) top;
        Map<String, HostTensor> h = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : m.entrySet()) {
            h.put((String) e.getKey(), ((TorchData.TensorRef) e.getValue()).toHost(file, (String) e.getKey(), new ReadBudget(file, 1 << 20)));
        }
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, h.get("f32").values());
        assertArrayEquals(new long[] {3, 2}, h.get("transposed").shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, h.get("transposed").values());
        assertArrayEquals(new float[] {4, 5}, h.get("slice").values());
        assertArrayEquals(new long[0], h.get("scalar").shape());
        assertArrayEquals(new float[] {5}, h.get("scalar").values());
        assertArrayEquals(new float[] {1, 2, 1, 2}, h.get("broadcast").values());
        assertArrayEquals(new float[] {1, -2}, h.get("f16").values());
        assertArrayEquals(new float[] {1.5f, -3}, h.get("bf16").values());
        assertArrayEquals(bits(new float[] {0.25f, Float.NEGATIVE_INFINITY}), bits(h.get("f64").values()));
        assertArrayEquals(new float[] {-9, 1 << 20}, h.get("i64").values());
        assertArrayEquals(new float[] {7, -8}, h.get("i32").values());
        assertArrayEquals(new float[] {200, 1}, h.get("u8").values());
        assertArrayEquals(new float[] {1, 0}, h.get("bool").values());
    }

    @Test
    void zipFormatDtypesAndViews() throws Exception {
        Path f = tmp.resolve("views.pt");
        IoTestSupport.writeTorchZip(f, "views", IoTestSupport.stateDictPickle(specs(), storages(), false), storages());
        checkValues(f.toString(), TorchFiles.readZip(f));
    }

    @Test
    void legacyFormatDtypesAndViews() throws Exception {
        byte[] legacy = IoTestSupport.legacyStream(IoTestSupport.stateDictPickle(specs(), storages(), true), storages());
        checkValues("legacy", TorchFiles.readLegacy("legacy", ByteBuffer.wrap(legacy)));
        for (int cut : new int[] {legacy.length - 1, legacy.length - 20, 30}) {
            byte[] part = java.util.Arrays.copyOf(legacy, cut);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> TorchFiles.readLegacy("legacy.pt", ByteBuffer.wrap(part)));
            assertTrue(e.getMessage().contains("legacy.pt") && e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void viewsOutsideTheirStorageAreRefused() throws Exception {
        Map<String, StorageSpec> s = Map.of("0", new StorageSpec("FloatStorage", 6, IoTestSupport.floats(0, 1, 2, 3, 4, 5)));
        Path f = tmp.resolve("oob.pt");
        List<TensorSpec> t = List.of(new TensorSpec("w", "0", 3, new long[] {2, 2}, new long[] {2, 1}));
        IoTestSupport.writeTorchZip(f, "oob", IoTestSupport.stateDictPickle(t, s, false), s);
        @SuppressWarnings("unchecked")
        Map<Object, Object> m = (Map<Object, Object>) TorchFiles.readZip(f);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ((TorchData.TensorRef) m.get("w")).toHost(f.toString(), "w", new ReadBudget(f.toString(), 1 << 20)));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'w'"), e.getMessage());
    }

    @Test
    void legacyStateDictFileImports() throws Exception {
        // a whole generator written in the pre-1.6 layout imports like the zip one
        ImportedCheckpoint ref = Checkpoints.read(IoTestSupport.nvStateDict());
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, StorageSpec> st = new LinkedHashMap<>();
        IoTestSupport.addFloatTensors(ref.gEma(), specs, st);
        Path f = tmp.resolve("legacy-g.pt");
        Files.write(f, IoTestSupport.legacyStream(IoTestSupport.stateDictPickle(specs, st, true), st));
        ImportedCheckpoint c = Checkpoints.read(f);
        assertEquals(ref.generatorConfig(), c.generatorConfig());
        for (String k : ref.gEma().keySet()) {
            assertArrayEquals(bits(ref.gEma().get(k).values()), bits(c.gEma().get(k).values()), k);
        }
    }
}
