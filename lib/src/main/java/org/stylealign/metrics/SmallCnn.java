package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import org.stylealign.io.HostTensor;
import org.stylealign.model.Convolution;
import org.stylealign.model.Scalars;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The small CNN trunk of the project's image readers (domain classifier, attribute classifiers) at 32 px: four 3x3
 * convolutions (32, 64, 128, 128 channels, leaky ReLU 0.2, 2x2 average pooling after the first three), then global
 * average pooling to 128 features. Tensors {@code conv{i}.weight/bias}; heads are the callers'.
 */
final class SmallCnn {

    static final int SIZE = 32;
    static final int[] WIDTHS = {32, 64, 128, 128};
    static final int FEATURES = WIDTHS[WIDTHS.length - 1];

    private SmallCnn() {
    }

    /** The trunk's tensor shapes, in order. */
    static Map<String, Shape> trunkShapes() {
        Map<String, Shape> s = new LinkedHashMap<>();
        int in = 3;
        for (int i = 0; i < WIDTHS.length; i++) {
            s.put("conv" + i + ".weight", new Shape(WIDTHS[i], in, 3, 3));
            s.put("conv" + i + ".bias", new Shape(WIDTHS[i]));
            in = WIDTHS[i];
        }
        return s;
    }

    /** He-normal weights, zero biases, for every shape given (trunk and heads), from a seed. */
    static Map<String, HostTensor> init(Map<String, Shape> shapes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, HostTensor> w = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            long[] shape = e.getValue().getShape();
            float[] v = new float[(int) e.getValue().size()];
            if (e.getKey().endsWith(".weight")) {
                double std = Math.sqrt(2.0 / (e.getValue().size() / shape[0]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * std);
                }
            }
            w.put(e.getKey(), new HostTensor(shape, v));
        }
        return w;
    }

    /**
     * Copies checked weights into libtorch-owned tensors of {@code manager}; a missing or misshapen tensor is an
     * IllegalArgumentException naming it ({@code what} says whose).
     */
    static Map<String, NDArray> load(NDManager manager, Map<String, Shape> shapes, Map<String, HostTensor> weights,
                                     String what) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            HostTensor h = weights.get(e.getKey());
            if (h == null || !new Shape(h.shape()).equals(e.getValue())) {
                throw new IllegalArgumentException(what + ": tensor " + e.getKey() + " is "
                        + (h == null ? "missing" : "of shape " + h.shapeString()) + ", expected " + e.getValue());
            }
            try (NDArray wrapped = manager.create(h.values(), e.getValue())) {
                NDArray owned = wrapped.duplicate(); // libtorch-owned, not over the Java array
                owned.attach(manager);
                params.put(e.getKey(), owned);
            }
        }
        return params;
    }

    /** Features [N, 128] of images [N, 1 or 3, H, W] in [-1, 1] (resized to 32 px), in the images' manager. */
    static NDArray features(Map<String, NDArray> params, Scalars scalars, NDArray images) {
        NDManager m = images.getManager();
        NDArray x = FeatureExtractor.resize(FeatureExtractor.rgb(images, m), SIZE, m);
        for (int i = 0; i < WIDTHS.length; i++) {
            x = Convolution.conv2d(x, params.get("conv" + i + ".weight"), params.get("conv" + i + ".bias"), 1, 1, 1, 1);
            x = Activation.leakyRelu(x, 0.2f);
            if (i < WIDTHS.length - 1) {
                x = Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
            }
        }
        long hw = x.getShape().get(2) * x.getShape().get(3);
        // (a persistent scalar: x.div(number) inside a differentiated graph is the NaN trap)
        return x.sum(new int[] {2, 3}).mul(scalars.of(1f / hw));
    }

    /**
     * The activations after each of the four convolutions (after the leaky ReLU, before pooling), differentiable:
     * the layers of a perceptual distance.
     */
    static java.util.List<NDArray> activations(Map<String, NDArray> params, NDArray images) {
        NDManager m = images.getManager();
        NDArray x = FeatureExtractor.resize(FeatureExtractor.rgb(images, m), SIZE, m);
        java.util.List<NDArray> out = new java.util.ArrayList<>();
        for (int i = 0; i < WIDTHS.length; i++) {
            x = Convolution.conv2d(x, params.get("conv" + i + ".weight"), params.get("conv" + i + ".bias"), 1, 1, 1, 1);
            x = Activation.leakyRelu(x, 0.2f);
            out.add(x);
            if (i < WIDTHS.length - 1) {
                x = Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
            }
        }
        return out;
    }

    /** x [N, F] times the linear head {@code name}.weight [K, F] plus bias, in x's manager. */
    static NDArray linear(Map<String, NDArray> params, String name, NDArray x) {
        NDArray wt = params.get(name + ".weight").transpose();
        wt.attach(x.getManager()); // a transient view: freed with the caller's manager, not kept by the network's
        return x.matMul(wt).add(params.get(name + ".bias"));
    }
}
