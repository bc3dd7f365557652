package org.stylealign.io;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.stylealign.io.Pickle.Global;
import org.stylealign.io.Pickle.Tuple;
import org.stylealign.io.TorchData.NumpyArray;
import org.stylealign.io.TorchData.NumpyDtype;
import org.stylealign.io.TorchData.PersistentObject;
import org.stylealign.io.TorchData.Storage;
import org.stylealign.io.TorchData.TensorRef;
import org.stylealign.io.TorchData.TfNetwork;
import org.stylealign.io.TorchData.Values;

/** Readers for torch.save files (zip and legacy formats) and plain pickles, with the allow-list of globals. */
final class TorchFiles {

    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private TorchFiles() {
    }

    // ---------------------------------------------------------------- allow-list

    private static final Map<String, Global> ALLOWED = new HashMap<>();

    private static void allow(String name, Pickle.Callable fn) {
        ALLOWED.put(name, new Global(name, fn));
    }

    static {
        allow("collections.OrderedDict", (f, a) -> {
            Map<Object, Object> m = new LinkedHashMap<>();
            if (!a.isEmpty() && a.get(0) instanceof List<?> pairs) {
                for (Object p : pairs) {
                    if (p instanceof Tuple t && t.size() == 2) {
                        Pickle.requireHashable(f, t.get(0));
                        m.put(t.get(0), t.get(1));
                    } else if (p instanceof List<?> l && l.size() == 2) {
                        Pickle.requireHashable(f, l.get(0));
                        m.put(l.get(0), l.get(1));
                    }
                }
            }
            return m;
        });
        allow("dnnlib.util.EasyDict", (f, a) -> new LinkedHashMap<>());
        allow("argparse.Namespace", (f, a) -> new AttributeDict());
        allow("builtins.set", (f, a) -> hashableSet(f, a.isEmpty() ? List.of() : iterable(f, a.get(0))));
        allow("builtins.frozenset", (f, a) -> hashableSet(f, a.isEmpty() ? List.of() : iterable(f, a.get(0))));
        // protocols 0-1 write Python 2 module names
        allow("__builtin__.set", ALLOWED.get("builtins.set").fn());
        allow("__builtin__.frozenset", ALLOWED.get("builtins.frozenset").fn());
        allow("builtins.object", null); // only ever a data argument of copyreg._reconstructor
        allow("__builtin__.object", null);
        allow("builtins.slice", (f, a) -> new Tuple(new ArrayList<>(a)));
        allow("torch.Size", (f, a) -> a.isEmpty() ? new Tuple(List.of()) : new Tuple(iterable(f, a.get(0))));
        allow("torch.device", (f, a) -> a.isEmpty() ? "cpu" : Pickle.show(a.get(0)));
        allow("_codecs.encode", (f, a) -> {
            if (a.isEmpty() || !(a.get(0) instanceof String s)) {
                throw new CheckpointException(f + ": _codecs.encode expects a string");
            }
            String enc = a.size() > 1 ? Pickle.show(a.get(1)).replace("'", "").toLowerCase().replace('-', '_')
                    : "utf_8";
            return switch (enc) {
                case "latin1", "latin_1", "iso8859_1" -> s.getBytes(StandardCharsets.ISO_8859_1);
                case "utf8", "utf_8" -> s.getBytes(StandardCharsets.UTF_8);
                case "ascii" -> s.getBytes(StandardCharsets.US_ASCII);
                default -> throw new CheckpointException(f + ": _codecs.encode with unsupported encoding " + enc);
            };
        });
        for (String s : new String[] {"FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage",
                "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage",
                "UntypedStorage"}) {
            allow("torch." + s, null);
        }
        allow("torch.storage.UntypedStorage", null);
        for (String s : new String[] {"float32", "float", "float16", "half", "bfloat16", "float64", "double",
                "int64", "long", "int32", "int", "int16", "int8", "uint8", "bool"}) {
            allow("torch." + s, null);
        }
        allow("torch._utils._rebuild_tensor_v2", (f, a) -> rebuildTensor(f, a));
        allow("torch._utils._rebuild_tensor", (f, a) -> rebuildTensor(f, a));
        allow("torch._utils._rebuild_parameter", (f, a) -> parameterData(f, a));
        allow("torch._utils._rebuild_parameter_with_state", (f, a) -> parameterData(f, a));
        allow("torch.storage._load_from_bytes", (f, a) -> {
            if (a.size() != 1 || !(a.get(0) instanceof byte[] b)) {
                throw new CheckpointException(f + ": torch.storage._load_from_bytes expects bytes");
            }
            return readLegacy(f + " (embedded torch.save data)", ByteBuffer.wrap(b));
        });
        allow("torch_utils.persistence._reconstruct_persistent_obj", (f, a) -> {
            Map<Object, Object> meta = a.size() == 1 ? Values.asMap(a.get(0)) : null;
            if (meta == null || !"class".equals(meta.get("type")) || !(meta.get("class_name") instanceof String cn)
                    || Values.asMap(meta.get("state")) == null) {
                throw new CheckpointException(f + ": unsupported torch_utils.persistence object");
            }
            // module_src is deliberately ignored: the state alone holds the tensors and settings
            return new PersistentObject(cn, Values.asMap(meta.get("state")));
        });
        // NVlabs TensorFlow pickles: the Network class becomes a data record (its build_module_src is never run)
        allow("dnnlib.tflib.network.Network", (f, a) -> {
            if (!a.isEmpty()) {
                throw new CheckpointException(f + ": dnnlib.tflib.network.Network created with arguments");
            }
            return new TfNetwork();
        });
        Pickle.Callable scalar = (f, a) -> {
            if (a.size() != 2 || !(a.get(0) instanceof NumpyDtype dt)) {
                throw new CheckpointException(f + ": unsupported numpy scalar");
            }
            byte[] raw = a.get(1) instanceof byte[] b ? b
                    : a.get(1) instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1) : null;
            DType d = dt.dtype();
            if (raw == null || d == null || raw.length != d.size) {
                throw new CheckpointException(f + ": unsupported numpy scalar of dtype " + dt.str);
            }
            ByteBuffer buf = ByteBuffer.wrap(raw).order(dt.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            return switch (d) {
                case FLOAT64 -> buf.getDouble(0);
                case INT64 -> buf.getLong(0);
                case INT32 -> (long) buf.getInt(0);
                case BOOL -> raw[0] != 0;
                default -> (double) d.get(buf, 0);
            };
        };
        Pickle.Callable dtype = (f, a) -> {
            if (a.isEmpty() || !(a.get(0) instanceof String s)) {
                throw new CheckpointException(f + ": unsupported numpy.dtype arguments");
            }
            return new NumpyDtype(s);
        };
        Pickle.Callable reconstruct = (f, a) -> new NumpyArray();
        for (String np : new String[] {"numpy.core.multiarray", "numpy._core.multiarray"}) {
            allow(np + ".scalar", scalar);
            allow(np + "._reconstruct", reconstruct);
        }
        Pickle.Callable frombuffer = (f, a) -> {
            // protocol 5 arrays: _frombuffer(bytes, dtype, shape, order)
            if (a.size() != 4 || !(a.get(0) instanceof byte[] b) || !(a.get(1) instanceof NumpyDtype dt)) {
                throw new CheckpointException(f + ": unsupported numpy _frombuffer arguments");
            }
            NumpyArray arr = new NumpyArray();
            arr.shape = Values.asLongs(f, a.get(2), "numpy array shape");
            arr.dtype = dt;
            arr.fortran = "F".equals(a.get(3));
            arr.data = b;
            return arr;
        };
        for (String np : new String[] {"numpy.core.numeric", "numpy._core.numeric"}) {
            allow(np + "._frombuffer", frombuffer);
        }
        allow("numpy.dtype", dtype);
        allow("numpy.ndarray", null);
        Pickle.Callable reconstructor = (f, a) -> {
            // copyreg._reconstructor(cls, base, state): fine only when cls itself is allowed
            if (a.isEmpty() || !(a.get(0) instanceof Global g) || g.fn() == null) {
                throw new CheckpointException(f + ": copyreg._reconstructor of a class that is not allowed");
            }
            return g.fn().call(f, List.of());
        };
        allow("copyreg._reconstructor", reconstructor);
        allow("copy_reg._reconstructor", reconstructor);
    }

