package org.stylealign.cli;

import org.stylealign.apps.Inversion;
import org.stylealign.bench.PeerBench;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.DataException;
import org.stylealign.export.GeneratorExport;
import org.stylealign.io.ModelFamily;
import org.stylealign.metrics.MetricRegistry;
import org.stylealign.model.Noise;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The option values with a syntax of their own, as picocli type converters. picocli prefixes each message with the
 * option ("Invalid value for option '--seeds': ..."), so the messages here name only the value.
 */
final class Values {

    private Values() {
    }

    /** {@code --seeds 1,2,5-8}: the seeds in order (a record, so that picocli takes the option as one value). */
    record Seeds(long[] values) {

        static Seeds parse(String v) {
            List<Long> out = new ArrayList<>();
            for (String part : v.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                try {
                    int dash = p.indexOf('-', 1);
                    if (dash > 0) {
                        long a = Long.parseLong(p.substring(0, dash).trim());
                        long b = Long.parseLong(p.substring(dash + 1).trim());
                        if (b < a || b - a > 100_000) {
                            throw new TypeConversionException("bad range '" + p + "'");
                        }
                        for (long s = a; s <= b; s++) {
                            out.add(s);
                        }
                    } else {
                        out.add(Long.parseLong(p));
                    }
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("takes seeds like 1,2,5-8; got '" + v + "'");
                }
            }
            if (out.isEmpty()) {
                throw new TypeConversionException("'" + v + "' names no seed");
            }
            for (long s : out) {
                if (s < 0 || s > 0xFFFFFFFFL) {
                    throw new TypeConversionException("seed " + s + " is outside 0..2^32-1 (numpy's range)");
                }
            }
            return new Seeds(out.stream().mapToLong(Long::longValue).toArray());
        }

        static final class Converter implements ITypeConverter<Seeds> {
            @Override
            public Seeds convert(String v) {
                return parse(v);
            }
        }
    }

    /** {@code --channels 4:64,8:64,16:32}: channels per resolution (a record for the same reason as Seeds). */
    record Widths(Map<Integer, Integer> byResolution) {

        static Widths parse(String spec) {
            Map<Integer, Integer> m = new TreeMap<>();
            for (String part : spec.split(",")) {
                String[] kv = part.trim().split(":");
                try {
                    if (kv.length != 2) {
                        throw new NumberFormatException();
                    }
                    m.put(Integer.parseInt(kv[0].trim()), Integer.parseInt(kv[1].trim()));
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("takes RES:CH pairs like 4:64,8:64,16:32; got '" + spec + "'");
                }
            }
            return new Widths(m);
        }

        static final class Converter implements ITypeConverter<Widths> {
            @Override
            public Widths convert(String v) {
                return parse(v);
            }
        }
    }

    /** {@code --noise const|random|none}. */
    static final class NoiseConverter implements ITypeConverter<Noise> {
        @Override
        public Noise convert(String n) {
            return switch (n) {
                case "const" -> Noise.constant();
                case "random" -> Noise.random();
                case "none" -> Noise.none();
                default -> throw new TypeConversionException("must be const, random or none; got '" + n + "'");
            };
        }
    }

    /** {@code --rotate 180}, {@code --translate-x -10:10}: an integer or LO:HI. */
    static final class RangeConverter implements ITypeConverter<BuildSpec.Range> {
        @Override
        public BuildSpec.Range convert(String v) {
            try {
                return BuildSpec.Range.parse(v);
            } catch (DataException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --flip yes|random|no} ("always" for yes). */
    static final class FlipConverter implements ITypeConverter<BuildSpec.Flip> {
        @Override
        public BuildSpec.Flip convert(String v) {
            return switch (v) {
                case "yes", "always" -> BuildSpec.Flip.ALWAYS;
                case "random" -> BuildSpec.Flip.RANDOM;
                case "no" -> BuildSpec.Flip.NONE;
                default -> throw new TypeConversionException("takes yes, random or no, not '" + v + "'");
            };
        }
    }

    /** {@code --space z|z+|w|w+}. */
    static final class SpaceConverter implements ITypeConverter<Inversion.Space> {
        @Override
        public Inversion.Space convert(String v) {
            try {
                return Inversion.Space.parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --format torchscript|onnx} (any case). */
    static final class FormatConverter implements ITypeConverter<GeneratorExport.Format> {
        @Override
        public GeneratorExport.Format convert(String v) {
            String f = v.trim().toLowerCase(Locale.ROOT);
            return switch (f) {
                case "torchscript" -> GeneratorExport.Format.TORCHSCRIPT;
                case "onnx" -> GeneratorExport.Format.ONNX;
                default -> throw new TypeConversionException("must be torchscript or onnx, got '" + f + "'");
            };
        }
    }

    /** {@code --role parent|child|grandchild|control|locality|resolution}. */
    static final class RoleConverter implements ITypeConverter<ModelFamily.Role> {
        @Override
        public ModelFamily.Role convert(String v) {
            String key = v.trim().toLowerCase(Locale.ROOT);
            return Arrays.stream(ModelFamily.Role.values())
                    .filter(r -> r != ModelFamily.Role.OTHER && r.key().equals(key)).findFirst()
                    .orElseThrow(() -> new TypeConversionException("must be one of " + String.join(", ", new Roles())
                            + "; got '" + v + "'"));
        }
    }

    /** {@code --peer rosinality=DIR}, checked when parsed: before minutes of benchmarks rather than after. */
    static final class PeerConverter implements ITypeConverter<Path> {
        @Override
        public Path convert(String peer) {
            if (!peer.startsWith("rosinality=")) {
                throw new TypeConversionException("takes rosinality=DIR (a checkout of rosinality/stylegan2-pytorch), "
                        + "got '" + peer + "'");
            }
            Path repo = Path.of(peer.substring("rosinality=".length()));
            try {
                PeerBench.checkRosinality(repo);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return repo;
        }
    }

    /** Completion candidates (bash completion and the help's ${COMPLETION-CANDIDATES}). */
    static final class NoiseKinds extends Candidates {
        NoiseKinds() {
            super("const", "random", "none");
        }
    }

    static final class Flips extends Candidates {
        Flips() {
            super("yes", "random", "no");
        }
    }

    static final class Spaces extends Candidates {
        Spaces() {
            super("z", "z+", "w", "w+");
        }
    }

    static final class Formats extends Candidates {
        Formats() {
            super("torchscript", "onnx");
        }
    }

    static final class Distances extends Candidates {
        Distances() {
            super("close", "distant");
        }
    }

    static final class Roles extends Candidates {
        Roles() {
            super(Arrays.stream(ModelFamily.Role.values()).filter(r -> r != ModelFamily.Role.OTHER)
                    .map(ModelFamily.Role::key).toArray(String[]::new));
        }
    }

    /** The metric registry's names, as registered when asked. */
    static final class MetricNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return MetricRegistry.names().iterator();
        }
    }

    abstract static class Candidates implements Iterable<String> {
        private final List<String> values;

        Candidates(String... values) {
            this.values = List.of(values);
        }

        @Override
        public Iterator<String> iterator() {
            return values.iterator();
        }
    }
}
