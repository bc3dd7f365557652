package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.apps.Inversion;
import org.stylealign.apps.Translation;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ModelIO;
import org.stylealign.io.Npy;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;
import org.stylealign.viz.ImageGrid;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * `stylealign translate`: images of the parent's domain into aligned children (paper Sec. 4.1): each image inverted
 * into the parent (as `invert` does, or latents `invert` wrote), rendered by every child.
 */
@Command(name = "translate", header = "Images to aligned children through the parent's latent space",
        sortOptions = false, description = {"Each image is inverted into the parent (--checkpoint) by optimisation, "
        + "or its latents are read (--latents, as invert --out writes them), and every --to model renders them: a Z or "
        + "Z+ latent through that model's own mapping, a W or W+ latent as it is (docs/apps.md, notebook 09)."})
final class TranslateCommand extends Action {

    @Mixin
    ModelArgs checkpoint;

    @Option(names = "--to", required = true, paramLabel = "CHILD", description = "An aligned model of the parent's "
            + "architecture (any checkpoint format); repeat for several.")
    List<Path> targets;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--images", paramLabel = "IMAGES", description = "As for invert: a float32 .npy [N, C, R, R] "
                + "in [-1, 1], a built dataset folder, or a folder of R x R PNGs.")
        Path images;

        @Option(names = "--latents", paramLabel = "LATENTS.npy", description = "Latents of the parent in --space, as "
                + "invert --out writes them: [N, z] (z), [N, numWs, z] (z+), [N, w] (w), [N, numWs, w] (w+).")
        Path latents;
    }

    @Option(names = "--count", paramLabel = "N", description = "The first N images or latents (default: all).")
    int count = Integer.MAX_VALUE;

    @Mixin
    InversionOptions inversion;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "A .png grid (a row of sources when "
            + "--images is given, then a row per --to model) or, with one --to, a .npy of its images [N, C, R, R].")
    Path dest;

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        String name = dest.getFileName().toString();
        boolean npy = name.endsWith(".npy");
        if (!npy && !name.endsWith(".png")) {
            throw new UsageException("--out must end in .png (a grid) or .npy (the images), got " + dest);
        }
        if (npy && targets.size() > 1) {
            throw new UsageException("--out " + dest + ": a .npy holds one model's images; use a .png grid for "
                    + targets.size() + " --to models, or one --to per run");
        }
        for (Path t : targets) {
            if (!Files.isRegularFile(t)) {
                throw new UsageException("--to " + t + ": no such file");
            }
        }
        Inversion.Options o = inversion.options();
        try (StyleGan2 parent = checkpoint.load(); NDManager m = parent.generator().manager().newSubManager()) {
            Generator g = parent.generator();
            NDArray sources = null;
            NDArray latent;
            if (source.images != null) {
                sources = InvertCommand.images(source.images, count, g, m);
                out.printf(Locale.ROOT, "%d images into %s of %s, %d steps each%n", sources.getShape().get(0),
                        o.space(), checkpoint.checkpoint.getFileName(), inversion.steps);
                try (DomainFeatures f = InversionOptions.features(o)) {
                    List<NDArray> parts = new ArrayList<>();
                    for (Inversion.Result r : inversion.invert(g, sources, f, o, out)) {
                        parts.add(r.latent());
                    }
                    latent = InversionOptions.concat(parts);
                }
            } else {
                latent = latents(source.latents, o.space(), g, m);
            }
            List<NDArray> rows = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            if (sources != null) {
                rows.add(sources);
                labels.add("source");
            }
            for (Path t : targets) {
                try (StyleGan2 child = ModelIO.load(t)) {
                    Generator c = child.generator();
                    if (!c.config().equals(g.config())) {
                        throw new UsageException("--to " + t + ": its architecture differs from the parent's ("
                                + c.config() + " vs " + g.config() + "): a parent latent does not fit it");
                    }
                    NDArray img = Translation.render(c, o.space(), latent);
                    img.attach(m);
                    rows.add(img);
                    labels.add(t.getFileName().toString());
                    out.printf(Locale.ROOT, "rendered %d images with %s%n", img.getShape().get(0), t.getFileName());
                }
            }
            if (npy) {
                NDArray x = rows.get(rows.size() - 1);
                Npy.write(dest, new HostTensor(x.getShape().getShape(), x.toFloatArray()));
            } else {
                int cols = (int) Math.min(8, latent.getShape().get(0));
                List<BufferedImage> cells = new ArrayList<>();
                for (NDArray r : rows) {
                    cells.addAll(ImageGrid.images(r.get("0:" + cols)));
                }
                RenderCommand.writePng(ImageGrid.of(cells).columns(cols).rowLabels(labels).render(), dest);
            }
            out.printf(Locale.ROOT, "wrote %s%n", dest);
        }
        return 0;
    }

    /** Latents of {@code space} from a .npy, checked against the generator's sizes. */
    private NDArray latents(Path p, Inversion.Space space, Generator g, NDManager m) throws Exception {
        if (!Files.isRegularFile(p)) {
            throw new UsageException("--latents " + p + ": no such file");
        }
        HostTensor h = Npy.read(p);
        int width = space == Inversion.Space.Z || space == Inversion.Space.Z_PLUS ? g.config().zDim()
                : g.config().wDim();
        long[] want = space == Inversion.Space.Z || space == Inversion.Space.W ? new long[] {-1, width}
                : new long[] {-1, g.numWs(), width};
        long[] got = h.shape();
        boolean ok = got.length == want.length && got[got.length - 1] == width
                && (want.length == 2 || got[1] == want[1]);
        if (!ok) {
            throw new UsageException("--latents " + p + ": shape " + java.util.Arrays.toString(got) + " is not "
                    + space + " of this parent (" + (want.length == 2 ? "[N, " + width + "]"
                    : "[N, " + g.numWs() + ", " + width + "]") + "); say the space with --space");
        }
        NDArray x = m.create(h.values(), new Shape(got)).duplicate();
        return x.get(":" + Math.min(count, got[0]));
    }
}
