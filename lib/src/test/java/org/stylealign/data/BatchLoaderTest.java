package org.stylealign.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {

    @Test
    void batchesAreNchwInMinusOneToOneWithMasks(@TempDir Path cache) {
        TestData.assumeNode();
        ImageDataset ds = TestData.builder(cache).open(BuildSpec.of("avataaars", 16, 10, 4).withMasks());
        ImageDataset.Split split = ds.split(0.3, 1);
        assertEquals(3, split.test().length);
        assertEquals(7, split.train().length);
        Set<Integer> all = new HashSet<>();
        Arrays.stream(split.train()).forEach(all::add);
        Arrays.stream(split.test()).forEach(all::add);
        assertEquals(10, all.size());
        BatchLoader loader = ds.loader(split.train(), 4).shuffle(3);
        assertEquals(2, loader.batchesPerEpoch());
        assertEquals(loader.plan(0).stream().map(Arrays::toString).toList(),
                loader.plan(0).stream().map(Arrays::toString).toList());
        assertNotEquals(loader.plan(0).stream().map(Arrays::toString).toList(),
                loader.plan(1).stream().map(Arrays::toString).toList());
        try (NDManager m = NDManager.newBaseManager()) {
            Iterator<Batch> it = loader.epoch(m, 0);
            try (Batch b = it.next()) {
                assertEquals(new Shape(4, 3, 16, 16), b.images().getShape());
                assertEquals(DataType.FLOAT32, b.images().getDataType());
                assertTrue(b.images().min().getFloat() >= -1f && b.images().max().getFloat() <= 1f);
                assertEquals(new Shape(4, 16, 16), b.masks().getShape());
                assertEquals(4, b.labels().size());
                assertEquals(b.indices()[0], b.labels().get(0).index());
                byte[] px = ds.pixels(b.indices()[0]);
                float[] got = b.images().get(0).toFloatArray();
                assertEquals((px[5] & 0xff) / 127.5f - 1f, got[5], 1e-6);
                byte[] mk = b.masks().get(0).toByteArray();
                assertArrayEquals(ds.classes(b.indices()[0]), mk);
            }
        }
    }

    @Test
    void flipMirrorsImageAndMaskTogether(@TempDir Path cache) {
        TestData.assumeNode();
        ImageDataset ds = TestData.builder(cache).open(BuildSpec.of("personas", 8, 6, 4).withMasks());
        BatchLoader loader = ds.loader(ds.indices(), 6).xflip(true).shift(2);
        try (NDManager m = NDManager.newBaseManager(); Batch b = loader.load(m, ds.indices(), 0)) {
            int flips = 0;
            for (int k = 0; k < 6; k++) {
                if (b.flipped()[k] && b.shifts()[k][0] == 0 && b.shifts()[k][1] == 0) {
                    byte[] src = ds.classes(k);
                    byte[] got = b.masks().get(k).toByteArray();
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            assertEquals(src[y * 8 + 7 - x], got[y * 8 + x]);
                        }
                    }
                }
                flips += b.flipped()[k] ? 1 : 0;
            }
            try (Batch again = loader.load(m, ds.indices(), 0)) {
                assertArrayEquals(b.images().toFloatArray(), again.images().toFloatArray());
            }
            assertTrue(flips > 0 && flips < 6 || List.of(0, 6).contains(flips));
        }
    }
}
