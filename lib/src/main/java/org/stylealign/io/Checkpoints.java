package org.stylealign.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.stylealign.io.TorchData.PersistentObject;
import org.stylealign.io.TorchData.TensorRef;
import org.stylealign.io.TorchData.Values;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.GeneratorConfig;

/**
 * Reads StyleGAN2 checkpoints of any supported kind into canonical names, and writes the native format.
 *
 * <p>Supported inputs: rosinality/stylegan2-pytorch {@code .pt} files, NVlabs stylegan2-ada-pytorch network
 * pickles, plain {@code state_dict} files of either naming (torch.save zip or legacy format), and native
 * safetensors files written by {@link #writeNative}. Pickles are parsed as data through an allow-list; nothing in
 * them is executed.
 */
public final class Checkpoints {

    /** Native metadata keys owned by this class. */
    public static final String META_FORMAT = "format";
    public static final String META_VERSION = "version";
    public static final String META_GENERATOR = "generator";
    public static final String META_DISCRIMINATOR = "discriminator";
    public static final String NATIVE_FORMAT = "stylealign-checkpoint";
    public static final String NATIVE_VERSION = "1";

    static final float DEFAULT_LR_MUL = 0.01f;
    static final int DEFAULT_MBSTD_GROUP = 4;

    private Checkpoints() {
    }

    /** Reads a checkpoint holding a generator (G_ema, non-null in the result); G and D come along when stored. */
    public static ImportedCheckpoint read(Path file) throws CheckpointException {
        ImportedCheckpoint c = readAny(file);
        if (c.gEma() == null) {
            throw new CheckpointException(file + ": holds only a discriminator, no generator "
                    + "(use Checkpoints.readDiscriminator to load it)");
        }
        return c;
    }

    /** Reads a checkpoint holding a discriminator (D non-null in the result); generator fields may be null. */
    public static ImportedCheckpoint readDiscriminator(Path file) throws CheckpointException {
        ImportedCheckpoint c = readAny(file);
        if (c.d() == null) {
            throw new CheckpointException(file + ": holds no discriminator");
        }
        return c;
    }

