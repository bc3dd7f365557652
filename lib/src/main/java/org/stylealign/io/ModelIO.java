package org.stylealign.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.model.Devices;
import org.stylealign.model.Discriminator;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.NumpyRandom;
import org.stylealign.model.StyleGan2;
import org.stylealign.model.Tensors;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkpoint files <-> networks. {@link #load(Path)} takes any supported file (rosinality .pt, NVlabs .pkl, plain
 * state_dict .pt, the native .safetensors), infers the architecture from the tensors and builds the networks on the
 * preferred device.
 */
public final class ModelIO {

    /** Samples averaged to estimate w_avg when a file stores none (as rosinality's mean_latent does). */
    static final int W_AVG_SAMPLES = 4096;

    private ModelIO() {
    }

    public static StyleGan2 load(Path file) throws CheckpointException {
        return load(file, Devices.preferred());
    }

    public static StyleGan2 load(Path file, Device device) throws CheckpointException {
        return build(Checkpoints.read(file), device);
    }

    /** Networks from an already imported checkpoint. */
    public static StyleGan2 build(ImportedCheckpoint ck, Device device) throws CheckpointException {
        if (ck.gEma() == null || ck.generatorConfig() == null) {
            throw new CheckpointException(ck.source() + ": holds no generator");
        }
        List<String> notes = new ArrayList<>(ck.notes());
        Generator gEma = null;
        Generator g = null;
        Discriminator d = null;
        try {
            gEma = generator(ck, ck.gEma(), device, notes, "G_ema");
            if (ck.g() != null) {
                g = generator(ck, ck.g(), device, notes, "G");
            }
            if (ck.d() != null) {
                d = discriminator(ck, device);
            }
            return new StyleGan2(gEma, g, d, ck.source(), ck.format(), notes);
        } catch (RuntimeException | CheckpointException e) {
            for (AutoCloseable c : new AutoCloseable[] {gEma, g, d}) {
                closeQuietly(c);
            }
            throw e;
        }
    }

