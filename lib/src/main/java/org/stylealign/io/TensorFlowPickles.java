package org.stylealign.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.stylealign.io.TorchData.NumpyArray;
import org.stylealign.io.TorchData.TfNetwork;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.GeneratorConfig;

/**
 * NVlabs StyleGAN2 / StyleGAN2-ADA TensorFlow pickles: the tuple (G, D, Gs) of {@code dnnlib.tflib.network.Network}
 * states (or Gs alone), translated to canonical names. TF keeps dense weights as [in, out], convolutions as
 * [kh, kw, in, out], the generator's up-sampling convolutions spatially flipped, and modulation biases without the +1
 * of the PyTorch affine layers. Only what the engine runs is accepted: a 'skip' generator and a 'resnet'
 * discriminator, unconditional, without progressive growing.
 */
final class TensorFlowPickles {

    static final String FORMAT = "nvlabs-tf-pkl";

    private TensorFlowPickles() {
    }

    /** True when the unpickled object is a TF network pickle: (G, D, Gs) or a single network. */
    static boolean holds(Object top) {
        if (top instanceof TfNetwork) {
            return true;
        }
        return top instanceof Pickle.Tuple t && t.size() == 3
                && t.items().stream().anyMatch(x -> x instanceof TfNetwork);
    }

    static ImportedCheckpoint read(Path path, Object top, ReadBudget budget) throws CheckpointException {
        String file = path.toString();
        TfNetwork gNet = null;
        TfNetwork dNet = null;
        TfNetwork gsNet;
        if (top instanceof TfNetwork single) {
            gsNet = single;
        } else {
            List<Object> items = ((Pickle.Tuple) top).items();
            for (Object o : items) {
                if (!(o instanceof TfNetwork)) {
                    throw new CheckpointException(file + ": a TensorFlow pickle whose (G, D, Gs) tuple holds "
                            + Pickle.describe(o));
                }
            }
            gNet = (TfNetwork) items.get(0);
            dNet = (TfNetwork) items.get(1);
            gsNet = (TfNetwork) items.get(2);
        }
        List<String> notes = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        TfNetwork.State gs = gsNet.state(file);
        notes.add("TensorFlow pickle (network state version " + gs.version() + "); its build_module_src ("
                + gs.buildModuleSrc().length() + " characters of Python) was not run");
        float[] lrMul = new float[1];
        Map<String, HostTensor> gEma = generator(file, "Gs", gs, budget, notes, meta, lrMul);
        GeneratorConfig gc = Layout.inferGenerator(file, "Gs", gEma, lrMul[0]);
        Layout.validate(file, "Gs", gEma, Layout.expectedGenerator(gc), Set.of(Layout.W_AVG));
        if (!gEma.containsKey(Layout.W_AVG)) {
            notes.add("no w_avg stored");
        }
        Map<String, HostTensor> g = null;
        if (gNet != null) {
            g = generator(file, "G", gNet.state(file), budget, new ArrayList<>(), new LinkedHashMap<>(), new float[1]);
            Layout.validate(file, "G", g, Layout.expectedGenerator(gc), Set.of(Layout.W_AVG));
        } else {
            notes.add("a single network (Gs) without G and D");
        }
        DiscriminatorConfig dc = null;
        Map<String, HostTensor> d = null;
        if (dNet != null) {
            TfNetwork.State ds = dNet.state(file);
            int[] group = new int[1];
            d = discriminator(file, ds, budget, notes, meta, group);
            dc = Layout.inferDiscriminator(file, "D", d, group[0]);
            Layout.validate(file, "D", d, Layout.expectedDiscriminator(dc), Set.of());
        }
        return new ImportedCheckpoint(path, FORMAT, gc, gEma, g, dc, d, Map.of(), meta, notes);
    }

    // ------------------------------------------------------------------ settings

