package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stylealign.io.IoTestSupport.bits;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.io.TfPickleWriter.Net;
import org.stylealign.io.TfPickleWriter.Raw;
import org.stylealign.io.TfPickleWriter.Triple;

/**
 * NVlabs TensorFlow pickles: the real-format fixture imports to exactly the tensors of the NVlabs PyTorch pickle it
 * was made from; state versions 4 and 5 at protocols 2-4 read the same; what the engine cannot run is refused by
 * name; hostile globals and build_module_src never run.
 */
class TfPickleTest {

    @TempDir
    Path tmp;

    static ImportedCheckpoint tf;
    static ImportedCheckpoint nv;
    static Net[] nets;

    @BeforeAll
    static void load() throws Exception {
        tf = Checkpoints.read(IoTestSupport.tfPkl());
        nv = Checkpoints.read(IoTestSupport.nvPkl());
        nets = TfPickleWriter.readFixture(IoTestSupport.tfPkl());
    }

    private static void assertSameTensors(Map<String, HostTensor> expected, Map<String, HostTensor> actual,
                                          String what) {
        assertEquals(new TreeMap<>(expected).keySet(), new TreeMap<>(actual).keySet(), what + " keys");
        for (Map.Entry<String, HostTensor> e : expected.entrySet()) {
            HostTensor a = actual.get(e.getKey());
            assertArrayEquals(e.getValue().shape(), a.shape(), what + " " + e.getKey() + " shape");
            assertArrayEquals(bits(e.getValue().values()), bits(a.values()), what + " " + e.getKey() + " values");
        }
    }

    @Test
    void fixtureImportsToTheNvlabsTensorsBitForBit() {
        assertEquals("nvlabs-tf-pkl", tf.format());
        assertEquals(nv.generatorConfig(), tf.generatorConfig());
        assertEquals(nv.discriminatorConfig(), tf.discriminatorConfig());
        assertSameTensors(nv.gEma(), tf.gEma(), "Gs vs G_ema");
        assertSameTensors(nv.g(), tf.g(), "G");
        assertSameTensors(nv.d(), tf.d(), "D");
        assertTrue(tf.notes().stream().anyMatch(n -> n.contains("build_module_src") && n.contains("not run")),
                tf.notes().toString());
    }

    @Test
    void theLayoutConversionIsNotTheIdentity() {
        // the checks above must be able to fail: a flipped up-sampling kernel or a missing +1 changes the values
        HostTensor w = tf.gEma().get("synthesis.b8.conv0.weight");
        HostTensor flipped = TensorFlowPickles.convWeight(TensorFlowPickles.convWeight(
                new HostTensor(new long[] {3, 3, 64, 64}, w.values()), true), false);
        assertFalse(Arrays.equals(bits(w.values()), bits(flipped.values())));
        float[] tfBias = ((HostTensor) nets[2].allVariables().get("synthesis/8x8/Conv1/mod_bias")).values();
        float[] bias = tf.gEma().get("synthesis.b8.conv1.affine.bias").values();
        assertEquals(tfBias[0] + 1f, bias[0]);
    }

