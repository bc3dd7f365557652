package org.stylealign.data;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.concurrent.ExecutorService;

/** Produces the images of one build in order; {@link DatasetBuilder} writes them. */
interface ImageSource extends AutoCloseable {

    /** One finished image; classes/bits are null without masks. */
    record Item(byte[] pixels, LabelRecord label, byte[] classes, short[] bits) {
    }

    /** Images per unit of count: 2 for before/after pairs, else 1. */
    default int imagesPerUnit() {
        return 1;
    }

    /** Versions and settings of the generator, written into the manifest. */
    JsonObject generator();

    /** The images of units [from, to), in order, rendered on the pool. */
    List<Item> render(int from, int to, ExecutorService pool) throws Exception;

    @Override
    default void close() {
    }
}
