package org.stylealign.cli;

import org.stylealign.model.Devices;
import org.stylealign.data.ImageDataset;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.train.TrainConfig;
import org.stylealign.train.Trainer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** `stylealign train`: a StyleGAN2 from scratch on a built domain, with snapshots, metrics CSV and resume. */
final class TrainCommand implements Command {

    private static final Set<String> ARCH = Set.of("channel-base", "channel-max", "channels", "z-dim", "w-dim",
            "mapping");

    static final String USAGE = String.join("\n",
            "usage: stylealign train (--domain NAME --size S --count N [--seed K] | --data DIR) --out DIR --kimg K",
            "model:  [--channel-base 2048 --channel-max 64 | --channels 4:64,8:64,...] [--z-dim 128] [--w-dim 128]",
            "        [--mapping 2]   (small CPU-sized defaults; NVlabs uses 32768/512, 512, 512, 8)",
            TrainOptions.DATA_USAGE);

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a StyleGAN2 on a domain: (--domain NAME --size S --count N | --data DIR) --out DIR --kimg K";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            out.println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        Args a = new Args(argv, TrainOptions.valued(ARCH), TrainOptions.FLAGS);
        a.path("out");
        Path resume = TrainOptions.resumable(a);
        ImageDataset data = TrainOptions.dataset(a, out);
        if (resume != null) {
            Trainer t = TrainOptions.resume(resume, out);
            try {
                TrainOptions.checkMatch(data, t.generator().config(), "the snapshot " + resume);
            } catch (RuntimeException e) {
                t.close();
                throw e;
            }
            return TrainOptions.run(t, data, a, out);
        }
        GeneratorConfig gc = architecture(a, data.imageSize(), data.channels());
        TrainConfig cfg = TrainOptions.config(a, gc.resolution(), List.of());
        Trainer t = Trainer.fromScratch(gc, Trainer.matchingDiscriminator(gc), cfg, Devices.preferred(), cfg.seed());
        return TrainOptions.run(t, data, a, out);
    }

    static GeneratorConfig architecture(Args a, int resolution, int channels) {
        Map<Integer, Integer> widths;
        if (a.has("channels")) {
            if (a.has("channel-base") || a.has("channel-max")) {
                throw new UsageException("give --channels or --channel-base/--channel-max, not both");
            }
            widths = TrainOptions.channels(a.get("channels", ""));
        } else {
            int base = a.intValue("channel-base", 2048);
            int max = a.intValue("channel-max", 64);
            if (base <= 0 || max <= 0) {
                throw new UsageException("--channel-base and --channel-max must be positive");
            }
            widths = GeneratorConfig.channelsFromBase(resolution, base, max);
        }
        try {
            return new GeneratorConfig(resolution, channels, a.intValue("z-dim", 128), a.intValue("w-dim", 128),
                    a.intValue("mapping", 2), 0.01f, widths);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad architecture for " + resolution + "px data: " + e.getMessage());
        }
    }
}
