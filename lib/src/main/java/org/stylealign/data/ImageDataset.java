package org.stylealign.data;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A built dataset, opened read-only: the manifest, the labels, and memory-mapped pixels and masks. Opening checks
 * that the folder is complete and that every file has the size and SHA-256 the manifest records, so a truncated or
 * corrupt file fails here with its name instead of giving wrong pixels later.
 */
public final class ImageDataset {

    private final Path dir;
    private final Manifest manifest;
    private final List<LabelRecord> labels;
    private final ByteBuffer images;
    private final ByteBuffer masks;
    private final ByteBuffer parts;

    private ImageDataset(Path dir, Manifest manifest, List<LabelRecord> labels, ByteBuffer images, ByteBuffer masks,
                         ByteBuffer parts) {
        this.dir = dir;
        this.manifest = manifest;
        this.labels = labels;
        this.images = images;
        this.masks = masks;
        this.parts = parts;
    }

    /** Checks completeness, sizes and checksums; returns the manifest. */
    public static Manifest verify(Path dir) {
        Path mf = dir.resolve("manifest.json");
        String json;
        try {
            json = Files.readString(mf, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException("no dataset at " + dir + ": " + mf.getFileName() + " is missing (never built, or "
                    + "the build was interrupted); build it with 'stylealign data build'");
        } catch (IOException e) {
            throw new DataException("cannot read " + mf + ": " + e.getMessage(), e);
        }
        Manifest m = Manifest.parse(json, mf.toString());
        int n = m.count();
        long plane = (long) m.size() * m.size();
        check(m, "images.u8", (long) n * m.channels() * plane);
        check(m, "labels.jsonl", -1);
        if (m.masks()) {
            check(m, "masks.u8", n * plane);
            check(m, "parts.u16", 2L * n * plane);
        }
        for (Map.Entry<String, Manifest.FileEntry> e : m.files().entrySet()) {
            Path f = dir.resolve(e.getKey());
            long actual;
            try {
                actual = Files.size(f);
            } catch (IOException ex) {
                throw new DataException("dataset file " + f + " is missing: delete " + dir + " and build again");
            }
            if (actual != e.getValue().bytes()) {
                throw new DataException("dataset file " + f + " is truncated or corrupt: " + actual + " bytes, manifest says "
                        + e.getValue().bytes() + "; delete " + dir + " and build again");
            }
            String sha = sha256(f);
            if (!sha.equals(e.getValue().sha256())) {
                throw new DataException("dataset file " + f + " is corrupt: SHA-256 " + sha + " differs from the manifest's "
                        + e.getValue().sha256() + "; delete " + dir + " and build again");
            }
        }
        return m;
    }

    private static void check(Manifest m, String name, long bytes) {
        Manifest.FileEntry e = m.files().get(name);
        if (e == null) {
            throw new DataException("manifest of " + m.id() + " lists no " + name);
        }
        if (bytes >= 0 && e.bytes() != bytes) {
            throw new DataException("manifest of " + m.id() + " gives " + name + " " + e.bytes() + " bytes, expected "
                    + bytes + " for " + m.count() + " images");
        }
    }

    static String sha256(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new DataException("cannot read dataset file " + f + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ImageDataset open(Path dir) {
        Manifest m = verify(dir);
        List<LabelRecord> labels = new ArrayList<>(m.count());
        Path lf = dir.resolve("labels.jsonl");
        try (BufferedReader r = Files.newBufferedReader(lf, StandardCharsets.UTF_8)) {
            int line = 0;
            for (String s; (s = r.readLine()) != null; ) {
                line++;
                try {
                    labels.add(LabelRecord.fromJson(s));
                } catch (RuntimeException e) {
                    throw new DataException(lf + " line " + line + " is not a label record: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + lf + ": " + e.getMessage(), e);
        }
        if (labels.size() != m.count()) {
            throw new DataException(lf + " holds " + labels.size() + " records, manifest says " + m.count());
        }
        return new ImageDataset(dir, m, Collections.unmodifiableList(labels), map(dir.resolve("images.u8")),
                m.masks() ? map(dir.resolve("masks.u8")) : null, m.masks() ? map(dir.resolve("parts.u16")) : null);
    }

    private static ByteBuffer map(Path f) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new DataException(f + " is over 2 GiB; build fewer or smaller images per dataset");
            }
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            return b.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new DataException("cannot map " + f + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Manifest manifest() {
        return manifest;
    }

    public int size() {
        return manifest.count();
    }

    public int imageSize() {
        return manifest.size();
    }

    public int channels() {
        return manifest.channels();
    }

    public boolean hasMasks() {
        return manifest.masks();
    }

    public List<LabelRecord> labels() {
        return labels;
    }

    public LabelRecord label(int i) {
        return labels.get(i);
    }

    private int pixelsPerImage() {
        return channels() * imageSize() * imageSize();
    }

    /** uint8 C x H x W of image i. */
    public byte[] pixels(int i) {
        byte[] out = new byte[pixelsPerImage()];
        images.get(i * out.length, out);
        return out;
    }

    /** The class map (H x W, {@link PartClass} ordinals) of image i. */
    public byte[] classes(int i) {
        requireMasks();
        int plane = imageSize() * imageSize();
        byte[] out = new byte[plane];
        masks.get(i * plane, out);
        return out;
    }

    /** The part-coverage bits (H x W) of image i; bit c set when part class c changes the pixel. */
    public short[] partBits(int i) {
        requireMasks();
        int plane = imageSize() * imageSize();
        short[] out = new short[plane];
        for (int k = 0; k < plane; k++) {
            out[k] = parts.getShort(2 * (i * plane + k));
        }
        return out;
    }

    private void requireMasks() {
        if (masks == null) {
            throw new DataException("dataset " + manifest.id() + " was built without masks (use --masks)");
        }
    }

    /** Image i as a BufferedImage (RGB or grey), for display. */
    public BufferedImage image(int i) {
        int s = imageSize();
        byte[] p = pixels(i);
        BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        int plane = s * s;
        for (int k = 0; k < plane; k++) {
            int r = p[k] & 0xff;
            int g = channels() == 3 ? p[plane + k] & 0xff : r;
            int b = channels() == 3 ? p[2 * plane + k] & 0xff : r;
            img.setRGB(k % s, k / s, (r << 16) | (g << 8) | b);
        }
        return img;
    }

    /** All indices 0..size-1. */
    public int[] indices() {
        int[] a = new int[size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }

    /** A seeded train/test split; pairs (images 2k and 2k+1 of a pair build) always stay on the same side. */
    public record Split(int[] train, int[] test) {
    }

    public Split split(double testFraction, long seed) {
        if (!(testFraction >= 0 && testFraction < 1)) {
            throw new DataException("test fraction must lie in [0, 1), got " + testFraction);
        }
        int group = manifest.spec().has("pairAttribute") ? 2 : 1;
        int units = size() / group;
        int[] u = new int[units];
        for (int i = 0; i < units; i++) {
            u[i] = i;
        }
        shuffle(u, new SplittableRandom(seed));
        int nTest = (int) Math.round(units * testFraction);
        int[] test = new int[nTest * group];
        int[] train = new int[(units - nTest) * group];
        for (int k = 0; k < units; k++) {
            int[] dst = k < nTest ? test : train;
            int at = (k < nTest ? k : k - nTest) * group;
            for (int j = 0; j < group; j++) {
                dst[at + j] = u[k] * group + j;
            }
        }
        java.util.Arrays.sort(test);
        java.util.Arrays.sort(train);
        return new Split(train, test);
    }

    static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** A batch loader over some indices of this dataset. */
    public BatchLoader loader(int[] indices, int batchSize) {
        return new BatchLoader(this, indices, batchSize);
    }
}
