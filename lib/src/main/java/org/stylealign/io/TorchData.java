package org.stylealign.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The data objects the allow-listed globals build: storages, tensors, persistent NVlabs modules, numpy values. */
final class TorchData {

    private TorchData() {
    }

    /** A typed torch storage; its bytes may arrive after the pickle (legacy format), hence mutable. */
    static final class Storage {
        final DType dtype;
        final String key;
        final long numel;
        final Storage root; // non-null for legacy storage views
        final long rootOffset;
        private byte[] data;
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        Storage(DType dtype, String key, long numel) {
            this(dtype, key, numel, null, 0);
        }

        Storage(DType dtype, String key, long numel, Storage root, long rootOffset) {
            this.dtype = dtype;
            this.key = key;
            this.numel = numel;
            this.root = root;
            this.rootOffset = rootOffset;
        }

        void setData(byte[] data, ByteOrder order) {
            this.data = data;
            this.order = order;
        }

        /** The buffer and the element offset of this storage's first element in it. */
        ByteBuffer buffer(String file) throws CheckpointException {
            Storage base = root != null ? root : this;
            if (base.data == null) {
                throw new CheckpointException(file + ": storage '" + base.key + "' has no data");
            }
            return ByteBuffer.wrap(base.data).order(base.order);
        }

        long baseNumel() {
            return root != null ? root.numel : numel;
        }
    }

    /** A tensor view over a storage: torch's (storage, offset, size, stride). */
    record TensorRef(Storage storage, long offset, long[] size, long[] stride) {

        /** Gathers the view into a C-ordered float32 tensor, its size first charged to {@code budget}. */
        HostTensor toHost(String file, String name, ReadBudget budget) throws CheckpointException {
            if (size.length != stride.length) {
                throw new CheckpointException(file + ": tensor '" + name + "' has size " + Arrays.toString(size)
                        + " but stride " + Arrays.toString(stride));
            }
            long n = 1;
            long maxIndex = offset;
            try {
                for (int i = 0; i < size.length; i++) {
                    if (size[i] < 0 || stride[i] < 0) {
                        throw new CheckpointException(file + ": tensor '" + name + "' has a negative size or stride");
                    }
                    n = Math.multiplyExact(n, size[i]);
                    if (size[i] > 0) {
                        maxIndex = Math.addExact(maxIndex, Math.multiplyExact(size[i] - 1, stride[i]));
                    }
                }
            } catch (ArithmeticException e) {
                throw new CheckpointException(file + ": tensor '" + name + "' (size " + Arrays.toString(size)
                        + ", stride " + Arrays.toString(stride) + ") is impossibly large");
            }
            long base = (storage.root != null ? storage.rootOffset : 0);
            if (n > 0 && (offset < 0 || maxIndex >= storage.numel)) {
                throw new CheckpointException(file + ": tensor '" + name + "' (size " + Arrays.toString(size)
                        + ", offset " + offset + ") reads past the end of its storage of " + storage.numel
                        + " elements");
            }
            ByteBuffer buf = storage.buffer(file);
            long available = buf.capacity() / storage.dtype.size;
            if (n > 0 && base > available - 1 - maxIndex) {
                throw new CheckpointException(file + ": storage '" + storage.key + "' holds " + available
                        + " elements, tensor '" + name + "' needs more");
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(file + ": tensor '" + name + "' is too large (" + n + " elements)");
            }
            budget.take(4 * n, "tensor '" + name + "' " + Arrays.toString(size));
            float[] out = new float[(int) n];
            int rank = size.length;
            long[] idx = new long[rank];
            long pos = base + offset;
            for (int k = 0; k < n; k++) {
                out[k] = storage.dtype.get(buf, pos);
                // odometer increment over the view's indices
                for (int d = rank - 1; d >= 0; d--) {
                    idx[d]++;
                    pos += stride[d];
                    if (idx[d] < size[d]) {
                        break;
                    }
                    pos -= idx[d] * stride[d];
                    idx[d] = 0;
                }
            }
            return new HostTensor(size.clone(), out);
        }
    }

    /** An NVlabs persistent module read as data: its class name and its __dict__. */
    record PersistentObject(String className, Map<Object, Object> state) {
    }

    /**
     * A {@code dnnlib.tflib.network.Network} of the NVlabs TensorFlow pickles, read as data: the state its
     * __setstate__ receives. {@code build_module_src} is Python source that TensorFlow's own loader executes; here it
     * is only text.
     */
    static final class TfNetwork implements Pickle.Buildable {

