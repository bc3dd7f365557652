package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.apps.Inversion;
import org.stylealign.apps.Translation;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ModelIO;
import org.stylealign.io.Npy;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `stylealign translate` on the shipped models: parent P, children C1 and C2, R16 (another resolution). */
class TranslateCommandTest {

    static final Path MODELS = Path.of("..", "models");

    @Test
    void latentsOfTheParentRenderedByAChildAreWhatTheLibraryGives(@TempDir Path dir) throws Exception {
        Path p = MODELS.resolve("P.safetensors"), c1 = MODELS.resolve("C1.safetensors");
        Path lat = dir.resolve("w.npy"), out = dir.resolve("t.npy");
        try (StyleGan2 parent = ModelIO.load(p); StyleGan2 child = ModelIO.load(c1);
             NDManager m = NDManager.newBaseManager()) {
            Generator g = parent.generator();
            NDArray w = g.mapping(g.zFromSeeds(m, 1, 2, 3));
            Npy.write(lat, new HostTensor(w.getShape().getShape(), w.toFloatArray()));
            CliTest.Result r = CliTest.run("translate", "--checkpoint", p.toString(), "--to", c1.toString(),
                    "--latents", lat.toString(), "--space", "w", "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            HostTensor got = Npy.read(out);
            NDArray want = Translation.render(child.generator(), Inversion.Space.W, w);
            assertArrayEquals(want.getShape().getShape(), got.shape());
            NDArray gotNd = m.create(got.values(), new Shape(got.shape()));
            assertTrue(gotNd.sub(want).abs().max().getFloat() < 1e-5, "the command renders what the library does");
        }
    }

    @Test
    void imagesAreInvertedThenRenderedByEveryChildIntoOneGrid(@TempDir Path dir) throws Exception {
        Path p = MODELS.resolve("P.safetensors");
        Path src = dir.resolve("src.npy"), grid = dir.resolve("t.png");
        assertEquals(0, CliTest.run("render", "--checkpoint", p.toString(), "--seeds", "1-2", "--out", src.toString())
                .code());
        CliTest.Result r = CliTest.run("translate", "--checkpoint", p.toString(), "--to",
                MODELS.resolve("C1.safetensors").toString(), "--to", MODELS.resolve("C2.safetensors").toString(),
                "--images", src.toString(), "--space", "z+", "--steps", "3", "--perceptual", "0", "--out",
                grid.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("rendered 2 images with C2.safetensors"), r.out());
        assertTrue(Files.size(grid) > 0);
    }

    @Test
    void badInputIsNamed(@TempDir Path dir) throws Exception {
        Path p = MODELS.resolve("P.safetensors"), c1 = MODELS.resolve("C1.safetensors");
        Path lat = dir.resolve("z.npy");
        Npy.write(lat, new HostTensor(new long[] {2, 7}, new float[14]));
        CliTest.Result shape = CliTest.run("translate", "--checkpoint", p.toString(), "--to", c1.toString(),
                "--latents", lat.toString(), "--space", "z", "--out", dir.resolve("t.npy").toString());
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("--latents") && shape.err().contains("[2, 7]"), shape.err());
        Npy.write(lat, new HostTensor(new long[] {2, 128}, new float[256]));
        CliTest.Result arch = CliTest.run("translate", "--checkpoint", p.toString(), "--to",
                MODELS.resolve("R16.safetensors").toString(), "--latents", lat.toString(), "--space", "z", "--out",
                dir.resolve("t.npy").toString());
        assertEquals(2, arch.code());
        assertTrue(arch.err().contains("R16.safetensors") && arch.err().contains("architecture"), arch.err());
        CliTest.Result two = CliTest.run("translate", "--checkpoint", p.toString(), "--to", c1.toString(), "--to",
                c1.toString(), "--latents", lat.toString(), "--space", "z", "--out", dir.resolve("t.npy").toString());
        assertEquals(2, two.code());
        assertTrue(two.err().contains(".npy holds one model"), two.err());
        CliTest.Result both = CliTest.run("translate", "--checkpoint", p.toString(), "--to", c1.toString(),
                "--latents", lat.toString(), "--images", "x.npy", "--out", dir.resolve("t.png").toString());
        assertEquals(2, both.code(), "--images and --latents exclude each other");
    }
}
