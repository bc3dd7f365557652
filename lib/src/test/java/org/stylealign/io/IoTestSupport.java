package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Fixture locations and a minimal writer of torch.save files (zip and legacy) for synthetic test cases. */
final class IoTestSupport {

    static final String NV = "nvlabs-r32-z64-w64-map4-cb1024-cmax64";
    static final String ROS = "rosinality-s32-sd64-mlp4-ch64";

    private IoTestSupport() {
    }

    /** The stylegan2 fixture folder; a missing folder fails the test (never skipped). */
    static Path fixtures() {
        String p = System.getProperty("stylealign.fixtures");
        if (p == null) {
            fail("system property stylealign.fixtures is not set (surefire sets it to <repo>/../shared/fixtures)");
        }
        Path dir = Paths.get(p, "stylegan2");
        assertTrue(Files.isDirectory(dir), "fixture folder missing: " + dir);
        return dir;
    }

    static Path nvPkl() {
        return fixtures().resolve(NV + ".pkl");
    }

    static Path nvStateDict() {
        return fixtures().resolve(NV + "-state_dict.pt");
    }

    /** The TensorFlow-format pickle of the NVlabs fixture (../stylegan2-tf beside the stylegan2 folder). */
    static Path tfPkl() {
        Path dir = fixtures().resolveSibling("stylegan2-tf");
        assertTrue(Files.isDirectory(dir), "fixture folder missing: " + dir);
        return dir.resolve("nvlabs-tf-r32-z64-w64-map4.pkl");
    }

    static Path rosPt() {
        return fixtures().resolve(ROS + ".pt");
    }

    /** A key -> shape map from ref-*\/meta.json. */
    static Map<String, long[]> metaShapes(String refDir, String field) throws IOException {
        JsonObject meta = JsonParser.parseString(Files.readString(fixtures().resolve(refDir).resolve("meta.json")))
                .getAsJsonObject();
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : meta.getAsJsonObject(field).entrySet()) {
            var arr = e.getValue().getAsJsonArray();
            long[] s = new long[arr.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = arr.get(i).getAsLong();
            }
            out.put(e.getKey(), s);
        }
        return out;
    }

    // ------------------------------------------------------------------ pickle emitter (protocol 2)

    static final class PickleOut {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        PickleOut proto(int p) {
            b.write(0x80);
            b.write(p);
            return this;
        }

        PickleOut op(char c) {
            b.write(c);
            return this;
        }

        PickleOut raw(int... bytes) {
            for (int x : bytes) {
                b.write(x);
            }
            return this;
        }

        PickleOut bytes(byte[] raw) {
            b.writeBytes(raw);
            return this;
        }

        PickleOut global(String module, String name) {
            b.write('c');
            b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        PickleOut str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            b.write('X');
            b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array());
            b.writeBytes(u);
            return this;
        }

        PickleOut integer(long v) {
            b.write('J');
            b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        PickleOut tuple(long... v) {
            op('(');
            for (long x : v) {
                integer(x);
            }
            return op('t');
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }

    /** One tensor of a synthetic state_dict: a view over a named storage. */
    record TensorSpec(String name, String storageKey, long offset, long[] size, long[] stride) {
        static TensorSpec contiguous(String name, String key, long... size) {
            long[] stride = new long[size.length];
            long s = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                stride[i] = s;
                s *= size[i];
            }
            return new TensorSpec(name, key, 0, size, stride);
        }
    }

    /** A storage: torch type name (e.g. FloatStorage), element count and raw little-endian bytes. */
    record StorageSpec(String type, long numel, byte[] data) {
    }

    /** The data.pkl of a state_dict (an OrderedDict of _rebuild_tensor_v2 over persistent storages). */
    static byte[] stateDictPickle(List<TensorSpec> tensors, Map<String, StorageSpec> storages, boolean legacy) {
        PickleOut p = new PickleOut().proto(2);
        p.global("collections", "OrderedDict").op(')').op('R').op('(');
        for (TensorSpec t : tensors) {
            StorageSpec s = storages.get(t.storageKey());
            p.str(t.name()).global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.op('(').str("storage").global("torch", s.type()).str(t.storageKey()).str("cpu").integer(s.numel());
            if (legacy) {
                p.op('N');
            }
            p.op('t').op('Q');
            p.integer(t.offset()).tuple(t.size()).tuple(t.stride()).raw(0x89);
            p.global("collections", "OrderedDict").op(')').op('R');
            p.op('t').op('R');
        }
        p.op('u').op('.');
        return p.bytes();
    }

    static void writeTorchZip(Path file, String root, byte[] dataPkl, Map<String, StorageSpec> storages)
            throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry(root + "/data.pkl"));
            z.write(dataPkl);
            z.closeEntry();
            for (Map.Entry<String, StorageSpec> e : storages.entrySet()) {
                z.putNextEntry(new ZipEntry(root + "/data/" + e.getKey()));
                z.write(e.getValue().data());
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry(root + "/version"));
            z.write("3\n".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        }
    }

    /** A legacy torch.save stream around an object pickle that references the given storages. */
    static byte[] legacyStream(byte[] objectPickle, Map<String, StorageSpec> storages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // magic number as LONG1
        byte[] magic = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
                0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
        out.writeBytes(magic);
        out.writeBytes(new byte[] {(byte) 0x80, 2, 'M', (byte) 0xe9, 0x03, '.'}); // 1001
        PickleOut sys = new PickleOut().proto(2).op('}').op('(').str("protocol_version").integer(1001)
                .str("little_endian").raw(0x88).op('u').op('.');
        out.writeBytes(sys.bytes());
        out.writeBytes(objectPickle);
        PickleOut keys = new PickleOut().proto(2).op('(');
        for (String k : storages.keySet()) {
            keys.str(k);
        }
        keys.op('l').op('.');
        out.writeBytes(keys.bytes());
        for (StorageSpec s : storages.values()) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(s.numel()).array());
            out.writeBytes(s.data());
        }
        return out.toByteArray();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** Contiguous float32 state_dict tensors and their storages (one storage per tensor). */
    static void addFloatTensors(Map<String, HostTensor> tensors, List<TensorSpec> specs,
                                Map<String, StorageSpec> storages) {
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String key = Integer.toString(storages.size());
            HostTensor t = e.getValue();
            storages.put(key, new StorageSpec("FloatStorage", t.size(), floats(t.values())));
            specs.add(TensorSpec.contiguous(e.getKey(), key, t.shape()));
        }
    }

    /** Writes a float32 state_dict as a torch.save zip file. */
    static Path writeStateDict(Path file, Map<String, HostTensor> tensors) throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, StorageSpec> storages = new LinkedHashMap<>();
        addFloatTensors(tensors, specs, storages);
        writeTorchZip(file, "archive", stateDictPickle(specs, storages, false), storages);
        return file;
    }

    static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }
}
