package org.stylealign.metrics;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stylealign.analysis.SpatialTransform;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataPaths;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.ImageDataset;
import org.stylealign.data.PartClass;
import org.stylealign.io.CheckpointException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartSegmenterTest {

    static ImageDataset masked(Path cache, int count, long seed) {
        org.stylealign.data.TestData.assumeNode();
        return new DatasetBuilder(DataPaths.locate().withCache(cache)).threads(2)
                .open(BuildSpec.of("avataaars", 32, count, seed).withMasks());
    }

    @Test
    void learnsTheExactMasksAndRoundTrips(@TempDir Path dir) throws Exception {
        ImageDataset ds = masked(dir.resolve("cache"), 48, 5);
        int[] idx = ds.indices();
        try (PartSegmenter s = PartSegmenter.train(List.of(ds), List.of(idx), 150, 16, 3, null)) {
            var e = s.evaluate(ds, idx);
            double bg = e.share().get(PartClass.BACKGROUND);
            // far better than calling every pixel background, on the images it saw
            assertTrue(e.pixelAccuracy() > bg + 0.15, "pixel accuracy " + e.pixelAccuracy() + " vs background "
                    + bg);
            assertTrue(e.iou().get(PartClass.HAIR) > 0.3, "hair IoU " + e.iou().get(PartClass.HAIR));
            assertEquals(List.of("avataaars"), s.domains());
            Path f = dir.resolve("seg.safetensors");
            s.save(f, false);
            try (PartSegmenter t = PartSegmenter.load(f); NDManager m = NDManager.newBaseManager(Device.cpu())) {
                NDArray x = PartSegmenter.datasetImages(ds, new int[] {0, 1, 2}, m);
                byte[][] a = s.segment(x), b = t.segment(x);
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(a[i], b[i]);
                }
                assertEquals(List.of("avataaars"), t.domains());
                assertTrue(t.provenance().contains("Pablo Stanley"), t.provenance());
            }
        }
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        assertThrows(CheckpointException.class, () -> PartSegmenter.load(bad));
        assertThrows(IllegalArgumentException.class, () -> PartSegmenter.train(List.of(ds), List.of(), 1, 2, 0, null));
    }

    /** The bundled segmenter on held-out real images it never saw (builder seed 1001): the docs' figures hold. */
    @Test
    void theBundledSegmenterReadsHeldOutImages(@TempDir Path dir) throws Exception {
        var bundled = PartSegmenter.bundled();
        assertTrue(bundled.isPresent(), "the library ships a part segmenter");
        try (PartSegmenter s = bundled.get()) {
            assertEquals(List.of("avataaars", "personas", "micah"), s.domains());
            ImageDataset ds = masked(dir.resolve("cache"), 40, 1001);
            var e = s.evaluate(ds, ds.indices());
            assertTrue(e.pixelAccuracy() > 0.9, "pixel accuracy " + e.pixelAccuracy());
            assertTrue(e.iou().get(PartClass.HAIR) > 0.8 && e.iou().get(PartClass.SKIN) > 0.7, e.iou().toString());
        }
    }

    @Test
    void aSegmenterCarriedIntoAShiftedFrameFindsThePartsWhereTheyMoved() {
        // a stand-in segmenter: class 2 (hair) where the image is dark, background elsewhere
        Function<NDArray, byte[][]> dark = images -> {
            long n = images.getShape().get(0);
            float[] v = images.mean(new int[] {1}).toFloatArray();
            byte[][] out = new byte[(int) n][32 * 32];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 32 * 32; k++) {
                    out[i][k] = (byte) (v[i * 1024 + k] < 0 ? PartClass.HAIR.ordinal() : 0);
                }
            }
            return out;
        };
        SpatialTransform right = SpatialTransform.ofStyle("avataaars-tx25"); // 8 pixels right
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            float[] img = new float[3 * 1024];
            java.util.Arrays.fill(img, 1f);
            for (int c = 0; c < 3; c++) {
                for (int y = 10; y < 20; y++) {
                    for (int x = 8; x < 16; x++) {
                        img[c * 1024 + y * 32 + x] = -1f; // a dark patch at x 8..15 in the child's frame
                    }
                }
            }
            NDArray x = m.create(img, new Shape(1, 3, 32, 32));
            byte[] direct = dark.apply(x)[0];
            byte[] framed = right.segmenterInFrame(dark).apply(x)[0];
            // the patch is found at the same place either way (undo, segment, redo): the stand-in is equivariant
            assertArrayEquals(direct, framed);
            // and content pushed out of the frame by the undo comes back as background
            float[] edge = img.clone();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int xx = 0; xx < 4; xx++) {
                        edge[c * 1024 + y * 32 + xx] = -1f;
                    }
                }
            }
            byte[] e = right.segmenterInFrame(dark).apply(m.create(edge, new Shape(1, 3, 32, 32)))[0];
            assertEquals(0, e[5 * 32 + 1], "a dark column left of the shifted content was never in the parent's frame");
        }
    }
}