    /** Settings that do not change the network's tensors or its computation here. */
    private static final Set<String> IGNORED = Set.of("truncation_psi", "truncation_cutoff", "truncation_psi_val",
            "truncation_cutoff_val", "dlatent_avg_beta", "style_mixing_prob", "dlatent_broadcast", "structure",
            "randomize_noise", "fused_modconv", "dtype", "num_fp16_res", "conv_clamp", "fmap_decay", "fmap_min",
            "fmap_base", "fmap_max", "latent_size", "dlatent_size", "resolution", "num_channels", "mapping_layers",
            "mapping_fmaps", "mapping_func", "synthesis_func", "w_avg_beta", "is_template_graph", "components",
            "force_clean_graph", "label_fmaps", "conditioning");

    /** Settings checked by {@link #checkSettings} for the values the engine runs. */
    private static final Set<String> CHECKED = Set.of("label_size", "nonlinearity", "mapping_nonlinearity",
            "normalize_latents", "use_noise", "resample_kernel");

    /** Settings with the only value the engine runs ({@code null}: absent or None is fine too). */
    private static void require(String file, String net, Map<String, Object> kw, String key, Object want,
                                String what) throws CheckpointException {
        Object v = kw.get(key);
        if (v != null && !v.equals(want) && !(want instanceof Number n && v instanceof Number m
                && n.doubleValue() == m.doubleValue())) {
            throw new CheckpointException(file + ": " + net + " has " + key + " = " + Pickle.show(v) + "; " + what);
        }
    }

    private static void checkSettings(String file, String net, Map<String, Object> kw, Set<String> extraKnown)
            throws CheckpointException {
        Object labels = kw.get("label_size");
        if (labels instanceof Number n && n.longValue() != 0 || labels != null && !(labels instanceof Number)) {
            throw new CheckpointException(file + ": " + net + " is a conditional network (label_size = "
                    + Pickle.show(labels) + "); only unconditional networks are supported");
        }
        require(file, net, kw, "nonlinearity", "lrelu", "only leaky ReLU is supported");
        require(file, net, kw, "mapping_nonlinearity", "lrelu", "only leaky ReLU is supported");
        require(file, net, kw, "normalize_latents", Boolean.TRUE, "the engine always normalises z");
        require(file, net, kw, "use_noise", Boolean.TRUE, "the engine's synthesis layers always take noise");
        Object k = kw.get("resample_kernel");
        if (k != null && !List.of(1L, 3L, 3L, 1L).equals(k instanceof Pickle.Tuple t ? t.items() : k)) {
            throw new CheckpointException(file + ": " + net + " has resample_kernel = " + Pickle.show(k)
                    + "; only the standard [1,3,3,1] filter is supported");
        }
        List<String> unknown = new ArrayList<>();
        for (String key : kw.keySet()) {
            if (!IGNORED.contains(key) && !extraKnown.contains(key) && !CHECKED.contains(key)) {
                unknown.add(key + " = " + Pickle.show(kw.get(key)));
            }
        }
        if (!unknown.isEmpty()) {
            throw new CheckpointException(file + ": " + net + " has TensorFlow settings this reader does not know: "
                    + String.join(", ", unknown) + " (refused rather than guessed)");
        }
    }

    // ------------------------------------------------------------------ variables

    /** Variables by full path (component names joined with '/'), each with its network's name for messages. */
    private static Map<String, Object> collect(String file, TfNetwork.State net, String prefix,
                                               Map<String, Object> out) throws CheckpointException {
        for (TfNetwork.Variable v : net.variables()) {
            if (out.put(prefix + v.name(), v.value()) != null) {
                throw new CheckpointException(file + ": TensorFlow variable " + prefix + v.name() + " stored twice");
            }
        }
        for (Map.Entry<String, TfNetwork> c : net.components().entrySet()) {
            collect(file, c.getValue().state(file), prefix + c.getKey() + "/", out);
        }
        return out;
    }

    /** Takes values out of the collected variables, converting and checking each. */
    private static final class Vars {
        final String file;
        final String net;
        final Map<String, Object> left;
        final ReadBudget budget;

