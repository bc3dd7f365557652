package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of every checkpoint reader (torch zip, legacy torch.save, NVlabs pickle, TF pickle, safetensors,
 * .npy) from the real fixtures: truncations, bit flips, oversized lengths, shapes and counts, unknown opcodes and
 * globals (allow-listed ones in the wrong place too), deep nesting, memo cycles and amplification. Every case must
 * end in a valid load or a {@link CheckpointException} naming the file; any other throwable, a case over the time
 * limit, an allocation far beyond the file's size or a payload that runs (marker file) fails the test.
 */
class ReaderFuzzTest {

    static final long SEED = 0x5EED_2026_1202L;
    /** Mutated cases per full-size fixture, per small seed derived from them (8 px crops), per .npy array. */
    static final int FIXTURE_CASES = 40;
    static final int SMALL_SEED_CASES = 500;
    static final int NPY_CASES = 150;
    static final long CASE_TIMEOUT_S = 10;
    /** -Dstylealign.fuzz.scale=10 for a ten times longer run (0: the crafted cases only). */
    static final double SCALE = Double.parseDouble(System.getProperty("stylealign.fuzz.scale", "1"));

    @TempDir
    static Path tmpDir;

    static Path dir;
    static Path marker;
    static final List<Seed> SEEDS = new ArrayList<>();

    enum Kind { PICKLE, ZIP, LEGACY, SAFETENSORS, NPY }

    record Seed(String name, Kind kind, byte[] bytes, String ext, int cases) {
    }

    record Case(String seed, String mutation, byte[] bytes, Kind kind, String ext) {
    }

