package org.stylealign.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheTest {

    private static Path buildMnist(Path cache) {
        return TestData.builder(cache).build(BuildSpec.of("mnist", 12, 10, 2));
    }

    @Test
    void labelsRoundTrip(@TempDir Path cache) {
        LabelRecord r = new LabelRecord(7, "avataaars", "1:7", Map.of("mouth", "smile", "hairColor", "#2c1b18",
                "quote", "a \"b\"\n\u00e9"), Map.of("rotate", -12.5, "flip", 1.0));
        assertEquals(r, LabelRecord.fromJson(r.toJson()));
        assertEquals(r.toJson(), LabelRecord.fromJson(r.toJson()).toJson());
        ImageDataset ds = ImageDataset.open(buildMnist(cache));
        for (LabelRecord l : ds.labels()) {
            assertEquals(l, LabelRecord.fromJson(l.toJson()));
            assertEquals(l.index(), ds.labels().indexOf(l));
        }
    }

    @Test
    void mnistAndFashionMnistBuild(@TempDir Path cache) {
        ImageDataset ds = ImageDataset.open(buildMnist(cache));
        assertEquals(10, ds.size());
        assertEquals(1, ds.channels());
        assertEquals(12 * 12, ds.pixels(0).length);
        assertTrue(ds.manifest().licence().startsWith("MIT"));
        double d = ds.label(0).target("class");
        assertTrue(d >= 0 && d <= 9);
        if (Files.isDirectory(DigitSource.FASHION_DIR)) {
            ImageDataset f = TestData.builder(cache).open(BuildSpec.of("fashion-mnist", 28, 6, 2));
            assertEquals(28 * 28, f.pixels(5).length);
            assertTrue(DigitSource.FASHION_NAMES.contains(f.label(0).attribute("name")));
        }
    }

    @Test
    void corruptOrTruncatedFilesAreNamed(@TempDir Path cache) throws Exception {
        Path dir = buildMnist(cache);
        Path images = dir.resolve("images.u8");
        try (RandomAccessFile f = new RandomAccessFile(images.toFile(), "rw")) {
            f.seek(17);
            int b = f.read();
            f.seek(17);
            f.write(b ^ 0x40);
        }
        DataException e = assertThrows(DataException.class, () -> ImageDataset.open(dir));
        assertTrue(e.getMessage().contains("images.u8") && e.getMessage().contains("corrupt"), e.getMessage());
        // building again repairs it
        Path again = TestData.builder(cache).build(BuildSpec.of("mnist", 12, 10, 2));
        ImageDataset.open(again);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("labels.jsonl").toFile(), "rw")) {
            f.setLength(f.length() - 5);
        }
        e = assertThrows(DataException.class, () -> ImageDataset.open(dir));
        assertTrue(e.getMessage().contains("labels.jsonl") && e.getMessage().contains("truncated"), e.getMessage());
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"stylealign-dataset/1\", \"id\": ");
        e = assertThrows(DataException.class, () -> ImageDataset.open(dir));
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
        Files.delete(dir.resolve("manifest.json"));
        e = assertThrows(DataException.class, () -> ImageDataset.open(dir));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void interruptedBuildLeavesNothingThatLoads(@TempDir Path cache) throws Exception {
        TestData.assumeNode();
        BuildSpec spec = BuildSpec.of("avataaars", 8, 300, 1);
        DatasetBuilder b = TestData.builder(cache).progress(n -> {
            throw new IllegalStateException("simulated crash after " + n + " images");
        });
        assertThrows(DataException.class, () -> b.build(spec));
        assertFalse(Files.exists(b.target(spec)));
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(0, s.count(), "partial folder left behind");
        }
        DataException e = assertThrows(DataException.class, () -> ImageDataset.open(b.target(spec)));
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
    }

    @Test
    void badInputGivesClearErrors(@TempDir Path cache) {
        DataException e = assertThrows(DataException.class, () -> BuildSpec.of("avataars", 16, 4, 1));
        assertTrue(e.getMessage().contains("unknown domain 'avataars'") && e.getMessage().contains("avataaars"));
        e = assertThrows(DataException.class, () -> BuildSpec.of("avataaars", 16, 0, 1));
        assertTrue(e.getMessage().contains("count must be > 0"));
        e = assertThrows(DataException.class, () -> BuildSpec.of("bottts", 16, 4, 1).withMasks());
        assertTrue(e.getMessage().contains("no part masks"));
        e = assertThrows(DataException.class, () -> BuildSpec.of("mnist", 16, 4, 1).withPairs("mouth"));
        assertTrue(e.getMessage().contains("DiceBear"));
        e = assertThrows(DataException.class, () -> TestData.builder(cache).build(BuildSpec.of("mnist", 16, 20000, 1)));
        assertTrue(e.getMessage().contains("10000"), e.getMessage());
        String old = System.getProperty("stylealign.path");
        System.setProperty("stylealign.path", cache.toString());
        try {
            e = assertThrows(DataException.class, () -> TestData.builder(cache).build(BuildSpec.of("avataaars", 8, 1, 1)));
            assertTrue(e.getMessage().contains("node is not on PATH"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("stylealign.path");
            } else {
                System.setProperty("stylealign.path", old);
            }
        }
        if (DataPaths.onPath("node").isPresent()) {
            e = assertThrows(DataException.class,
                    () -> TestData.builder(cache).build(BuildSpec.of("avataaars", 8, 1, 1).withPairs("moustache")));
            assertTrue(e.getMessage().contains("'moustache'") && e.getMessage().contains("mouth"), e.getMessage());
        }
        assertEquals(2, org.stylealign.cli.Main.run(new String[] {"data", "build", "avataaars", "--size", "8",
                "--count", "0", "--seed", "1"}, System.out, System.err));
        assertEquals(1, org.stylealign.cli.Main.run(new String[] {"data", "build", "nosuchstyle", "--size", "8",
                "--count", "2", "--seed", "1"}, System.out, System.err));
    }
}