        Vars(String file, String net, Map<String, Object> all, ReadBudget budget) {
            this.file = file;
            this.net = net;
            this.left = new LinkedHashMap<>(all);
            this.budget = budget;
        }

        boolean has(String name) {
            return left.containsKey(name);
        }

        HostTensor take(String name, int rank) throws CheckpointException {
            Object v = left.remove(name);
            if (v == null) {
                throw new CheckpointException(file + ": " + net + " has no variable " + name);
            }
            HostTensor t;
            if (v instanceof NumpyArray a) {
                t = a.toHost(file + " (" + net + " " + name + ")", budget);
            } else {
                t = new HostTensor(new long[0], new float[] {((Number) v).floatValue()});
            }
            if (t.rank() != rank) {
                throw new CheckpointException(file + ": " + net + " variable " + name + " has shape " + t.shapeString()
                        + ", expected rank " + rank);
            }
            return t;
        }

        void done() throws CheckpointException {
            if (!left.isEmpty()) {
                List<String> names = new ArrayList<>(left.keySet());
                throw new CheckpointException(file + ": " + net + " has variables that are not part of a StyleGAN2 "
                        + "network this reader supports: " + String.join(", ", names.subList(0, Math.min(12,
                        names.size()))) + (names.size() > 12 ? ", ... (" + names.size() + ")" : ""));
            }
        }
    }

    private static final Pattern LOD = Pattern.compile("(.*/)?(ToRGB|FromRGB)_lod\\d+/.*");
    private static final Pattern BLOCK = Pattern.compile("(\\d{1,4})x\\1/.*");

    private static void refuseProgressive(String file, String net, TfNetwork.State s, Map<String, Object> vars,
                                          String lodVar) throws CheckpointException {
        String found = null;
        for (String n : vars.keySet()) {
            if (LOD.matcher(n).matches()) {
                found = n;
                break;
            }
        }
        if (found == null && lodVar != null && vars.containsKey(lodVar)) {
            found = lodVar;
        }
        if (found == null && Set.of("G_synthesis_stylegan_revised", "G_style", "D_basic", "D_stylegan")
                .contains(s.buildFuncName())) {
            found = "build function " + s.buildFuncName();
        }
        if (found != null) {
            throw new CheckpointException(file + ": " + net + " is a progressive-growing network (found " + found
                    + "; StyleGAN1 or the StyleGAN2 configs a-d), which the engine does not run");
        }
    }