        /** Sub-networks nest two levels in real files (G -> mapping, synthesis); deeper chains are refused. */
        static final int MAX_DEPTH = 8;

        /** One stored variable: its local name and value (a numpy array, or a number for numpy scalars). */
        record Variable(String name, Object value) {
        }

        /** The network's state; components are built networks (acyclic, at most {@link #MAX_DEPTH} deep). */
        record State(long version, String name, String buildFuncName, String buildModuleSrc,
                     Map<String, Object> staticKwargs, Map<String, TfNetwork> components, List<Variable> variables,
                     int depth) {
        }

        private State state;

        /** The state, or an error when the pickle never gave one. */
        State state(String file) throws CheckpointException {
            if (state == null) {
                throw new CheckpointException(file + ": a TensorFlow Network object without its state");
            }
            return state;
        }

        @Override
        public void build(String file, Object o) throws CheckpointException {
            if (state != null) {
                throw new CheckpointException(file + ": a TensorFlow Network given its state twice");
            }
            Map<Object, Object> s = Values.asMap(o);
            if (s == null) {
                throw new CheckpointException(file + ": TensorFlow Network state is " + Pickle.describe(o)
                        + ", not a dict");
            }
            if (!(s.get("version") instanceof Long version)) {
                throw new CheckpointException(file + ": TensorFlow Network state without an integer version");
            }
            String name = text(file, s, "name", true);
            if (version < 4 || version > 5) {
                throw new CheckpointException(file + ": TensorFlow network '" + name + "' has state version " + version
                        + "; supported are 4 (StyleGAN2) and 5 (StyleGAN2-ADA)");
            }
            Map<String, Object> kwargs = new LinkedHashMap<>();
            Map<Object, Object> kw = Values.asMap(s.get("static_kwargs"));
            if (kw == null) {
                throw new CheckpointException(file + ": TensorFlow network '" + name + "' has no static_kwargs dict");
            }
            for (Map.Entry<Object, Object> e : kw.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new CheckpointException(file + ": TensorFlow network '" + name + "' has a static_kwargs key "
                            + Pickle.describe(e.getKey()));
                }
                kwargs.put(k, e.getValue());
            }
            Map<String, TfNetwork> components = new LinkedHashMap<>();
            Map<Object, Object> comps = Values.asMap(s.get("components"));
            if (comps == null) {
                throw new CheckpointException(file + ": TensorFlow network '" + name + "' has no components dict");
            }
            int depth = 1;
            for (Map.Entry<Object, Object> e : comps.entrySet()) {
                // a component must have been built before its parent: no cycles
                if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof TfNetwork c) || c.state == null) {
                    throw new CheckpointException(file + ": TensorFlow network '" + name + "' has a component "
                            + Pickle.describe(e.getKey()) + " that is not a complete Network");
                }
                components.put(k, c);
                depth = Math.max(depth, c.state.depth() + 1);
            }
            if (depth > MAX_DEPTH) {
                throw new CheckpointException(file + ": TensorFlow networks nested deeper than " + MAX_DEPTH);
            }
            if (!(s.get("variables") instanceof List<?> vars)) {
                throw new CheckpointException(file + ": TensorFlow network '" + name + "' has no variables list");
            }
            List<Variable> variables = new ArrayList<>();
            for (Object v : vars) {
                if (!(v instanceof Pickle.Tuple t) || t.size() != 2 || !(t.get(0) instanceof String vn)
                        || !(t.get(1) instanceof NumpyArray || t.get(1) instanceof Double
                        || t.get(1) instanceof Long)) {
                    throw new CheckpointException(file + ": TensorFlow network '" + name + "' has a variable "
                            + Pickle.describe(v) + " that is not a (name, numpy value) pair");
                }
                variables.add(new Variable(vn, t.get(1)));
            }
            state = new State(version, name, text(file, s, "build_func_name", true),
                    text(file, s, "build_module_src", false), kwargs, components, variables, depth);
        }

        private static String text(String file, Map<Object, Object> s, String key, boolean required)
                throws CheckpointException {
            Object v = s.get(key);
            if (v instanceof String str) {
                return str;
            }
            if (v == null && !required) {
                return "";
            }
            throw new CheckpointException(file + ": TensorFlow Network state field '" + key + "' is "
                    + Pickle.describe(v) + ", not a string");
        }
    }

    /** numpy.dtype: the type string (e.g. 'f8') and the byte order set by BUILD. */
    static final class NumpyDtype implements Pickle.Buildable {
        final String str;
        String byteOrder = "=";

        NumpyDtype(String str) {
            this.str = str;
        }

        @Override
        public void build(String file, Object state) throws CheckpointException {
            if (state instanceof Pickle.Tuple t && t.size() > 1 && t.get(1) instanceof String s) {
                byteOrder = s;
            }
        }

        boolean bigEndian() {
            return byteOrder.equals(">");
        }

        /** The dtype for numeric kinds, or null. */
        DType dtype() {
            String s = str.replaceFirst("^[<>=|]", "");
            return switch (s) {
                case "f4", "float32" -> DType.FLOAT32;
                case "f8", "float64" -> DType.FLOAT64;
                case "f2", "float16" -> DType.FLOAT16;
                case "i8", "int64" -> DType.INT64;
                case "i4", "int32" -> DType.INT32;
                case "i2", "int16" -> DType.INT16;
                case "i1", "int8" -> DType.INT8;
                case "u1", "uint8" -> DType.UINT8;
                case "b1", "bool" -> DType.BOOL;
                default -> null;
            };
        }
    }

    /** numpy.ndarray pickled by value (numpy.core.multiarray._reconstruct + BUILD). */
    static final class NumpyArray implements Pickle.Buildable {
        long[] shape = new long[0];
        NumpyDtype dtype;
        boolean fortran;
        byte[] data;

        @Override
        public void build(String file, Object state) throws CheckpointException {
            if (!(state instanceof Pickle.Tuple t) || t.size() < 5 || !(t.get(1) instanceof Pickle.Tuple shp)
                    || !(t.get(2) instanceof NumpyDtype dt)) {
                throw new CheckpointException(file + ": unsupported numpy array state");
            }
            shape = new long[shp.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = Values.asLong(file, shp.get(i), "numpy array shape");
            }
            dtype = dt;
            fortran = Boolean.TRUE.equals(t.get(3));
            if (t.get(4) instanceof byte[] b) {
                data = b;
            } else if (t.get(4) instanceof String s) {
                data = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            } else {
                throw new CheckpointException(file + ": numpy array of objects is not supported");
            }
        }

        HostTensor toHost(String file) throws CheckpointException {
            return toHost(file, null);
        }

        /** The array as float32, its size first charged to {@code budget} (when given). */
        HostTensor toHost(String file, ReadBudget budget) throws CheckpointException {
            DType d = dtype == null ? null : dtype.dtype();
            if (d == null || data == null) {
                throw new CheckpointException(file + ": unsupported numpy array dtype "
                        + (dtype == null ? "?" : dtype.str));
            }
            if (budget != null) {
                long n = 1;
                for (long s : shape) {
                    n = s < 0 || s > 0 && n > Long.MAX_VALUE / 4 / s ? -1 : n * s;
                    if (n < 0) {
                        break;
                    }
                }
                budget.take(n < 0 ? -1 : 4 * n, "numpy array " + java.util.Arrays.toString(shape));
            }
            return Npy.decode(file, shape, d, dtype.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
                    fortran, data);
        }
    }

    /** Small helpers for reading pickled values. */
    static final class Values {
        private Values() {
        }

        static long asLong(String file, Object o, String what) throws CheckpointException {
            if (o instanceof Long l) {
                return l;
            }
            if (o instanceof Boolean b) {
                return b ? 1 : 0;
            }
            throw new CheckpointException(file + ": expected an integer for " + what + ", got " + Pickle.describe(o));
        }

        static long[] asLongs(String file, Object o, String what) throws CheckpointException {
            List<Object> items;
            if (o instanceof Pickle.Tuple t) {
                items = t.items();
            } else if (o instanceof List<?> l) {
                items = new ArrayList<>(l);
            } else {
                throw new CheckpointException(file + ": expected a tuple for " + what + ", got " + Pickle.describe(o));
            }
            long[] out = new long[items.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = asLong(file, items.get(i), what);
            }
            return out;
        }

        /** A number (Python int/float, numpy scalar) as a double, or null. */
        static Double asDouble(Object o) {
            if (o instanceof Number n) {
                return n.doubleValue();
            }
            if (o instanceof Boolean b) {
                return b ? 1.0 : 0.0;
            }
            return null;
        }

        @SuppressWarnings("unchecked")
        static Map<Object, Object> asMap(Object o) {
            return o instanceof Map<?, ?> m ? (Map<Object, Object>) m : null;
        }

        static Map<Object, Object> newDict() {
            return new LinkedHashMap<>();
        }
    }
}
