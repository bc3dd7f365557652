package org.stylealign.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.data.Batch;
import org.stylealign.data.ImageDataset;
import org.stylealign.data.LabelRecord;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.HostTensor;
import org.stylealign.io.SafeTensors;
import org.stylealign.model.Devices;
import org.stylealign.model.Scalars;
import org.stylealign.model.Tensors;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Reads a domain's attributes ({@link Attribute}) from images: the workbench's counterpart of the FFHQ attribute
 * classifiers the paper's analyses use, trained on the exact labels of rendered images. The {@link SmallCnn} trunk
 * (32 px, 128 features) with one linear head per attribute: a logit (binary), class logits (categorical) or a
 * logit whose sigmoid is the luminance. Stored in safetensors with the attributes as metadata.
 */
public final class AttributeClassifier implements FeatureExtractor {

    static final String META_DOMAIN = "attributes.domain";
    static final String META_ATTRIBUTES = "attributes.json";
    static final String META_SIZE = "attributes.size";
    static final String META_PROVENANCE = "attributes.provenance";
    /** Bundled classifiers: {@code /org/stylealign/metrics/attributes-<domain>.safetensors}. */
    public static final String BUNDLED = "/org/stylealign/metrics/attributes-%s.safetensors";

    private final String domain;
    private final List<Attribute> attributes;
    private final NDManager manager;
    private final Scalars scalars;
    private final Map<String, NDArray> params;
    private String provenance;

    private AttributeClassifier(String domain, List<Attribute> attributes, Map<String, HostTensor> weights) {
        this.domain = domain;
        this.attributes = List.copyOf(attributes);
        this.manager = NDManager.newBaseManager(Devices.preferred());
        this.scalars = new Scalars(manager);
        try {
            this.params = SmallCnn.load(manager, shapes(attributes), weights, "attribute classifier (" + domain + ")");
        } catch (IllegalArgumentException e) {
            manager.close();
            throw e;
        }
    }

    static Map<String, Shape> shapes(List<Attribute> attributes) {
        Map<String, Shape> s = SmallCnn.trunkShapes();
        for (Attribute a : attributes) {
            s.put("head." + a.name() + ".weight", new Shape(a.outputs(), SmallCnn.FEATURES));
            s.put("head." + a.name() + ".bias", new Shape(a.outputs()));
        }
        return s;
    }

    static AttributeClassifier init(String domain, List<Attribute> attributes, long seed) {
        return new AttributeClassifier(domain, attributes, SmallCnn.init(shapes(attributes), seed));
    }

    public static AttributeClassifier load(Path file) throws CheckpointException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String json = c.metadata().get(META_ATTRIBUTES);
        String domain = c.metadata().get(META_DOMAIN);
        if (json == null || domain == null) {
            throw new CheckpointException(file + ": not an attribute classifier (no '" + META_ATTRIBUTES + "' / '"
                    + META_DOMAIN + "' metadata)");
        }
        try {
            AttributeClassifier a = new AttributeClassifier(domain, Attribute.fromJson(json), c.tensors());
            a.provenance = c.metadata().get(META_PROVENANCE);
            return a;
        } catch (RuntimeException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /** The classifier bundled with the workbench for {@code domain}, or empty when there is none. */
    public static Optional<AttributeClassifier> bundled(String domain) throws CheckpointException {
        return Bundled.read(String.format(BUNDLED, domain), "attribute classifier of " + domain,
                AttributeClassifier::load);
    }

    /** Writes the weights (float16 when {@code half}: half the size, predictions equal to ~1e-3). */
    public void save(Path file, boolean half) throws CheckpointException {
        Map<String, HostTensor> w = new LinkedHashMap<>();
        params.forEach((k, v) -> w.put(k, new HostTensor(v.getShape().getShape(), v.toFloatArray())));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_DOMAIN, domain);
        meta.put(META_ATTRIBUTES, Attribute.toJson(attributes));
        meta.put(META_SIZE, Integer.toString(SmallCnn.SIZE));
        if (provenance != null) {
            meta.put(META_PROVENANCE, provenance);
        }
        SafeTensors.write(file, w, meta, half);
    }

    public String domain() {
        return domain;
    }

    public List<Attribute> attributes() {
        return attributes;
    }

