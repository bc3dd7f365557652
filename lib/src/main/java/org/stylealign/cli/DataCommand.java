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

/** `stylealign data build|list|info`: image domains into data/cache/. */
public final class DataCommand implements Command {

    private static final String USAGE = String.join("\n",
            "usage: stylealign data build NAME --size S --count N --seed K [--masks] [--pairs ATTR]",
            "                       [--rotate DEG|LO:HI] [--translate-x PCT|LO:HI] [--translate-y PCT|LO:HI]",
            "                       [--flip yes|random] [--threads T] [--force]",
            "       stylealign data list          domains, licences, and the datasets in data/cache/",
            "       stylealign data info DIR      manifest of a built dataset (verifies its checksums)",
            "--count is the number of images, or of before/after pairs with --pairs ATTR (a part such as mouth,",
            "or a colour such as hairColor). Masks: avataaars, personas, micah.");

    @Override
    public String name() {
        return "data";
    }

    @Override
    public String summary() {
        return "build and inspect image domains (DiceBear, emoji, MNIST, Fashion-MNIST)";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            return switch (args[0]) {
                case "build" -> build(args, out);
                case "list" -> list(out);
                case "info" -> info(args, out);
                default -> throw new UsageException("unknown action '" + args[0] + "'\n" + USAGE);
            };
        } catch (DataException e) {
            err.println("stylealign data: " + e.getMessage());
            return 1;
        }
    }

    private int build(String[] args, PrintStream out) {
        String name = null;
        Integer size = null;
        Integer count = null;
        Long seed = null;
        boolean masks = false;
        boolean force = false;
        String pairs = null;
        BuildSpec.Range rot = BuildSpec.Range.fixed(0);
        BuildSpec.Range tx = BuildSpec.Range.fixed(0);
        BuildSpec.Range ty = BuildSpec.Range.fixed(0);
        BuildSpec.Flip flip = BuildSpec.Flip.NONE;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--size" -> size = intArg(args, ++i, a);
                case "--count" -> count = intArg(args, ++i, a);
                case "--seed" -> seed = (long) intArg(args, ++i, a);
                case "--threads" -> threads = intArg(args, ++i, a);
                case "--masks" -> masks = true;
                case "--force" -> force = true;
                case "--pairs" -> pairs = value(args, ++i, a);
                case "--rotate" -> rot = BuildSpec.Range.parse(value(args, ++i, a));
                case "--translate-x" -> tx = BuildSpec.Range.parse(value(args, ++i, a));
                case "--translate-y" -> ty = BuildSpec.Range.parse(value(args, ++i, a));
                case "--flip" -> {
                    String v = value(args, ++i, a);
                    flip = switch (v) {
                        case "yes", "always" -> BuildSpec.Flip.ALWAYS;
                        case "random" -> BuildSpec.Flip.RANDOM;
                        case "no" -> BuildSpec.Flip.NONE;
                        default -> throw new UsageException("--flip takes yes, random or no, not '" + v + "'");
                    };
                }
                default -> {
                    if (a.startsWith("-") || name != null) {
                        throw new UsageException("unexpected argument '" + a + "'\n" + USAGE);
                    }
                    name = a;
                }
            }
        }
        if (name == null || size == null || count == null || seed == null) {
            throw new UsageException("build needs NAME, --size, --count and --seed\n" + USAGE);
        }
        if (count <= 0) {
            throw new UsageException("--count must be > 0, got " + count);
        }
        if (threads <= 0) {
            throw new UsageException("--threads must be > 0, got " + threads);
        }
        BuildSpec spec = new BuildSpec(name, size, count, seed, masks, pairs,
                new BuildSpec.Transform(rot, tx, ty, flip));
        DatasetBuilder builder = new DatasetBuilder().threads(threads).force(force);
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

    private int list(PrintStream out) {
        out.println("domains:");
        for (Domain d : Domain.all()) {
            out.printf("  %-15s %s%s | %s%n", d.name(), d.licence(), d.maskable() ? " | masks" : "", d.attribution());
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

    private int info(String[] args, PrintStream out) {
        if (args.length != 2) {
            throw new UsageException("info takes one dataset folder\n" + USAGE);
        }
        Path p = Path.of(args[1]);
        if (!Files.isDirectory(p)) {
            p = DataPaths.locate().cacheDir().resolve(args[1]);
        }
        out.print(ImageDataset.verify(p).toJson());
        return 0;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new UsageException(flag + " needs a value");
        }
        return args[i];
    }

    private static int intArg(String[] args, int i, String flag) {
        String v = value(args, i, flag);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " takes an integer, not '" + v + "'");
        }
    }
}