    private Path write(String name, Object top, int protocol) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, TfPickleWriter.write(top, protocol));
        return f;
    }

    /** StyleGAN2 (version 4) files: no shape/name lists, a 0-d lod variable in G and Gs. */
    private static Net version4(Net n, boolean generator) {
        Net c = n.copy();
        c.version = 4;
        c.components.values().forEach(x -> x.version = 4);
        if (generator) {
            c.variables.put("lod", 0f);
        }
        return c;
    }

    @Test
    void versionsFourAndFiveAtProtocolsTwoToFourReadTheSame() throws Exception {
        for (int protocol = 2; protocol <= 4; protocol++) {
            for (int version = 4; version <= 5; version++) {
                Triple t = version == 5 ? new Triple(nets[0], nets[1], nets[2])
                        : new Triple(version4(nets[0], true), version4(nets[1], false), version4(nets[2], true));
                String what = "protocol " + protocol + " version " + version;
                ImportedCheckpoint c = Checkpoints.read(write("v" + version + "p" + protocol + ".pkl", t, protocol));
                assertEquals("nvlabs-tf-pkl", c.format(), what);
                assertSameTensors(tf.gEma(), c.gEma(), what + " Gs");
                assertSameTensors(tf.g(), c.g(), what + " G");
                assertSameTensors(tf.d(), c.d(), what + " D");
                assertEquals(tf.discriminatorConfig(), c.discriminatorConfig(), what);
            }
        }
    }

    @Test
    void storedSettingsAreUsed() throws Exception {
        Net gs = nets[2].copy();
        gs.kwargs.put("mapping_lrmul", 0.02);
        gs.kwargs.put("truncation_psi", 0.5);
        Net d = nets[1].copy();
        d.kwargs.put("mbstd_group_size", 2L);
        ImportedCheckpoint c = Checkpoints.read(variant("settings.pkl", nets[0], d, gs));
        assertEquals(0.02f, c.generatorConfig().mappingLrMul());
        assertEquals(2, c.discriminatorConfig().mbstdGroup());
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("truncation_psi of 0.5")), c.notes().toString());
        assertEquals(0.01f, tf.generatorConfig().mappingLrMul());
    }

    @Test
    void gsAloneIsAGenerator() throws Exception {
        ImportedCheckpoint c = Checkpoints.read(write("gs.pkl", nets[2], 3));
        assertSameTensors(tf.gEma(), c.gEma(), "Gs alone");
        assertNull(c.g());
        assertNull(c.d());
    }

    private CheckpointException refused(Path f, String... words) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
        }
        return e;
    }

    private Path variant(String name, Net g, Net d, Net gs) throws Exception {
        return write(name, new Triple(g, d, gs), 4);
    }

    @Test
    void conditionalNetworksAreRefused() throws Exception {
        Net gs = nets[2].copy();
        gs.kwargs.put("label_size", 10L);
        refused(variant("cond-kwarg.pkl", nets[0], nets[1], gs), "conditional", "label_size = 10");
        Net gs2 = nets[2].copy();
        gs2.components.get("mapping").variables.put("LabelEmbed/weight", new HostTensor(new long[] {10, 64},
                new float[640]));
        refused(variant("cond-embed.pkl", nets[0], nets[1], gs2), "conditional", "mapping/LabelEmbed/weight");
        Net d = nets[1].copy();
        d.variables.put("Output/weight", new HostTensor(new long[] {64, 10}, new float[640]));
        refused(variant("cond-d.pkl", nets[0], d, nets[2]), "conditional", "Output/weight");
    }

    @Test
    void progressiveGrowingIsRefused() throws Exception {
        Net gs = nets[2].copy();
        Net syn = gs.components.get("synthesis");
        syn.variables.put("lod", 0f);
        syn.func = "G_synthesis_stylegan_revised";
        refused(variant("pg-lod.pkl", nets[0], nets[1], gs), "progressive", "synthesis/lod");
        Net gs2 = nets[2].copy();
        Net syn2 = gs2.components.get("synthesis");
        Object rgb = syn2.variables.remove("32x32/ToRGB/weight");
        syn2.variables.put("ToRGB_lod0/weight", rgb);
        refused(variant("pg-torgb.pkl", nets[0], nets[1], gs2), "progressive", "ToRGB_lod0");
        Net d = nets[1].copy();
        d.variables.put("FromRGB_lod1/weight", d.variables.get("32x32/FromRGB/weight"));
        refused(variant("pg-d.pkl", nets[0], d, nets[2]), "progressive", "FromRGB_lod1");
    }

    @Test
    void architecturesTheEngineCannotRunAreRefused() throws Exception {
        Net orig = nets[2].copy();
        orig.kwargs.put("architecture", "orig");
        refused(variant("orig-kwarg.pkl", nets[0], nets[1], orig), "'orig'", "only 'skip'");
        Net orig2 = nets[2].copy();
        for (String k : List.of("weight", "bias", "mod_weight", "mod_bias")) {
            orig2.components.get("synthesis").variables.remove("8x8/ToRGB/" + k);
        }
        refused(variant("orig-vars.pkl", nets[0], nets[1], orig2), "no ToRGB at 8x8", "'orig'");
        Net resnet = nets[2].copy();
        resnet.components.get("synthesis").variables.put("16x16/Skip/weight",
                new HostTensor(new long[] {1, 1, 64, 64}, new float[4096]));
        refused(variant("resnet-g.pkl", nets[0], nets[1], resnet), "16x16/Skip/weight", "'resnet'");
        Net skipD = nets[1].copy();
        skipD.kwargs.put("architecture", "skip");
        refused(variant("skip-d.pkl", nets[0], skipD, nets[2]), "'skip' discriminator", "only 'resnet'");
        Net origD = nets[1].copy();
        origD.variables.remove("16x16/Skip/weight");
        refused(variant("orig-d.pkl", nets[0], origD, nets[2]), "16x16/Skip/weight", "'orig'");
    }

    @Test
    void unknownSettingsVersionsAndVariablesAreRefused() throws Exception {
        Net gs = nets[2].copy();
        gs.kwargs.put("mystery_option", 3L);
        refused(variant("kwarg.pkl", nets[0], nets[1], gs), "mystery_option = 3");
        Net act = nets[2].copy();
        act.components.get("synthesis").kwargs.put("nonlinearity", "relu");
        refused(variant("relu.pkl", nets[0], nets[1], act), "nonlinearity = 'relu'");
        Net v6 = nets[2].copy();
        v6.version = 6;
        refused(variant("v6.pkl", nets[0], nets[1], v6), "state version 6");
        Net extra = nets[2].copy();
        extra.components.get("synthesis").variables.put("4x4/Extra/weight", 1f);
        refused(variant("extra.pkl", nets[0], nets[1], extra), "4x4/Extra/weight");
        Net wrong = nets[2].copy();
        wrong.components.get("mapping").variables.put("Dense1/weight", new HostTensor(new long[] {64}, new float[64]));
        refused(variant("rank.pkl", nets[0], nets[1], wrong), "mapping/Dense1/weight", "expected rank 2");
    }

    // ------------------------------------------------------------------ hostile files

    private static Raw call(String module, String name, String arg) {
        byte[] a = arg.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(("c" + module + "\n" + name + "\n(X").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(a.length).array());
        b.writeBytes(a);
        b.writeBytes("tR".getBytes(StandardCharsets.US_ASCII));
        return new Raw(b.toByteArray());
    }

    @Test
    void networksReferencingOtherGlobalsAreRefusedAndNothingRuns() throws Exception {
        Path marker = tmp.resolve("pwned");
        String[][] globals = {{"os", "system"}, {"posix", "system"}, {"builtins", "exec"}, {"builtins", "eval"},
            {"subprocess", "getoutput"}};
        for (String[] g : globals) {
            String payload = g[0].equals("builtins") ? "open('" + marker + "', 'w').write('x')" : "touch " + marker;
            // as a variable's value, as a static kwarg, and as the build_module_src itself
            Net gs = nets[2].copy();
            gs.components.get("synthesis").variables.put("noise0", call(g[0], g[1], payload));
            Net d = nets[1].copy();
            d.kwargs.put("mbstd_group_size", call(g[0], g[1], payload));
            for (Object top : List.of(new Triple(nets[0], nets[1], gs), new Triple(nets[0], d, nets[2]))) {
                Path f = write(g[1] + ".pkl", top, 3);
                UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> Checkpoints.read(f));
                assertEquals(g[0] + "." + g[1], e.global());
                assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            }
        }
        assertFalse(Files.exists(marker), "a payload ran");
    }

    @Test
    void buildModuleSourceIsNeverRun() throws Exception {
        Path marker = tmp.resolve("src-ran");
        String src = "import os\nprint('build_module_src ran')\nopen(" + "'" + marker + "', 'w').write('x')\n"
                + "os.system('touch " + marker + "')\n";
        Net gs = nets[2].copy();
        gs.src = src;
        gs.components.values().forEach(c -> c.src = src);
        Net g = nets[0].copy();
        g.src = src;
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        ImportedCheckpoint c;
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            c = Checkpoints.read(variant("src.pkl", g, nets[1], gs));
        } finally {
            System.setOut(stdout);
        }
        assertSameTensors(tf.gEma(), c.gEma(), "Gs with a hostile build_module_src");
        assertTrue(c.notes().stream().anyMatch(n -> n.contains(src.length() + " characters")), c.notes().toString());
        assertFalse(captured.toString(StandardCharsets.UTF_8).contains("ran"));
        assertFalse(Files.exists(marker), "build_module_src ran");
        // exec(build_module_src) spelled out in the pickle is a global like any other
        Net evil = nets[2].copy();
        evil.kwargs.put("dtype", call("builtins", "exec", src));
        UnsafePickleException e = assertThrows(UnsafePickleException.class,
                () -> Checkpoints.read(variant("exec.pkl", nets[0], nets[1], evil)));
        assertEquals("builtins.exec", e.global());
        assertFalse(Files.exists(marker));
    }

    @Test
    void truncatedFilesGetAClearError() throws Exception {
        byte[] all = Files.readAllBytes(IoTestSupport.tfPkl());
        for (int cut : new int[] {1, 2, 40, 1000, all.length / 3, all.length / 2, all.length - 2, all.length - 1}) {
            Path f = tmp.resolve("cut" + cut + ".pkl");
            Files.write(f, Arrays.copyOf(all, cut));
            CheckpointException e = refused(f);
            assertTrue(e.getMessage().contains("truncated") || cut < 3, e.getMessage());
        }
    }

    @Test
    void gAndDAreKept() {
        assertNotNull(tf.g());
        assertNotNull(tf.d());
        assertEquals(4, tf.discriminatorConfig().mbstdGroup());
    }
}
