package org.stylealign.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataException;
import org.stylealign.data.DataPaths;
import org.stylealign.data.DatasetBuilder;
import org.stylealign.data.Domain;
import org.stylealign.data.ImageDataset;
import org.stylealign.data.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `stylealign data build|list|info`: image domains into data/cache/ (data/README.md). */
@Command(name = "data", header = "Build and inspect image domains in data/cache/",
        subcommands = {DataCommand.Build.class, DataCommand.ListDomains.class, DataCommand.Info.class},
        description = "DiceBear styles, emoji, MNIST, Fashion-MNIST; deterministic, with licences (data/README.md).")
public final class DataCommand extends Action {

    @Override
    public Integer call() {
        return usage();
    }

    @Command(name = "build", header = "Build a domain into data/cache/", sortOptions = false,
            description = {"Deterministic for a name, size, count and seed; an existing build is reused unless "
            + "--force. Masks: avataaars, personas, micah. Emoji: --split train|test builds one side of the fixed "
            + "name split, --count all every name there is (data/README.md)."})
    static final class Build extends Action {

        @Parameters(paramLabel = "NAME", description = "The domain (stylealign data list).")
        String name;

        @Option(names = "--size", required = true, paramLabel = "S", description = "Image size in pixels.")
        int size;

        @Option(names = "--count", required = true, paramLabel = "N",
                description = "The number of images, or of before/after pairs with --pairs; 'all' for every name of an "
                + "emoji set (or of its --split).")
        String count;

        @Option(names = "--seed", required = true, paramLabel = "K", description = "Builder seed.")
        int seed;

        @Option(names = "--masks", description = "Also the exact part masks.")
        boolean masks;

        @Option(names = "--pairs", paramLabel = "ATTR", description = "Before/after pairs changing one attribute: a "
                + "part such as mouth, or a colour such as hairColor.")
        String pairs;

        @Option(names = "--rotate", paramLabel = "DEG|LO:HI", defaultValue = "0",
                converter = Values.RangeConverter.class, description = "Rotation in degrees: fixed, or uniform per "
                + "image from LO:HI.")
        BuildSpec.Range rot;

        @Option(names = "--translate-x", paramLabel = "PCT|LO:HI", defaultValue = "0",
                converter = Values.RangeConverter.class, description = "Shift right in percent of the size.")
        BuildSpec.Range tx;

        @Option(names = "--translate-y", paramLabel = "PCT|LO:HI", defaultValue = "0",
                converter = Values.RangeConverter.class, description = "Shift down in percent of the size.")
        BuildSpec.Range ty;

        @Option(names = "--flip", paramLabel = "FLIP", defaultValue = "no", converter = Values.FlipConverter.class,
                completionCandidates = Values.Flips.class,
                description = "Mirror: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        BuildSpec.Flip flip;

        @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "all", converter = SplitConverter.class,
                description = "Emoji only: the train or test names of the fixed name split (data.EmojiSplit, 20%% "
                + "test), or all (default).")
        BuildSpec.Split split;

        @Option(names = "--edges", description = "Replace every image by its edge map (data.EdgeMaps: Sobel, "
                + "thresholded, dark lines on white).")
        boolean edges;

        @Option(names = "--threads", paramLabel = "T", description = "Default: the CPUs, ${DEFAULT-VALUE}.")
        int threads = Runtime.getRuntime().availableProcessors();

        @Option(names = "--force", description = "Build again even when the dataset exists.")
        boolean force;

        /** What the options ask for; the builder checks the domain and its options ('--count all': see call()). */
        BuildSpec spec() {
            int n;
            if ("all".equals(count)) {
                n = 1; // a placeholder: call() asks the builder how many names there are
            } else {
                try {
                    n = Integer.parseInt(count.trim());
                } catch (NumberFormatException e) {
                    throw new UsageException("--count takes an integer or 'all', not '" + count + "'");
                }
                if (n <= 0) {
                    throw new UsageException("--count must be > 0, got " + n);
                }
            }
            if (threads <= 0) {
                throw new UsageException("--threads must be > 0, got " + threads);
            }
            return new BuildSpec(name, size, n, seed, masks, pairs, new BuildSpec.Transform(rot, tx, ty, flip), split,
                    edges);
        }

        @Override
        public Integer call() {
            PrintStream out = out();
            BuildSpec built = spec();
            DatasetBuilder builder = new DatasetBuilder().threads(threads).force(force);
            BuildSpec spec = "all".equals(count) ? built.withCount(builder.available(name, split)) : built;
            int total = spec.images();
            long t0 = System.nanoTime();
            long[] lastPrint = {t0};
            builder.progress(n -> {
                long now = System.nanoTime();
                if (now - lastPrint[0] > 10_000_000_000L || n == total) {
                    lastPrint[0] = now;
                    out.printf(Locale.ROOT, "  %d / %d images, %.1f s%n", n, total, (now - t0) / 1e9);
                }
            });
            Path dir = builder.build(spec);
            double secs = (System.nanoTime() - t0) / 1e9;
            Manifest m = ImageDataset.verify(dir);
            out.printf(Locale.ROOT, "%s: %d images %dx%d x%d%s in %.1f s (%.1f images/s, %d threads)%n", dir,
                    m.count(), m.size(), m.size(), m.channels(), m.masks() ? " with masks" : "", secs,
                    m.count() / secs, threads);
            out.println("licence: " + m.licence());
            out.println("attribution: " + m.attribution());
            return 0;
        }
    }

    /** train | test | all, for --split. */
    static final class SplitConverter implements picocli.CommandLine.ITypeConverter<BuildSpec.Split> {
        @Override
        public BuildSpec.Split convert(String v) {
            try {
                return BuildSpec.Split.parse(v);
            } catch (DataException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Command(name = "list", header = "The domains, their licences, and what is built")
    static final class ListDomains extends Action {
        @Override
        public Integer call() {
            PrintStream out = out();
            out.println("domains:");
            for (Domain d : Domain.all()) {
                out.printf("  %-15s %s%s | %s%n", d.name(), d.licence(), d.maskable() ? " | masks" : "",
                        d.attribution());
            }
            Path cache = DataPaths.locate().cacheDir();
            out.println("built in " + cache + ":");
            if (Files.isDirectory(cache)) {
                try (var s = Files.list(cache)) {
                    List<Path> dirs = s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
                    for (Path p : dirs) {
                        out.println("  " + p.getFileName());
                    }
                } catch (java.io.IOException e) {
                    throw new DataException("cannot list " + cache + ": " + e.getMessage(), e);
                }
            }
            return 0;
        }
    }

    @Command(name = "info", header = "The manifest of a built dataset, checksums verified")
    static final class Info extends Action {

        @Parameters(paramLabel = "DIR", description = "A dataset folder, or its name in data/cache/.")
        String dir;

        @Override
        public Integer call() {
            Path p = Path.of(dir);
            if (!Files.isDirectory(p)) {
                p = DataPaths.locate().cacheDir().resolve(dir);
            }
            out().print(ImageDataset.verify(p).toJson());
            return 0;
        }
    }
}