    /** The allow-list lookup used for every pickle we read. */
    static final Pickle.Globals GLOBALS = (module, name) -> ALLOWED.get(module + "." + name);

    /** argparse.Namespace: attributes arrive through BUILD and become dict entries. */
    static final class AttributeDict extends LinkedHashMap<Object, Object> implements Pickle.Buildable {
        private static final long serialVersionUID = 1L;

        @Override
        public void build(String file, Object state) {
            if (state instanceof Map<?, ?> m) {
                putAll(m);
            }
        }
    }

    private static java.util.Set<Object> hashableSet(String f, List<Object> items) throws CheckpointException {
        for (Object x : items) {
            Pickle.requireHashable(f, x);
        }
        return new LinkedHashSet<>(items);
    }

    private static List<Object> iterable(String f, Object o) throws CheckpointException {
        if (o instanceof Tuple t) {
            return t.items();
        }
        if (o instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (o instanceof java.util.Set<?> s) {
            return new ArrayList<>(s);
        }
        throw new CheckpointException(f + ": expected a sequence, got " + Pickle.describe(o));
    }

    private static Object rebuildTensor(String f, List<Object> a) throws CheckpointException {
        if (a.size() < 4 || !(a.get(0) instanceof Storage s)) {
            throw new CheckpointException(f + ": unsupported tensor record (no storage)");
        }
        long offset = Values.asLong(f, a.get(1), "storage offset");
        long[] size = Values.asLongs(f, a.get(2), "tensor size");
        long[] stride = Values.asLongs(f, a.get(3), "tensor stride");
        return new TensorRef(s, offset, size, stride);
    }

    private static Object parameterData(String f, List<Object> a) throws CheckpointException {
        if (a.isEmpty() || !(a.get(0) instanceof TensorRef t)) {
            throw new CheckpointException(f + ": unsupported parameter record");
        }
        return t;
    }

    private static DType storageType(String f, Object o) throws CheckpointException {
        if (o instanceof Global g) {
            String n = g.name().substring(g.name().lastIndexOf('.') + 1);
            DType d = DType.ofTorchStorage(n);
            if (d != null) {
                return d;
            }
        }
        throw new CheckpointException(f + ": unsupported storage type " + Pickle.describe(o));
    }

    // ---------------------------------------------------------------- plain pickle

    static Object readPickle(String file, byte[] bytes) throws CheckpointException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        Object o = Pickle.load(file, buf, GLOBALS, null);
        return o;
    }