    /** Writes the native format: float32 (bit-exact round trip) or float16 (round to nearest even). */
    public static void writeNative(Path file, ImportedCheckpoint ckpt, boolean fp16) throws CheckpointException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_FORMAT, NATIVE_FORMAT);
        meta.put(META_VERSION, NATIVE_VERSION);
        if (ckpt.generatorConfig() != null) {
            meta.put(META_GENERATOR, generatorJson(ckpt.generatorConfig()));
        }
        if (ckpt.discriminatorConfig() != null) {
            meta.put(META_DISCRIMINATOR, discriminatorJson(ckpt.discriminatorConfig()));
        }
        for (Map.Entry<String, String> e : ckpt.metadata().entrySet()) {
            if (meta.containsKey(e.getKey())) {
                throw new CheckpointException(file + ": metadata key '" + e.getKey() + "' is reserved");
            }
            meta.put(e.getKey(), e.getValue());
        }
        if ((ckpt.gEma() != null || ckpt.g() != null) && ckpt.generatorConfig() == null
                || ckpt.d() != null && ckpt.discriminatorConfig() == null) {
            throw new CheckpointException(file + ": a network without its config cannot be written");
        }
        addGroup(file, tensors, "G_ema", ckpt.gEma());
        addGroup(file, tensors, "G", ckpt.g());
        addGroup(file, tensors, "D", ckpt.d());
        for (Map.Entry<String, Map<String, HostTensor>> e : ckpt.extraGroups().entrySet()) {
            String grp = e.getKey();
            if (grp.isEmpty() || grp.contains(".") || grp.equals("G_ema") || grp.equals("G") || grp.equals("D")) {
                throw new CheckpointException(file + ": invalid extra tensor group name '" + grp + "'");
            }
            addGroup(file, tensors, grp, e.getValue());
        }
        SafeTensors.write(file, tensors, meta, fp16);
    }

    private static void addGroup(Path file, Map<String, HostTensor> out, String group, Map<String, HostTensor> t) {
        if (t != null) {
            t.forEach((k, v) -> out.put(group + "." + k, v));
        }
    }

    // ------------------------------------------------------------------ detection

    private static ImportedCheckpoint readAny(Path path) throws CheckpointException {
        String file = path.toString();
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException(file + ": no such file");
        }
        byte[] head = new byte[16];
        int n;
        long size;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
            size = Files.size(path);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (n == 0) {
            throw new CheckpointException(file + ": empty file, not a checkpoint");
        }
        int b0 = head[0] & 0xff;
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return interpret(path, TorchFiles.readZip(path), "torch zip", new ReadBudget(file, size));
        }
        if (n >= 9 && head[8] == '{') {
            long len = ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (len > 0 && len < (1L << 40)) {
                return readNative(path);
            }
        }
        if (n >= 6 && b0 == 0x93 && head[1] == 'N' && head[2] == 'U') {
            throw new CheckpointException(file + ": a numpy .npy array, not a checkpoint");
        }
        if (b0 == 0x80 || "(c}])".indexOf(b0) >= 0) {
            if (size > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(file + ": pickle files over 2 GB are not supported");
            }
            byte[] all;
            try {
                all = Files.readAllBytes(path);
            } catch (IOException e) {
                throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
            }
            if (TorchFiles.looksLegacy(all)) {
                return interpret(path, TorchFiles.readLegacy(file, ByteBuffer.wrap(all)), "legacy torch.save",
                        new ReadBudget(file, size));
            }
            return interpret(path, TorchFiles.readPickle(file, all), "pickle", new ReadBudget(file, size));
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(n, 8); i++) {
            hex.append(String.format("%02x ", head[i] & 0xff));
        }
        throw new CheckpointException(file + ": not a checkpoint (unrecognised format; starts with bytes "
                + hex.toString().trim() + "; expected a torch.save zip, a pickle or a safetensors file)");
    }

    // ------------------------------------------------------------------ interpretation of torch/pickle content

    private static ImportedCheckpoint interpret(Path path, Object top, String container, ReadBudget budget)
            throws CheckpointException {
        String file = path.toString();
        if (TensorFlowPickles.holds(top)) {
            return TensorFlowPickles.read(path, top, budget);
        }
        Map<Object, Object> m = Values.asMap(top);
        if (m == null) {
            throw new CheckpointException(file + ": a " + container + " file holding " + Pickle.describe(top)
                    + ", not a StyleGAN2 checkpoint");
        }
        if (m.containsKey("G_ema") || m.containsKey("G") && m.containsKey("D")) {
            return nvlabs(path, m, budget);
        }
        if (m.containsKey("g_ema")) {
            return rosinality(path, m, budget);
        }
        if (!m.isEmpty() && m.values().stream().allMatch(v -> v instanceof TensorRef)) {
            return stateDict(path, m, budget);
        }
        List<String> keys = new ArrayList<>();
        m.keySet().stream().limit(10).forEach(k -> keys.add(Pickle.show(k)));
        throw new CheckpointException(file + ": a " + container + " file, but not a recognised StyleGAN2 "
                + "checkpoint (top-level keys: " + keys + ")");
    }

    private static Map<String, HostTensor> tensors(String file, String group, Object o, ReadBudget budget)
            throws CheckpointException {
        Map<Object, Object> m = Values.asMap(o);
        if (m == null) {
            throw new CheckpointException(file + ": " + group + " is " + Pickle.describe(o) + ", not a state_dict");
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : m.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof TensorRef t)) {
                throw new CheckpointException(file + ": " + group + "." + k + " is "
                        + Pickle.describe(e.getValue()) + ", not a tensor");
            }
            out.put(k, t.toHost(file, group + "." + k, budget));
        }
        return out;
    }

    // ---- rosinality

    private static ImportedCheckpoint rosinality(Path path, Map<Object, Object> m, ReadBudget budget)
            throws CheckpointException {
        String file = path.toString();
        List<String> notes = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        Map<Object, Object> args = Values.asMap(m.get("args"));
        if (args != null) {
            for (Map.Entry<Object, Object> e : args.entrySet()) {
                Object v = e.getValue();
                if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
                    meta.put("args." + e.getKey(), String.valueOf(v));
                }
            }
            Object arch = args.get("arch");
            if (arch != null && !"stylegan2".equals(arch)) {
                throw new CheckpointException(file + ": rosinality arch " + Pickle.show(arch)
                        + " is not supported (stylegan2 only)");
            }
        }
        Map<String, HostTensor> gEma = Layout.rosinalityGenerator(file, "g_ema",
                tensors(file, "g_ema", m.get("g_ema"), budget));
        Object la = m.get("latent_avg");
        if (la instanceof TensorRef t) {
            HostTensor w = t.toHost(file, "latent_avg", budget);
            gEma.put(Layout.W_AVG, w.reshape(w.size()));
        } else if (la != null) {
            throw new CheckpointException(file + ": latent_avg is " + Pickle.describe(la) + ", not a tensor");
        } else {
            notes.add("no w_avg stored (no latent_avg in the file): truncation needs a w_avg computed elsewhere");
        }
        notes.add("mapping lr multiplier not stored; using the rosinality default " + DEFAULT_LR_MUL);
        GeneratorConfig gc = Layout.inferGenerator(file, "g_ema", gEma, DEFAULT_LR_MUL);
        Set<String> optional = Set.of(Layout.W_AVG);
        Layout.validate(file, "g_ema", gEma, Layout.expectedGenerator(gc), optional);
        Map<String, HostTensor> g = null;
        if (m.get("g") != null) {
            g = Layout.rosinalityGenerator(file, "g", tensors(file, "g", m.get("g"), budget));
            Layout.validate(file, "g", g, Layout.expectedGenerator(gc), optional);
            notes.add("G has no w_avg (rosinality keeps one latent_avg, given to G_ema)");
        }
        DiscriminatorConfig dc = null;
        Map<String, HostTensor> d = null;
        if (m.get("d") != null) {
            d = Layout.rosinalityDiscriminator(file, "d", tensors(file, "d", m.get("d"), budget));
            dc = Layout.inferDiscriminator(file, "d", d, DEFAULT_MBSTD_GROUP);
            Layout.validate(file, "d", d, Layout.expectedDiscriminator(dc), Set.of());
            notes.add("minibatch-stddev group size not stored; using the rosinality value " + DEFAULT_MBSTD_GROUP);
        }
        return new ImportedCheckpoint(path, "rosinality", gc, gEma, g, dc, d, Map.of(), meta, notes);
    }

    // ---- NVlabs

    private static ImportedCheckpoint nvlabs(Path path, Map<Object, Object> m, ReadBudget budget)
            throws CheckpointException {
        String file = path.toString();
        List<String> notes = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        Object gEmaObj = m.get("G_ema");
        if (gEmaObj == null) {
            gEmaObj = m.get("G");
            notes.add("no G_ema stored; G used as G_ema");
        }
        boolean pickled = gEmaObj instanceof PersistentObject;
        Map<String, Object> gAttrs = new TreeMap<>();
        Map<String, HostTensor> gEma = nvlabsNetwork(file, "G_ema", gEmaObj, "Generator", gAttrs, budget);
        float lrMul = DEFAULT_LR_MUL;
        if (pickled) {
            checkGeneratorAttrs(file, "G_ema", gAttrs, notes);
            Double bg = Values.asDouble(gAttrs.get("mapping.fc0.bias_gain"));
            if (bg != null) {
                lrMul = bg.floatValue();
            } else {
                notes.add("mapping lr multiplier not found; using " + DEFAULT_LR_MUL);
            }
            putMeta(meta, "G_ema.mapping.w_avg_beta", gAttrs.get("mapping.w_avg_beta"));
        } else {
            notes.add("mapping lr multiplier not stored; using the NVlabs default " + DEFAULT_LR_MUL);
        }
        meta.put("G_ema.mapping.lr_multiplier", Float.toString(lrMul));
        GeneratorConfig gc = Layout.inferGenerator(file, "G_ema", gEma, lrMul);
        Set<String> optional = Set.of(Layout.W_AVG);
        Layout.validate(file, "G_ema", gEma, Layout.expectedGenerator(gc), optional);
        if (!gEma.containsKey(Layout.W_AVG)) {
            notes.add("no w_avg stored");
        }
        Map<String, HostTensor> g = null;
        if (m.get("G") != null && m.get("G_ema") != null) {
            Map<String, Object> a = new TreeMap<>();
            g = nvlabsNetwork(file, "G", m.get("G"), "Generator", a, budget);
            if (m.get("G") instanceof PersistentObject) {
                checkGeneratorAttrs(file, "G", a, new ArrayList<>());
            }
            Layout.validate(file, "G", g, Layout.expectedGenerator(gc), optional);
        }
        DiscriminatorConfig dc = null;
        Map<String, HostTensor> d = null;
        if (m.get("D") != null) {
            Map<String, Object> a = new TreeMap<>();
            d = nvlabsNetwork(file, "D", m.get("D"), "Discriminator", a, budget);
            int group = DEFAULT_MBSTD_GROUP;
            if (m.get("D") instanceof PersistentObject) {
                checkNumber(file, "D", "c_dim", a.get("c_dim"), 0, "conditional networks (c_dim > 0) are not supported");
                for (Map.Entry<String, Object> e : a.entrySet()) {
                    if (e.getKey().endsWith("architecture") && !"resnet".equals(e.getValue())) {
                        throw new CheckpointException(file + ": D." + e.getKey() + " is '" + e.getValue()
                                + "'; only the 'resnet' discriminator architecture is supported");
                    }
                }
                Object gs = a.get("b4.mbstd.group_size");
                if (gs instanceof Long l && l > 0) {
                    group = l.intValue();
                } else if (a.containsKey("b4.mbstd.group_size") && gs == null) {
                    group = Integer.MAX_VALUE;
                    notes.add("minibatch-stddev group size None (whole batch)");
                }
                putMeta(meta, "D.mbstd_group_size", gs);
                putMeta(meta, "D.mbstd_num_channels", a.get("b4.mbstd.num_channels"));
            } else {
                notes.add("minibatch-stddev group size not stored; using " + DEFAULT_MBSTD_GROUP);
            }
            dc = Layout.inferDiscriminator(file, "D", d, group);
            Layout.validate(file, "D", d, Layout.expectedDiscriminator(dc), Set.of());
        }
        return new ImportedCheckpoint(path, pickled ? "nvlabs-pkl" : "state-dict", gc, gEma, g, dc, d, Map.of(),
                meta, notes);
    }

    private static void putMeta(Map<String, String> meta, String key, Object v) {
        if (v instanceof Number || v instanceof String || v instanceof Boolean) {
            meta.put(key, String.valueOf(v));
        }
    }

    private static void checkNumber(String file, String group, String key, Object v, long want, String msg)
            throws CheckpointException {
        if (v instanceof Long l && l != want) {
            throw new CheckpointException(file + ": " + group + "." + key + " = " + l + ": " + msg);
        }
    }

    private static void checkGeneratorAttrs(String file, String group, Map<String, Object> a, List<String> notes)
            throws CheckpointException {
        checkNumber(file, group, "c_dim", a.get("c_dim"), 0, "conditional networks (c_dim > 0) are not supported");
        Object clamp = null;
        for (Map.Entry<String, Object> e : a.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("synthesis.") && k.endsWith(".architecture") && !"skip".equals(e.getValue())) {
                throw new CheckpointException(file + ": " + group + "." + k + " is '" + e.getValue()
                        + "'; only the 'skip' generator architecture is supported");
            }
            if (k.endsWith(".conv_clamp") && e.getValue() != null && clamp == null) {
                clamp = e.getValue();
            }
        }
        if (clamp != null) {
            notes.add(group + " was trained with conv_clamp=" + clamp + " (activation clamping), not stored here");
        }
    }

    /** A network given as an NVlabs persistent module or as a plain state_dict, filters checked and dropped. */
    private static Map<String, HostTensor> nvlabsNetwork(String file, String group, Object o, String className,
                                                         Map<String, Object> attrs, ReadBudget budget)
            throws CheckpointException {
        Map<String, HostTensor> raw;
        if (o instanceof PersistentObject p) {
            if (!className.equals(p.className())) {
                throw new CheckpointException(file + ": " + group + " is a '" + p.className() + "', expected a '"
                        + className + "'");
            }
            raw = new LinkedHashMap<>();
            flatten(file, group, "", p, raw, attrs, budget, 0);
        } else {
            raw = tensors(file, group, o, budget);
        }
        return Layout.dropNvlabsFilters(file, group, raw);
    }

    /** Real networks nest modules a few levels deep; a deeper chain is damaged or cyclic. */
    private static final int MAX_MODULE_DEPTH = 32;

    private static void flatten(String file, String group, String prefix, PersistentObject obj,
                                Map<String, HostTensor> out, Map<String, Object> attrs, ReadBudget budget, int depth)
            throws CheckpointException {
        if (depth > MAX_MODULE_DEPTH) {
            throw new CheckpointException(file + ": " + group + " has modules nested deeper than " + MAX_MODULE_DEPTH
                    + " levels (a module that contains itself?)");
        }
        Map<Object, Object> state = obj.state();
        Object skip = state.get("_non_persistent_buffers_set");
        for (String kind : new String[] {"_parameters", "_buffers"}) {
            Map<Object, Object> m = Values.asMap(state.get(kind));
            if (m == null) {
                continue;
            }
            for (Map.Entry<Object, Object> e : m.entrySet()) {
                String name = String.valueOf(e.getKey());
                if (e.getValue() == null || kind.equals("_buffers") && skip instanceof Set<?> s && s.contains(name)) {
                    continue;
                }
                if (!(e.getValue() instanceof TensorRef t)) {
                    throw new CheckpointException(file + ": " + group + "." + prefix + name + " is "
                            + Pickle.describe(e.getValue()) + ", not a tensor");
                }
                out.put(prefix + name, t.toHost(file, group + "." + prefix + name, budget));
            }
        }
        for (Map.Entry<Object, Object> e : state.entrySet()) {
            String k = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (!k.startsWith("_") && (v == null || v instanceof String || v instanceof Number || v instanceof Boolean)) {
                attrs.put(prefix + k, v);
            }
        }
        Map<Object, Object> modules = Values.asMap(state.get("_modules"));
        if (modules != null) {
            for (Map.Entry<Object, Object> e : modules.entrySet()) {
                String name = String.valueOf(e.getKey());
                if (e.getValue() == null) {
                    continue;
                }
                if (!(e.getValue() instanceof PersistentObject child)) {
                    throw new CheckpointException(file + ": " + group + "." + prefix + name + " is "
                            + Pickle.describe(e.getValue()) + ", not a persistent NVlabs module");
                }
                flatten(file, group, prefix + name + ".", child, out, attrs, budget, depth + 1);
            }
        }
    }

    // ---- plain state_dict

    private static ImportedCheckpoint stateDict(Path path, Map<Object, Object> m, ReadBudget budget)
            throws CheckpointException {
        String file = path.toString();
        if (m.containsKey("mapping.fc0.weight") || m.containsKey("synthesis.b4.const")) {
            Map<Object, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("G_ema", m);
            ImportedCheckpoint c = nvlabs(path, wrapped, budget);
            List<String> notes = new ArrayList<>(c.notes());
            notes.add(0, "a single NVlabs generator state_dict, used as G_ema");
            return new ImportedCheckpoint(path, "state-dict", c.generatorConfig(), c.gEma(), null, null, null,
                    Map.of(), c.metadata(), notes);
        }
        if (m.containsKey("style.1.weight") || m.containsKey("input.input")) {
            Map<Object, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("g_ema", m);
            ImportedCheckpoint c = rosinality(path, wrapped, budget);
            List<String> notes = new ArrayList<>(c.notes());
            notes.add(0, "a single rosinality generator state_dict, used as G_ema");
            return new ImportedCheckpoint(path, "state-dict", c.generatorConfig(), c.gEma(), null, null, null,
                    Map.of(), c.metadata(), notes);
        }
        List<String> notes = new ArrayList<>();
        Map<String, HostTensor> d;
        if (m.containsKey("b4.out.weight")) {
            d = Layout.dropNvlabsFilters(file, "D", tensors(file, "D", m, budget));
            notes.add("a single NVlabs discriminator state_dict");
        } else if (m.containsKey("final_linear.1.weight")) {
            d = Layout.rosinalityDiscriminator(file, "d", tensors(file, "d", m, budget));
            notes.add("a single rosinality discriminator state_dict");
        } else {
            throw new CheckpointException(file + ": a state_dict, but neither a StyleGAN2 generator nor discriminator "
                    + "(first keys: " + m.keySet().stream().limit(5).map(Pickle::show).toList() + ")");
        }
        notes.add("minibatch-stddev group size not stored; using " + DEFAULT_MBSTD_GROUP);
        DiscriminatorConfig dc = Layout.inferDiscriminator(file, "D", d, DEFAULT_MBSTD_GROUP);
        Layout.validate(file, "D", d, Layout.expectedDiscriminator(dc), Set.of());
        return new ImportedCheckpoint(path, "state-dict", null, null, null, dc, d, Map.of(), Map.of(), notes);
    }

    // ------------------------------------------------------------------ native

    private static ImportedCheckpoint readNative(Path path) throws CheckpointException {
        String file = path.toString();
        SafeTensors.Contents c = SafeTensors.read(path);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        if (!NATIVE_FORMAT.equals(meta.get(META_FORMAT))) {
            throw new CheckpointException(file + ": a safetensors file, but not a StyleAlign checkpoint (metadata "
                    + "format is " + meta.get(META_FORMAT) + ", expected " + NATIVE_FORMAT + ")");
        }
        if (!NATIVE_VERSION.equals(meta.get(META_VERSION))) {
            throw new CheckpointException(file + ": unsupported native checkpoint version " + meta.get(META_VERSION));
        }
        GeneratorConfig gc = meta.containsKey(META_GENERATOR) ? parseGenerator(file, meta.get(META_GENERATOR)) : null;
        DiscriminatorConfig dc = meta.containsKey(META_DISCRIMINATOR)
                ? parseDiscriminator(file, meta.get(META_DISCRIMINATOR)) : null;
        for (String k : List.of(META_FORMAT, META_VERSION, META_GENERATOR, META_DISCRIMINATOR)) {
            meta.remove(k);
        }
        Map<String, Map<String, HostTensor>> groups = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : c.tensors().entrySet()) {
            int dot = e.getKey().indexOf('.');
            if (dot <= 0) {
                throw new CheckpointException(file + ": tensor name '" + e.getKey() + "' has no group prefix");
            }
            groups.computeIfAbsent(e.getKey().substring(0, dot), k -> new LinkedHashMap<>())
                    .put(e.getKey().substring(dot + 1), e.getValue());
        }
        Map<String, HostTensor> gEma = groups.remove("G_ema");
        Map<String, HostTensor> g = groups.remove("G");
        Map<String, HostTensor> d = groups.remove("D");
        List<String> notes = new ArrayList<>();
        if ((gEma != null || g != null) && gc == null || d != null && dc == null) {
            throw new CheckpointException(file + ": network tensors without their config in the metadata");
        }
        if (gEma == null && d == null) {
            throw new CheckpointException(file + ": holds neither G_ema nor D tensors");
        }
        if (gEma == null && g != null) {
            throw new CheckpointException(file + ": holds G but no G_ema");
        }
        if (gEma != null) {
            Layout.validate(file, "G_ema", gEma, Layout.expectedGenerator(gc), Set.of(Layout.W_AVG));
            if (!gEma.containsKey(Layout.W_AVG)) {
                notes.add("no w_avg stored");
            }
        }
        if (g != null) {
            Layout.validate(file, "G", g, Layout.expectedGenerator(gc), Set.of(Layout.W_AVG));
        }
        if (d != null) {
            Layout.validate(file, "D", d, Layout.expectedDiscriminator(dc), Set.of());
        }
        return new ImportedCheckpoint(path, "native", gEma == null ? null : gc, gEma, g, d == null ? null : dc, d,
                groups, meta, notes);
    }

    static String generatorJson(GeneratorConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("resolution", c.resolution());
        o.addProperty("imageChannels", c.imageChannels());
        o.addProperty("zDim", c.zDim());
        o.addProperty("wDim", c.wDim());
        o.addProperty("mappingLayers", c.mappingLayers());
        o.addProperty("mappingLrMul", c.mappingLrMul());
        o.add("channels", channelsJson(c.channels()));
        return o.toString();
    }

    static String discriminatorJson(DiscriminatorConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("resolution", c.resolution());
        o.addProperty("imageChannels", c.imageChannels());
        o.add("channels", channelsJson(c.channels()));
        o.addProperty("mbstdGroup", c.mbstdGroup());
        o.addProperty("mbstdChannels", c.mbstdChannels());
        return o.toString();
    }

    private static JsonObject channelsJson(Map<Integer, Integer> ch) {
        JsonObject o = new JsonObject();
        new TreeMap<>(ch).forEach((r, c) -> o.addProperty(Integer.toString(r), c));
        return o;
    }

    static GeneratorConfig parseGenerator(String file, String json) throws CheckpointException {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            return new GeneratorConfig(o.get("resolution").getAsInt(), o.get("imageChannels").getAsInt(),
                    o.get("zDim").getAsInt(), o.get("wDim").getAsInt(), o.get("mappingLayers").getAsInt(),
                    o.get("mappingLrMul").getAsFloat(), parseChannels(o.get("channels")));
        } catch (RuntimeException e) {
            throw new CheckpointException(file + ": bad generator config in the metadata (" + e.getMessage() + ")");
        }
    }

    static DiscriminatorConfig parseDiscriminator(String file, String json) throws CheckpointException {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            return new DiscriminatorConfig(o.get("resolution").getAsInt(), o.get("imageChannels").getAsInt(),
                    parseChannels(o.get("channels")), o.get("mbstdGroup").getAsInt(), o.get("mbstdChannels").getAsInt());
        } catch (RuntimeException e) {
            throw new CheckpointException(file + ": bad discriminator config in the metadata (" + e.getMessage() + ")");
        }
    }

    private static Map<Integer, Integer> parseChannels(JsonElement e) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (Map.Entry<String, JsonElement> c : e.getAsJsonObject().entrySet()) {
            m.put(Integer.parseInt(c.getKey()), c.getValue().getAsInt());
        }
        return m;
    }
}
