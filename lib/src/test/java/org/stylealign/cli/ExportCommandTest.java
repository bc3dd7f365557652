package org.stylealign.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.io.HostTensor;
import org.stylealign.io.Npy;
import org.stylealign.model.Fixtures;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `stylealign export` end to end: the files it writes run in ONNX Runtime; bad options get clear errors. */
class ExportCommandTest {

    @Test
    void onnxExportWithTruncationReproducesTheReferenceImages(@TempDir Path tmp) throws Exception {
        Path ref = Fixtures.nvlabsRef();
        Path out = tmp.resolve("sub/G.onnx");
        CliTest.Result r = CliTest.run("export", "--checkpoint", Fixtures.nvlabsPickle().toString(), "--format", "onnx",
                "--out", out.toString(), "--truncation", "0.7");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("G.synthesis.onnx"), r.out());
        assertTrue(Files.isRegularFile(tmp.resolve("sub/G.synthesis.onnx")));
        HostTensor z = Npy.read(ref.resolve("z.npy"));
        HostTensor expected = Npy.read(ref.resolve("img_trunc.npy"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(out.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(z.values()), z.shape());
             OrtSession.Result res = s.run(Map.of("z", in))) {
            OnnxTensor img = (OnnxTensor) res.get("image").orElseThrow();
            float[] v = new float[expected.values().length];
            img.getFloatBuffer().get(v);
            assertTrue(CliTest.maxAbsDiff(expected, new HostTensor(expected.shape(), v)) <= 1e-4f);
        }
    }

    @Test
    void torchScriptExportAtALowerResolution(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("G16.pt");
        CliTest.Result r = CliTest.run("export", "--checkpoint", Fixtures.rosinality().toString(), "--format",
                "torchscript", "--out", out.toString(), "--res", "16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("16 px of 32"), r.out());
        byte[] head = new byte[2];
        try (var in = Files.newInputStream(out)) {
            assertEquals(2, in.read(head));
        }
        assertEquals("PK", new String(head, java.nio.charset.StandardCharsets.US_ASCII), "a zip archive");
    }

    @Test
    void badOptionsGetClearErrors(@TempDir Path tmp) throws Exception {
        String ck = Fixtures.rosinality().toString();
        String out = tmp.resolve("G.onnx").toString();
        CliTest.Result r = CliTest.run("export", "--checkpoint", ck, "--format", "keras", "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'--format': must be torchscript or onnx, got 'keras'"), r.err());
        r = CliTest.run("export", "--checkpoint", ck, "--format", "onnx", "--out", out, "--res", "64");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--res must be a power of two from 8 up to the model's 32, got 64"), r.err());
        r = CliTest.run("export", "--checkpoint", ck, "--format", "onnx", "--out", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is a folder"), r.err());
        r = CliTest.run("export", "--checkpoint", tmp.resolve("none.pt").toString(), "--format", "onnx", "--out", out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
        Path file = Files.writeString(tmp.resolve("plain.txt"), "x");
        r = CliTest.run("export", "--checkpoint", ck, "--format", "torchscript", "--out",
                file.resolve("G.pt").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("cannot create its folder"), r.err());
        assertFalse(Files.exists(tmp.resolve("G.onnx")), "nothing written on bad options");
    }
}
