package org.stylealign.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The StyleGAN2 generator: mapping network (Z -> W), then synthesis (W+ -> S -> image). Every latent space of the
 * paper is reachable: Z, Z+ (one z per layer), W, W+ ([N, numWs, W]) and S ({@link StyleCodes}).
 *
 * <p>Results belong to the manager of the input they were computed from; intermediate tensors are freed before a
 * method returns. The generator's own tensors belong to its manager and are freed by {@link #close()}.
 */
public final class Generator implements AutoCloseable {

    private final GeneratorConfig config;
    private final NDManager manager;
    private final Params params;
    private final Scalars scalars;
    private final MappingNetwork mapping;
    private final SynthesisNetwork synthesis;

    private Generator(GeneratorConfig config, NDManager manager, Params params) {
        this.config = config;
        this.manager = manager;
        this.params = params;
        this.scalars = new Scalars(manager);
        Fir fir = new Fir(manager);
        this.mapping = new MappingNetwork(params, scalars, config);
        this.synthesis = new SynthesisNetwork(params, scalars, fir, config);
        params.checkAllUsed();
    }

    /**
     * A generator over existing tensors (canonical names, docs/parameters.md). The tensors are moved to a new
     * manager on {@code device}; a missing, extra or misshapen tensor is an IllegalArgumentException naming it.
     */
    public static Generator of(GeneratorConfig config, Device device, Map<String, NDArray> tensors) {
        return Tensors.withNewManager(device, m -> new Generator(config, m, Params.of(m, tensors)));
    }

    /** A freshly initialised generator (as the reference code initialises one), for training from scratch. */
    public static Generator create(GeneratorConfig config, Device device, long seed) {
        return Tensors.withNewManager(device, m -> new Generator(config, m, Params.init(m, seed)));
    }

    public GeneratorConfig config() {
        return config;
    }

