package org.stylealign.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.io.HostTensor;
import org.stylealign.io.Npy;
import org.stylealign.model.Fixtures;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The `stylealign` commands on the real fixtures, checked through the files they write. */
class CliTest {

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static float maxAbsDiff(HostTensor a, HostTensor b) {
        assertTrue(Arrays.equals(a.shape(), b.shape()), a.shapeString() + " vs " + b.shapeString());
        float m = 0;
        for (int i = 0; i < a.values().length; i++) {
            m = Math.max(m, Math.abs(a.values()[i] - b.values()[i]));
        }
        return m;
    }

    @Test
    void infoDescribesTheArchitecture() {
        Result r = run("info", "--checkpoint", Fixtures.rosinality().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format       rosinality"), r.out());
        assertTrue(r.out().contains("StyleSpace   11 layers, 704 channels"), r.out());
        assertTrue(r.out().contains("b32.torgb"), r.out());
    }

    @Test
    void renderToNpyReproducesTheReferenceImages(@TempDir Path tmp) throws Exception {
        Path ref = Fixtures.nvlabsRef();
        Path out = tmp.resolve("img.npy");
        Result r = run("render", "--checkpoint", Fixtures.nvlabsPickle().toString(), "--z",
                ref.resolve("z.npy").toString(), "--truncation", "0.7", "--noise", "const", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(maxAbsDiff(Npy.read(ref.resolve("img_trunc.npy")), Npy.read(out)) <= 1e-4f);
    }

    @Test
    void renderToPngWritesAGrid(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("grid.png");
        Result r = run("render", "--checkpoint", Fixtures.rosinality().toString(), "--seeds", "1-3",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(out.toFile());
        assertTrue(img.getWidth() >= 3 * 32 && img.getHeight() >= 32, img.getWidth() + "x" + img.getHeight());
    }

    @Test
    void stylesWritesEveryLayerAndAnIndex(@TempDir Path tmp) throws Exception {
        Path ref = Fixtures.rosinalityRef();
        Result r = run("styles", "--checkpoint", Fixtures.rosinality().toString(), "--z",
                ref.resolve("z.npy").toString(), "--out", tmp.toString());
        assertEquals(0, r.code(), r.err());
        for (int i = 0; i < 11; i++) {
            String f = String.format("s_%02d.npy", i);
            HostTensor all = Npy.read(tmp.resolve(f));
            assertEquals(4, all.shape()[0]);
            int c = (int) all.shape()[1];
            HostTensor first = new HostTensor(new long[] {c}, Arrays.copyOf(all.values(), c));
            assertTrue(maxAbsDiff(Npy.read(ref.resolve(f)), first) <= 1e-4f, f);
        }
        String index = Files.readString(tmp.resolve("index.json"));
        assertTrue(index.contains("\"b8.conv0\""), index);
    }

    @Test
    void convertedCheckpointRendersTheSameImages(@TempDir Path tmp) throws Exception {
        Result c = run("convert", "--checkpoint", Fixtures.nvlabsPickle().toString(), "--out", tmp.toString());
        assertEquals(0, c.code(), c.err());
        Path nativeFile = tmp.resolve("nvlabs-r32-z64-w64-map4-cb1024-cmax64.safetensors");
        assertTrue(Files.isRegularFile(nativeFile), c.out());
        Path a = tmp.resolve("a.npy");
        Path b = tmp.resolve("b.npy");
        assertEquals(0, run("render", "--checkpoint", Fixtures.nvlabsPickle().toString(), "--seeds", "5,6",
                "--out", a.toString()).code());
        assertEquals(0, run("render", "--checkpoint", nativeFile.toString(), "--seeds", "5,6",
                "--out", b.toString()).code());
        assertEquals(0f, maxAbsDiff(Npy.read(a), Npy.read(b)));
    }

    @Test
    void tensorFlowPickleWorksInInfoRenderStylesAndConvert(@TempDir Path tmp) throws Exception {
        String tf = Fixtures.tfPickle().toString();
        Path ref = Fixtures.nvlabsRef();
        Result info = run("info", "--checkpoint", tf, "--no-check");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("nvlabs-tf-pkl") && info.out().contains("b32.torgb"), info.out());
        Path img = tmp.resolve("img.npy");
        Result r = run("render", "--checkpoint", tf, "--z", ref.resolve("z.npy").toString(), "--truncation", "0.7",
                "--noise", "const", "--out", img.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(maxAbsDiff(Npy.read(ref.resolve("img_trunc.npy")), Npy.read(img)) <= 1e-4f);
        Path styles = tmp.resolve("styles");
        Result s = run("styles", "--checkpoint", tf, "--z", ref.resolve("z.npy").toString(), "--out", styles.toString());
        assertEquals(0, s.code(), s.err());
        HostTensor s8 = Npy.read(styles.resolve("s_08.npy"));
        HostTensor first = new HostTensor(new long[] {s8.shape()[1]}, Arrays.copyOf(s8.values(), (int) s8.shape()[1]));
        assertTrue(maxAbsDiff(Npy.read(ref.resolve("s_08.npy")), first) <= 1e-4f);
        Result c = run("convert", "--checkpoint", tf, "--out", tmp.toString());
        assertEquals(0, c.code(), c.err());
        Path nativeFile = tmp.resolve("nvlabs-tf-r32-z64-w64-map4.safetensors");
        Path again = tmp.resolve("again.npy");
        assertEquals(0, run("render", "--checkpoint", nativeFile.toString(), "--z", ref.resolve("z.npy").toString(),
                "--truncation", "0.7", "--noise", "const", "--out", again.toString()).code());
        assertEquals(0f, maxAbsDiff(Npy.read(img), Npy.read(again)));
    }

    @Test
    void badInputGetsAClearError(@TempDir Path tmp) throws Exception {
        Result missing = run("render", "--checkpoint", tmp.resolve("nope.pt").toString(), "--seeds", "1",
                "--out", tmp.resolve("x.npy").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.pt"), missing.err());

        Result both = run("render", "--checkpoint", Fixtures.rosinality().toString(), "--seeds", "1", "--z",
                "z.npy", "--out", tmp.resolve("x.npy").toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--seeds=SEEDS, --z=Z.npy are mutually exclusive"), both.err());

        Result noise = run("render", "--checkpoint", Fixtures.rosinality().toString(), "--seeds", "1",
                "--noise", "loud", "--out", tmp.resolve("x.npy").toString());
        assertEquals(2, noise.code());
        assertTrue(noise.err().contains("--noise"), noise.err());

        Path cut = tmp.resolve("truncated.pt");
        byte[] bytes = Files.readAllBytes(Fixtures.rosinality());
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        Result truncated = run("info", "--checkpoint", cut.toString());
        assertEquals(1, truncated.code());
        assertTrue(truncated.err().contains("truncated.pt"), truncated.err());

        assertEquals(2, run("frobnicate").code());

        // the reference peer is checked before any benchmark runs, naming the folder
        Result peer = run("bench", "--res", "32", "--peer", "rosinality=" + tmp);
        assertEquals(2, peer.code());
        assertTrue(peer.err().contains(tmp.toString()) && peer.err().contains("rosinality/stylegan2-pytorch"),
                peer.err());
        Result peerKind = run("bench", "--peer", "nvlabs=" + tmp);
        assertEquals(2, peerKind.code());
        assertTrue(peerKind.err().contains("rosinality=DIR"), peerKind.err());
    }
}