    /** Block resolutions present (from names like 16x16/...). */
    private static TreeSet<Integer> blocks(Map<String, Object> vars, String prefix) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String n : vars.keySet()) {
            if (n.startsWith(prefix)) {
                Matcher m = BLOCK.matcher(n.substring(prefix.length()));
                if (m.matches()) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ generator

    private static Map<String, HostTensor> generator(String file, String net, TfNetwork.State s, ReadBudget budget,
                                                     List<String> notes, Map<String, String> meta, float[] lrMul)
            throws CheckpointException {
        TfNetwork mapping = s.components().get("mapping");
        TfNetwork synthesis = s.components().get("synthesis");
        if (mapping == null || synthesis == null || s.components().size() != 2) {
            throw new CheckpointException(file + ": " + net + " is not a StyleGAN2 generator (components "
                    + s.components().keySet() + ", expected mapping and synthesis)");
        }
        TfNetwork.State ms = mapping.state(file);
        TfNetwork.State ss = synthesis.state(file);
        Map<String, Object> all = collect(file, s, "", new LinkedHashMap<>());
        refuseProgressive(file, net, ss, all, "synthesis/lod");
        for (TfNetwork.State part : List.of(s, ms, ss)) {
            String where = net + (part == s ? "" : "/" + part.name());
            checkSettings(file, where, part.staticKwargs(), Set.of("architecture", "mapping_lrmul"));
        }
        for (String n : all.keySet()) {
            if (n.startsWith("mapping/Label")) {
                throw new CheckpointException(file + ": " + net + " is a conditional network (found " + n
                        + "); only unconditional networks are supported");
            }
        }
        Object arch = s.staticKwargs().getOrDefault("architecture", ss.staticKwargs().get("architecture"));
        if (arch != null && !"skip".equals(arch)) {
            throw new CheckpointException(file + ": " + net + " has the '" + Pickle.show(arch).replace("'", "")
                    + "' generator architecture; only 'skip' is supported");
        }
        Object lr = s.staticKwargs().getOrDefault("mapping_lrmul", ms.staticKwargs().get("mapping_lrmul"));
        lrMul[0] = lr instanceof Number n ? n.floatValue() : Checkpoints.DEFAULT_LR_MUL;
        if (lr == null) {
            notes.add("mapping lr multiplier not stored; using the TensorFlow default " + Checkpoints.DEFAULT_LR_MUL);
        }
        meta.put(net + ".mapping.lr_multiplier", Float.toString(lrMul[0]));
        Object clamp = s.staticKwargs().get("conv_clamp");
        if (clamp != null) {
            notes.add(net + " was trained with conv_clamp=" + Pickle.show(clamp)
                    + " (activation clamping), not applied here");
        }
        Object psi = s.staticKwargs().get("truncation_psi");
        if (psi instanceof Number p && p.doubleValue() != 1) {
            notes.add(net + " stores a default truncation_psi of " + p + " (not applied here; pass --truncation)");
        }

        Vars v = new Vars(file, net, all, budget);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        if (v.has("lod")) {
            v.take("lod", 0); // StyleGAN2's G_main keeps a lod variable the skip synthesis never reads
        }
        if (v.has("dlatent_avg")) {
            out.put(Layout.W_AVG, v.take("dlatent_avg", 1));
        }
        for (int i = 0; v.has("mapping/Dense" + i + "/weight"); i++) {
            out.put("mapping.fc" + i + ".weight", transpose2(v.take("mapping/Dense" + i + "/weight", 2)));
            out.put("mapping.fc" + i + ".bias", v.take("mapping/Dense" + i + "/bias", 1));
        }
        TreeSet<Integer> res = blocks(all, "synthesis/");
        if (res.isEmpty() || res.first() != 4) {
            throw new CheckpointException(file + ": " + net + " has no synthesis/4x4 block");
        }
        int top = res.last();
        for (int r : res) {
            boolean hasRgb = v.has("synthesis/" + r + "x" + r + "/ToRGB/weight");
            if (!hasRgb && r < top) {
                throw new CheckpointException(file + ": " + net + " has no ToRGB at " + r + "x" + r
                        + " (the 'orig' generator architecture); only 'skip' is supported");
            }
            if (v.has("synthesis/" + r + "x" + r + "/Skip/weight")) {
                throw new CheckpointException(file + ": " + net + " has synthesis/" + r + "x" + r + "/Skip/weight "
                        + "(the 'resnet' generator architecture); only 'skip' is supported");
            }
        }
        HostTensor cst = v.take("synthesis/4x4/Const/const", 4);
        if (cst.shape()[0] != 1) {
            throw new CheckpointException(file + ": " + net + " synthesis/4x4/Const/const has shape "
                    + cst.shapeString() + ", expected [1, C, 4, 4]");
        }
        out.put("synthesis.b4.const", cst.reshape(cst.shape()[1], cst.shape()[2], cst.shape()[3]));
        int layer = 0;
        for (int r : res) {
            String tf = "synthesis/" + r + "x" + r + "/";
            String b = "synthesis.b" + r + ".";
            if (r == 4) {
                styled(v, tf + "Conv/", b + "conv1.", false, out);
                noise(v, layer++, b + "conv1.", out);
            } else {
                styled(v, tf + "Conv0_up/", b + "conv0.", true, out);
                noise(v, layer++, b + "conv0.", out);
                styled(v, tf + "Conv1/", b + "conv1.", false, out);
                noise(v, layer++, b + "conv1.", out);
            }
            out.put(b + "torgb.weight", convWeight(v.take(tf + "ToRGB/weight", 4), false));
            out.put(b + "torgb.bias", v.take(tf + "ToRGB/bias", 1));
            out.put(b + "torgb.affine.weight", transpose2(v.take(tf + "ToRGB/mod_weight", 2)));
            out.put(b + "torgb.affine.bias", plusOne(v.take(tf + "ToRGB/mod_bias", 1)));
        }
        v.done();
        return out;
    }

    private static void styled(Vars v, String tf, String p, boolean flip, Map<String, HostTensor> out)
            throws CheckpointException {
        out.put(p + "weight", convWeight(v.take(tf + "weight", 4), flip));
        out.put(p + "bias", v.take(tf + "bias", 1));
        out.put(p + "affine.weight", transpose2(v.take(tf + "mod_weight", 2)));
        out.put(p + "affine.bias", plusOne(v.take(tf + "mod_bias", 1)));
        out.put(p + "noise_strength", v.take(tf + "noise_strength", 0));
    }

    private static void noise(Vars v, int layer, String p, Map<String, HostTensor> out) throws CheckpointException {
        String name = "synthesis/noise" + layer;
        HostTensor t = v.take(name, 4);
        if (t.shape()[0] != 1 || t.shape()[1] != 1) {
            throw new CheckpointException(v.file + ": " + v.net + " variable " + name + " has shape " + t.shapeString()
                    + ", expected [1, 1, R, R]");
        }
        out.put(p + "noise_const", t.reshape(t.shape()[2], t.shape()[3]));
    }

    // ------------------------------------------------------------------ discriminator

    private static Map<String, HostTensor> discriminator(String file, TfNetwork.State s, ReadBudget budget,
                                                         List<String> notes, Map<String, String> meta, int[] group)
            throws CheckpointException {
        String net = "D";
        if (!s.components().isEmpty()) {
            throw new CheckpointException(file + ": D has sub-networks " + s.components().keySet()
                    + " (a conditional or otherwise unsupported discriminator)");
        }
        Map<String, Object> all = collect(file, s, "", new LinkedHashMap<>());
        refuseProgressive(file, net, s, all, "lod");
        checkSettings(file, net, s.staticKwargs(), Set.of("architecture", "mbstd_group_size", "mbstd_num_features",
                "mapping_lrmul", "freeze_layers"));
        for (String n : all.keySet()) {
            if (n.startsWith("Label") || n.startsWith("Mapping")) {
                throw new CheckpointException(file + ": D is a conditional network (found " + n
                        + "); only unconditional networks are supported");
            }
        }
        Object arch = s.staticKwargs().get("architecture");
        if (arch != null && !"resnet".equals(arch)) {
            throw new CheckpointException(file + ": D has the '" + Pickle.show(arch).replace("'", "")
                    + "' discriminator architecture; only 'resnet' is supported");
        }
        Object gs = s.staticKwargs().get("mbstd_group_size");
        if (gs == null) {
            group[0] = Checkpoints.DEFAULT_MBSTD_GROUP;
            notes.add("minibatch-stddev group size not stored; using the TensorFlow default "
                    + Checkpoints.DEFAULT_MBSTD_GROUP);
        } else if (gs instanceof Long l && l > 1 && l <= Integer.MAX_VALUE) {
            group[0] = l.intValue();
        } else {
            throw new CheckpointException(file + ": D has mbstd_group_size = " + Pickle.show(gs)
                    + "; the engine's discriminator needs minibatch standard deviation (a group size above 1)");
        }
        meta.put("D.mbstd_group_size", Integer.toString(group[0]));

        Vars v = new Vars(file, net, all, budget);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        TreeSet<Integer> res = blocks(all, "");
        if (res.isEmpty() || res.first() != 4) {
            throw new CheckpointException(file + ": D has no 4x4 block");
        }
        int top = res.last();
        for (int r : res) {
            String tf = r + "x" + r + "/";
            if (v.has(tf + "FromRGB/weight") && r != top) {
                throw new CheckpointException(file + ": D has FromRGB at " + r + "x" + r
                        + " (the 'skip' discriminator architecture); only 'resnet' is supported");
            }
            if (r > 4 && !v.has(tf + "Skip/weight")) {
                throw new CheckpointException(file + ": D has no " + tf + "Skip/weight (the 'orig' discriminator "
                        + "architecture); only 'resnet' is supported");
            }
        }
        String t = top + "x" + top + "/";
        out.put("b" + top + ".fromrgb.weight", convWeight(v.take(t + "FromRGB/weight", 4), false));
        out.put("b" + top + ".fromrgb.bias", v.take(t + "FromRGB/bias", 1));
        for (int r : res.descendingSet()) {
            if (r == 4) {
                continue;
            }
            String tf = r + "x" + r + "/";
            String b = "b" + r + ".";
            out.put(b + "conv0.weight", convWeight(v.take(tf + "Conv0/weight", 4), false));
            out.put(b + "conv0.bias", v.take(tf + "Conv0/bias", 1));
            out.put(b + "conv1.weight", convWeight(v.take(tf + "Conv1_down/weight", 4), false));
            out.put(b + "conv1.bias", v.take(tf + "Conv1_down/bias", 1));
            out.put(b + "skip.weight", convWeight(v.take(tf + "Skip/weight", 4), false));
        }
        out.put("b4.conv.weight", convWeight(v.take("4x4/Conv/weight", 4), false));
        out.put("b4.conv.bias", v.take("4x4/Conv/bias", 1));
        out.put("b4.fc.weight", transpose2(v.take("4x4/Dense0/weight", 2)));
        out.put("b4.fc.bias", v.take("4x4/Dense0/bias", 1));
        HostTensor o = v.take("Output/weight", 2);
        if (o.shape()[1] != 1) {
            throw new CheckpointException(file + ": D is a conditional network (Output/weight has shape "
                    + o.shapeString() + ", one score per label); only unconditional networks are supported");
        }
        out.put("b4.out.weight", transpose2(o));
        out.put("b4.out.bias", v.take("Output/bias", 1));
        v.done();
        return out;
    }

    // ------------------------------------------------------------------ layouts

    /** [in, out] -> [out, in]. */
    static HostTensor transpose2(HostTensor t) {
        int a = (int) t.shape()[0];
        int b = (int) t.shape()[1];
        float[] src = t.values();
        float[] dst = new float[src.length];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                dst[j * a + i] = src[i * b + j];
            }
        }
        return new HostTensor(new long[] {b, a}, dst);
    }

    /** TF [kh, kw, in, out] -> [out, in, kh, kw], optionally flipped in both spatial axes. */
    static HostTensor convWeight(HostTensor t, boolean flip) {
        int kh = (int) t.shape()[0];
        int kw = (int) t.shape()[1];
        int ci = (int) t.shape()[2];
        int co = (int) t.shape()[3];
        float[] src = t.values();
        float[] dst = new float[src.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                int sy = flip ? kh - 1 - y : y;
                int sx = flip ? kw - 1 - x : x;
                for (int i = 0; i < ci; i++) {
                    for (int o = 0; o < co; o++) {
                        dst[((o * ci + i) * kh + y) * kw + x] = src[((sy * kw + sx) * ci + i) * co + o];
                    }
                }
            }
        }
        return new HostTensor(new long[] {co, ci, kh, kw}, dst);
    }

    /** TF modulation biases are stored without the +1 that PyTorch's affine bias carries. */
    private static HostTensor plusOne(HostTensor t) {
        float[] v = t.values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += 1f;
        }
        return new HostTensor(t.shape(), v);
    }
}
