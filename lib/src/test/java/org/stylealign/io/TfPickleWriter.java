package org.stylealign.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.stylealign.io.TorchData.NumpyArray;
import org.stylealign.io.TorchData.TfNetwork;

/**
 * Writes NVlabs TensorFlow network pickles the way CPython's pickler lays them out (NEWOBJ + BUILD of a state dict;
 * numpy arrays by _reconstruct + BUILD; numpy scalars by multiarray.scalar) at protocols 2, 3 and 4, so tests can
 * make variants of the real fixture: other state versions and protocols, unsupported architectures, hostile globals.
 */
final class TfPickleWriter {

    /** A network: its state fields, editable. Variable values are HostTensors (arrays) or Floats (numpy scalars). */
    static final class Net {
        String name;
        String func;
        long version;
        String src = "";
        final Map<String, Object> kwargs = new LinkedHashMap<>();
        final Map<String, Net> components = new LinkedHashMap<>();
        final Map<String, Object> variables = new LinkedHashMap<>();

        /** A deep copy of a network read by the reader. */
        static Net of(String file, TfNetwork n) throws CheckpointException {
            TfNetwork.State s = n.state(file);
            Net out = new Net();
            out.name = s.name();
            out.func = s.buildFuncName();
            out.version = s.version();
            out.src = s.buildModuleSrc();
            out.kwargs.putAll(s.staticKwargs());
            for (Map.Entry<String, TfNetwork> c : s.components().entrySet()) {
                out.components.put(c.getKey(), of(file, c.getValue()));
            }
            for (TfNetwork.Variable v : s.variables()) {
                out.variables.put(v.name(), v.value() instanceof NumpyArray a ? a.toHost(file)
                        : (Object) ((Number) v.value()).floatValue());
            }
            return out;
        }

        Net copy() {
            Net c = new Net();
            c.name = name;
            c.func = func;
            c.version = version;
            c.src = src;
            c.kwargs.putAll(kwargs);
            components.forEach((k, v) -> c.components.put(k, v.copy()));
            c.variables.putAll(variables);
            return c;
        }

        /** The variables of this network and its components by full path ("synthesis/4x4/Conv/weight"). */
        Map<String, Object> allVariables() {
            Map<String, Object> out = new LinkedHashMap<>(variables);
            components.forEach((k, c) -> c.allVariables().forEach((n, v) -> out.put(k + "/" + n, v)));
            return out;
        }
    }

    /** Opcodes written verbatim where a value is expected (hostile payloads). */
    record Raw(byte[] opcodes) {
    }

    /** The (G, D, Gs) tuple of a real file. */
    record Triple(Object g, Object d, Object gs) {
    }

    private final int protocol;
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    private TfPickleWriter(int protocol) {
        this.protocol = protocol;
    }

    /** Pickles {@code top} (a Net, Triple, or plain data) at protocol 2, 3 or 4. */
    static byte[] write(Object top, int protocol) {
        TfPickleWriter w = new TfPickleWriter(protocol);
        w.b.write(0x80);
        w.b.write(protocol);
        w.value(top);
        w.b.write('.');
        return w.b.toByteArray();
    }

