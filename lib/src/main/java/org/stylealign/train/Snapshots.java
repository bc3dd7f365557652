package org.stylealign.train;

import ai.djl.Device;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;

import org.stylealign.io.CheckpointException;
import org.stylealign.io.Checkpoints;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ImportedCheckpoint;
import org.stylealign.io.ModelIO;
import org.stylealign.model.Discriminator;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training snapshots: one native checkpoint (G_ema, G, D as usual, so every other command can read it) with the
 * optimiser moments as extra tensor groups and the counters and config as metadata. Written atomically (temporary
 * file, then rename): a failed write, e.g. a full disk, leaves the previous snapshot intact.
 */
public final class Snapshots {

    static final String META_STEP = "train.step";
    static final String META_IMAGES = "train.images_seen";
    static final String META_ADAM_G = "train.adam_g_steps";
    static final String META_ADAM_D = "train.adam_d_steps";
    static final String META_CONFIG = "train.config";
    static final String META_PL_MEAN = "train.pl_mean";
    /** Step count of a history copy (not META_STEP: that marks a resumable snapshot). */
    static final String META_STEP_AT = "train.steps_done";
    static final String GROUP_ADAM_G = "adamG";
    static final String GROUP_ADAM_D = "adamD";

    private static final Gson GSON = new Gson();

    private Snapshots() {
    }

    /** Writes everything needed to continue {@code t} exactly (float32, bit-exact). */
    public static void save(Trainer t, Path file) throws CheckpointException {
        Map<String, Map<String, HostTensor>> groups = new LinkedHashMap<>();
        groups.put(GROUP_ADAM_G, t.adamG().state());
        groups.put(GROUP_ADAM_D, t.adamD().state());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_STEP, Long.toString(t.step()));
        meta.put(META_IMAGES, Long.toString(t.imagesSeen()));
        meta.put(META_ADAM_G, Long.toString(t.adamG().steps()));
        meta.put(META_ADAM_D, Long.toString(t.adamD().steps()));
        meta.put(META_CONFIG, GSON.toJson(t.config()));
        // the float's bits, so a resumed run continues with exactly the same target
        meta.put(META_PL_MEAN, Integer.toHexString(Float.floatToRawIntBits(t.plMean())));
        Generator g = t.generator();
        Discriminator d = t.discriminator();
        ImportedCheckpoint ck = new ImportedCheckpoint(file, "native", g.config(),
                ModelIO.toHost(t.generatorEma().tensors()), ModelIO.toHost(g.tensors()), d.config(),
                ModelIO.toHost(d.tensors()), groups, meta, null);
        Checkpoints.writeNative(file, ck, false);
    }

    /**
     * Writes the networks only (G_ema, G, D; no optimiser state), with the step and image count as metadata: the
     * float16 history copies of a run, readable by every command that takes a checkpoint.
     */
    public static void saveModel(Trainer t, Path file, boolean fp16) throws CheckpointException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_STEP_AT, Long.toString(t.step()));
        meta.put(META_IMAGES, Long.toString(t.imagesSeen()));
        Generator g = t.generator();
        Discriminator d = t.discriminator();
        ImportedCheckpoint ck = new ImportedCheckpoint(file, "native", g.config(),
                ModelIO.toHost(t.generatorEma().tensors()), ModelIO.toHost(g.tensors()), d.config(),
                ModelIO.toHost(d.tensors()), null, meta, null);
        Checkpoints.writeNative(file, ck, fp16);
    }

    /** True when {@code file} is a training snapshot (not merely a model checkpoint). */
    public static boolean isSnapshot(ImportedCheckpoint ck) {
        return ck.metadata().containsKey(META_STEP) && ck.extraGroups().containsKey(GROUP_ADAM_G);
    }

    /** Continues a run from its snapshot with the config it was started with. */
    public static Trainer resume(Path file, Device device) throws CheckpointException {
        ImportedCheckpoint ck = Checkpoints.read(file);
        if (!isSnapshot(ck)) {
            throw new CheckpointException(file + ": a model checkpoint, not a training snapshot (no optimiser state); "
                    + "use fine-tuning to start from it");
        }
        TrainConfig cfg;
        try {
            cfg = GSON.fromJson(ck.metadata().get(META_CONFIG), TrainConfig.class);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new CheckpointException(file + ": unreadable training config in the snapshot (" + e.getMessage()
                    + ")", e);
        }
        if (cfg == null) {
            throw new CheckpointException(file + ": the snapshot has no training config");
        }
        float plMean = plMean(ck);
        Trainer t = build(ck, cfg, device);
        try {
            t.adamG().restore(ck.extraGroups().get(GROUP_ADAM_G), number(ck, META_ADAM_G));
            t.adamD().restore(ck.extraGroups().get(GROUP_ADAM_D), number(ck, META_ADAM_D));
            t.restoreCounters(number(ck, META_STEP), number(ck, META_IMAGES), plMean);
        } catch (IllegalArgumentException e) {
            t.close();
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
        return t;
    }

    /**
     * Fine-tuning from any checkpoint the workbench reads: G starts from the file's G (or G_ema when it has none),
     * G_ema from its G_ema, D from its D or, without one, freshly initialised from {@code cfg.seed()}. Optimiser
     * state and counters start from zero.
     */
    public static Trainer finetune(Path file, TrainConfig cfg, Device device) throws CheckpointException {
        return finetune(Checkpoints.read(file), cfg, device);
    }

    /** As {@link #finetune(Path, TrainConfig, Device)}, from a checkpoint already read (e.g. a family member's). */
    public static Trainer finetune(ImportedCheckpoint ck, TrainConfig cfg, Device device) throws CheckpointException {
        return build(ck, cfg, device);
    }

    private static Trainer build(ImportedCheckpoint ck, TrainConfig cfg, Device device) throws CheckpointException {
        StyleGan2 model = ModelIO.build(ck, device);
        Generator ema = model.generator();
        Generator g = model.trainingGenerator().orElse(null);
        Discriminator d = model.discriminator().orElse(null);
        try {
            if (g == null) {
                g = Trainer.copy(ema);
            }
            if (d == null) {
                d = Discriminator.create(Trainer.matchingDiscriminator(ema.config()), device, cfg.seed() + 1);
            }
            return new Trainer(cfg, g, ema, d);
        } catch (RuntimeException e) {
            ema.close();
            if (g != null) {
                g.close();
            }
            if (d != null) {
                d.close();
            }
            throw new CheckpointException(ck.source() + ": cannot train this model (" + e.getMessage() + ")", e);
        }
    }

    private static float plMean(ImportedCheckpoint ck) throws CheckpointException {
        String v = ck.metadata().get(META_PL_MEAN);
        if (v == null) {
            return 0f; // a snapshot from before path-length regularisation
        }
        try {
            return Float.intBitsToFloat(Integer.parseUnsignedInt(v, 16));
        } catch (NumberFormatException e) {
            throw new CheckpointException(ck.source() + ": snapshot metadata '" + META_PL_MEAN + "' is " + v
                    + ", not the hex bits of a float");
        }
    }

    private static long number(ImportedCheckpoint ck, String key) throws CheckpointException {
        String v = ck.metadata().get(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException | NullPointerException e) {
            throw new CheckpointException(ck.source() + ": snapshot metadata '" + key + "' is " + v
                    + ", not a number");
        }
    }
}
