package org.stylealign.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small pickle virtual machine (protocols 0-5) that builds plain Java data and never runs Python code.
 * Values: null, Boolean, Long or BigInteger, Double, String, byte[], ArrayList (list), {@link Tuple},
 * LinkedHashMap (dict, OrderedDict, EasyDict, Namespace), LinkedHashSet, and whatever the allow-listed globals
 * return. A global outside {@link Globals} is refused with {@link UnsafePickleException} at lookup time.
 */
final class Pickle {

    /** An immutable Python tuple. */
    record Tuple(List<Object> items) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }

        @Override
        public String toString() {
            return show(this);
        }
    }

    /** Something a pickle can call (REDUCE, NEWOBJ, INST, OBJ): an allow-listed function or class. */
    interface Callable {
        Object call(String file, List<Object> args) throws CheckpointException;
    }

    /** An allow-listed global; {@code fn} is null for classes that only appear as data (e.g. storage types). */
    record Global(String name, Callable fn) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Objects that accept BUILD (__setstate__). */
    interface Buildable {
        void build(String file, Object state) throws CheckpointException;
    }

    /** Resolves persistent ids (torch storages). */
    interface PersistentLoader {
        Object load(Object pid) throws CheckpointException;
    }

    /** Resolves allow-listed globals; returns null for anything else. */
    interface Globals {
        Global lookup(String module, String name);
    }

    private final String file;
    private final ByteBuffer in;
    private final Globals globals;
    private final PersistentLoader persistent;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();
    // Calls and BUILDs may copy what their arguments hold; memo references make that free to repeat, so the
    // copying is paid from an allowance proportional to the stream's size (no amplification by hostile files).
    private final long workLimit;
    private long work;

    private Pickle(String file, ByteBuffer in, Globals globals, PersistentLoader persistent) {
        this.file = file;
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.globals = globals;
        this.persistent = persistent;
        this.workLimit = 8L * in.remaining() + (1 << 20);
    }

    /** Deepest nesting of tuples accepted in dict keys and set items (hashing recurses). */
    static final int MAX_KEY_DEPTH = 64;

    /** Longest decimal integer in text opcodes (CPython's default limit; parsing is quadratic). */
    private static final int MAX_DIGITS = 4300;

    /**
     * Runs one pickle from the buffer's position up to and including its STOP opcode; the buffer is left just
     * after STOP (several pickles may follow each other, as in legacy torch.save files).
     */
    static Object load(String file, ByteBuffer in, Globals globals, PersistentLoader persistent)
            throws CheckpointException {
        return new Pickle(file, in, globals, persistent).run();
    }

    private CheckpointException error(String msg) {
        return new CheckpointException(file + ": bad pickle at byte " + in.position() + ": " + msg);
    }

    private CheckpointException truncated() {
        return new CheckpointException(file + ": truncated pickle (stream ended at byte " + in.position()
                + " before the STOP opcode)");
    }

    private void need(long n) throws CheckpointException {
        if (n < 0 || n > in.remaining()) {
            throw truncated();
        }
    }

    private int u8() throws CheckpointException {
        need(1);
        return in.get() & 0xff;
    }

    private byte[] bytes(long n) throws CheckpointException {
        need(n);
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private long u32() throws CheckpointException {
        need(4);
        return in.getInt() & 0xffffffffL;
    }

    private long u64() throws CheckpointException {
        need(8);
        long v = in.getLong();
        if (v < 0) {
            throw error("length " + Long.toUnsignedString(v) + " too large");
        }
        return v;
    }

    private String line() throws CheckpointException {
        int start = in.position();
        for (int i = start; i < in.limit(); i++) {
            if (in.get(i) == '\n') {
                byte[] b = new byte[i - start];
                in.get(b);
                in.get();
                return new String(b, StandardCharsets.ISO_8859_1);
            }
        }
        in.position(in.limit());
        throw truncated();
    }

    private Object pop() throws CheckpointException {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) >= stack.size())) {
            throw error("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() throws CheckpointException {
        if (stack.isEmpty()) {
            throw error("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws CheckpointException {
        if (marks.isEmpty()) {
            throw error("no MARK on the stack");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object memoGet(long key) throws CheckpointException {
        if (!memo.containsKey(key)) {
            throw error("memo key " + key + " not defined");
        }
        return memo.get(key);
    }

    private Global global(String module, String name) throws CheckpointException {
        Global g = globals.lookup(module, name);
        if (g == null) {
            throw new UnsafePickleException(file, module + "." + name);
        }
        return g;
    }

    private Object call(Object callable, List<Object> args) throws CheckpointException {
        if (!(callable instanceof Global g) || g.fn() == null) {
            throw error("cannot call " + describe(callable));
        }
        charge(args);
        return g.fn().call(file, args);
    }

    private void charge(Object args) throws CheckpointException {
        work += 1 + weight(args, 2);
        if (work > workLimit) {
            throw error("the pickle's objects would expand far beyond the file's size (damaged or hostile file)");
        }
    }

    /** Elements (and bytes, chars) reachable within {@code depth} levels: what a callee may copy. */
    private static long weight(Object o, int depth) {
        if (o instanceof byte[] b) {
            return b.length;
        }
        if (o instanceof String s) {
            return s.length();
        }
        java.util.Collection<?> items = o instanceof Tuple t ? t.items() : o instanceof java.util.Collection<?> c ? c
                : o instanceof Map<?, ?> m ? m.values() : null;
        if (items == null) {
            return 1;
        }
        long w = items.size() * (o instanceof Map<?, ?> ? 2L : 1L);
        if (depth > 1) {
            for (Object x : items) {
                w += weight(x, depth - 1);
            }
        }
        return w;
    }

    /**
     * Refuses dict keys and set items Python could not hash either (lists, dicts, sets) and tuples nested beyond
     * {@link #MAX_KEY_DEPTH}: Java hashes them recursively.
     */
    static void requireHashable(String file, Object o) throws CheckpointException {
        requireHashable(file, o, 0);
    }

    private static void requireHashable(String file, Object o, int depth) throws CheckpointException {
        if (o instanceof Tuple t) {
            if (depth >= MAX_KEY_DEPTH) {
                throw new CheckpointException(file + ": bad pickle: a dict key or set item nested deeper than "
                        + MAX_KEY_DEPTH + " levels");
            }
            for (Object x : t.items()) {
                requireHashable(file, x, depth + 1);
            }
        } else if (o instanceof java.util.Collection<?> || o instanceof Map<?, ?>) {
            throw new CheckpointException(file + ": bad pickle: unhashable dict key or set item " + describe(o));
        }
    }

    /** A short rendering of any unpickled value for messages (bounded depth and length, safe for cycles). */
    static String show(Object o) {
        StringBuilder b = new StringBuilder();
        show(o, b, 3);
        return b.length() > 200 ? b.substring(0, 200) + "..." : b.toString();
    }

    private static void show(Object o, StringBuilder b, int depth) {
        if (b.length() > 200) {
            return;
        }
        if (o == null || o instanceof Number || o instanceof Boolean || o instanceof Global) {
            b.append(o);
        } else if (o instanceof String s) {
            b.append('\'').append(s.length() > 80 ? s.substring(0, 80) + "..." : s).append('\'');
        } else if (o instanceof Tuple || o instanceof List<?>) {
            List<?> items = o instanceof Tuple t ? t.items() : (List<?>) o;
            boolean tuple = o instanceof Tuple;
            b.append(tuple ? '(' : '[');
            if (depth == 0) {
                b.append(items.size()).append(" items");
            } else {
                for (int i = 0; i < items.size() && b.length() <= 200; i++) {
                    if (i > 0) {
                        b.append(", ");
                    }
                    show(items.get(i), b, depth - 1);
                }
            }
            b.append(tuple ? ')' : ']');
        } else {
            b.append(describe(o));
        }
    }

    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return g.name();
        }
        return o.getClass().getSimpleName();
    }

    private static List<Object> tupleItems(Object o) {
        return o instanceof Tuple t ? t.items() : null;
    }

    @SuppressWarnings("unchecked")
    private Object run() throws CheckpointException {
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int p = u8();
                    if (p > 5) {
                        throw error("unsupported pickle protocol " + p);
                    }
                }
                case 0x95 -> u64(); // FRAME: only a read-ahead hint
                case '.' -> { // STOP
                    Object result = pop();
                    if (!stack.isEmpty()) {
                        throw error("stack not empty at STOP");
                    }
                    return result;
                }
                case '(' -> marks.add(stack.size()); // MARK: remembered as a stack position
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(top()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'I' -> { // INT (text)
                    String s = line().trim();
                    if (s.equals("01")) {
                        push(Boolean.TRUE);
                    } else if (s.equals("00")) {
                        push(Boolean.FALSE);
                    } else {
                        push(parseInt(s));
                    }
                }
                case 'L' -> { // LONG (text)
                    String s = line().trim();
                    push(parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
                }
                case 'J' -> {
                    need(4);
                    push((long) in.getInt());
                }
                case 'K' -> push((long) u8());
                case 'M' -> {
                    need(2);
                    push((long) (in.getShort() & 0xffff));
                }
                case 0x8a -> push(longFromBytes(bytes(u8()))); // LONG1
                case 0x8b -> push(longFromBytes(bytes(u32()))); // LONG4
                case 'F' -> {
                    String s = line().trim();
                    try {
                        push(Double.parseDouble(s.replace("inf", "Infinity").replace("nan", "NaN")));
                    } catch (NumberFormatException e) {
                        throw error("bad FLOAT '" + s + "'");
                    }
                }
                case 'G' -> {
                    need(8);
                    push(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    in.order(ByteOrder.LITTLE_ENDIAN);
                }
                case 'S' -> push(unquote(line().trim()));
                case 'T' -> {
                    need(4);
                    int n = in.getInt();
                    push(new String(bytes(n), StandardCharsets.ISO_8859_1));
                }
                case 'U' -> push(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                case 'V' -> push(rawUnicodeEscape(line()));
                case 'X' -> push(new String(bytes(u32()), StandardCharsets.UTF_8));
                case 0x8c -> push(new String(bytes(u8()), StandardCharsets.UTF_8));
                case 0x8d -> push(new String(bytes(u64()), StandardCharsets.UTF_8));
                case 'B' -> push(bytes(u32()));
                case 'C' -> push(bytes(u8()));
                case 0x8e, 0x96 -> push(bytes(u64())); // BINBYTES8, BYTEARRAY8
                case 0x97 -> throw error("out-of-band buffers (NEXT_BUFFER) are not supported");
                case 0x98 -> top(); // READONLY_BUFFER: no effect on our data
                case ')' -> push(new Tuple(List.of()));
                case 0x85 -> push(new Tuple(listOf(pop())));
                case 0x86 -> {
                    Object b = pop();
                    Object a = pop();
                    push(new Tuple(listOf(a, b)));
                }
                case 0x87 -> {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(new Tuple(listOf(a, b, c)));
                }
                case 't' -> push(new Tuple(popMark()));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'a' -> {
                    Object v = pop();
                    appendTo(top(), List.of(v == null ? NULL_ITEM : v));
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    appendTo(top(), items);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, items);
                    push(m);
                }
                case 's' -> {
                    Object v = pop();
                    Object k = pop();
                    putPairs(asMap(top(), "SETITEM"), listOf(k, v));
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    putPairs(asMap(top(), "SETITEMS"), items);
                }
                case 0x8f -> push(new LinkedHashSet<>());
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark();
                    if (!(top() instanceof Set<?>)) {
                        throw error("ADDITEMS on " + describe(top()));
                    }
                    for (Object x : items) {
                        requireHashable(file, x);
                    }
                    ((Set<Object>) top()).addAll(items);
                }
                case 0x91 -> { // FROZENSET
                    List<Object> items = popMark();
                    for (Object x : items) {
                        requireHashable(file, x);
                    }
                    push(java.util.Collections.unmodifiableSet(new LinkedHashSet<>(items)));
                }
                case 'p' -> memo.put(parseMemoKey(line()), top());
                case 'q' -> memo.put((long) u8(), top());
                case 'r' -> memo.put(u32(), top());
                case 0x94 -> memo.put((long) memo.size(), top());
                case 'g' -> push(memoGet(parseMemoKey(line())));
                case 'h' -> push(memoGet(u8()));
                case 'j' -> push(memoGet(u32()));
                case 'c' -> {
                    String module = line();
                    String name = line();
                    push(global(module, name));
                }
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings");
                    }
                    push(global(m, n));
                }
                case 0x82, 0x83, 0x84 -> throw new UnsafePickleException(file, "copyreg extension code (EXT opcode)");
                case 'R' -> {
                    Object args = pop();
                    Object fn = pop();
                    List<Object> a = tupleItems(args);
                    if (a == null) {
                        throw error("REDUCE arguments are not a tuple");
                    }
                    push(call(fn, a));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    List<Object> a = tupleItems(args);
                    if (a == null) {
                        throw error("NEWOBJ arguments are not a tuple");
                    }
                    push(call(cls, a));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop();
                    Object args = pop();
                    Object cls = pop();
                    List<Object> a = tupleItems(args);
                    if (a == null || !(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                        throw error("NEWOBJ_EX with keyword arguments is not supported");
                    }
                    push(call(cls, a));
                }
                case 'i' -> { // INST
                    String module = line();
                    String name = line();
                    Global g = global(module, name);
                    push(call(g, popMark()));
                }
                case 'o' -> { // OBJ
                    List<Object> items = popMark();
                    if (items.isEmpty()) {
                        throw error("OBJ without a class");
                    }
                    push(call(items.get(0), items.subList(1, items.size())));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    build(top(), state);
                }
                case 'P' -> push(loadPersistent(line()));
                case 'Q' -> push(loadPersistent(pop()));
                default -> throw error(String.format("unknown opcode 0x%02x", op));
            }
        }
    }

    // null list items are fine in Java lists but List.of refuses them
    private static final Object NULL_ITEM = new Object();

    private static List<Object> listOf(Object... items) {
        return new ArrayList<>(Arrays.asList(items));
    }

    private Object loadPersistent(Object pid) throws CheckpointException {
        if (persistent == null) {
            throw error("persistent id " + show(pid) + " in a pickle that has no external storages");
        }
        return persistent.load(pid);
    }

    @SuppressWarnings("unchecked")
    private void appendTo(Object target, List<Object> items) throws CheckpointException {
        if (!(target instanceof List<?>) || target instanceof Tuple) {
            throw error("APPEND on " + describe(target));
        }
        for (Object o : items) {
            ((List<Object>) target).add(o == NULL_ITEM ? null : o);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o, String op) throws CheckpointException {
        if (!(o instanceof Map<?, ?>)) {
            throw error(op + " on " + describe(o));
        }
        return (Map<Object, Object>) o;
    }

    private void putPairs(Map<Object, Object> m, List<Object> items) throws CheckpointException {
        if (items.size() % 2 != 0) {
            throw error("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Object k = items.get(i);
            requireHashable(file, k);
            m.put(k, items.get(i + 1));
        }
    }

    private void build(Object obj, Object state) throws CheckpointException {
        charge(state);
        if (obj instanceof Buildable b) {
            b.build(file, state);
        } else if (obj instanceof Map<?, ?>) {
            // dict subclasses (OrderedDict with torch's _metadata, EasyDict): the instance __dict__ is not data
            if (state != null && !(state instanceof Map<?, ?>) && !(state instanceof Tuple)) {
                throw error("BUILD of a dict with state " + describe(state));
            }
        } else {
            throw error("BUILD on " + describe(obj));
        }
    }

    private Object parseInt(String s) throws CheckpointException {
        if (s.length() > MAX_DIGITS) {
            throw error("integer literal of " + s.length() + " digits (more than " + MAX_DIGITS + ")");
        }
        try {
            BigInteger v = new BigInteger(s);
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw error("bad integer '" + s + "'");
        }
    }

    private long parseMemoKey(String s) throws CheckpointException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw error("bad memo key '" + s + "'");
        }
    }

    /** Two's complement little-endian integer. */
    private static Object longFromBytes(byte[] b) {
        if (b.length == 0) {
            return 0L;
        }
        byte[] be = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            be[i] = b[b.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** Python 2 str repr as written by protocol 0 (quoted, backslash escapes). */
    private String unquote(String s) throws CheckpointException {
        if (s.length() < 2 || (s.charAt(0) != '\'' && s.charAt(0) != '"') || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw error("STRING opcode argument is not quoted");
        }
        String body = s.substring(1, s.length() - 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 == body.length()) {
                out.append(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'x' -> {
                    if (i + 2 >= body.length() || Character.digit(body.charAt(i + 1), 16) < 0
                            || Character.digit(body.charAt(i + 2), 16) < 0) {
                        throw error("bad \\x escape in a STRING opcode");
                    }
                    out.append((char) Integer.parseInt(body.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int j = i;
                    while (j < body.length() && j < i + 3 && body.charAt(j) >= '0' && body.charAt(j) <= '7') {
                        j++;
                    }
                    out.append((char) Integer.parseInt(body.substring(i, j), 8));
                    i = j - 1;
                }
                default -> out.append(e); // \\ \' \"
            }
        }
        return out.toString();
    }

    /** Python's raw-unicode-escape (protocol 0 UNICODE): only backslash-u and backslash-U escapes. */
    private String rawUnicodeEscape(String s) throws CheckpointException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char kind = c == '\\' && i + 1 < s.length() ? s.charAt(i + 1) : 0;
            int digits = kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
            if (digits == 0) {
                out.append(c);
                continue;
            }
            if (i + 2 + digits > s.length()) {
                throw error("truncated \\" + s.charAt(i + 1) + " escape in a UNICODE opcode");
            }
            long cp = 0;
            for (int k = i + 2; k < i + 2 + digits; k++) {
                int d = Character.digit(s.charAt(k), 16);
                if (d < 0) {
                    throw error("bad \\" + s.charAt(i + 1) + " escape in a UNICODE opcode");
                }
                cp = cp * 16 + d;
            }
            if (cp > Character.MAX_CODE_POINT) {
                throw error("escape \\U" + Long.toHexString(cp) + " is beyond Unicode");
            }
            out.appendCodePoint((int) cp);
            i += 1 + digits;
        }
        return out.toString();
    }
}
