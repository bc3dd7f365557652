package org.stylealign.cli;

import org.stylealign.model.Devices;
import org.stylealign.data.ImageDataset;
import org.stylealign.io.Checkpoints;
import org.stylealign.io.ImportedCheckpoint;
import org.stylealign.train.Snapshots;
import org.stylealign.train.TrainConfig;
import org.stylealign.train.Trainer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** `stylealign finetune`: a child model from a parent checkpoint on another domain (StyleAlign's setting). */
final class FinetuneCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: stylealign finetune --from CHECKPOINT (--domain NAME --size S --count N [--seed K] | --data DIR)",
            "                           --out DIR --kimg K [--freeze mapping,affine,convs,torgb,const,noise,P@R,g.bR,d,d.bR]",
            "G starts from the checkpoint's G (or G_ema), G_ema from its G_ema, D from its D (fresh without one).",
            TrainOptions.DATA_USAGE);

    @Override
    public String name() {
        return "finetune";
    }

    @Override
    public String summary() {
        return "fine-tune a parent checkpoint on another domain: --from F (--domain NAME ... | --data DIR) --out DIR "
                + "--kimg K [--freeze mapping,...]";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            out.println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        Args a = new Args(argv, TrainOptions.valued(Set.of("from", "freeze")), TrainOptions.FLAGS);
        a.path("out");
        Path resume = TrainOptions.resumable(a);
        ImageDataset data = TrainOptions.dataset(a, out);
        Trainer t;
        String what;
        if (resume != null) {
            t = TrainOptions.resume(resume, out);
            what = "the snapshot " + resume;
        } else {
            Path from = a.path("from");
            if (!Files.isRegularFile(from)) {
                throw new UsageException("--from " + from + ": no such file");
            }
            ImportedCheckpoint ck = Checkpoints.read(from);
            what = "the checkpoint " + from;
            TrainOptions.checkMatch(data, ck.generatorConfig(), what);
            TrainConfig cfg;
            try {
                cfg = TrainOptions.config(a, ck.generatorConfig().resolution(), freeze(a));
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
        return TrainOptions.run(t, data, a, out);
    }

    private static List<String> freeze(Args a) {
        List<String> parts = new ArrayList<>();
        if (a.has("freeze")) {
            for (String p : a.get("freeze", "").split(",")) {
                if (!p.isBlank()) {
                    parts.add(p.trim());
                }
            }
        }
        return parts;
    }
}
