package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stylealign.io.IoTestSupport.NV;
import static org.stylealign.io.IoTestSupport.ROS;
import static org.stylealign.io.IoTestSupport.bits;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.GeneratorConfig;

/** The three real fixtures import into canonical names with the shapes and configs the README describes. */
class FixtureImportTest {

    static ImportedCheckpoint ros;
    static ImportedCheckpoint nvPkl;
    static ImportedCheckpoint nvSd;

    @BeforeAll
    static void load() throws Exception {
        ros = Checkpoints.read(IoTestSupport.rosPt());
        nvPkl = Checkpoints.read(IoTestSupport.nvPkl());
        nvSd = Checkpoints.read(IoTestSupport.nvStateDict());
    }

    private static Map<String, long[]> withoutFilters(Map<String, long[]> m) {
        Map<String, long[]> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (!k.endsWith("resample_filter")) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static void assertShapes(Map<String, long[]> expected, Map<String, HostTensor> actual, String what) {
        assertEquals(new TreeMap<>(expected).keySet(), new TreeMap<>(actual).keySet(), what + " keys");
        expected.forEach((k, s) -> assertArrayEquals(s, actual.get(k).shape(), what + " " + k));
    }

    @Test
    void formatsAndParts() {
        assertEquals("rosinality", ros.format());
        assertEquals("nvlabs-pkl", nvPkl.format());
        assertEquals("state-dict", nvSd.format());
        assertNotNull(ros.g());
        assertNotNull(ros.d());
        assertNotNull(nvPkl.g());
        assertNotNull(nvPkl.d());
        assertNull(nvSd.g());
        assertNull(nvSd.d());
        assertNull(nvSd.discriminatorConfig());
        assertTrue(ros.hasWAvg());
        assertTrue(nvPkl.hasWAvg());
        assertTrue(nvSd.hasWAvg());
        assertEquals(IoTestSupport.rosPt(), ros.source());
    }

    @Test
    void nvlabsKeysAndShapesMatchMetaJson() throws Exception {
        Map<String, long[]> g = withoutFilters(IoTestSupport.metaShapes("ref-" + NV, "state_dict_G_ema"));
        Map<String, long[]> d = withoutFilters(IoTestSupport.metaShapes("ref-" + NV, "state_dict_D"));
        assertShapes(g, nvPkl.gEma(), "pkl G_ema");
        assertShapes(g, nvPkl.g(), "pkl G");
        assertShapes(g, nvSd.gEma(), "state_dict G_ema");
        assertShapes(d, nvPkl.d(), "pkl D");
        assertArrayEquals(new long[0], nvPkl.gEma().get("synthesis.b8.conv0.noise_strength").shape());
    }

    /** The docs/parameters.md rosinality table, applied to the meta.json key list independently of the importer. */
    private static Map<String, long[]> rosinalityCanonical(Map<String, long[]> src) {
        Map<String, long[]> out = new TreeMap<>();
        Pattern style = Pattern.compile("style\\.(\\d+)\\.(.*)");
        Pattern layer = Pattern.compile("(conv1|convs\\.(\\d+)|to_rgb1|to_rgbs\\.(\\d+))\\.(.*)");
        Pattern noise = Pattern.compile("noises\\.noise_(\\d+)");
        for (Map.Entry<String, long[]> e : src.entrySet()) {
            String k = e.getKey();
            long[] s = e.getValue();
            Matcher m;
            if (k.endsWith(".kernel")) {
                continue;
            }
            if ((m = style.matcher(k)).matches()) {
                out.put("mapping.fc" + (Integer.parseInt(m.group(1)) - 1) + "." + m.group(2), s);
            } else if (k.equals("input.input")) {
                out.put("synthesis.b4.const", Arrays.copyOfRange(s, 1, 4));
            } else if ((m = noise.matcher(k)).matches()) {
                int i = Integer.parseInt(m.group(1));
                String p = i == 0 ? "synthesis.b4.conv1" : "synthesis.b" + (1 << (3 + (i - 1) / 2)) + ".conv" + ((i - 1) % 2);
                out.put(p + ".noise_const", new long[] {s[2], s[3]});
            } else if ((m = layer.matcher(k)).matches()) {
                String p;
                if (m.group(1).equals("conv1")) {
                    p = "synthesis.b4.conv1";
                } else if (m.group(2) != null) {
                    int j = Integer.parseInt(m.group(2));
                    p = "synthesis.b" + (1 << (3 + j / 2)) + ".conv" + (j % 2);
                } else if (m.group(1).equals("to_rgb1")) {
                    p = "synthesis.b4.torgb";
                } else {
                    p = "synthesis.b" + (1 << (Integer.parseInt(m.group(3)) + 3)) + ".torgb";
                }
                switch (m.group(4)) {
                    case "conv.weight" -> out.put(p + ".weight", Arrays.copyOfRange(s, 1, s.length));
                    case "conv.modulation.weight" -> out.put(p + ".affine.weight", s);
                    case "conv.modulation.bias" -> out.put(p + ".affine.bias", s);
                    case "noise.weight" -> out.put(p + ".noise_strength", new long[0]);
                    case "activate.bias" -> out.put(p + ".bias", s);
                    case "bias" -> out.put(p + ".bias", new long[] {s[1]});
                    default -> throw new AssertionError("unmapped rosinality key " + k);
                }
            } else {
                throw new AssertionError("unmapped rosinality key " + k);
            }
        }
        return out;
    }

    @Test
    void rosinalityKeysAndShapesMatchMetaJson() throws Exception {
        Map<String, long[]> expected = rosinalityCanonical(IoTestSupport.metaShapes("ref-" + ROS, "state_dict_g_ema"));
        expected.put("mapping.w_avg", new long[] {64});
        assertShapes(expected, ros.gEma(), "rosinality g_ema");
        Map<String, long[]> g = new LinkedHashMap<>(expected);
        g.remove("mapping.w_avg");
        assertShapes(g, ros.g(), "rosinality g");
        // the discriminator has the same canonical layout as the NVlabs one, with 64 channels everywhere
        DiscriminatorConfig dc = ros.discriminatorConfig();
        assertShapes(Layout.expectedDiscriminator(dc), ros.d(), "rosinality d");
        assertArrayEquals(new long[] {64, 65, 3, 3}, ros.d().get("b4.conv.weight").shape());
        assertArrayEquals(new long[] {64, 3, 1, 1}, ros.d().get("b32.fromrgb.weight").shape());
    }

    @Test
    void rosinalityWAvgEqualsLatentAvg() throws Exception {
        HostTensor ref = Npy.read(IoTestSupport.fixtures().resolve("ref-" + ROS).resolve("latent_avg.npy"));
        assertArrayEquals(new long[] {1, 64}, ref.shape());
        assertArrayEquals(bits(ref.values()), bits(ros.gEma().get("mapping.w_avg").values()));
    }

    @Test
    void nvlabsWAvgEqualsReference() throws Exception {
        HostTensor ref = Npy.read(IoTestSupport.fixtures().resolve("ref-" + NV).resolve("w_avg.npy"));
        assertArrayEquals(bits(ref.values()), bits(nvPkl.gEma().get("mapping.w_avg").values()));
        assertArrayEquals(bits(ref.values()), bits(nvSd.gEma().get("mapping.w_avg").values()));
        // G and G_ema share w_avg but not weights (G_ema drifted)
        assertArrayEquals(bits(ref.values()), bits(nvPkl.g().get("mapping.w_avg").values()));
        assertFalse(Arrays.equals(bits(nvPkl.g().get("mapping.fc0.weight").values()),
                bits(nvPkl.gEma().get("mapping.fc0.weight").values())));
    }

    @Test
    void pickleAndStateDictHoldBitIdenticalTensors() {
        assertEquals(nvSd.gEma().keySet(), nvPkl.gEma().keySet());
        for (Map.Entry<String, HostTensor> e : nvSd.gEma().entrySet()) {
            HostTensor p = nvPkl.gEma().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), p.shape(), e.getKey());
            assertArrayEquals(bits(e.getValue().values()), bits(p.values()), e.getKey());
        }
    }

    @Test
    void inferredConfigsMatchReadme() {
        GeneratorConfig nv = new GeneratorConfig(32, 3, 64, 64, 4, 0.01f, Map.of(4, 64, 8, 64, 16, 64, 32, 32));
        assertEquals(nv, nvPkl.generatorConfig());
        assertEquals(nv, nvSd.generatorConfig());
        assertEquals(new DiscriminatorConfig(32, 3, Map.of(4, 64, 8, 64, 16, 64, 32, 32), 4, 1),
                nvPkl.discriminatorConfig());
        GeneratorConfig rc = new GeneratorConfig(32, 3, 64, 64, 4, 0.01f, Map.of(4, 64, 8, 64, 16, 64, 32, 64));
        assertEquals(rc, ros.generatorConfig());
        assertEquals(new DiscriminatorConfig(32, 3, Map.of(4, 64, 8, 64, 16, 64, 32, 64), 4, 1),
                ros.discriminatorConfig());
        assertEquals(8, nvPkl.generatorConfig().numWs());
        // attributes read from the pickle, not assumed
        assertEquals("0.995", nvPkl.metadata().get("G_ema.mapping.w_avg_beta"));
        assertEquals("0.01", nvPkl.metadata().get("G_ema.mapping.lr_multiplier"));
        assertEquals("4", nvPkl.metadata().get("D.mbstd_group_size"));
        assertEquals("stylegan2", ros.metadata().get("args.arch"));
    }

    private static final String[] LAYERS = {"b4.conv1", "b4.torgb", "b8.conv0", "b8.conv1", "b8.torgb",
            "b16.conv0", "b16.conv1", "b16.torgb", "b32.conv0", "b32.conv1", "b32.torgb"};

    /** w = mapping(z): pixel norm, then lrelu(x @ (W * lrMul / sqrt(in))^T + b * lrMul) * sqrt(2). */
    private static float[] mapping(ImportedCheckpoint c, float[] z) {
        GeneratorConfig cfg = c.generatorConfig();
        double ss = 0;
        for (float v : z) {
            ss += v * v;
        }
        double norm = 1 / Math.sqrt(ss / z.length + 1e-8);
        double[] x = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            x[i] = z[i] * norm;
        }
        for (int l = 0; l < cfg.mappingLayers(); l++) {
            HostTensor w = c.gEma().get("mapping.fc" + l + ".weight");
            HostTensor b = c.gEma().get("mapping.fc" + l + ".bias");
            int out = (int) w.shape()[0];
            int in = (int) w.shape()[1];
            double gain = cfg.mappingLrMul() / Math.sqrt(in);
            double[] y = new double[out];
            for (int o = 0; o < out; o++) {
                double acc = b.values()[o] * cfg.mappingLrMul();
                for (int i = 0; i < in; i++) {
                    acc += x[i] * w.values()[o * in + i] * gain;
                }
                y[o] = (acc < 0 ? 0.2 * acc : acc) * Math.sqrt(2);
            }
            x = y;
        }
        float[] r = new float[x.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) x[i];
        }
        return r;
    }

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol, what + "[" + i + "]");
        }
    }

    private static void checkValues(ImportedCheckpoint c, String ref) throws Exception {
        var dir = IoTestSupport.fixtures().resolve(ref);
        HostTensor z = Npy.read(dir.resolve("z.npy"));
        HostTensor w = Npy.read(dir.resolve("w.npy"));
        int zd = (int) z.shape()[1];
        int wd = (int) w.shape()[1];
        for (int n = 0; n < z.shape()[0]; n++) {
            float[] got = mapping(c, Arrays.copyOfRange(z.values(), n * zd, (n + 1) * zd));
            assertClose(Arrays.copyOfRange(w.values(), n * wd, (n + 1) * wd), got, 1e-4, ref + " w");
        }
        float[] w0 = Arrays.copyOf(w.values(), wd);
        for (int i = 0; i < LAYERS.length; i++) {
            HostTensor aw = c.gEma().get("synthesis." + LAYERS[i] + ".affine.weight");
            HostTensor ab = c.gEma().get("synthesis." + LAYERS[i] + ".affine.bias");
            int cin = (int) aw.shape()[0];
            float[] s = new float[cin];
            for (int o = 0; o < cin; o++) {
                double acc = ab.values()[o];
                for (int j = 0; j < wd; j++) {
                    acc += w0[j] * aw.values()[o * wd + j] / Math.sqrt(wd);
                }
                s[o] = (float) acc;
            }
            HostTensor sref = Npy.read(dir.resolve(String.format("s_%02d.npy", i)));
            assertClose(sref.values(), s, 1e-4, ref + " s_" + i + " " + LAYERS[i]);
        }
    }

    @Test
    void mappingAndStylesReproduceReferences() throws Exception {
        checkValues(ros, "ref-" + ROS);
        checkValues(nvPkl, "ref-" + NV);
    }

    @Test
    void rosinalityParts() {
        assertEquals(1, ros.gEma().get("synthesis.b4.conv1.noise_strength").size());
        assertEquals(3, ros.gEma().get("synthesis.b32.torgb.bias").size());
        // g and g_ema differ (EMA drift), both translated
        assertFalse(Arrays.equals(bits(ros.g().get("synthesis.b8.conv0.weight").values()),
                bits(ros.gEma().get("synthesis.b8.conv0.weight").values())));
    }
}