    // ---------------------------------------------------------------- zip format

    static Object readZip(Path path) throws CheckpointException {
        String file = path.toString();
        ReadBudget budget;
        try {
            budget = new ReadBudget(file, java.nio.file.Files.size(path));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        try (ZipFile zip = new ZipFile(path.toFile())) {
            String root = null;
            for (var it = zip.entries().asIterator(); it.hasNext(); ) {
                String n = it.next().getName();
                if (n.equals("data.pkl") || n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9) {
                    root = n.substring(0, n.length() - "data.pkl".length());
                    break;
                }
            }
            if (root == null) {
                throw new CheckpointException(file + ": a zip file without data.pkl, not a torch.save checkpoint");
            }
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry bo = zip.getEntry(root + "byteorder");
            if (bo != null) {
                String s = new String(readEntry(zip, bo, file, budget), StandardCharsets.US_ASCII).trim();
                if (s.equals("big")) {
                    order = ByteOrder.BIG_ENDIAN;
                } else if (!s.equals("little")) {
                    throw new CheckpointException(file + ": unknown byteorder '" + s + "'");
                }
            }
            byte[] pkl = readEntry(zip, zip.getEntry(root + "data.pkl"), file, budget);
            Map<String, Storage> storages = new HashMap<>();
            final String rootDir = root;
            final ByteOrder byteOrder = order;
            Pickle.PersistentLoader loader = pid -> {
                if (!(pid instanceof Tuple t) || t.size() < 5 || !"storage".equals(t.get(0))
                        || !(t.get(2) instanceof String key)) {
                    throw new CheckpointException(file + ": unsupported persistent id " + Pickle.describe(pid));
                }
                Storage s = storages.get(key);
                if (s == null) {
                    DType d = storageType(file, t.get(1));
                    long numel = Values.asLong(file, t.get(4), "storage size");
                    ZipEntry e = zip.getEntry(rootDir + "data/" + key);
                    if (e == null) {
                        throw new CheckpointException(file + ": storage data/" + key + " is missing from the zip");
                    }
                    byte[] data;
                    try {
                        data = readEntry(zip, e, file, budget);
                    } catch (CheckpointException ex) {
                        throw ex;
                    } catch (IOException ex) {
                        throw new CheckpointException(file + ": cannot read storage data/" + key + " ("
                                + ex.getMessage() + ")", ex);
                    }
                    if (numel < 0 || numel > data.length / d.size) {
                        throw new CheckpointException(file + ": storage data/" + key + " has " + data.length
                                + " bytes, too few for " + numel + " elements of " + d.size + " bytes");
                    }
                    s = new Storage(d, key, numel);
                    s.setData(data, byteOrder);
                    storages.put(key, s);
                }
                return s;
            };
            return Pickle.load(file, ByteBuffer.wrap(pkl), GLOBALS, loader);
        } catch (ZipException e) {
            throw new CheckpointException(file + ": damaged or truncated zip archive (" + e.getMessage() + ")", e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the zip archive (" + e.getMessage() + ")", e);
        }
    }

    /** An entry's bytes; what it may expand to is charged to the budget first (a deflated entry can be a bomb). */
    private static byte[] readEntry(ZipFile zip, ZipEntry e, String file, ReadBudget budget) throws IOException {
        long declared = e.getSize();
        budget.take(Math.max(0, declared), "zip entry " + e.getName());
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, Math.max(0, declared) + 1));
            if (declared >= 0 && b.length != declared) {
                throw new CheckpointException(file + ": zip entry " + e.getName() + " is "
                        + (b.length < declared ? "truncated" : "longer than its declared size"));
            }
            return b;
        } catch (ZipException ex) {
            throw new CheckpointException(file + ": zip entry " + e.getName() + " is damaged (" + ex.getMessage() + ")");
        } catch (java.io.EOFException ex) {
            throw new CheckpointException(file + ": zip entry " + e.getName() + " is truncated");
        }
    }

    // ---------------------------------------------------------------- legacy format

    /** True when the bytes start like a legacy torch.save stream (a pickled magic number). */
    static boolean looksLegacy(byte[] head) {
        return head.length >= 4 && (head[0] & 0xff) == 0x80 && (head[2] & 0xff) == 0x8a && head[3] == 10;
    }

    /** Legacy (pre-1.6) torch.save: magic, protocol, sys info, the object, storage keys, raw storages. */
    static Object readLegacy(String file, ByteBuffer buf) throws CheckpointException {
        buf.order(ByteOrder.LITTLE_ENDIAN);
        Object magic = Pickle.load(file, buf, GLOBALS, null);
        if (!LEGACY_MAGIC.equals(magic)) {
            throw new CheckpointException(file + ": not a legacy torch.save stream (bad magic number)");
        }
        Object proto = Pickle.load(file, buf, GLOBALS, null);
        if (!(proto instanceof Long p) || p != 1001L) {
            throw new CheckpointException(file + ": unsupported legacy torch.save protocol " + Pickle.show(proto));
        }
        Map<Object, Object> sys = Values.asMap(Pickle.load(file, buf, GLOBALS, null));
        if (sys != null && Boolean.FALSE.equals(sys.get("little_endian"))) {
            throw new CheckpointException(file + ": big-endian legacy torch.save files are not supported");
        }
        Map<String, Storage> storages = new LinkedHashMap<>();
        Pickle.PersistentLoader loader = pid -> {
            if (!(pid instanceof Tuple t) || t.size() < 5 || !"storage".equals(t.get(0))
                    || !(t.get(2) instanceof String key)) {
                String kind = pid instanceof Tuple t && t.size() > 0 ? Pickle.show(t.get(0)) : Pickle.describe(pid);
                throw new CheckpointException(file + ": unsupported persistent id '" + kind
                        + "' (whole pickled modules are not supported; save a state_dict)");
            }
            DType d = storageType(file, t.get(1));
            Storage root = storages.get(key);
            if (root == null) {
                root = new Storage(d, key, Values.asLong(file, t.get(4), "storage size"));
                storages.put(key, root);
            }
            Object view = t.size() > 5 ? t.get(5) : null;
            if (view instanceof Tuple v && v.size() >= 3) {
                long off = Values.asLong(file, v.get(1), "storage view offset");
                long size = Values.asLong(file, v.get(2), "storage view size");
                if (off < 0 || size < 0 || off > root.numel - size) {
                    throw new CheckpointException(file + ": storage view outside storage " + key);
                }
                return new Storage(d, key, size, root, off);
            }
            return root;
        };
        Object result = Pickle.load(file, buf, GLOBALS, loader);
        Object keys = Pickle.load(file, buf, GLOBALS, null);
        if (!(keys instanceof List<?> keyList)) {
            throw new CheckpointException(file + ": legacy torch.save storage key list missing");
        }
        for (Object k : keyList) {
            Storage s = k instanceof String key ? storages.get(key) : null;
            if (s == null) {
                throw new CheckpointException(file + ": legacy storage key " + Pickle.show(k) + " was not referenced");
            }
            if (buf.remaining() < 8) {
                throw new CheckpointException(file + ": truncated legacy torch.save data (storage " + k + ")");
            }
            long count = buf.getLong();
            if (count < 0 || count > buf.remaining() / s.dtype.size) {
                throw new CheckpointException(file + ": truncated legacy torch.save data (storage " + k + " declares "
                        + count + " elements, " + buf.remaining() + " bytes left)");
            }
            long bytes = count * s.dtype.size;
            if (count < s.numel) {
                throw new CheckpointException(file + ": storage " + k + " holds " + count + " elements, "
                        + s.numel + " expected");
            }
            byte[] data = new byte[(int) bytes];
            buf.get(data);
            s.setData(data, ByteOrder.LITTLE_ENDIAN);
        }
        for (Storage s : storages.values()) {
            s.buffer(file); // every referenced storage must have received its bytes
        }
        return result;
    }
}
