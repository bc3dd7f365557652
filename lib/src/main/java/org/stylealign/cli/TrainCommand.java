package org.stylealign.cli;

import org.stylealign.data.ImageDataset;
import org.stylealign.model.Devices;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.train.TrainConfig;
import org.stylealign.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** `stylealign train`: a StyleGAN2 from scratch on a built domain, with snapshots, metrics CSV and resume. */
@Command(name = "train", header = "Train a StyleGAN2 from scratch on a domain", sortOptions = false,
        description = {"With snapshots, a metrics CSV and resume (docs/metrics.md). The model options' defaults are "
        + "small, CPU-sized; NVlabs uses --channel-base 32768 --channel-max 512 --z-dim 512 --w-dim 512 --mapping 8."})
final class TrainCommand extends Action {

    @Mixin
    TrainOptions train;

    @Option(names = "--channel-base", order = 60, paramLabel = "N",
            description = "Widths min(N/res, --channel-max) (default: ${DEFAULT-VALUE}).")
    int channelBase = 2048;

    @Option(names = "--channel-max", order = 61, paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int channelMax = 64;

    @Option(names = "--channels", order = 62, paramLabel = "RES:CH,...", converter = Values.Widths.Converter.class,
            description = "Widths per resolution instead, e.g. 4:64,8:64,16:64,32:64.")
    Values.Widths channels;

    @Option(names = "--z-dim", order = 63, paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int zDim = 128;

    @Option(names = "--w-dim", order = 64, paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int wDim = 128;

    @Option(names = "--mapping", order = 65, paramLabel = "N",
            description = "Mapping layers (default: ${DEFAULT-VALUE}).")
    int mapping = 2;

    @Override
    public Integer call() throws Exception {
        var out = out();
        Path resume = train.resumable();
        ImageDataset data = train.data.dataset(out);
        if (resume != null) {
            Trainer t = TrainOptions.resume(resume, out);
            try {
                TrainOptions.checkMatch(data, t.generator().config(), "the snapshot " + resume);
            } catch (RuntimeException e) {
                t.close();
                throw e;
            }
            return train.run(t, data, out);
        }
        GeneratorConfig gc = architecture(data.imageSize(), data.channels());
        TrainConfig cfg = train.config(gc.resolution(), List.of());
        Trainer t = Trainer.fromScratch(gc, Trainer.matchingDiscriminator(gc), cfg, Devices.preferred(), cfg.seed());
        return train.run(t, data, out);
    }

    GeneratorConfig architecture(int resolution, int imageChannels) {
        Map<Integer, Integer> widths;
        if (channels != null) {
            if (given("--channel-base") || given("--channel-max")) {
                throw new UsageException("give --channels or --channel-base/--channel-max, not both");
            }
            widths = channels.byResolution();
        } else {
            if (channelBase <= 0 || channelMax <= 0) {
                throw new UsageException("--channel-base and --channel-max must be positive");
            }
            widths = GeneratorConfig.channelsFromBase(resolution, channelBase, channelMax);
        }
        try {
            return new GeneratorConfig(resolution, imageChannels, zDim, wDim, mapping, 0.01f, widths);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad architecture for " + resolution + "px data: " + e.getMessage());
        }
    }
}
