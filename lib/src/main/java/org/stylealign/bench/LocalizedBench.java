package org.stylealign.bench;

import ai.djl.ndarray.NDArray;
import org.stylealign.analysis.LocalizedChannels;
import org.stylealign.model.Flops;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleStatistics;

import java.io.PrintStream;
import java.util.function.Function;

/**
 * The speed of a localized-channel scan ({@link LocalizedChannels}): channel-images per second (one change map of
 * one channel for one image = one extra forward pass of G), beside the machine's conv peak measured in the same run.
 */
public final class LocalizedBench {

    /** Channel-images per second, the equivalent generator forwards per second and the projected full scan. */
    public record Result(int channels, int images, double seconds, double channelImagesPerSecond,
                         double achievedGflops, double convPeak) {
        /** Seconds a scan of {@code n} images would take at this rate. */
        public double secondsFor(int n) {
            return channels * (double) n / channelImagesPerSecond;
        }
    }

    private LocalizedBench() {
    }

    /** Scans {@code images} images of {@code g} with {@code segment} (after one warm-up image) and times it. */
    public static Result run(Generator g, Function<NDArray, byte[][]> segment, int images, PrintStream log) {
        GeneratorBench peakBench = new GeneratorBench(g.device(), 3, log);
        double peak = peakBench.convPeak();
        StyleStatistics stats = StyleStatistics.of(g, 64, 32, 500_000);
        LocalizedChannels.Options warm = LocalizedChannels.Options.defaults().withImages(1);
        LocalizedChannels.scan(g, stats, segment, warm, null);
        LocalizedChannels.Options o = LocalizedChannels.Options.defaults().withImages(images);
        long t0 = System.nanoTime();
        LocalizedChannels.Scan s = LocalizedChannels.scan(g, stats, segment, o, null);
        double secs = (System.nanoTime() - t0) / 1e9;
        double rate = s.channels() * (double) images / secs;
        double gflop = Flops.generatorForward(g.config()) / 1e9; // one forward per channel-image
        return new Result(s.channels(), images, secs, rate, rate * gflop, peak);
    }
}