    /**
     * The generator whose every tensor is (1 - t) * this + t * other (weights, biases, w_avg, stored noise maps): the
     * weight interpolation between two aligned models (paper Fig. 24-27, 31-32). t = 0 gives this generator's tensors
     * and t = 1 the other's, exactly. Same architecture required.
     */
    public Generator interpolate(Generator other, double t) {
        if (!config.equals(other.config)) {
            throw new IllegalArgumentException("cannot interpolate generators of different architectures: " + config
                    + " vs " + other.config);
        }
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("interpolation weight must be in [0, 1], got " + t);
        }
        try (NDManager staging = NDManager.newBaseManager(device())) {
            Map<String, NDArray> t2 = new java.util.LinkedHashMap<>();
            Map<String, NDArray> theirs = other.tensors();
            for (Map.Entry<String, NDArray> e : tensors().entrySet()) {
                NDArray b = theirs.get(e.getKey()).toDevice(device(), false);
                // the end points are copied, not computed: (1 - 1) * a + b is not b when a is not finite
                NDArray c = t == 0 ? e.getValue().duplicate() : t == 1 ? b.duplicate()
                        : e.getValue().mul((float) (1 - t)).add(b.mul((float) t));
                c.attach(staging);
                t2.put(e.getKey(), c);
            }
            return Generator.of(config, device(), t2);
        }
    }

    /** A copy of this generator: its own tensors, on the same device. */
    public Generator copy() {
        return withParts(this, List.of());
    }

    /**
     * This generator with the tensors of {@code parts} taken from {@code donor}, a model of the same architecture:
     * with the parent as donor, the paper's component reset (Fig. 1, 8); in general a hybrid of two aligned models.
     * Returns a new generator; neither input changes. Buffers go with their part (w_avg with the mapping, the stored
     * noise maps with the noise), so taking {@link Part#all()} from the donor reproduces the donor exactly.
     */
    public Generator withParts(Generator donor, java.util.Collection<Part> parts) {
        if (!config.equals(donor.config)) {
            throw new IllegalArgumentException("cannot take parts from a generator of another architecture: "
                    + donor.config + " vs " + config);
        }
        try (NDManager staging = NDManager.newBaseManager(device())) {
            Map<String, NDArray> t = new java.util.LinkedHashMap<>();
            Map<String, NDArray> theirs = donor.tensors();
            for (Map.Entry<String, NDArray> e : tensors().entrySet()) {
                NDArray src = Part.anyMatches(parts, e.getKey()) ? theirs.get(e.getKey()) : e.getValue();
                // duplicate() is a real copy; toDevice(same device, copy=true) would alias the storage
                NDArray c = src.getDevice().equals(device()) ? src.duplicate() : src.toDevice(device(), true);
                c.attach(staging);
                t.put(e.getKey(), c);
            }
            return Generator.of(config, device(), t);
        }
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Every tensor by canonical name (parameters and buffers), owned by this generator. */
    public Map<String, NDArray> tensors() {
        return params.all();
    }

    public Params params() {
        return params;
    }

    /** The StyleSpace layers in the paper's order. */
    public List<StyleLayer> styleLayers() {
        return synthesis.styleLayers;
    }

    public int numWs() {
        return config.numWs();
    }

    /** Total number of style channels (the dimension of S). */
    public int styleChannels() {
        return styleLayers().stream().mapToInt(StyleLayer::channels).sum();
    }

    // ---- Z ----

    /** The seeds first, first + 1, ..., first + count - 1 (the latents of a batch of samples). */
    public static long[] seedRange(long first, int count) {
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = first + i;
        }
        return seeds;
    }

    /** One z per seed, drawn as NVlabs' generate.py does: {@code RandomState(seed).randn(zDim)}. */
    public NDArray zFromSeeds(NDManager m, long... seeds) {
        float[] v = new float[seeds.length * config.zDim()];
        for (int i = 0; i < seeds.length; i++) {
            System.arraycopy(new NumpyRandom(seeds[i]).randn(config.zDim()), 0, v, i * config.zDim(), config.zDim());
        }
        return Tensors.owned(m, v, new Shape(seeds.length, config.zDim()));
    }

    /** Z+ : one independent z per w index, [N, numWs, zDim], seeded like {@link #zFromSeeds}. */
    public NDArray zPlusFromSeeds(NDManager m, long... seeds) {
        int d = config.zDim() * numWs();
        float[] v = new float[seeds.length * d];
        for (int i = 0; i < seeds.length; i++) {
            System.arraycopy(new NumpyRandom(seeds[i]).randn(d), 0, v, i * d, d);
        }
        return Tensors.owned(m, v, new Shape(seeds.length, numWs(), config.zDim()));
    }

    // ---- W ----

    /** z [N, zDim] -> w [N, wDim] (no truncation). */
    public NDArray mapping(NDArray z) {
        checkShape("z", z, -1, config.zDim());
        return Scoped.compute(z.getManager(), () -> mapping.forward(z));
    }

    /** Z+ [N, numWs, zDim] -> W+ [N, numWs, wDim]: every layer's z mapped on its own. */
    public NDArray mappingPlus(NDArray zPlus) {
        checkShape("z+", zPlus, -1, numWs(), config.zDim());
        long n = zPlus.getShape().get(0);
        return Scoped.compute(zPlus.getManager(), () -> mapping.forward(zPlus.reshape(n * numWs(), config.zDim()))
                .reshape(n, numWs(), config.wDim()));
    }

    /** w [N, wDim] -> W+ [N, numWs, wDim] with the same w in every row. */
    public NDArray broadcast(NDArray w) {
        checkShape("w", w, -1, config.wDim());
        long n = w.getShape().get(0);
        return Scoped.compute(w.getManager(), () -> w.reshape(n, 1, config.wDim()).repeat(1, numWs()));
    }

    /** The average w (truncation centre) as [1, wDim] in {@code m}. */
    public NDArray wAvg(NDManager m) {
        NDArray copy = mapping.wAvg.reshape(1, config.wDim()).duplicate();
        copy.attach(m);
        return copy;
    }

    /** Truncation of every row of W+ towards w_avg: w_avg + psi (w - w_avg). psi = 1 is the identity. */
    public NDArray truncate(NDArray ws, float psi) {
        return truncate(ws, psi, numWs());
    }

    /** Truncation of rows [0, cutoff) only (the NVlabs truncation_cutoff). Works on W [N, W] too (cutoff ignored). */
    public NDArray truncate(NDArray ws, float psi, int cutoff) {
        if (ws.getShape().dimension() == 2) {
            checkShape("w", ws, -1, config.wDim());
            return Scoped.compute(ws.getManager(), () -> lerpToAvg(ws, psi));
        }
        checkShape("ws", ws, -1, numWs(), config.wDim());
        if (cutoff < 0 || cutoff > numWs()) {
            throw new IllegalArgumentException("truncation cutoff must be in 0.." + numWs() + ", got " + cutoff);
        }
        return Scoped.compute(ws.getManager(), () -> {
            NDArray t = lerpToAvg(ws, psi);
            if (cutoff == numWs()) {
                return t;
            }
            return t.get(":, :" + cutoff + ", :").concat(ws.get(":, " + cutoff + ":, :"), 1);
        });
    }

    private NDArray lerpToAvg(NDArray w, float psi) {
        NDArray avg = mapping.wAvg;
        try (NDArray p = w.getManager().create(psi)) {
            // avg + psi * (w - avg)
            return w.sub(avg).mul(p).add(avg);
        }
    }

    /** Style mixing: rows [0, crossover) from {@code wsA}, the rest from {@code wsB}. */
    public NDArray mix(NDArray wsA, NDArray wsB, int crossover) {
        checkShape("wsA", wsA, -1, numWs(), config.wDim());
        checkShape("wsB", wsB, wsA.getShape().get(0), numWs(), config.wDim());
        if (crossover < 0 || crossover > numWs()) {
            throw new IllegalArgumentException("crossover must be in 0.." + numWs() + ", got " + crossover);
        }
        return Scoped.compute(wsA.getManager(), () ->
                wsA.get(":, :" + crossover + ", :").concat(wsB.get(":, " + crossover + ":, :"), 1));
    }

    // ---- S ----

    /** W+ -> S. */
    public StyleCodes styles(NDArray ws) {
        checkShape("ws", ws, -1, numWs(), config.wDim());
        NDList s = Scoped.computeAll(ws.getManager(), () -> new NDList(synthesis.styles(ws)));
        return new StyleCodes(styleLayers(), s);
    }

    // ---- images ----

    /** W+ [N, numWs, wDim] -> images [N, C, R, R] (not clamped; nominally in [-1, 1]). */
    public NDArray synthesis(NDArray ws, Noise noise) {
        checkShape("ws", ws, -1, numWs(), config.wDim());
        NDManager owner = ws.getManager();
        return Scoped.compute(owner, () -> synthesis.render(synthesis.styles(ws), noise, owner));
    }

    /** S -> images. */
    public NDArray synthesis(StyleCodes styles, Noise noise) {
        if (!styles.layers().equals(styleLayers())) {
            throw new IllegalArgumentException("these style codes belong to a different architecture");
        }
        NDManager owner = styles.get(0).getManager();
        return Scoped.compute(owner, () -> synthesis.render(styles.asList(), noise, owner));
    }

    /**
     * Every synthesis block's output for these codes, 4x4 first: the features [N, C_R, R, R] at their true scale (as
     * {@link ReferenceSynthesis} computes them: after bias, noise and the leaky ReLU with its gain sqrt(2); the fast
     * path itself leaves that gain to the next layer) and the running RGB image [N, C, R, R] of the skip
     * architecture (toRGB of this block plus the upsampled image of the previous one; the last is the output).
     */
    public List<BlockFeatures> features(StyleCodes styles, Noise noise) {
        if (!styles.layers().equals(styleLayers())) {
            throw new IllegalArgumentException("these style codes belong to a different architecture");
        }
        NDManager owner = styles.get(0).getManager();
        NDList all = Scoped.computeAll(owner, () -> {
            List<NDArray> perBlock = new ArrayList<>();
            synthesis.render(styles.asList(), noise, owner, perBlock);
            return new NDList(perBlock);
        });
        List<BlockFeatures> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 2) {
            out.add(new BlockFeatures(synthesis.blocks.get(i / 2).resolution, all.get(i), all.get(i + 1)));
        }
        return List.copyOf(out);
    }

    /** One synthesis block's output: see {@link Generator#features}. */
    public record BlockFeatures(int resolution, NDArray features, NDArray image) {
    }

    /**
     * Per-sample noise maps drawn from {@code seed} (numpy's RandomState, layer by layer) instead of the engine's
     * global generator: the same seed gives the same noise in any process, and no global state is touched.
     */
    public Noise seededNoise(NDManager m, int batch, long seed) {
        return Noise.maps(seededNoiseMaps(m, batch, seed));
    }

    /** The maps of {@link #seededNoise}: one [batch, 1, R, R] per noise input, libtorch-owned (they can be trained). */
    public List<NDArray> seededNoiseMaps(NDManager m, int batch, long seed) {
        NumpyRandom r = new NumpyRandom(seed);
        List<NDArray> maps = new ArrayList<>();
        for (StyleLayer l : styleLayers()) {
            if (l.noiseIndex() >= 0) {
                int res = l.resolution();
                maps.add(Tensors.owned(m, r.randn(batch * res * res), new Shape(batch, 1, res, res)));
            }
        }
        return maps;
    }

    /** z -> image in one call: mapping, truncation (psi = 1 for none) and synthesis. */
    public NDArray generate(NDArray z, float psi, Noise noise) {
        NDManager owner = z.getManager();
        return Scoped.compute(owner, () -> {
            NDArray ws = broadcast(mapping(z));
            if (psi != 1f) {
                ws = truncate(ws, psi);
            }
            return synthesis(ws, noise);
        });
    }

    private static void checkShape(String what, NDArray a, long... dims) {
        Shape s = a.getShape();
        boolean ok = s.dimension() == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] < 0 || s.get(i) == dims[i];
        }
        if (!ok) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < dims.length; i++) {
                b.append(i == 0 ? "" : ", ").append(dims[i] < 0 ? "N" : String.valueOf(dims[i]));
            }
            throw new IllegalArgumentException(what + " must have shape " + b + "], got " + s);
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "Generator" + config;
    }
}
