package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The named tensors of one network (canonical names, see docs/parameters.md), owned by one manager. Layers ask for
 * their tensors by name and shape while the network is built; the source is either a loaded checkpoint (shapes are
 * checked) or a fresh initialisation.
 */
public final class Params {

    /** How a tensor is initialised when a network is created from scratch. */
    public enum Init { NORMAL, ZEROS, ONES }

    private final NDManager manager;
    private final Map<String, NDArray> given;
    private final Random random;
    private final Map<String, NDArray> taken = new LinkedHashMap<>();
    private final Set<String> trainable = new TreeSet<>();

    private Params(NDManager manager, Map<String, NDArray> given, Random random) {
        this.manager = manager;
        this.given = given;
        this.random = random;
    }

    /** Tensors from a checkpoint; they are attached to {@code manager}. */
    public static Params of(NDManager manager, Map<String, NDArray> tensors) {
        return new Params(manager, new LinkedHashMap<>(tensors), null);
    }

    /** Fresh tensors, initialised as the reference code does, from a seed. */
    public static Params init(NDManager manager, long seed) {
        return new Params(manager, null, new Random(seed));
    }

    NDArray take(String name, Shape shape, Init init, boolean isTrainable) {
        NDArray t;
        if (given != null) {
            t = given.get(name);
            if (t == null) {
                throw new IllegalArgumentException("missing tensor '" + name + "' (expected shape " + shape + ")");
            }
            if (!t.getShape().equals(shape)) {
                throw new IllegalArgumentException("tensor '" + name + "' has shape " + t.getShape()
                        + " but the architecture needs " + shape);
            }
            t.attach(manager);
        } else {
            t = create(shape, init);
        }
        NDScope.unregister(t);
        taken.put(name, t);
        if (isTrainable) {
            trainable.add(name);
        }
        return t;
    }

    private NDArray create(Shape shape, Init init) {
        float[] v = new float[Math.toIntExact(shape.size())];
        switch (init) {
            case NORMAL -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextGaussian();
                }
            }
            case ONES -> java.util.Arrays.fill(v, 1f);
            case ZEROS -> { }
        }
        return Tensors.owned(manager, v, shape);
    }

    /** True when the tensors are being initialised rather than loaded. */
    boolean isFresh() {
        return given == null;
    }

    /** Checks that a loaded checkpoint had no tensor the architecture did not use. */
    void checkAllUsed() {
        if (given == null) {
            return;
        }
        Set<String> extra = new TreeSet<>(given.keySet());
        extra.removeAll(taken.keySet());
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("tensors not used by the architecture: " + extra);
        }
    }

    public NDManager manager() {
        return manager;
    }

    /** Every tensor, by canonical name, in the order the network was built. */
    public Map<String, NDArray> all() {
        return Collections.unmodifiableMap(taken);
    }

    /** Names of the tensors an optimiser updates (buffers such as w_avg and noise maps are not among them). */
    public Set<String> trainableNames() {
        return Collections.unmodifiableSet(trainable);
    }
}
