package org.stylealign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.data.Batch;
import org.stylealign.data.BatchLoader;
import org.stylealign.data.ImageDataset;

import java.util.List;

/**
 * Real images from a built dataset: step s takes batch (s mod batchesPerEpoch) of epoch (s / batchesPerEpoch) of a
 * shuffled loader (seeded), full batches only, so the batch of a step never depends on the steps before it.
 */
public final class DatasetFeed implements ImageFeed {

    private final ImageDataset data;
    private final BatchLoader loader;
    private int cachedEpoch = -1;
    private List<int[]> plan;

    public DatasetFeed(ImageDataset data, int batch, long seed) {
        if (data.size() < batch) {
            throw new IllegalArgumentException("the dataset has " + data.size() + " images, fewer than one batch of "
                    + batch);
        }
        this.data = data;
        this.loader = data.loader(data.indices(), batch).shuffle(seed).dropLast(true);
    }

    @Override
    public NDArray images(NDManager m, long step, int batch) {
        int per = loader.batchesPerEpoch();
        int epoch = Math.toIntExact(step / per);
        if (epoch != cachedEpoch) {
            plan = loader.plan(epoch);
            cachedEpoch = epoch;
        }
        Batch b = loader.load(m, plan.get((int) (step % per)), epoch);
        if (b.size() != batch) {
            throw new IllegalArgumentException("the feed was built for batches of " + b.size() + ", asked for "
                    + batch);
        }
        // The loader's tensor wraps Java memory; keep a libtorch-owned copy only.
        NDArray owned = b.images().duplicate();
        owned.attach(m);
        b.close();
        return owned;
    }

    @Override
    public int resolution() {
        return data.imageSize();
    }

    @Override
    public int channels() {
        return data.channels();
    }
}
