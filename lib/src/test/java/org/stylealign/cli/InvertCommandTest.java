package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.apps.Encoder;
import org.stylealign.apps.Inversion;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ModelIO;
import org.stylealign.io.Npy;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `stylealign invert --encoder` on the shipped parent P and its encoder. */
class InvertCommandTest {

    static final Path MODELS = Path.of("..", "models");
    static final Path P = MODELS.resolve("P.safetensors"), ENCODER = MODELS.resolve("encoder-P.safetensors");

    @Test
    void theEncodersAnswerInZPlusIsTheLibrarys(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src.npy"), lat = dir.resolve("z.npy"), rec = dir.resolve("rec.npy");
        assertEquals(0, CliTest.run("render", "--checkpoint", P.toString(), "--seeds", "5-7", "--noise", "const",
                "--out", src.toString()).code());
        CliTest.Result r = CliTest.run("invert", "--checkpoint", P.toString(), "--images", src.toString(),
                "--encoder", ENCODER.toString(), "--steps", "0", "--space", "z+", "--out", lat.toString(),
                "--render", rec.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("the encoder's answer") && r.out().contains("0 steps each"), r.out());
        HostTensor z = Npy.read(lat), images = Npy.read(rec);
        try (StyleGan2 model = ModelIO.load(P, ai.djl.Device.cpu()); NDManager m = NDManager.newBaseManager();
             Encoder e = Encoder.load(ENCODER, model.generator())) {
            Generator g = model.generator();
            assertArrayEquals(new long[] {3, g.numWs(), g.config().zDim()}, z.shape());
            HostTensor s = Npy.read(src);
            NDArray x = m.create(s.values(), new Shape(s.shape()));
            Inversion.Result expected = Inversion.fromEncoder(g, x, e, Inversion.Space.Z_PLUS);
            assertArrayEquals(expected.latent().toFloatArray(), z.values(), 1e-5f);
            assertArrayEquals(expected.images().toFloatArray(), images.values(), 1e-5f);
        }
        // a few steps from the encoder's start: the command runs the library's "encoder + N steps"
        Path lat2 = dir.resolve("w.npy");
        CliTest.Result r2 = CliTest.run("invert", "--checkpoint", P.toString(), "--images", src.toString(),
                "--encoder", ENCODER.toString(), "--steps", "2", "--space", "w+", "--perceptual", "0", "--out",
                lat2.toString());
        assertEquals(0, r2.code(), r2.err());
        assertTrue(r2.out().contains("loss "), r2.out());
    }

    @Test
    void noiseMapsAreOptimisedOnRequest(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src.npy"), lat = dir.resolve("w.npy"), rec = dir.resolve("rec.npy");
        assertEquals(0, CliTest.run("render", "--checkpoint", P.toString(), "--seeds", "3", "--out", src.toString())
                .code());
        CliTest.Result r = CliTest.run("invert", "--checkpoint", P.toString(), "--images", src.toString(),
                "--steps", "3", "--noise-reg", "1e5", "--perceptual", "0", "--out", lat.toString(), "--render",
                rec.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new long[] {1, 3, 32, 32}, Npy.read(rec).shape());
        CliTest.Result bad = CliTest.run("invert", "--checkpoint", P.toString(), "--images", src.toString(),
                "--steps", "3", "--noise-reg", "-1", "--out", lat.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("noise regularisation -1"), bad.err());
    }

    @Test
    void badEncoderInputIsNamed(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src.npy"), lat = dir.resolve("z.npy");
        assertEquals(0, CliTest.run("render", "--checkpoint", P.toString(), "--seeds", "1", "--out", src.toString())
                .code());
        CliTest.Result noEncoder = CliTest.run("invert", "--checkpoint", P.toString(), "--images", src.toString(),
                "--steps", "0", "--out", lat.toString());
        assertEquals(2, noEncoder.code());
        assertTrue(noEncoder.err().contains("--steps 0 needs --encoder"), noEncoder.err());
        Path missing = dir.resolve("nope.safetensors");
        CliTest.Result absent = CliTest.run("invert", "--checkpoint", P.toString(), "--images", src.toString(),
                "--encoder", missing.toString(), "--steps", "0", "--out", lat.toString());
        assertEquals(2, absent.code());
        assertTrue(absent.err().contains(missing.toString()), absent.err());
        // P's encoder with C1: the same architecture, another generator (its w_avg differs)
        CliTest.Result other = CliTest.run("invert", "--checkpoint", MODELS.resolve("C1.safetensors").toString(),
                "--images", src.toString(), "--encoder", ENCODER.toString(), "--steps", "0", "--out", lat.toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains("encoder-P.safetensors"), other.err());
        assertFalse(Files.exists(lat), "nothing written after a refusal");
    }
}
