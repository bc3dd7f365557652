package org.stylealign.cli;

import ai.djl.Device;
import org.stylealign.bench.GeneratorBench;
import org.stylealign.model.Devices;
import org.stylealign.model.GeneratorConfig;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** `stylealign bench`: generator speed and its fraction of the machine's measured convolution peak. */
final class BenchCommand implements Command {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "[--res 32,64,256] [--batch 8] [--channel-base 16384] [--channel-max 512] [--iters 3]: speed vs peak";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = new Args(argv, Set.of("res", "batch", "channel-base", "channel-max", "iters"), Set.of());
        List<Integer> resolutions = new ArrayList<>();
        for (String r : a.get("res", "32,64,256").split(",")) {
            try {
                resolutions.add(Integer.parseInt(r.trim()));
            } catch (NumberFormatException e) {
                throw new UsageException("--res takes resolutions like 32,64,256; got '" + r + "'");
            }
        }
        int batch = a.intValue("batch", 8);
        int base = a.intValue("channel-base", 16384);
        int max = a.intValue("channel-max", 512);
        int iters = a.intValue("iters", 3);
        if (batch <= 0 || iters <= 0) {
            throw new UsageException("--batch and --iters must be positive");
        }
        Device device = Devices.preferred();
        String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
        out.printf("device %s, intra-op threads %s, %d CPU(s) visible, batch %d, widths min(%d/res, %d)%n",
                device, threads, Runtime.getRuntime().availableProcessors(), batch, base, max);
        GeneratorBench bench = new GeneratorBench(device, iters, out);
        // The peak is measured again before every row: on a shared machine the rate moves, and a ratio is only
        // meaningful between measurements taken together.
        StringBuilder table = new StringBuilder(
                "  res  GFLOP/img   img/s   fwd+bwd ms/batch   achieved GFLOP/s   conv peak   of peak" + System.lineSeparator());
        for (int res : resolutions) {
            double peak = bench.convPeak();
            GeneratorConfig cfg = new GeneratorConfig(res, 3, 512, 512, 8, 0.01f,
                    GeneratorConfig.channelsFromBase(res, base, max));
            GeneratorBench.Result r = bench.run(cfg, batch, peak);
            table.append(String.format("  %3d  %9.2f  %6.2f  %17.0f  %17.1f  %10.1f  %7.0f%%%n", res,
                    r.gflopPerImage(), r.imagesPerSecond(), r.forwardBackwardMs(), r.achievedGflops(), peak,
                    100 * r.fractionOfPeak()));
        }
        out.println();
        out.print(table);
        return 0;
    }
}
