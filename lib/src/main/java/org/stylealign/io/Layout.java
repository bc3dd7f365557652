package org.stylealign.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.GeneratorConfig;

/**
 * The canonical StyleGAN2 tensor layout (docs/parameters.md): expected names and shapes for a config,
 * architecture inference from tensors, the rosinality translation, and blur-filter checks.
 */
final class Layout {

    static final String W_AVG = "mapping.w_avg";

    private Layout() {
    }

    // ------------------------------------------------------------------ expected shapes

    static Map<String, long[]> expectedGenerator(GeneratorConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        int w = c.wDim();
        for (int i = 0; i < c.mappingLayers(); i++) {
            m.put("mapping.fc" + i + ".weight", new long[] {w, i == 0 ? c.zDim() : w});
            m.put("mapping.fc" + i + ".bias", new long[] {w});
        }
        m.put(W_AVG, new long[] {w});
        m.put("synthesis.b4.const", new long[] {c.channelsAt(4), 4, 4});
        for (int r = 4; r <= c.resolution(); r *= 2) {
            String b = "synthesis.b" + r + ".";
            int cr = c.channelsAt(r);
            if (r > 4) {
                styledConv(m, b + "conv0.", c.channelsAt(r / 2), cr, w, r);
            }
            styledConv(m, b + "conv1.", cr, cr, w, r);
            m.put(b + "torgb.weight", new long[] {c.imageChannels(), cr, 1, 1});
            m.put(b + "torgb.bias", new long[] {c.imageChannels()});
            m.put(b + "torgb.affine.weight", new long[] {cr, w});
            m.put(b + "torgb.affine.bias", new long[] {cr});
        }
        return m;
    }

    private static void styledConv(Map<String, long[]> m, String p, int cin, int cout, int w, int r) {
        m.put(p + "weight", new long[] {cout, cin, 3, 3});
        m.put(p + "bias", new long[] {cout});
        m.put(p + "affine.weight", new long[] {cin, w});
        m.put(p + "affine.bias", new long[] {cin});
        m.put(p + "noise_strength", new long[] {});
        m.put(p + "noise_const", new long[] {r, r});
    }

    static Map<String, long[]> expectedDiscriminator(DiscriminatorConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        int res = c.resolution();
        m.put("b" + res + ".fromrgb.weight", new long[] {c.channelsAt(res), c.imageChannels(), 1, 1});
        m.put("b" + res + ".fromrgb.bias", new long[] {c.channelsAt(res)});
        for (int r = res; r >= 8; r /= 2) {
            int cr = c.channelsAt(r);
            int co = c.channelsAt(r / 2);
            m.put("b" + r + ".conv0.weight", new long[] {cr, cr, 3, 3});
            m.put("b" + r + ".conv0.bias", new long[] {cr});
            m.put("b" + r + ".conv1.weight", new long[] {co, cr, 3, 3});
            m.put("b" + r + ".conv1.bias", new long[] {co});
            m.put("b" + r + ".skip.weight", new long[] {co, cr, 1, 1});
        }
        int c4 = c.channelsAt(4);
        m.put("b4.conv.weight", new long[] {c4, c4 + c.mbstdChannels(), 3, 3});
        m.put("b4.conv.bias", new long[] {c4});
        m.put("b4.fc.weight", new long[] {c4, c4 * 16L});
        m.put("b4.fc.bias", new long[] {c4});
        m.put("b4.out.weight", new long[] {1, c4});
        m.put("b4.out.bias", new long[] {1});
        return m;
    }

