package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.io.AtomicFiles;
import org.stylealign.io.HostTensor;
import org.stylealign.io.Npy;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;
import org.stylealign.viz.ImageGrid;

import org.stylealign.model.Noise;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `stylealign render`: images from seeds or a z file, as .npy (float32 NCHW) or a .png grid. */
@Command(name = "render", header = "Images from seeds or a z file, as .npy or a .png grid",
        sortOptions = false)
final class RenderCommand extends Action {

    @Mixin
    ModelArgs model;

    @Mixin
    ModelArgs.Latents latents;

    @Option(names = "--noise", paramLabel = "NOISE", defaultValue = "const", converter = Values.NoiseConverter.class,
            completionCandidates = Values.NoiseKinds.class, description = "Noise inputs: ${COMPLETION-CANDIDATES} "
            + "(the model's stored maps, fresh ones, none; default: ${DEFAULT-VALUE}).")
    Noise noise;

    @Option(names = "--out", required = true, paramLabel = "OUT",
            description = "OUT.npy (float32 NCHW in [-1, 1]) or OUT.png (a grid, captioned with the seeds).")
    Path dest;

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        String name = dest.getFileName().toString().toLowerCase();
        if (!name.endsWith(".npy") && !name.endsWith(".png")) {
            throw new UsageException("--out must end in .npy (float32 NCHW in [-1,1]) or .png (a grid), got " + dest);
        }
        try (StyleGan2 model = this.model.load(); NDManager m = model.generator().manager().newSubManager()) {
            Generator g = model.generator();
            // the checkpoint's host copies (file bytes, float arrays) are garbage now: collected before the render
            // needs memory, so that the Java heap gives its pages back instead of holding them beside the tensors
            System.gc();
            NDArray z = latents.latents(g, m);
            float psi = latents.truncation;
            NDArray img = org.stylealign.model.Inference.call(() -> g.generate(z, psi, noise));
            long n = img.getShape().get(0);
            if (name.endsWith(".npy")) {
                Npy.write(dest, new HostTensor(img.getShape().getShape(), img.toFloatArray()));
            } else {
                List<String> captions = new ArrayList<>();
                for (long s : latents.seeds()) {
                    captions.add("seed " + s);
                }
                ImageGrid grid = ImageGrid.of(img).columns((int) Math.min(n, 8));
                if (!captions.isEmpty()) {
                    grid = grid.captions(captions);
                }
                writePng(grid.render(), dest);
            }
            out.println("wrote " + n + " image(s) " + img.getShape() + " to " + dest);
        }
        return 0;
    }

    /** A PNG written atomically (io.AtomicFiles), its folder made if missing: render, invert and translate use it. */
    static void writePng(java.awt.image.BufferedImage image, Path dest) throws Exception {
        Files.createDirectories(dest.toAbsolutePath().getParent());
        AtomicFiles.write(dest, out -> ImageIO.write(image, "png", out));
    }
}
