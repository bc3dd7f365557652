package org.stylealign.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few pickle (protocol 2) opcodes a TorchScript archive's {@code data.pkl} needs, as libtorch's unpickler reads
 * them: module objects, strings, numbers, tuples and tensors by persistent id. The writing side of {@link Pickle}.
 */
public final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleWriter() {
        out.write(0x80); // PROTO
        out.write(2);
    }

    /** GLOBAL module\nname\n: pushes a class or function reference. */
    public PickleWriter global(String module, String name) {
        out.write('c');
        ascii(module + "\n" + name + "\n");
        return this;
    }

    public PickleWriter mark() {
        out.write('(');
        return this;
    }

    /** MARK ... TUPLE: the items pushed since the last mark become one tuple. */
    public PickleWriter tuple() {
        out.write('t');
        return this;
    }

    public PickleWriter emptyTuple() {
        out.write(')');
        return this;
    }

    public PickleWriter emptyDict() {
        out.write('}');
        return this;
    }

    /** MARK key value ... SETITEMS: adds the pairs pushed since the last mark to the dict below them. */
    public PickleWriter setItems() {
        out.write('u');
        return this;
    }

    public PickleWriter newObj() {
        out.write(0x81);
        return this;
    }

    public PickleWriter build() {
        out.write('b');
        return this;
    }

    public PickleWriter reduce() {
        out.write('R');
        return this;
    }

    public PickleWriter persistentId() {
        out.write('Q'); // BINPERSID
        return this;
    }

    public PickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X'); // BINUNICODE
        int32(b.length);
        out.writeBytes(b);
        return this;
    }

    public PickleWriter integer(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J'); // BININT
            int32((int) v);
        } else {
            out.write(0x8a); // LONG1, 8 bytes little-endian
            out.write(8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)) & 0xff);
            }
        }
        return this;
    }

    public PickleWriter floating(double v) {
        out.write('G'); // BINFLOAT, big-endian
        long bits = Double.doubleToLongBits(v);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (bits >>> (8 * i)) & 0xff);
        }
        return this;
    }

    public PickleWriter bool(boolean v) {
        out.write(v ? 0x88 : 0x89);
        return this;
    }

    /**
     * A float32 tensor over the storage record {@code data/<key>}: torch._utils._rebuild_tensor_v2(storage, 0, size,
     * contiguous stride, False, OrderedDict()).
     */
    public PickleWriter floatTensor(String key, long[] shape) {
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().string("storage").global("torch", "FloatStorage").string(key).string("cpu").integer(numel).tuple()
                .persistentId();
        integer(0);
        mark();
        for (long d : shape) {
            integer(d);
        }
        tuple();
        mark();
        long stride = 1;
        long[] strides = new long[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        for (long s : strides) {
            integer(s);
        }
        tuple();
        bool(false);
        global("collections", "OrderedDict").emptyTuple().reduce();
        tuple();
        return reduce();
    }

    public byte[] finish() {
        out.write('.'); // STOP
        return out.toByteArray();
    }

    private void int32(int v) {
        out.write(v & 0xff);
        out.write((v >>> 8) & 0xff);
        out.write((v >>> 16) & 0xff);
        out.write((v >>> 24) & 0xff);
    }

    private void ascii(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