    private void global(String module, String name) {
        if (protocol >= 4) {
            str(module);
            str(name);
            b.write(0x93);
        } else {
            b.write('c');
            b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    private void str(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        if (protocol >= 4 && u.length < 256) {
            b.write(0x8c);
            b.write(u.length);
        } else {
            b.write('X');
            b.writeBytes(le(4).putInt(u.length).array());
        }
        b.writeBytes(u);
    }

    private void bytes(byte[] data) {
        if (protocol == 2) { // Python 3 bytes at protocol 2: _codecs.encode(latin-1 text, 'latin1')
            global("_codecs", "encode");
            str(new String(data, StandardCharsets.ISO_8859_1));
            str("latin1");
            b.write(0x86);
            b.write('R');
        } else if (data.length < 256) {
            b.write('C');
            b.write(data.length);
            b.writeBytes(data);
        } else {
            b.write('B');
            b.writeBytes(le(4).putInt(data.length).array());
            b.writeBytes(data);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void integer(long v) {
        if (v >= 0 && v < 256) {
            b.write('K');
            b.write((int) v);
        } else if (v >= 0 && v < 65536) {
            b.write('M');
            b.writeBytes(le(2).putShort((short) v).array());
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            b.write('J');
            b.writeBytes(le(4).putInt((int) v).array());
        } else {
            b.write(0x8a);
            b.write(8);
            b.writeBytes(le(8).putLong(v).array());
        }
    }

    private void dtypeF4() {
        global("numpy", "dtype");
        str("f4");
        b.write(0x89);
        b.write(0x88);
        b.write(0x87);
        b.write('R');
        b.write('(');
        integer(3);
        str("<");
        b.write('N');
        b.write('N');
        b.write('N');
        integer(-1);
        integer(-1);
        integer(0);
        b.write('t');
        b.write('b');
    }

    private void array(HostTensor t) {
        global("numpy.core.multiarray", "_reconstruct");
        global("numpy", "ndarray");
        integer(0);
        b.write(0x85);
        bytes(new byte[] {'b'});
        b.write(0x87);
        b.write('R');
        b.write('(');
        integer(1);
        b.write('(');
        for (long d : t.shape()) {
            integer(d);
        }
        b.write('t');
        dtypeF4();
        b.write(0x89);
        ByteBuffer data = le(t.values().length * 4);
        for (float x : t.values()) {
            data.putFloat(x);
        }
        bytes(data.array());
        b.write('t');
        b.write('b');
    }

    private void scalar(float v) {
        global("numpy.core.multiarray", "scalar");
        dtypeF4();
        bytes(le(4).putFloat(v).array());
        b.write(0x86);
        b.write('R');
    }

    private void net(Net n) {
        global("dnnlib.tflib.network", "Network");
        b.write(')');
        b.write(0x81);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("version", n.version);
        state.put("name", n.name);
        state.put("static_kwargs", n.kwargs);
        state.put("components", n.components);
        state.put("build_module_src", n.src);
        state.put("build_func_name", n.func);
        List<Object> vars = new ArrayList<>();
        n.variables.forEach((k, v) -> vars.add(new Pickle.Tuple(List.of(k, v))));
        state.put("variables", vars);
        if (n.version >= 5) {
            state.put("input_shapes", List.of());
            state.put("output_shapes", List.of());
            state.put("input_names", List.of());
            state.put("output_names", List.of());
        }
        value(state);
        b.write('b');
    }

    private void value(Object o) {
        if (o == null) {
            b.write('N');
        } else if (o instanceof Raw r) {
            b.writeBytes(r.opcodes());
        } else if (o instanceof Boolean x) {
            b.write(x ? 0x88 : 0x89);
        } else if (o instanceof Long || o instanceof Integer) {
            integer(((Number) o).longValue());
        } else if (o instanceof Float f) {
            scalar(f);
        } else if (o instanceof Double d) {
            b.write('G');
            b.writeBytes(ByteBuffer.allocate(8).putDouble(d).array());
        } else if (o instanceof String s) {
            str(s);
        } else if (o instanceof HostTensor t) {
            array(t);
        } else if (o instanceof Net n) {
            net(n);
        } else if (o instanceof Triple t) {
            value(t.g());
            value(t.d());
            value(t.gs());
            b.write(0x87);
        } else if (o instanceof Pickle.Tuple t) {
            b.write('(');
            t.items().forEach(this::value);
            b.write('t');
        } else if (o instanceof List<?> l) {
            b.write(']');
            if (!l.isEmpty()) {
                b.write('(');
                l.forEach(this::value);
                b.write('e');
            }
        } else if (o instanceof Map<?, ?> m) {
            b.write('}');
            if (!m.isEmpty()) {
                b.write('(');
                m.forEach((k, v) -> {
                    value(k);
                    value(v);
                });
                b.write('u');
            }
        } else {
            throw new IllegalArgumentException("cannot pickle " + o.getClass());
        }
    }

    /** The fixture's (G, D, Gs) as editable networks. */
    static Net[] readFixture(java.nio.file.Path file) throws Exception {
        Object top = TorchFiles.readPickle(file.toString(), java.nio.file.Files.readAllBytes(file));
        List<Object> items = ((Pickle.Tuple) top).items();
        Net[] out = new Net[3];
        for (int i = 0; i < 3; i++) {
            out[i] = Net.of(file.toString(), (TfNetwork) items.get(i));
        }
        return out;
    }
}
