package org.stylealign.cli;

import org.stylealign.data.ImageDataset;
import org.stylealign.io.Checkpoints;
import org.stylealign.io.ImportedCheckpoint;
import org.stylealign.model.Devices;
import org.stylealign.train.Snapshots;
import org.stylealign.train.TrainConfig;
import org.stylealign.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** `stylealign finetune`: a child model from a parent checkpoint on another domain (StyleAlign's setting). */
@Command(name = "finetune", header = "Fine-tune a parent checkpoint on another domain", sortOptions = false,
        description = {"StyleAlign's setting (docs/metrics.md): G starts from the checkpoint's G (or G_ema), G_ema "
        + "from its G_ema, D from its D (fresh without one)."})
final class FinetuneCommand extends Action {

    @Option(names = "--from", order = 1, paramLabel = "CHECKPOINT",
            description = "The parent, any checkpoint format (not needed to --resume).")
    Path from;

    @Option(names = "--freeze", order = 2, split = ",", paramLabel = "PART",
            description = "Parts kept as the parent's: mapping, affine, convs, torgb, const, noise, P@R, g.bR, d, "
                    + "d.bR.")
    List<String> freeze = List.of();

    @Mixin
    TrainOptions train;

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        Path resume = train.resumable();
        ImageDataset data = train.data.dataset(out);
        Trainer t;
        String what;
        if (resume != null) {
            t = TrainOptions.resume(resume, out);
            what = "the snapshot " + resume;
        } else {
            if (from == null) {
                throw new UsageException("--from is required");
            }
            if (!Files.isRegularFile(from)) {
                throw new UsageException("--from " + from + ": no such file");
            }
            ImportedCheckpoint ck = Checkpoints.read(from);
            what = "the checkpoint " + from;
            TrainOptions.checkMatch(data, ck.generatorConfig(), what);
            TrainConfig cfg;
            try {
                cfg = train.config(ck.generatorConfig().resolution(), frozen());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--freeze: " + e.getMessage());
            }
            t = Snapshots.finetune(from, cfg, Devices.preferred());
            out.println("fine-tuning " + from + " (" + t.trainedNames().size() + " tensors trained)");
        }
        try {
            TrainOptions.checkMatch(data, t.generator().config(), what);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return train.run(t, data, out);
    }

    /** --freeze's parts, blanks dropped. */
    List<String> frozen() {
        return freeze.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
    }
}