    private static Generator generator(ImportedCheckpoint ck, Map<String, HostTensor> tensors, Device device,
                                       List<String> notes, String which) throws CheckpointException {
        GeneratorConfig cfg = ck.generatorConfig();
        boolean missingAvg = !tensors.containsKey("mapping.w_avg");
        Map<String, HostTensor> t = tensors;
        if (missingAvg) {
            t = new LinkedHashMap<>(tensors);
            t.put("mapping.w_avg", new HostTensor(new long[] {cfg.wDim()}, new float[cfg.wDim()]));
        }
        Generator gen;
        try (NDManager staging = NDManager.newBaseManager(device)) {
            gen = Generator.of(cfg, device, toNd(staging, t));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ck.source() + " (" + which + "): " + e.getMessage());
        }
        if (missingAvg) {
            estimateWAvg(gen);
            notes.add(which + ": the file stores no w_avg; estimated as the mean w of " + W_AVG_SAMPLES
                    + " z drawn with numpy seed 0");
        }
        return gen;
    }

    private static Discriminator discriminator(ImportedCheckpoint ck, Device device) throws CheckpointException {
        try (NDManager staging = NDManager.newBaseManager(device)) {
            return Discriminator.of(ck.discriminatorConfig(), device, toNd(staging, ck.d()));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ck.source() + " (D): " + e.getMessage());
        }
    }

    /** Sets mapping.w_avg to the mean of mapping(z) over {@link #W_AVG_SAMPLES} z. */
    public static void estimateWAvg(Generator gen) {
        int zDim = gen.config().zDim();
        try (NDManager m = gen.manager().newSubManager()) {
            float[] z = new NumpyRandom(0).randn(W_AVG_SAMPLES * zDim);
            NDArray w = gen.mapping(m.create(z, new Shape(W_AVG_SAMPLES, zDim)));
            float[] mean = w.mean(new int[] {0}).toFloatArray();
            gen.tensors().get("mapping.w_avg").set(FloatBuffer.wrap(mean));
        }
    }

    /** Writes the networks in the native format (float16 halves the size; float32 round-trips bit-exactly). */
    public static void save(StyleGan2 model, Path file, boolean fp16) throws CheckpointException {
        save(file, model.generator(), model.trainingGenerator().orElse(null), model.discriminator().orElse(null),
                fp16);
    }

    /** Writes the given networks (g and d may be null) in the native format, atomically. */
    public static void save(Path file, Generator gEma, Generator g, Discriminator d, boolean fp16)
            throws CheckpointException {
        Checkpoints.writeNative(file, new ImportedCheckpoint(file, "native", gEma.config(), toHost(gEma.tensors()),
                g == null ? null : toHost(g.tensors()), d == null ? null : d.config(),
                d == null ? null : toHost(d.tensors()), null, null, null), fp16);
    }

    /** Host tensors -> libtorch-owned NDArrays in {@code m} (the Java arrays are copied, not wrapped). */
    public static Map<String, NDArray> toNd(NDManager m, Map<String, HostTensor> tensors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor h = e.getValue();
            out.put(e.getKey(), Tensors.owned(m, h.values(), new Shape(h.shape())));
        }
        return out;
    }

    /** The architecture of {@code gc} without its blocks above {@code resolution} ({@link #atResolution}). */
    public static GeneratorConfig cropped(GeneratorConfig gc, int resolution) {
        return new GeneratorConfig(resolution, gc.imageChannels(), gc.zDim(), gc.wDim(), gc.mappingLayers(),
                gc.mappingLrMul(), new java.util.TreeMap<>(gc.channels()).headMap(resolution, true));
    }

    /**
     * {@link #atResolution} when {@code resolution} is below the checkpoint's, else the checkpoint itself: a preview
     * at most that large (ModelFamily.preview, the notebooks' smoke runs).
     */
    public static ImportedCheckpoint atMost(ImportedCheckpoint ck, int resolution, long seed)
            throws CheckpointException {
        GeneratorConfig gc = ck.generatorConfig();
        return gc != null && resolution < gc.resolution() ? atResolution(ck, resolution, seed) : ck;
    }

    /**
     * The checkpoint as a lower-resolution model, the paper's resolution transfer (Fig. 30, 1024 -> 256 there): G and
     * G_ema keep the mapping and every synthesis block up to {@code resolution} (each block has its own toRGB, so the
     * cropped G renders at once); D keeps its blocks up to {@code resolution} and gets a freshly initialised fromRGB
     * there (seeded), as D's only fromRGB sat at the old top. Training state (optimisers) is dropped: fine-tune it.
     */
    public static ImportedCheckpoint atResolution(ImportedCheckpoint ck, int resolution, long seed)
            throws CheckpointException {
        GeneratorConfig gc = ck.generatorConfig();
        if (gc == null) {
            throw new CheckpointException(ck.source() + ": no generator to crop");
        }
        if (resolution >= gc.resolution()) {
            throw new CheckpointException(ck.source() + ": --resolution " + resolution + " must be below the model's "
                    + gc.resolution());
        }
        GeneratorConfig small;
        try {
            small = cropped(gc, resolution);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ck.source() + ": cannot crop to " + resolution + " px (" + e.getMessage()
                    + ")", e);
        }
        java.util.function.Predicate<String> keepG = n -> n.startsWith("mapping.")
                || blockResolution(n, "synthesis.b") <= resolution;
        Map<String, HostTensor> d = null;
        DiscriminatorConfig dc = null;
        if (ck.d() != null) {
            DiscriminatorConfig big = ck.discriminatorConfig();
            dc = new DiscriminatorConfig(resolution, big.imageChannels(),
                    new java.util.TreeMap<>(big.channels()).headMap(resolution, true), big.mbstdGroup(),
                    big.mbstdChannels());
            d = new LinkedHashMap<>();
            for (Map.Entry<String, HostTensor> e : ck.d().entrySet()) {
                if (blockResolution(e.getKey(), "b") <= resolution && !e.getKey().contains(".fromrgb.")) {
                    d.put(e.getKey(), e.getValue());
                }
            }
            try (Discriminator fresh = Discriminator.create(dc, Device.cpu(), seed)) {
                for (Map.Entry<String, HostTensor> e : toHost(fresh.tensors()).entrySet()) {
                    if (e.getKey().contains(".fromrgb.")) {
                        d.put(e.getKey(), e.getValue());
                    }
                }
            }
        }
        List<String> notes = new ArrayList<>(ck.notes());
        notes.add("cropped from " + gc.resolution() + " to " + resolution + " px: synthesis blocks above " + resolution
                + " dropped" + (d == null ? "" : ", D's fromRGB at " + resolution + " freshly initialised (seed "
                + seed + ")") + ", training state dropped");
        return new ImportedCheckpoint(ck.source(), ck.format(), small, filter(ck.gEma(), keepG),
                filter(ck.g(), keepG), dc, d, Map.of(), ck.metadata(), notes);
    }

    /** R of a tensor named PREFIX + R + "." ..., or 0 for other names. */
    private static int blockResolution(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            return 0;
        }
        int dot = name.indexOf('.', prefix.length());
        try {
            return Integer.parseInt(name.substring(prefix.length(), dot < 0 ? name.length() : dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, HostTensor> filter(Map<String, HostTensor> m, java.util.function.Predicate<String> keep) {
        if (m == null) {
            return null;
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (keep.test(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** NDArrays -> host tensors (float32 copies). */
    public static Map<String, HostTensor> toHost(Map<String, NDArray> tensors) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            out.put(e.getKey(), new HostTensor(a.getShape().getShape(), a.toType(ai.djl.ndarray.types.DataType.FLOAT32,
                    false).toFloatArray()));
        }
        return out;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already failing; the original error matters
            }
        }
    }
}
