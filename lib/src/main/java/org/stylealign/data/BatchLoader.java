package org.stylealign.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Batches over a fixed list of dataset indices. Epoch e visits the indices in an order drawn from (seed, e), or
 * in the given order when shuffling is off; augmentation draws for image i in epoch e come from (seed, e, i), so
 * an epoch is reproducible on its own. Shifts move the image (and mask) by up to {@code shift} pixels each way,
 * repeating the edge pixels into the uncovered border.
 */
public final class BatchLoader {

    private final ImageDataset data;
    private final int[] indices;
    private final int batchSize;
    private boolean shuffle;
    private long seed;
    private boolean xflip;
    private int shift;
    private boolean dropLast;

    BatchLoader(ImageDataset data, int[] indices, int batchSize) {
        if (batchSize <= 0) {
            throw new DataException("batch size must be > 0, got " + batchSize);
        }
        for (int i : indices) {
            if (i < 0 || i >= data.size()) {
                throw new DataException("index " + i + " is outside dataset " + data.manifest().id() + " (0.."
                        + (data.size() - 1) + ")");
            }
        }
        this.data = data;
        this.indices = indices.clone();
        this.batchSize = batchSize;
    }

    public BatchLoader shuffle(long seed) {
        this.shuffle = true;
        this.seed = seed;
        return this;
    }

    /** Mirror each image left-right with probability 1/2. */
    public BatchLoader xflip(boolean on) {
        this.xflip = on;
        return this;
    }

    /** Shift each image by a whole number of pixels in [-max, max] in x and y. */
    public BatchLoader shift(int max) {
        if (max < 0 || max >= data.imageSize()) {
            throw new DataException("shift must lie in 0.." + (data.imageSize() - 1) + ", got " + max);
        }
        this.shift = max;
        return this;
    }

    public BatchLoader dropLast(boolean on) {
        this.dropLast = on;
        return this;
    }

    public int batchesPerEpoch() {
        return dropLast ? indices.length / batchSize : (indices.length + batchSize - 1) / batchSize;
    }

    /** The dataset indices of every batch of epoch e. */
    public List<int[]> plan(int epoch) {
        int[] order = indices.clone();
        if (shuffle) {
            ImageDataset.shuffle(order, new SplittableRandom(mix(seed, epoch, -1)));
        }
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < batchesPerEpoch(); b++) {
            int from = b * batchSize;
            int to = Math.min(order.length, from + batchSize);
            out.add(java.util.Arrays.copyOfRange(order, from, to));
        }
        return out;
    }

    public Iterator<Batch> epoch(NDManager manager, int epoch) {
        List<int[]> plan = plan(epoch);
        return new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < plan.size();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return load(manager, plan.get(next++), epoch);
            }
        };
    }

    private static long mix(long seed, int epoch, int index) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + index;
        return h ^ (h >>> 29);
    }

    /** Loads the given dataset indices as a batch, with this loader's augmentation for epoch e. */
    public Batch load(NDManager manager, int[] idx, int epoch) {
        int n = idx.length;
        int c = data.channels();
        int s = data.imageSize();
        int plane = s * s;
        float[] px = new float[n * c * plane];
        ByteBuffer mk = data.hasMasks() ? ByteBuffer.allocateDirect(n * plane).order(ByteOrder.nativeOrder()) : null;
        boolean[] flipped = new boolean[n];
        int[][] shifts = new int[n][2];
        List<LabelRecord> labels = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            int i = idx[b];
            SplittableRandom r = new SplittableRandom(mix(seed, epoch, i));
            flipped[b] = xflip && r.nextBoolean();
            if (shift > 0) {
                shifts[b][0] = r.nextInt(2 * shift + 1) - shift;
                shifts[b][1] = r.nextInt(2 * shift + 1) - shift;
            }
            byte[] p = data.pixels(i);
            for (int ch = 0; ch < c; ch++) {
                transform(p, ch * plane, s, flipped[b], shifts[b], px, (b * c + ch) * plane);
            }
            if (mk != null) {
                byte[] m = data.classes(i);
                for (int k = 0; k < plane; k++) {
                    mk.put(m[source(k, s, flipped[b], shifts[b])]);
                }
            }
            labels.add(data.label(i));
        }
        NDArray images = manager.create(px, new Shape(n, c, s, s));
        NDArray masks = null;
        if (mk != null) {
            mk.rewind();
            masks = manager.create(mk, new Shape(n, s, s), DataType.UINT8);
        }
        return new Batch(images, masks, List.copyOf(labels), idx.clone(), flipped, shifts);
    }

    /** Where output pixel k comes from: shifted by d, mirrored, clamped to the edge. */
    private static int source(int k, int s, boolean flip, int[] d) {
        int sy = Math.min(s - 1, Math.max(0, k / s - d[1]));
        int sx = Math.min(s - 1, Math.max(0, k % s - d[0]));
        return sy * s + (flip ? s - 1 - sx : sx);
    }

    private static void transform(byte[] src, int off, int s, boolean flip, int[] d, float[] out, int outOff) {
        for (int k = 0; k < s * s; k++) {
            out[outOff + k] = (src[off + source(k, s, flip, d)] & 0xff) / 127.5f - 1f;
        }
    }
}