    @BeforeAll
    static void seeds() throws Exception {
        Path shm = Path.of("/dev/shm");
        dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "fuzz") : tmpDir;
        marker = dir.resolve("payload-ran");
        Path fx = IoTestSupport.fixtures();
        int n = FIXTURE_CASES;
        SEEDS.add(new Seed("rosinality.pt", Kind.ZIP, Files.readAllBytes(IoTestSupport.rosPt()), ".pt", n));
        SEEDS.add(new Seed("nvlabs-state_dict.pt", Kind.ZIP, Files.readAllBytes(IoTestSupport.nvStateDict()), ".pt", n));
        SEEDS.add(new Seed("nvlabs.pkl", Kind.PICKLE, Files.readAllBytes(IoTestSupport.nvPkl()), ".pkl", n));
        SEEDS.add(new Seed("nvlabs-tf.pkl", Kind.PICKLE, Files.readAllBytes(IoTestSupport.tfPkl()), ".pkl", n));
        // a legacy torch.save stream and a native safetensors file of the same fixture's tensors
        ImportedCheckpoint nv = Checkpoints.read(IoTestSupport.nvPkl());
        SEEDS.add(new Seed("legacy.pt", Kind.LEGACY, legacy(nv.gEma()), ".pt", n));
        SEEDS.add(new Seed("native.safetensors", Kind.SAFETENSORS, nativeBytes(nv, true), ".safetensors", n));
        // the same networks cropped to 8 px in every format: small files, so most cases can go here
        ImportedCheckpoint small = ModelIO.atResolution(new ImportedCheckpoint(nv.source(), nv.format(),
                nv.generatorConfig(), nv.gEma(), nv.g(), null, null, null, null, null), 8, 1);
        Path sd = dir.resolve("seed.pt");
        IoTestSupport.writeStateDict(sd, small.gEma());
        int m = SMALL_SEED_CASES;
        SEEDS.add(new Seed("state_dict-8px.pt", Kind.ZIP, Files.readAllBytes(sd), ".pt", m));
        Files.delete(sd);
        SEEDS.add(new Seed("legacy-8px.pt", Kind.LEGACY, legacy(small.gEma()), ".pt", m));
        SEEDS.add(new Seed("native-8px.safetensors", Kind.SAFETENSORS, nativeBytes(small, false), ".safetensors", m));
        TfPickleWriter.Net gs = TfPickleWriter.readFixture(IoTestSupport.tfPkl())[2];
        gs.kwargs.put("resolution", 8L);
        for (TfPickleWriter.Net c : gs.components.values()) {
            c.kwargs.put("resolution", 8L);
            c.variables.keySet().removeIf(k -> k.matches("(16x16|32x32)/.*|noise[3-6]"));
        }
        SEEDS.add(new Seed("tf-gs-8px.pkl", Kind.PICKLE, TfPickleWriter.write(gs, 4), ".pkl", m));
        Path ref = fx.resolve("ref-" + IoTestSupport.NV);
        for (String name : List.of("z.npy", "img_noise_const.npy", "d_logits.npy")) {
            SEEDS.add(new Seed(name, Kind.NPY, Files.readAllBytes(ref.resolve(name)), ".npy", NPY_CASES));
        }
        for (Seed s : SEEDS) { // every seed is a valid file: the fuzzer starts from real loads
            Path f = dir.resolve("check" + s.ext());
            Files.write(f, s.bytes());
            if (s.kind() == Kind.NPY) {
                Npy.read(f);
            } else {
                Checkpoints.read(f);
            }
            Files.delete(f);
        }
    }

    static byte[] legacy(Map<String, HostTensor> tensors) {
        List<IoTestSupport.TensorSpec> specs = new ArrayList<>();
        Map<String, IoTestSupport.StorageSpec> storages = new LinkedHashMap<>();
        IoTestSupport.addFloatTensors(tensors, specs, storages);
        return IoTestSupport.legacyStream(IoTestSupport.stateDictPickle(specs, storages, true), storages);
    }

    static byte[] nativeBytes(ImportedCheckpoint c, boolean fp16) throws Exception {
        Path f = dir.resolve("seed-native.safetensors");
        Checkpoints.writeNative(f, c, fp16);
        byte[] b = Files.readAllBytes(f);
        Files.delete(f);
        return b;
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir != null && !dir.equals(tmpDir)) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    // ------------------------------------------------------------------ harness

    enum Outcome { VALID, REFUSED }

    record Result(Outcome outcome, long allocated, long nanos, long cpuNanos) {
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static Result runCase(Path f, Kind kind) throws Throwable {
        long a0 = THREADS.getCurrentThreadAllocatedBytes();
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Outcome o;
        try {
            if (kind == Kind.NPY) {
                Npy.read(f);
            } else {
                Checkpoints.read(f);
            }
            o = Outcome.VALID;
        } catch (CheckpointException e) {
            if (e.getMessage() == null || !e.getMessage().contains(f.toString())) {
                throw new AssertionError("CheckpointException without the file name: " + e.getMessage(), e);
            }
            o = Outcome.REFUSED;
        }
        return new Result(o, THREADS.getCurrentThreadAllocatedBytes() - a0, System.nanoTime() - t0,
                THREADS.getCurrentThreadCpuTime() - c0);
    }

    @Test
    void everyReaderSurvivesTheFuzzer() throws Exception {
        // cases are made one at a time (a list of them all would not fit in memory)
        List<java.util.concurrent.Callable<Case>> cases = new ArrayList<>();
        Random master = new Random(SEED);
        for (Seed s : SEEDS) {
            for (int i = 0; i < Math.round(s.cases() * SCALE); i++) {
                long caseSeed = master.nextLong();
                int k = i;
                cases.add(() -> mutate(s, new Random(caseSeed), k));
            }
        }
        int craftedCount = crafted().size();
        for (int i = 0; i < craftedCount; i++) {
            int k = i;
            cases.add(() -> crafted().get(k));
        }

        ExecutorService exec = worker();
        int hangs = 0;
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, double[]> perSeed = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, Integer> failureCounts = new LinkedHashMap<>();
        long start = System.nanoTime();
        long harness0 = THREADS.getCurrentThreadCpuTime();
        long maxNanos = 0;
        double maxRatio = 0;
        long maxAlloc = 0;
        String biggest = "";
        long cpu = 0;
        String slowest = "";
        int index = 0;
        for (java.util.concurrent.Callable<Case> make : cases) {
            Case c = make.call();
            index++;
            Path f = dir.resolve("case-" + c.kind().name().toLowerCase() + c.ext());
            Files.write(f, c.bytes());
            String id = "case " + index + " (" + c.seed() + ": " + c.mutation() + ")";
            Future<Result> fut = exec.submit(() -> {
                try {
                    return runCase(f, c.kind());
                } catch (Throwable t) {
                    throw new CaseFailure(t);
                }
            });
            try {
                Result r = fut.get(CASE_TIMEOUT_S, TimeUnit.SECONDS);
                counts.merge(c.kind() + " " + r.outcome(), 1, Integer::sum);
                if (c.seed().equals("crafted") && r.outcome() == Outcome.VALID) {
                    failures.put("crafted " + index, id + ": a hostile file loaded as a checkpoint");
                    failureCounts.merge("crafted " + index, 1, Integer::sum);
                }
                double[] ps = perSeed.computeIfAbsent(c.seed(), k -> new double[3]);
                ps[0]++;
                ps[1] += r.nanos() / 1e6;
                ps[2] += r.outcome() == Outcome.VALID ? 1 : 0;
                long limit = 24L * c.bytes().length + (64L << 20);
                double ratio = (double) r.allocated() / Math.max(1, c.bytes().length);
                cpu += r.cpuNanos();
                if (c.bytes().length > 100_000) {
                    maxRatio = Math.max(maxRatio, ratio);
                }
                if (r.allocated() > maxAlloc) {
                    maxAlloc = r.allocated();
                    biggest = id + ", a " + c.bytes().length + "-byte file";
                }
                if (r.allocated() > limit) {
                    String key = "allocation " + c.kind();
                    failureCounts.merge(key, 1, Integer::sum);
                    failures.putIfAbsent(key, id + ": allocated " + r.allocated() + " bytes for a "
                            + c.bytes().length + "-byte file");
                }
                if (r.nanos() > maxNanos) {
                    maxNanos = r.nanos();
                    slowest = id;
                }
            } catch (TimeoutException e) {
                fut.cancel(true);
                failures.put("hang " + index, id + ": no result within " + CASE_TIMEOUT_S + " s");
                failureCounts.merge("hang " + index, 1, Integer::sum);
                exec.shutdownNow(); // the stuck worker is abandoned (a daemon thread); the next cases get a new one
                exec = worker();
                if (++hangs == 3) {
                    break;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable t = e.getCause() instanceof CaseFailure cf ? cf.getCause() : e.getCause();
                String key = signature(t);
                failureCounts.merge(key, 1, Integer::sum);
                failures.putIfAbsent(key, id + ": " + t);
                counts.merge(c.kind() + " FAILED", 1, Integer::sum);
            }
            assertFalse(Files.exists(marker), id + ": a payload in the file ran");
        }
        exec.shutdownNow();
        double seconds = (System.nanoTime() - start) / 1e9;
        double harness = (THREADS.getCurrentThreadCpuTime() - harness0) / 1e9;
        System.out.printf("reader fuzz: %d cases in %.1f s wall, %.1f s CPU in the readers, %.1f s making the cases "
                        + "(%d mutated from %d seeds, "
                        + "%d crafted); slowest %.0f ms (%s); largest allocation %.1f MB (%s); at most %.1fx the file "
                        + "size for files over 100 kB%n",
                cases.size(), seconds, cpu / 1e9, harness, cases.size() - craftedCount, SEEDS.size(), craftedCount,
                maxNanos / 1e6, slowest, maxAlloc / 1e6, biggest, maxRatio);
        counts.forEach((k, v) -> System.out.printf("  %-24s %6d%n", k, v));
        perSeed.forEach((k, v) -> System.out.printf("  seed %-24s %5.0f cases, %4.0f valid loads, %6.1f ms per case%n",
                k, v[0], v[2], v[1] / v[0]));
        if (!failures.isEmpty()) {
            StringBuilder b = new StringBuilder(failures.size() + " kinds of failure:\n");
            failures.forEach((k, v) -> b.append("  [").append(failureCounts.get(k)).append("x] ").append(k)
                    .append("\n      e.g. ").append(v).append('\n'));
            System.out.println(b);
            fail(b.toString());
        }
        assertFalse(Files.exists(marker));
        if (SCALE > 0) { // mutated cases include loads that still work: the seeds were really read
            assertTrue(counts.keySet().stream().anyMatch(k -> k.endsWith("VALID")), "no case loaded: " + counts);
        }
    }

    private static ExecutorService worker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz-case", 1L << 20); // 1 MiB stack: deep recursion shows up
            t.setDaemon(true);
            return t;
        });
    }

    static final class CaseFailure extends Exception {
        private static final long serialVersionUID = 1L;

        CaseFailure(Throwable cause) {
            super(cause);
        }
    }

    /** The throwable's class and the first frame in the project: one line per distinct bug. */
    static String signature(Throwable t) {
        String where = "";
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("org.stylealign.io") && !e.getClassName().contains("Fuzz")) {
                where = e.getClassName().substring("org.stylealign.io.".length()) + "." + e.getMethodName() + ":"
                        + e.getLineNumber();
                break;
            }
        }
        if (t instanceof StackOverflowError) {
            StackTraceElement[] st = t.getStackTrace();
            where = st.length > 0 ? st[0].getClassName() + "." + st[0].getMethodName() : "";
        }
        return t.getClass().getSimpleName() + " at " + where;
    }

    // ------------------------------------------------------------------ mutations

    static Case mutate(Seed s, Random r, int i) throws Exception {
        byte[] b = s.bytes();
        int pick = r.nextInt(10);
        // a third of the cases are generic byte damage, the rest know the format
        if (pick < 3) {
            return generic(s, r);
        }
        return switch (s.kind()) {
            case PICKLE -> {
                Mutated m = mutatePickle(b, 0, r);
                yield new Case(s.name(), m.what(), m.bytes(), s.kind(), s.ext());
            }
            case ZIP -> zipCase(s, r);
            case LEGACY -> legacyCase(s, r);
            case SAFETENSORS -> safetensorsCase(s, r);
            case NPY -> npyCase(s, r);
        };
    }

    record Mutated(String what, byte[] bytes) {
    }

    static Case generic(Seed s, Random r) {
        byte[] b = s.bytes().clone();
        int kind = r.nextInt(3);
        if (kind == 0) {
            int cut = switch (r.nextInt(3)) {
                case 0 -> r.nextInt(Math.min(b.length, 4096));
                case 1 -> Math.max(0, b.length - 1 - r.nextInt(Math.min(b.length, 4096)));
                default -> r.nextInt(b.length);
            };
            return new Case(s.name(), "truncated at " + cut, Arrays.copyOf(b, cut), s.kind(), s.ext());
        }
        int n = 1 + r.nextInt(8);
        // flips land in the first 64 kB (headers, pickle opcodes, zip records) as often as anywhere
        for (int k = 0; k < n; k++) {
            int p = r.nextBoolean() ? r.nextInt(Math.min(b.length, 65536)) : r.nextInt(b.length);
            if (kind == 1) {
                b[p] ^= (byte) (1 << r.nextInt(8));
            } else {
                b[p] = (byte) (r.nextBoolean() ? 0xff : r.nextInt(256));
            }
        }
        if (s.kind() == Kind.ZIP && r.nextBoolean()) { // the zip's own records sit at the end
            int p = b.length - 1 - r.nextInt(Math.min(b.length, 2048));
            b[p] ^= (byte) (1 << r.nextInt(8));
        }
        return new Case(s.name(), (kind == 1 ? "bit flips x" : "byte overwrites x") + n, b, s.kind(), s.ext());
    }

    static final String[][] HOSTILE = {{"os", "system"}, {"posix", "system"}, {"nt", "system"},
        {"builtins", "exec"}, {"builtins", "eval"}, {"builtins", "__import__"}, {"subprocess", "Popen"},
        {"subprocess", "check_output"}, {"pickle", "loads"}, {"torch", "load"}, {"numpy", "load"},
        {"shutil", "rmtree"}, {"builtins", "getattr"}, {"webbrowser", "open"}, {"x" , "y"}};
    /** Allow-listed globals, to be put where they do not belong (type confusion). */
    static final String[][] ALLOWED = {{"collections", "OrderedDict"}, {"torch._utils", "_rebuild_tensor_v2"},
        {"torch._utils", "_rebuild_parameter"}, {"torch", "FloatStorage"}, {"torch", "Size"},
        {"numpy.core.multiarray", "_reconstruct"}, {"numpy.core.multiarray", "scalar"}, {"numpy", "dtype"},
        {"numpy", "ndarray"}, {"dnnlib.tflib.network", "Network"}, {"dnnlib.util", "EasyDict"},
        {"torch_utils.persistence", "_reconstruct_persistent_obj"}, {"torch.storage", "_load_from_bytes"},
        {"builtins", "set"}, {"_codecs", "encode"}, {"copyreg", "_reconstructor"}, {"argparse", "Namespace"},
        {"numpy.core.numeric", "_frombuffer"}, {"builtins", "slice"}, {"torch", "device"}};

    static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(b.length + insert.length);
        o.write(b, 0, from);
        o.writeBytes(insert);
        o.write(b, to, b.length - to);
        return o.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A call of a hostile global that would create the marker file, left on the stack then popped. */
    static byte[] payload(String[] g) {
        String cmd = g[0].equals("builtins") ? "open('" + marker + "','w')" : "touch " + marker;
        byte[] a = cmd.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(ascii("c" + g[0] + "\n" + g[1] + "\n(X"));
        o.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(a.length).array());
        o.writeBytes(a);
        o.writeBytes(ascii("tR0"));
        return o.toByteArray();
    }

    static byte[] repeat(String unit, int n) {
        return ascii(unit.repeat(n));
    }

    /** Structure-aware damage to the pickle starting at {@code start} (up to its STOP). */
    static Mutated mutatePickle(byte[] b, int start, Random r) {
        List<PickleOps.Op> ops = PickleOps.walk(b, start);
        if (ops.size() < 4) {
            return new Mutated("too short to mutate", b);
        }
        PickleOps.Op op = ops.get(1 + r.nextInt(ops.size() - 2));
        int kind = r.nextInt(11);
        switch (kind) {
            case 0 -> { // oversized declared length
                List<PickleOps.Op> withLen = ops.stream().filter(PickleOps.Op::hasLength).toList();
                if (withLen.isEmpty()) {
                    break;
                }
                PickleOps.Op o = withLen.get(r.nextInt(withLen.size()));
                byte[] c = b.clone();
                ByteBuffer bb = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
                long[] big = {0x7fffffffL, 0xffffffffL, 0x80000000L, Long.MAX_VALUE, 1L << 40, -1L, 255,
                    b.length - o.pos() + r.nextInt(100)};
                long v = big[r.nextInt(big.length)];
                switch (o.fieldSize()) {
                    case 1 -> c[o.fieldPos()] = (byte) (v == -1 ? 0xff : Math.min(255, v));
                    case 4 -> bb.putInt(o.fieldPos(), (int) v);
                    default -> bb.putLong(o.fieldPos(), v);
                }
                return new Mutated(String.format("length of op 0x%02x at %d set to %d", o.code(), o.pos(), v), c);
            }
            case 1 -> { // an integer (shape, stride, offset, count, version, memo index) set to an extreme
                List<PickleOps.Op> ints = ops.stream().filter(o -> o.isInt() || o.isMemoRef()).toList();
                PickleOps.Op o = ints.get(r.nextInt(ints.size()));
                long[] vals = {0, 1, -1, 255, 65535, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 31, 1L << 40,
                    Long.MAX_VALUE, 3, 4096};
                long v = vals[r.nextInt(vals.length)];
                byte[] rep;
                if (o.isMemoRef() || r.nextBoolean()) {
                    byte[] c = b.clone();
                    for (int k = 0; k < o.fieldSize(); k++) {
                        c[o.fieldPos() + k] = (byte) (v >>> (8 * k));
                    }
                    return new Mutated(String.format("int field of op %c at %d set to %d", (char) o.code(), o.pos(), v), c);
                }
                ByteBuffer bb = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
                bb.put((byte) 0x8a).put((byte) 8).putLong(v);
                rep = bb.array();
                return new Mutated("int op at " + o.pos() + " replaced by LONG1 " + v, splice(b, o.pos(), o.end(), rep));
            }
            case 2 -> { // unknown opcode
                byte[] c = b.clone();
                int u = PickleOps.UNDEFINED[r.nextInt(PickleOps.UNDEFINED.length)];
                c[op.pos()] = (byte) u;
                return new Mutated(String.format("op at %d replaced by undefined 0x%02x", op.pos(), u), c);
            }
            case 3 -> { // a global replaced: hostile, or an allowed one where it does not belong
                List<PickleOps.Op> gl = ops.stream().filter(o -> o.code() == 'c' || o.code() == 0x93).toList();
                if (gl.isEmpty()) {
                    break;
                }
                PickleOps.Op o = gl.get(r.nextInt(gl.size()));
                String[] g = r.nextInt(3) == 0 ? HOSTILE[r.nextInt(HOSTILE.length)] : ALLOWED[r.nextInt(ALLOWED.length)];
                byte[] rep = ascii((o.code() == 0x93 ? "00" : "") + "c" + g[0] + "\n" + g[1] + "\n");
                return new Mutated("global at " + o.pos() + " -> " + g[0] + "." + g[1], splice(b, o.pos(), o.end(), rep));
            }
            case 4 -> { // a hostile payload inserted between two opcodes
                String[] g = HOSTILE[r.nextInt(HOSTILE.length - 1)];
                return new Mutated("payload " + g[0] + "." + g[1] + " at " + op.pos(), splice(b, op.pos(), op.pos(), payload(g)));
            }
            case 5 -> { // deep nesting
                int n = r.nextBoolean() ? 100_000 : 1 + r.nextInt(5000);
                int shape = r.nextInt(5);
                byte[] ins = switch (shape) {
                    case 0 -> concat(repeat("(", n), repeat("t", n), ascii("0"));              // nested tuples
                    case 1 -> concat(repeat("]", n), repeat("a", n - 1), ascii("0"));          // nested lists
                    case 2 -> concat(ascii("}"), repeat("(", n), repeat("t", n), ascii("Ns0"));  // deep tuple as key
                    case 3 -> repeat("(", n);                                                   // unclosed marks
                    default -> concat(ascii("}"), repeat("}", n), repeat("Ks", 0), ascii("0")); // many dicts
                };
                return new Mutated("nesting " + shape + " x" + n + " at " + op.pos(), splice(b, op.pos(), op.pos(), ins));
            }
            case 6 -> { // a self-containing list, then hashed (set item, dict key) or shown
                int form = r.nextInt(3);
                byte[] ins = switch (form) {
                    case 0 -> ascii("]r\u00f0\u00ff\u00ff\u007fj\u00f0\u00ff\u00ff\u007fa\u008f(j\u00f0\u00ff\u00ff\u007f\u00900");
                    case 1 -> ascii("](r\u00f0\u00ff\u00ff\u007fj\u00f0\u00ff\u00ff\u007f\u0085a(j\u00f0\u00ff\u00ff\u007f\u0085\u00910");
                    default -> ascii("]r\u00f0\u00ff\u00ff\u007fj\u00f0\u00ff\u00ff\u007fa}j\u00f0\u00ff\u00ff\u007f\u0085Ns0");
                };
                return new Mutated("memo cycle " + form + " at " + op.pos(), splice(b, op.pos(), op.pos(), ins));
            }
            case 7 -> { // a range of opcodes copied elsewhere
                PickleOps.Op a = ops.get(r.nextInt(ops.size() - 1));
                PickleOps.Op z = ops.get(Math.min(ops.size() - 2, ops.indexOf(a) + r.nextInt(40)));
                byte[] piece = Arrays.copyOfRange(b, a.pos(), z.end());
                return new Mutated("ops " + a.pos() + ".." + z.end() + " copied to " + op.pos(),
                        splice(b, op.pos(), op.pos(), piece));
            }
            case 8 -> { // a range of opcodes deleted
                int k = ops.indexOf(op);
                PickleOps.Op z = ops.get(Math.min(ops.size() - 2, k + r.nextInt(20)));
                return new Mutated("ops " + op.pos() + ".." + z.end() + " deleted", splice(b, op.pos(), z.end(), new byte[0]));
            }
            case 9 -> { // memo reference redirected (objects of the wrong kind in the right place)
                List<PickleOps.Op> refs = ops.stream().filter(o -> o.code() == 'h' || o.code() == 'j').toList();
                if (refs.isEmpty()) {
                    break;
                }
                byte[] c = b.clone();
                int n = 1 + r.nextInt(4);
                for (int k = 0; k < n; k++) {
                    PickleOps.Op o = refs.get(r.nextInt(refs.size()));
                    c[o.fieldPos()] = (byte) r.nextInt(o.code() == 'h' ? 256 : 64);
                }
                return new Mutated("memo refs redirected x" + n, c);
            }
            default -> { // amplification: one memoized object referenced thousands of times
                List<PickleOps.Op> refs = ops.stream().filter(o -> o.code() == 'h').toList();
                if (refs.isEmpty()) {
                    break;
                }
                PickleOps.Op o = refs.get(r.nextInt(refs.size()));
                int n = 20_000;
                byte[] unit = Arrays.copyOfRange(b, o.pos(), o.end());
                ByteArrayOutputStream ins = new ByteArrayOutputStream();
                for (int k = 0; k < n; k++) {
                    ins.writeBytes(unit);
                    ins.write('0');
                }
                return new Mutated("memo " + (b[o.fieldPos()] & 0xff) + " pushed x" + n,
                        splice(b, o.pos(), o.pos(), ins.toByteArray()));
            }
        }
        byte[] c = b.clone();
        c[op.pos()] = (byte) PickleOps.UNDEFINED[r.nextInt(PickleOps.UNDEFINED.length)];
        return new Mutated("op at " + op.pos() + " replaced by an undefined one", c);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    // ---- torch zip

    static final Map<String, List<Map.Entry<String, byte[]>>> ZIP_ENTRIES = new LinkedHashMap<>();
    static final Map<String, byte[]> BOMBS = new LinkedHashMap<>();

    static List<Map.Entry<String, byte[]>> entries(Seed s) throws Exception {
        if (!ZIP_ENTRIES.containsKey(s.name())) {
            Path f = dir.resolve("seed.zip");
            Files.write(f, s.bytes());
            List<Map.Entry<String, byte[]>> out = new ArrayList<>();
            try (ZipFile z = new ZipFile(f.toFile())) {
                for (ZipEntry e : java.util.Collections.list(z.entries())) {
                    out.add(Map.entry(e.getName(), z.getInputStream(e).readAllBytes()));
                }
            }
            Files.delete(f);
            ZIP_ENTRIES.put(s.name(), out);
        }
        return ZIP_ENTRIES.get(s.name());
    }

    /** A stored (uncompressed) zip as torch.save writes it. */
    static byte[] zip(List<Map.Entry<String, byte[]>> entries, boolean deflate) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(o)) {
            for (Map.Entry<String, byte[]> e : entries) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (!deflate) {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return o.toByteArray();
    }

    static Case zipCase(Seed s, Random r) throws Exception {
        List<Map.Entry<String, byte[]>> es = new ArrayList<>(entries(s));
        int pkl = 0;
        for (int i = 0; i < es.size(); i++) {
            if (es.get(i).getKey().endsWith("data.pkl")) {
                pkl = i;
            }
        }
        int kind = r.nextInt(6);
        String what;
        if (kind <= 2) {
            Mutated m = mutatePickle(es.get(pkl).getValue(), 0, r);
            es.set(pkl, Map.entry(es.get(pkl).getKey(), m.bytes()));
            what = "data.pkl: " + m.what();
        } else if (kind == 3) {
            int i = r.nextInt(es.size());
            byte[] v = es.get(i).getValue();
            int cut = v.length == 0 ? 0 : r.nextInt(v.length);
            if (r.nextBoolean()) {
                es.remove(i);
                what = "entry " + es.size() + " dropped";
            } else {
                es.set(i, Map.entry(es.get(i).getKey(), Arrays.copyOf(v, cut)));
                what = "entry " + i + " cut to " + cut;
            }
        } else if (kind == 4) {
            int i = r.nextInt(es.size());
            String[] names = {"../../evil", "data.pkl", "/abs/data.pkl", "x/byteorder", es.get(i).getKey() + "\u0000"};
            String n = names[r.nextInt(names.length)];
            es.set(i, Map.entry(n, r.nextBoolean() ? ascii("big") : es.get(i).getValue()));
            what = "entry " + i + " renamed " + n;
        } else {
            // a deflated entry that expands far beyond its size (zip bomb) in place of data.pkl or a storage;
            // on a large seed the bomb declares a small size instead (the reader must stop there)
            int i = r.nextBoolean() ? pkl : (pkl + 1) % es.size();
            boolean lying = s.bytes().length > (1 << 20);
            String key = s.name() + " " + i;
            if (!BOMBS.containsKey(key)) {
                es.set(i, Map.entry(es.get(i).getKey(), new byte[lying ? 8 << 20 : 32 << 20]));
                byte[] z = zip(es, true);
                if (lying) {
                    declareSize(z, es.get(i).getKey(), 1000);
                }
                BOMBS.put(key, z);
            }
            return new Case(s.name(), "entry " + i + " replaced by a deflated run of zeros"
                    + (lying ? " declaring 1000 bytes" : " (32 MiB)"), BOMBS.get(key), s.kind(), s.ext());
        }
        return new Case(s.name(), what, zip(es, false), s.kind(), s.ext());
    }

    /** Sets the uncompressed size of a zip entry in its local and central headers. */
    static void declareSize(byte[] z, String name, int size) {
        ByteBuffer bb = ByteBuffer.wrap(z).order(ByteOrder.LITTLE_ENDIAN);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int p = 0; p + 46 < z.length; p++) {
            int sig = bb.getInt(p);
            int nameAt = sig == 0x04034b50 ? p + 30 : sig == 0x02014b50 ? p + 46 : -1;
            int nameLen = sig == 0x04034b50 ? bb.getShort(p + 26) : sig == 0x02014b50 ? bb.getShort(p + 28) : -1;
            if (nameAt > 0 && nameLen == n.length && nameAt + n.length <= z.length
                    && Arrays.equals(Arrays.copyOfRange(z, nameAt, nameAt + n.length), n)) {
                bb.putInt(p + (sig == 0x04034b50 ? 22 : 24), size);
            }
        }
    }

    // ---- legacy torch.save: five pickles, then per storage an 8-byte count and the raw data

    static Case legacyCase(Seed s, Random r) {
        byte[] b = s.bytes();
        int p = 0;
        List<int[]> pickles = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            List<PickleOps.Op> ops = PickleOps.walk(b, p);
            int end = ops.get(ops.size() - 1).end();
            pickles.add(new int[] {p, end});
            p = end;
        }
        if (r.nextBoolean()) {
            byte[] c = b.clone();
            ByteBuffer bb = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
            long[] vals = {-1, Long.MAX_VALUE, 1L << 62, (1L << 61) + 1, 0, 1L << 40, 3};
            long v = vals[r.nextInt(vals.length)];
            bb.putLong(p, v); // the first storage's element count
            return new Case(s.name(), "storage count set to " + v, c, s.kind(), s.ext());
        }
        int[] which = pickles.get(3);
        byte[] obj = Arrays.copyOfRange(b, which[0], which[1]);
        Mutated m = mutatePickle(obj, 0, r);
        return new Case(s.name(), "object pickle: " + m.what(), splice(b, which[0], which[1], m.bytes()), s.kind(),
                s.ext());
    }

    // ---- safetensors

    static Case safetensorsCase(Seed s, Random r) {
        byte[] b = s.bytes();
        long hlen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(b, 8, (int) hlen, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(b, 8 + (int) hlen, b.length);
        int kind = r.nextInt(6);
        String what;
        String h = header;
        if (kind == 0) { // a number in the header set to an extreme
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(header);
            List<int[]> nums = new ArrayList<>();
            while (m.find()) {
                nums.add(new int[] {m.start(), m.end()});
            }
            int[] n = nums.get(r.nextInt(nums.size()));
            String[] vals = {"9223372036854775807", "-1", "4294967296", "1e300", "2147483647", "0",
                "99999999999999999999999", "3.5"};
            String v = vals[r.nextInt(vals.length)];
            h = header.substring(0, n[0]) + v + header.substring(n[1]);
            what = "header number at " + n[0] + " -> " + v;
        } else if (kind == 1) { // dtype changed
            String[] d = {"F64", "U8", "BOOL", "I64", "X9", "", "F16"};
            String v = d[r.nextInt(d.length)];
            h = header.replaceFirst("\"F(16|32)\"", "\"" + v + "\"");
            what = "a dtype -> " + v;
        } else if (kind == 2) { // deep nesting
            int n = r.nextBoolean() ? 100_000 : 300;
            h = header.replaceFirst("\"shape\":\\[", "\"shape\":" + "[".repeat(n) + "1" + "]".repeat(n) + ",\"x\":[");
            what = "shape nested " + n + " deep";
        } else if (kind == 3) { // thousands of names over one big range
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]+)\":(\\{[^{}]*\"data_offsets\"[^{}]*\\})")
                    .matcher(header);
            List<String> bodies = new ArrayList<>();
            while (m.find()) {
                if (!m.group(1).equals("__metadata__")) {
                    bodies.add(m.group(2));
                }
            }
            String body = "{\"dtype\":\"U8\",\"shape\":[" + data.length + "],\"data_offsets\":[0," + data.length + "]}";
            StringBuilder sb = new StringBuilder(header.substring(0, header.lastIndexOf('}')));
            for (int k = 0; k < 1000; k++) {
                sb.append(",\"G_ema.dup").append(k).append("\":").append(body);
            }
            h = sb.append('}').toString();
            what = "1000 tensors over the whole data section (" + bodies.size() + " real)";
        } else if (kind == 4) { // header length field
            long[] vals = {-1, Long.MAX_VALUE, hlen + 1, hlen - 1, b.length, 1L << 40, 0};
            long v = vals[r.nextInt(vals.length)];
            byte[] c = b.clone();
            ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
            return new Case(s.name(), "header length -> " + v, c, s.kind(), s.ext());
        } else { // metadata config damaged
            h = header.replaceFirst("\\\\\"resolution\\\\\":32", "\\\\\"resolution\\\\\":" + (r.nextBoolean() ? "-32" : "1073741824"));
            what = "generator config resolution damaged";
        }
        byte[] hb = h.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(hb.length).put(hb).put(data);
        return new Case(s.name(), what, out.array(), s.kind(), s.ext());
    }

    // ---- npy

    static Case npyCase(Seed s, Random r) {
        byte[] b = s.bytes();
        int hlen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        String header = new String(b, 10, hlen, StandardCharsets.ISO_8859_1);
        byte[] data = Arrays.copyOfRange(b, 10 + hlen, b.length);
        int kind = r.nextInt(5);
        String h;
        String what;
        if (kind == 0) {
            String[] shapes = {"(4294967296, 4294967296)", "(-1,)", "(9223372036854775807,)", "(3037000500, 3037000500, 8)",
                "(1099511627776,)", "()", "(0, 99999999999)", "(" + "1, ".repeat(5000) + ")", "(abc,)"};
            String v = shapes[r.nextInt(shapes.length)];
            h = header.replaceFirst("'shape': \\([^)]*\\)", "'shape': " + java.util.regex.Matcher.quoteReplacement(v));
            what = "shape -> " + (v.length() > 40 ? v.substring(0, 40) + "..." : v);
        } else if (kind == 1) {
            String[] d = {">f4", "|O", "<f16", "<c8", "<U10", "", "<f4'", "V8"};
            String v = d[r.nextInt(d.length)];
            h = header.replaceFirst("'descr': '[^']*'", "'descr': '" + java.util.regex.Matcher.quoteReplacement(v) + "'");
            what = "descr -> " + v;
        } else if (kind == 2) {
            byte[] c = b.clone();
            c[6] = (byte) new int[] {0, 2, 3, 4, 255}[r.nextInt(5)];
            return new Case(s.name(), "version -> " + c[6], c, s.kind(), s.ext());
        } else if (kind == 3) {
            byte[] c = b.clone();
            int v = r.nextInt(65536);
            c[8] = (byte) v;
            c[9] = (byte) (v >> 8);
            return new Case(s.name(), "header length -> " + v, c, s.kind(), s.ext());
        } else {
            h = header.replace("False", "True");
            what = "fortran order";
        }
        byte[] hb = h.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(Arrays.copyOf(b, 8)).putShort((short) hb.length).put(hb).put(data);
        return new Case(s.name(), what, out.array(), s.kind(), s.ext());
    }

    // ------------------------------------------------------------------ crafted cases

    static List<Case> craftedCache;

    /** Hand-made files aimed at known weak spots (each would otherwise need luck to hit). */
    static List<Case> crafted() throws Exception {
        if (craftedCache != null) {
            return craftedCache;
        }
        List<Case> out = new ArrayList<>();
        Function<IoTestSupport.PickleOut, byte[]> done = p -> p.op('.').bytes();
        // a 1 MiB string encoded to bytes 50,000 times over (_codecs.encode copies it each time)
        IoTestSupport.PickleOut p = new IoTestSupport.PickleOut().proto(2).op(']').str("x".repeat(1 << 20))
                .raw('q', 1).op('0').global("_codecs", "encode").raw('q', 3).op('0').op('(');
        for (int k = 0; k < 50_000; k++) {
            p.raw('h', 3, 'h', 1).str("latin1").raw(0x86).op('R');
        }
        out.add(new Case("crafted", "one 1 MiB string encoded x50000", done.apply(p.op('e')), Kind.PICKLE, ".pkl"));
        // 20,000 tensors viewing one 4 MiB storage, in a torch zip state_dict
        List<IoTestSupport.TensorSpec> specs = new ArrayList<>();
        Map<String, IoTestSupport.StorageSpec> st = new LinkedHashMap<>();
        st.put("0", new IoTestSupport.StorageSpec("FloatStorage", 1 << 20, new byte[4 << 20]));
        for (int k = 0; k < 20_000; k++) {
            specs.add(IoTestSupport.TensorSpec.contiguous("mapping.fc" + k + ".weight", "0", 1024, 1024));
        }
        List<Map.Entry<String, byte[]>> es = new ArrayList<>();
        es.add(Map.entry("a/data.pkl", IoTestSupport.stateDictPickle(specs, st, false)));
        es.add(Map.entry("a/data/0", st.get("0").data()));
        out.add(new Case("crafted", "20000 tensor views of one storage", zip(es, false), Kind.ZIP, ".pt"));
        // one tensor with stride 0 claiming 2^31 - 9 elements of a 1-element storage
        specs = List.of(new IoTestSupport.TensorSpec("mapping.fc0.weight", "0", 0, new long[] {Integer.MAX_VALUE - 9},
                new long[] {0}));
        st = Map.of("0", new IoTestSupport.StorageSpec("FloatStorage", 1, new byte[4]));
        es = List.of(Map.entry("a/data.pkl", IoTestSupport.stateDictPickle(specs, st, false)),
                Map.entry("a/data/0", new byte[4]));
        out.add(new Case("crafted", "stride-0 tensor of 2^31-9 elements", zip(es, false), Kind.ZIP, ".pt"));
        // size x stride overflowing a long
        specs = List.of(new IoTestSupport.TensorSpec("mapping.fc0.weight", "0", 0, new long[] {3, 1},
                new long[] {1L << 62, 1}));
        es = List.of(Map.entry("a/data.pkl", IoTestSupport.stateDictPickle(specs, st, false)),
                Map.entry("a/data/0", new byte[4]));
        out.add(new Case("crafted", "stride 2^62", zip(es, false), Kind.ZIP, ".pt"));
        // storage numel whose byte size overflows
        st = Map.of("0", new IoTestSupport.StorageSpec("DoubleStorage", (1L << 61) + 1, new byte[8]));
        specs = List.of(IoTestSupport.TensorSpec.contiguous("mapping.fc0.weight", "0", 1));
        es = List.of(Map.entry("a/data.pkl", IoTestSupport.stateDictPickle(specs, st, false)),
                Map.entry("a/data/0", new byte[8]));
        out.add(new Case("crafted", "storage numel 2^61+1 doubles", zip(es, false), Kind.ZIP, ".pt"));
        // huge shapes whose product overflows a long
        specs = List.of(new IoTestSupport.TensorSpec("x", "0", 0, new long[] {1L << 40, 1L << 40}, new long[] {0, 0}));
        es = List.of(Map.entry("a/data.pkl", IoTestSupport.stateDictPickle(specs, st, false)),
                Map.entry("a/data/0", new byte[8]));
        out.add(new Case("crafted", "shape 2^40 x 2^40", zip(es, false), Kind.ZIP, ".pt"));
        // legacy stream whose storage count overflows count * element size
        st = new LinkedHashMap<>();
        st.put("0", new IoTestSupport.StorageSpec("DoubleStorage", 1, new byte[8]));
        byte[] legacy = IoTestSupport.legacyStream(IoTestSupport.stateDictPickle(
                List.of(IoTestSupport.TensorSpec.contiguous("x", "0", 1)), st, true), st);
        ByteBuffer.wrap(legacy).order(ByteOrder.LITTLE_ENDIAN).putLong(legacy.length - 16, (1L << 61) - 1);
        out.add(new Case("crafted", "legacy count 2^61-1 doubles", legacy, Kind.LEGACY, ".pt"));
        // a 100,000-deep tuple as a dict key; a list that contains itself, put in a set
        out.add(new Case("crafted", "100000-deep tuple key", concat(new byte[] {(byte) 0x80, 2, '}'},
                repeat("(", 100_000), repeat("t", 100_000), ascii("Ns.")), Kind.PICKLE, ".pkl"));
        out.add(new Case("crafted", "self-containing list in a set", ascii("\u0080\u0004]\u0094h\u0000a\u008f(h\u0000\u0090."),
                Kind.PICKLE, ".pkl"));
        // bad escapes in protocol-0 strings
        out.add(new Case("crafted", "bad \\x escape", ascii("\u0080\u0002S'\\xzz'\n."), Kind.PICKLE, ".pkl"));
        out.add(new Case("crafted", "bad \\u escape", ascii("\u0080\u0002V\\uzzzz\n."), Kind.PICKLE, ".pkl"));
        out.add(new Case("crafted", "\\U escape beyond Unicode", ascii("\u0080\u0002V\\Uffffffff\n."), Kind.PICKLE, ".pkl"));
        // an NVlabs module whose _modules holds itself
        IoTestSupport.PickleOut cyc = new IoTestSupport.PickleOut().proto(2).op('}').raw('q', 9)
                .global("torch_utils.persistence", "_reconstruct_persistent_obj").op('}').op('(')
                .str("type").str("class").str("class_name").str("Generator").str("state").op('}').raw('q', 1)
                .op('u').raw(0x85).op('R').raw('q', 2).op('0')
                .raw('h', 1).str("_modules").op('}').str("m").raw('h', 2).op('s').op('s').op('0')
                .str("G_ema").raw('h', 2).op('s');
        out.add(new Case("crafted", "NVlabs module containing itself", cyc.op('.').bytes(), Kind.PICKLE, ".pkl"));
        // rosinality keys with indices beyond int
        Map<String, HostTensor> ros = new LinkedHashMap<>();
        ros.put("style.99999999999.weight", new HostTensor(new long[] {1}, new float[1]));
        specs = new ArrayList<>();
        st = new LinkedHashMap<>();
        IoTestSupport.addFloatTensors(ros, specs, st);
        IoTestSupport.PickleOut rp = new IoTestSupport.PickleOut().proto(2).op('}').str("g_ema");
        byte[] sdp = IoTestSupport.stateDictPickle(specs, st, false);
        rp.bytes(Arrays.copyOfRange(sdp, 2, sdp.length - 1)).op('s');
        es = List.of(Map.entry("a/data.pkl", rp.op('.').bytes()), Map.entry("a/data/0", st.get("0").data()));
        out.add(new Case("crafted", "rosinality index 99999999999", zip(es, false), Kind.ZIP, ".pt"));
        // npy shape product overflowing a long
        byte[] npyHead = ascii("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }\n");
        ByteBuffer npy = ByteBuffer.allocate(10 + npyHead.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        npy.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) npyHead.length).put(npyHead);
        out.add(new Case("crafted", "npy shape 2^32 x 2^32 x 4", npy.array(), Kind.NPY, ".npy"));
        // a 1 MB integer literal (quadratic to parse)
        out.add(new Case("crafted", "1,000,000-digit INT", concat(ascii("\u0080\u0002I"), repeat("7", 1_000_000), ascii("\n.")),
                Kind.PICKLE, ".pkl"));
        craftedCache = out;
        return out;
    }
}