    /** Every expected key with the expected shape, nothing else (keys in {@code optional} may be absent). */
    static void validate(String file, String group, Map<String, HostTensor> t, Map<String, long[]> expected,
                         Set<String> optional) throws CheckpointException {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            HostTensor x = t.get(e.getKey());
            if (x == null) {
                if (!optional.contains(e.getKey())) {
                    problems.add("missing " + e.getKey() + " " + Arrays.toString(e.getValue()));
                }
            } else if (!Arrays.equals(x.shape(), e.getValue())) {
                problems.add(e.getKey() + " has shape " + x.shapeString() + ", expected "
                        + Arrays.toString(e.getValue()));
            }
        }
        for (String k : t.keySet()) {
            if (!expected.containsKey(k)) {
                problems.add("unexpected " + k + " " + t.get(k).shapeString());
            }
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 12);
            throw new CheckpointException(file + ": " + group + " does not match the StyleGAN2 layout: "
                    + String.join("; ", problems.subList(0, shown))
                    + (problems.size() > shown ? "; ... (" + problems.size() + " problems)" : ""));
        }
    }

    // ------------------------------------------------------------------ inference

    private static long[] shape(String file, String group, Map<String, HostTensor> t, String key, int rank)
            throws CheckpointException {
        HostTensor x = t.get(key);
        if (x == null) {
            throw new CheckpointException(file + ": " + group + " has no " + key + " (cannot infer the architecture)");
        }
        if (x.rank() != rank) {
            throw new CheckpointException(file + ": " + group + " " + key + " has shape " + x.shapeString()
                    + ", expected rank " + rank);
        }
        return x.shape();
    }

    static GeneratorConfig inferGenerator(String file, String group, Map<String, HostTensor> t, float lrMul)
            throws CheckpointException {
        int layers = 0;
        while (t.containsKey("mapping.fc" + layers + ".weight")) {
            layers++;
        }
        long[] fc0 = shape(file, group, t, "mapping.fc0.weight", 2);
        int res = 4;
        while (t.containsKey("synthesis.b" + (res * 2) + ".conv1.weight")) {
            res *= 2;
        }
        Map<Integer, Integer> ch = new TreeMap<>();
        ch.put(4, (int) shape(file, group, t, "synthesis.b4.const", 3)[0]);
        for (int r = 8; r <= res; r *= 2) {
            ch.put(r, (int) shape(file, group, t, "synthesis.b" + r + ".conv1.weight", 4)[0]);
        }
        int img = (int) shape(file, group, t, "synthesis.b" + res + ".torgb.weight", 4)[0];
        try {
            return new GeneratorConfig(res, img, (int) fc0[1], (int) fc0[0], layers, lrMul, ch);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + group + " is not a supported generator: " + e.getMessage());
        }
    }

    static DiscriminatorConfig inferDiscriminator(String file, String group, Map<String, HostTensor> t,
                                                  int mbstdGroup) throws CheckpointException {
        int res = 0;
        for (int r = 4; r <= 1 << 16; r *= 2) {
            if (t.containsKey("b" + r + ".fromrgb.weight")) {
                res = r;
            }
        }
        if (res == 0) {
            throw new CheckpointException(file + ": " + group + " has no b<R>.fromrgb.weight (not a residual "
                    + "StyleGAN2 discriminator)");
        }
        int img = (int) shape(file, group, t, "b" + res + ".fromrgb.weight", 4)[1];
        Map<Integer, Integer> ch = new TreeMap<>();
        for (int r = res; r >= 8; r /= 2) {
            ch.put(r, (int) shape(file, group, t, "b" + r + ".conv0.weight", 4)[0]);
        }
        long[] conv = shape(file, group, t, "b4.conv.weight", 4);
        ch.put(4, (int) conv[0]);
        int mbstd = (int) (conv[1] - conv[0]);
        try {
            return new DiscriminatorConfig(res, img, ch, mbstdGroup, mbstd);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + group + " is not a supported discriminator: "
                    + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ blur filters

    private static final double[] FIR = {1, 3, 3, 1};

    /** Accepts the standard [1,3,3,1] filter in any scale (NVlabs sums to 1, rosinality to 1 or 4). */
    static void checkFir(String file, String key, HostTensor t) throws CheckpointException {
        boolean ok = t.rank() == 2 && t.shape()[0] == 4 && t.shape()[1] == 4;
        if (ok) {
            double sum = 0;
            for (float v : t.values()) {
                sum += v;
            }
            for (int i = 0; i < 4 && ok; i++) {
                for (int j = 0; j < 4; j++) {
                    double want = FIR[i] * FIR[j] / 64.0 * sum;
                    if (sum == 0 || Math.abs(t.values()[i * 4 + j] - want) > 1e-5 * Math.abs(sum)) {
                        ok = false;
                        break;
                    }
                }
            }
        }
        if (!ok) {
            throw new CheckpointException(file + ": " + key + " " + t.shapeString()
                    + " is not the standard [1,3,3,1] blur filter, which is the only one supported");
        }
    }

    /** Checks and removes NVlabs resample_filter buffers. */
    static Map<String, HostTensor> dropNvlabsFilters(String file, String group, Map<String, HostTensor> in)
            throws CheckpointException {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : in.entrySet()) {
            if (e.getKey().equals("resample_filter") || e.getKey().endsWith(".resample_filter")) {
                checkFir(file, group + "." + e.getKey(), e.getValue());
            } else {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ rosinality translation

    private static final Pattern G_STYLE = Pattern.compile("style\\.(\\d{1,4})\\.(weight|bias)");
    private static final Pattern G_CONVS = Pattern.compile("convs\\.(\\d{1,4})\\.(.+)");
    private static final Pattern G_TORGBS = Pattern.compile("to_rgbs\\.(\\d{1,4})\\.(.+)");
    private static final Pattern G_NOISE = Pattern.compile("noises\\.noise_(\\d{1,4})");

    /** rosinality Generator state_dict -> canonical names (filters checked and dropped). */
    static Map<String, HostTensor> rosinalityGenerator(String file, String group, Map<String, HostTensor> src)
            throws CheckpointException {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, HostTensor> e : src.entrySet()) {
            String k = e.getKey();
            HostTensor t = e.getValue();
            String where = group + "." + k;
            Matcher m;
            if ((m = G_STYLE.matcher(k)).matches()) {
                int i = Integer.parseInt(m.group(1));
                if (i < 1) {
                    unknown.add(k);
                    continue;
                }
                out.put("mapping.fc" + (i - 1) + "." + m.group(2), t);
            } else if (k.equals("input.input")) {
                out.put("synthesis.b4.const", squeeze0(file, where, t, 4));
            } else if (k.startsWith("conv1.")) {
                styled(file, where, out, "synthesis.b4.conv1.", k.substring(6), t, unknown, k);
            } else if ((m = G_CONVS.matcher(k)).matches()) {
                int j = Integer.parseInt(m.group(1));
                styled(file, where, out, "synthesis.b" + (1 << (3 + j / 2)) + ".conv" + (j % 2) + ".", m.group(2),
                        t, unknown, k);
            } else if (k.startsWith("to_rgb1.")) {
                torgb(file, where, out, "synthesis.b4.torgb.", k.substring(8), t, unknown, k);
            } else if ((m = G_TORGBS.matcher(k)).matches()) {
                int j = Integer.parseInt(m.group(1));
                torgb(file, where, out, "synthesis.b" + (1 << (j + 3)) + ".torgb.", m.group(2), t, unknown, k);
            } else if ((m = G_NOISE.matcher(k)).matches()) {
                int i = Integer.parseInt(m.group(1));
                String layer = i == 0 ? "synthesis.b4.conv1."
                        : "synthesis.b" + (1 << (3 + (i - 1) / 2)) + ".conv" + ((i - 1) % 2) + ".";
                if (t.rank() != 4 || t.shape()[0] != 1 || t.shape()[1] != 1) {
                    throw new CheckpointException(file + ": " + where + " has shape " + t.shapeString()
                            + ", expected [1, 1, R, R]");
                }
                out.put(layer + "noise_const", t.reshape(t.shape()[2], t.shape()[3]));
            } else {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new CheckpointException(file + ": " + group + " has keys that are not part of a rosinality "
                    + "StyleGAN2 generator: " + String.join(", ", unknown.subList(0, Math.min(12, unknown.size()))));
        }
        return out;
    }

    private static void styled(String file, String where, Map<String, HostTensor> out, String p, String sub,
                               HostTensor t, List<String> unknown, String key) throws CheckpointException {
        switch (sub) {
            case "conv.weight" -> out.put(p + "weight", squeeze0(file, where, t, 5));
            case "conv.modulation.weight" -> out.put(p + "affine.weight", t);
            case "conv.modulation.bias" -> out.put(p + "affine.bias", t);
            case "noise.weight" -> {
                if (t.size() != 1) {
                    throw new CheckpointException(file + ": " + where + " has shape " + t.shapeString()
                            + ", expected [1]");
                }
                out.put(p + "noise_strength", t.reshape());
            }
            case "activate.bias" -> out.put(p + "bias", t);
            case "conv.blur.kernel" -> checkFir(file, where, t);
            default -> unknown.add(key);
        }
    }

    private static void torgb(String file, String where, Map<String, HostTensor> out, String p, String sub,
                              HostTensor t, List<String> unknown, String key) throws CheckpointException {
        switch (sub) {
            case "conv.weight" -> out.put(p + "weight", squeeze0(file, where, t, 5));
            case "conv.modulation.weight" -> out.put(p + "affine.weight", t);
            case "conv.modulation.bias" -> out.put(p + "affine.bias", t);
            case "bias" -> {
                if (t.rank() != 4 || t.shape()[0] != 1 || t.shape()[2] != 1 || t.shape()[3] != 1) {
                    throw new CheckpointException(file + ": " + where + " has shape " + t.shapeString()
                            + ", expected [1, C, 1, 1]");
                }
                out.put(p + "bias", t.reshape(t.shape()[1]));
            }
            case "upsample.kernel" -> checkFir(file, where, t);
            default -> unknown.add(key);
        }
    }

    private static HostTensor squeeze0(String file, String where, HostTensor t, int rank) throws CheckpointException {
        if (t.rank() != rank || t.shape()[0] != 1) {
            throw new CheckpointException(file + ": " + where + " has shape " + t.shapeString() + ", expected rank "
                    + rank + " with a leading 1");
        }
        return t.reshape(Arrays.copyOfRange(t.shape(), 1, rank));
    }

    private static final Pattern D_BLOCK = Pattern.compile("convs\\.(\\d{1,2})\\.(.+)");

    /** rosinality Discriminator state_dict -> canonical names (filters checked and dropped). */
    static Map<String, HostTensor> rosinalityDiscriminator(String file, String group, Map<String, HostTensor> src)
            throws CheckpointException {
        int last = 0;
        for (String k : src.keySet()) {
            Matcher m = D_BLOCK.matcher(k);
            if (m.matches()) {
                last = Math.max(last, Integer.parseInt(m.group(1)));
            }
        }
        if (last < 1) {
            throw new CheckpointException(file + ": " + group + " has no residual blocks convs.<j> (j >= 1)");
        }
        long res = 8L << (last - 1);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, HostTensor> e : src.entrySet()) {
            String k = e.getKey();
            HostTensor t = e.getValue();
            Matcher m = D_BLOCK.matcher(k);
            String canon = null;
            if (m.matches()) {
                int j = Integer.parseInt(m.group(1));
                String sub = m.group(2);
                if (j == 0) {
                    canon = switch (sub) {
                        case "0.weight" -> "b" + res + ".fromrgb.weight";
                        case "1.bias" -> "b" + res + ".fromrgb.bias";
                        default -> null;
                    };
                } else {
                    String b = "b" + (res >> (j - 1)) + ".";
                    if (sub.equals("conv2.0.kernel") || sub.equals("skip.0.kernel")) {
                        checkFir(file, group + "." + k, t);
                        continue;
                    }
                    canon = switch (sub) {
                        case "conv1.0.weight" -> b + "conv0.weight";
                        case "conv1.1.bias" -> b + "conv0.bias";
                        case "conv2.1.weight" -> b + "conv1.weight";
                        case "conv2.2.bias" -> b + "conv1.bias";
                        case "skip.1.weight" -> b + "skip.weight";
                        default -> null;
                    };
                }
            } else {
                canon = switch (k) {
                    case "final_conv.0.weight" -> "b4.conv.weight";
                    case "final_conv.1.bias" -> "b4.conv.bias";
                    case "final_linear.0.weight" -> "b4.fc.weight";
                    case "final_linear.0.bias" -> "b4.fc.bias";
                    case "final_linear.1.weight" -> "b4.out.weight";
                    case "final_linear.1.bias" -> "b4.out.bias";
                    default -> null;
                };
            }
            if (canon == null) {
                unknown.add(k);
            } else {
                out.put(canon, t);
            }
        }
        if (!unknown.isEmpty()) {
            throw new CheckpointException(file + ": " + group + " has keys that are not part of a rosinality "
                    + "StyleGAN2 discriminator: " + String.join(", ", unknown.subList(0, Math.min(12, unknown.size()))));
        }
        return out;
    }
}