    /**
     * What it was trained on, with the images' attribution and licence (from the dataset's manifest), e.g.
     * "avataaars-32px-n12000-s101, 10200 images; Avataaars by Pablo Stanley (...); Free for personal and commercial
     * use (...)"; null when unknown.
     */
    public String provenance() {
        return provenance;
    }

    public Attribute attribute(String name) {
        return attributes.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("the " + domain + " attribute classifier has no attribute '" + name
                        + "'; it has " + attributes.stream().map(Attribute::name).toList()));
    }

    @Override
    public String name() {
        return "attribute-cnn-" + SmallCnn.SIZE + "px(" + domain + ")";
    }

    /** {features, then one head output per attribute} in the images' manager. */
    NDList forward(NDArray images) {
        NDArray f = SmallCnn.features(params, scalars, images);
        NDList out = new NDList(f);
        for (Attribute a : attributes) {
            out.add(SmallCnn.linear(params, "head." + a.name(), f));
        }
        return out;
    }

    /**
     * Per attribute, per image: [p(positive)] (binary), class probabilities (categorical) or [luminance]
     * (luminance). Images [N, C, H, W] in [-1, 1], any size (resized to 32 px).
     */
    public Map<String, float[][]> predict(NDArray images) {
        Map<String, List<float[]>> rows = new LinkedHashMap<>();
        attributes.forEach(a -> rows.put(a.name(), new ArrayList<>()));
        long n = images.getShape().get(0);
        for (long s = 0; s < n; s += 64) {
            try (NDManager m = manager.newSubManager()) {
                NDArray part = images.get(s + ":" + Math.min(n, s + 64)).duplicate();
                part.attach(m);
                NDList out = forward(part);
                for (int i = 0; i < attributes.size(); i++) {
                    Attribute a = attributes.get(i);
                    NDArray y = out.get(i + 1);
                    y = a.kind() == Attribute.Kind.CATEGORICAL ? y.softmax(1) : y.getNDArrayInternal().sigmoid();
                    int k = a.outputs();
                    float[] flat = y.toFloatArray();
                    for (int r = 0; r < flat.length / k; r++) {
                        rows.get(a.name()).add(java.util.Arrays.copyOfRange(flat, r * k, (r + 1) * k));
                    }
                }
            }
        }
        Map<String, float[][]> result = new LinkedHashMap<>();
        rows.forEach((k, v) -> result.put(k, v.toArray(new float[0][])));
        return result;
    }

    /** One number per image: p(positive) for a binary attribute, the luminance for a luminance attribute. */
    public double[] score(NDArray images, String attribute) {
        Attribute a = attribute(attribute);
        if (a.kind() == Attribute.Kind.CATEGORICAL) {
            throw new IllegalArgumentException("'" + attribute + "' is categorical (" + a.values().size()
                    + " classes): use predict() for its class probabilities");
        }
        float[][] p = predict(images).get(attribute);
        double[] s = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            s[i] = p[i][0];
        }
        return s;
    }

    /** The trunk's 128 features (a feature space for distances, like the domain classifier's). */
    @Override
    public float[][] features(NDArray images) {
        long n = images.getShape().get(0);
        List<float[]> rows = new ArrayList<>();
        for (long s = 0; s < n; s += 64) {
            try (NDManager m = manager.newSubManager()) {
                NDArray part = images.get(s + ":" + Math.min(n, s + 64)).duplicate();
                part.attach(m);
                float[] flat = SmallCnn.features(params, scalars, part).toFloatArray();
                for (int r = 0; r < flat.length / SmallCnn.FEATURES; r++) {
                    rows.add(java.util.Arrays.copyOfRange(flat, r * SmallCnn.FEATURES, (r + 1) * SmallCnn.FEATURES));
                }
            }
        }
        return rows.toArray(new float[0][]);
    }

    // ---- training and evaluation ----

    /** Images of a dataset at the given indices, [n, C, H, W] in [-1, 1], owned by {@code m}. */
    static NDArray images(ImageDataset ds, int[] idx, NDManager m) {
        Batch b = ds.loader(idx, idx.length).load(m, idx, 0);
        NDArray owned = b.images().duplicate();
        owned.attach(m);
        b.close();
        return owned;
    }

    /**
     * Trains from scratch on {@code train} (indices of {@code ds}): random batches, mirrored at random, Adam
     * (lr 1e-3), the sum over attributes of binary cross-entropy (positives weighted by negatives / positives, so a
     * rare attribute is not ignored), cross-entropy, and 10 x the squared luminance error. Images whose label lacks
     * an attribute do not count for it.
     */
    public static AttributeClassifier train(ImageDataset ds, int[] train, List<Attribute> attributes, int steps,
                                            int batch, long seed, PrintStream log) {
        String domain = ds.manifest().domain();
        AttributeClassifier c = init(domain, attributes, seed);
        int na = attributes.size();
        double[][] targets = new double[na][ds.size()];
        double[] posWeight = new double[na];
        for (int a = 0; a < na; a++) {
            double pos = 0, neg = 0;
            for (int i = 0; i < ds.size(); i++) {
                targets[a][i] = attributes.get(a).target(ds.label(i));
            }
            for (int i : train) {
                double t = targets[a][i];
                pos += t == 1 ? 1 : 0;
                neg += t == 0 ? 1 : 0;
            }
            posWeight[a] = pos == 0 ? 1 : Math.max(1, neg / pos);
        }
        SplittableRandom r = new SplittableRandom(seed + 1);
        ClassifierTrainer trainer = new ClassifierTrainer(c.params, c.manager, 1e-3);
        double avg = Double.NaN;
        try {
            for (int step = 1; step <= steps; step++) {
                int[] idx = new int[batch];
                for (int i = 0; i < batch; i++) {
                    idx[i] = train[r.nextInt(train.length)];
                }
                boolean flip = r.nextBoolean();
                double loss = trainer.step(m -> {
                    NDArray x = images(ds, idx, m);
                    NDList out = c.forward(flip ? x.flip(3) : x);
                    NDArray total = null;
                    for (int a = 0; a < na; a++) {
                        NDArray term = c.loss(attributes.get(a), out.get(a + 1), targets[a], idx, posWeight[a], m);
                        total = total == null ? term : total.add(term);
                    }
                    return total;
                }, "attribute classifier (" + domain + ")");
                avg = Double.isNaN(avg) ? loss : 0.95 * avg + 0.05 * loss;
                if (log != null && (step % 100 == 0 || step == steps)) {
                    log.printf(Locale.ROOT, "attributes (%s) step %d/%d  loss %.4f%n", domain, step, steps, avg);
                }
            }
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        trainer.finish();
        var man = ds.manifest();
        c.provenance = man.id() + ", " + train.length + " training images; " + man.attribution() + "; " + man.licence();
        return c;
    }

    /** The loss of one head over a batch, NaN targets masked out. */
    private NDArray loss(Attribute a, NDArray out, double[] targets, int[] idx, double posWeight, NDManager m) {
        int n = idx.length;
        float[] mask = new float[n];
        float count = 0;
        for (int i = 0; i < n; i++) {
            mask[i] = Double.isNaN(targets[idx[i]]) ? 0 : 1;
            count += mask[i];
        }
        NDArray scale = Tensors.owned(m, new float[] {count == 0 ? 0 : 1f / count}, new Shape());
        if (a.kind() == Attribute.Kind.CATEGORICAL) {
            int k = a.outputs();
            float[] onehot = new float[n * k];
            for (int i = 0; i < n; i++) {
                if (mask[i] > 0) {
                    onehot[i * k + (int) targets[idx[i]]] = 1f;
                }
            }
            NDArray t = Tensors.owned(m, onehot, new Shape(n, k));
            return out.logSoftmax(1).mul(t).sum().neg().mul(scale);
        }
        float[] t = new float[n];
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = mask[i] > 0 ? (float) targets[idx[i]] : 0f;
            w[i] = mask[i] * (a.kind() == Attribute.Kind.BINARY && t[i] == 1f ? (float) posWeight : 1f);
        }
        NDArray tt = Tensors.owned(m, t, new Shape(n, 1));
        NDArray ww = Tensors.owned(m, w, new Shape(n, 1));
        if (a.kind() == Attribute.Kind.BINARY) {
            // softplus(l) - t l, written stably: max(l, 0) - t l + log(1 + exp(-|l|))
            NDArray bce = out.maximum(scalars.of(0f)).sub(out.mul(tt))
                    .add(out.abs().neg().exp().add(scalars.of(1f)).log());
            return bce.mul(ww).sum().mul(scale);
        }
        NDArray d = out.getNDArrayInternal().sigmoid().sub(tt);
        return d.square().mul(ww).sum().mul(scale).mul(scalars.of(10f));
    }

    /**
     * How well one attribute is read on held-out images, with its chance-level baseline.
     *
     * @param metric   "balanced accuracy" (binary), "accuracy" (categorical) or "mean abs error" (luminance)
     * @param value    the classifier's figure
     * @param baseline the same figure for the best constant guess (0.5; the majority class's share; predicting the
     *                 training mean)
     * @param extra    accuracy (binary), or Pearson r (luminance); NaN otherwise
     */
    public record Score(String attribute, String metric, double value, double baseline, double extra, int n) {
    }

    /** Scores every attribute on images {@code idx} of {@code ds}; {@code trainMean} per luminance attribute. */
    public List<Score> evaluate(ImageDataset ds, int[] idx) {
        Map<String, List<float[]>> preds = new LinkedHashMap<>();
        attributes.forEach(a -> preds.put(a.name(), new ArrayList<>()));
        for (int s = 0; s < idx.length; s += 256) {
            int[] part = java.util.Arrays.copyOfRange(idx, s, Math.min(idx.length, s + 256));
            try (NDManager m = manager.newSubManager()) {
                predict(images(ds, part, m)).forEach((k, v) -> preds.get(k).addAll(List.of(v)));
            }
        }
        List<Score> scores = new ArrayList<>();
        for (Attribute a : attributes) {
            List<float[]> p = preds.get(a.name());
            List<Double> truth = new ArrayList<>();
            List<float[]> kept = new ArrayList<>();
            for (int i = 0; i < idx.length; i++) {
                double t = a.target(ds.label(idx[i]));
                if (!Double.isNaN(t)) {
                    truth.add(t);
                    kept.add(p.get(i));
                }
            }
            scores.add(score(a, truth, kept));
        }
        return scores;
    }

    /** Scores predictions against truth as {@link #evaluate} does (NaN truths must be left out by the caller). */
    public static Score score(Attribute a, List<Double> truth, List<float[]> pred) {
        int n = truth.size();
        switch (a.kind()) {
            case BINARY -> {
                double tp = 0, tn = 0, pos = 0, neg = 0;
                for (int i = 0; i < n; i++) {
                    boolean t = truth.get(i) == 1, y = pred.get(i)[0] >= 0.5;
                    pos += t ? 1 : 0;
                    neg += t ? 0 : 1;
                    tp += t && y ? 1 : 0;
                    tn += !t && !y ? 1 : 0;
                }
                double balanced = 0.5 * ((pos == 0 ? 1 : tp / pos) + (neg == 0 ? 1 : tn / neg));
                return new Score(a.name(), "balanced accuracy", balanced, 0.5, (tp + tn) / n, n);
            }
            case CATEGORICAL -> {
                int k = a.outputs();
                int[] counts = new int[k];
                double right = 0;
                for (int i = 0; i < n; i++) {
                    int t = (int) (double) truth.get(i);
                    counts[t]++;
                    float[] y = pred.get(i);
                    int best = 0;
                    for (int c = 1; c < k; c++) {
                        best = y[c] > y[best] ? c : best;
                    }
                    right += best == t ? 1 : 0;
                }
                int majority = java.util.Arrays.stream(counts).max().orElse(0);
                return new Score(a.name(), "accuracy", right / n, (double) majority / n, Double.NaN, n);
            }
            default -> {
                double mean = truth.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                double mae = 0, base = 0, sy = 0, syy = 0, sty = 0, stt = 0;
                double meanY = pred.stream().mapToDouble(y -> y[0]).average().orElse(0);
                for (int i = 0; i < n; i++) {
                    double t = truth.get(i), y = pred.get(i)[0];
                    mae += Math.abs(y - t);
                    base += Math.abs(mean - t);
                    sty += (t - mean) * (y - meanY);
                    stt += (t - mean) * (t - mean);
                    syy += (y - meanY) * (y - meanY);
                }
                double rr = stt == 0 || syy == 0 ? Double.NaN : sty / Math.sqrt(stt * syy);
                return new Score(a.name(), "mean abs error", mae / n, base / n, rr, n);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
