package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.apps.Inversion;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.HostTensor;
import org.stylealign.io.Npy;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;
import org.stylealign.viz.ImageGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * `stylealign invert`: images into a latent space by optimisation (the projector.py workflow of NVlabs and
 * rosinality), batch by batch, with a progress line per batch.
 */
@Command(name = "invert", header = "Images into a latent space by optimisation", sortOptions = false,
        description = {"The projector.py workflow of NVlabs and rosinality, batch by batch, with a progress line per "
        + "batch (docs/apps.md)."})
final class InvertCommand extends Action {

    @Mixin
    ModelArgs checkpoint;

    @Option(names = "--images", required = true, paramLabel = "IMAGES", description = "A float32 .npy [N, C, R, R] "
            + "in [-1, 1] (as render --out x.npy writes), a built dataset folder, or a folder of R x R PNGs.")
    Path images;

    @Option(names = "--count", paramLabel = "N", description = "The first N images (default: all).")
    int count = Integer.MAX_VALUE;

    @Mixin
    InversionOptions inversion;

    @Option(names = "--out", required = true, paramLabel = "LATENTS.npy", description = "The latents, float32.")
    Path dest;

    @Option(names = "--ws", paramLabel = "WS.npy", description = "Also the ws [N, numWs, W] they give.")
    Path ws;

    @Option(names = "--render", paramLabel = "RECON", description = "Also the reconstructions: a .png grid or a .npy.")
    Path render;

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        if (!dest.getFileName().toString().endsWith(".npy")) {
            throw new UsageException("--out must end in .npy (the latents, float32), got " + dest);
        }
        Inversion.Options o = inversion.options();
        try (StyleGan2 model = checkpoint.load(); NDManager m = model.generator().manager().newSubManager();
             DomainFeatures f = InversionOptions.features(o)) {
            Generator g = model.generator();
            NDArray images = images(this.images, count, g, m);
            long n = images.getShape().get(0);
            out.printf(Locale.ROOT, "%d images into %s of %s, %d steps each (lr %.3g, pixel %.3g, perceptual %.3g)%n",
                    n, o.space(), checkpoint.checkpoint.getFileName(), inversion.steps, o.learningRate(), o.pixelWeight(),
                    o.perceptualWeight());
            List<NDArray> latents = new ArrayList<>(), wss = new ArrayList<>(), recon = new ArrayList<>();
            double pixel = 0;
            for (Inversion.Result r : inversion.invert(g, images, f, o, out)) {
                latents.add(r.latent());
                wss.add(r.ws());
                recon.add(r.images());
                pixel += r.meanPixel() * r.pixel().length;
            }
            write(dest, InversionOptions.concat(latents));
            if (ws != null) {
                write(ws, InversionOptions.concat(wss));
            }
            if (render != null) {
                Path rp = render;
                NDArray all = InversionOptions.concat(recon);
                if (rp.getFileName().toString().endsWith(".npy")) {
                    write(rp, all);
                } else {
                    RenderCommand.writePng(ImageGrid.of(all).columns((int) Math.min(8, n)).render(), rp);
                }
            }
            out.printf(Locale.ROOT, "wrote %s %s; mean |pixel error| over all images %.4f%n", dest,
                    InversionOptions.concat(latents).getShape(), pixel / n);
        }
        return 0;
    }

    /** Images [N, C, R, R] in [-1, 1] from a .npy, a built dataset folder or a folder of PNGs of size R. */
    static NDArray images(Path p, int count, Generator g, NDManager m) throws Exception {
        int r = g.config().resolution(), c = g.config().imageChannels();
        if (Files.isRegularFile(p) && p.toString().endsWith(".npy")) {
            HostTensor h = Npy.read(p);
            NDArray x = m.create(h.values(), new Shape(h.shape())).duplicate();
            if (x.getShape().dimension() != 4 || x.getShape().get(1) != c || x.getShape().get(2) != r) {
                throw new UsageException("--images " + p + ": expected float32 [N, " + c + ", " + r + ", " + r
                        + "] in [-1, 1] (as stylealign render writes), got " + x.getShape());
            }
            return x.get(":" + Math.min(count, x.getShape().get(0)));
        }
        if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("manifest.json"))) {
            ImageDataset ds = ImageDataset.open(p);
            if (ds.imageSize() != r || ds.channels() != c) {
                throw new UsageException("--images " + p + ": " + ds.imageSize() + " px x " + ds.channels()
                        + " channels; the model draws " + r + " px x " + c);
            }
            int k = Math.min(count, ds.size());
            float[] v = new float[k * c * r * r];
            for (int i = 0; i < k; i++) {
                byte[] b = ds.pixels(i);
                for (int j = 0; j < b.length; j++) {
                    v[i * c * r * r + j] = (b[j] & 0xff) / 127.5f - 1f;
                }
            }
            return m.create(v, new Shape(k, c, r, r)).duplicate();
        }
        if (Files.isDirectory(p)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(p)) {
                files = s.filter(f -> f.toString().toLowerCase(Locale.ROOT).endsWith(".png")).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new UsageException("--images " + p + ": no .png files and no dataset manifest in this folder");
            }
            files = files.subList(0, Math.min(count, files.size()));
            float[] v = new float[files.size() * 3 * r * r];
            for (int i = 0; i < files.size(); i++) {
                BufferedImage img = ImageIO.read(files.get(i).toFile());
                if (img == null || img.getWidth() != r || img.getHeight() != r) {
                    throw new UsageException(files.get(i) + ": not a " + r + "x" + r + " image (the model's size)");
                }
                for (int y = 0; y < r; y++) {
                    for (int x = 0; x < r; x++) {
                        int rgb = img.getRGB(x, y);
                        for (int ch = 0; ch < 3; ch++) {
                            int val = (rgb >> (16 - 8 * ch)) & 0xff;
                            v[((i * 3 + ch) * r + y) * r + x] = val / 127.5f - 1f;
                        }
                    }
                }
            }
            NDArray x = m.create(v, new Shape(files.size(), 3, r, r)).duplicate();
            return c == 3 ? x : x.mean(new int[] {1}, true);
        }
        throw new UsageException("--images " + p + ": no such .npy file or folder");
    }

    static void write(Path p, NDArray x) throws Exception {
        Npy.write(p, new HostTensor(x.getShape().getShape(), x.toFloatArray()));
    }
}
