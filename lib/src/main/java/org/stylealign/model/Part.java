package org.stylealign.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A component of the generator, named as the StyleAlign paper names them (Fig. 1): the one vocabulary for
 * resetting or swapping parts between aligned models ({@link Generator#withParts}) and for freezing them in
 * fine-tuning. A part matches canonical tensor names (docs/parameters.md), optionally only those of the synthesis
 * block at one resolution ({@code convs@16}).
 *
 * <ul>
 *   <li>{@code mapping}: the mapping MLP Z -> W, and w_avg (the centre of truncation it defines)</li>
 *   <li>{@code affine}: every affine layer W -> S (of the styled convolutions and of toRGB)</li>
 *   <li>{@code convs}: the feature convolutions: weights and biases of the styled 3x3 convolutions</li>
 *   <li>{@code torgb}: toRGB weights and biases</li>
 *   <li>{@code const}: the learned 4x4 constant input</li>
 *   <li>{@code noise}: the noise strengths and the stored noise maps</li>
 *   <li>{@code block}: every tensor of a synthesis block (with {@code @R}: the block at resolution R)</li>
 * </ul>
 *
 * @param kind       what kind of tensor
 * @param resolution 0 for every resolution, else the synthesis block's resolution (4, 8, 16, ...)
 */
public record Part(Kind kind, int resolution) {

    /** The kinds of generator tensors. */
    public enum Kind { MAPPING, AFFINE, CONVS, TORGB, CONST, NOISE, BLOCK }

    public static final Part MAPPING = new Part(Kind.MAPPING, 0);
    public static final Part AFFINE = new Part(Kind.AFFINE, 0);
    public static final Part CONVS = new Part(Kind.CONVS, 0);
    public static final Part TORGB = new Part(Kind.TORGB, 0);
    public static final Part CONST = new Part(Kind.CONST, 0);
    public static final Part NOISE = new Part(Kind.NOISE, 0);

    private static final Pattern SPEC = Pattern.compile("(mapping|affine|convs|torgb|const|noise|block)(?:@(\\d+))?");
    private static final Pattern BLOCK_NAME = Pattern.compile("synthesis\\.b(\\d+)\\.(.+)");

    public Part {
        if (resolution < 0 || (resolution > 0 && (Integer.bitCount(resolution) != 1 || resolution < 4))) {
            throw new IllegalArgumentException("a part's resolution is a power of two >= 4, got " + resolution);
        }
        if (resolution > 0 && kind == Kind.MAPPING) {
            throw new IllegalArgumentException("the mapping network has no resolution: use 'mapping'");
        }
        if (resolution == 0 && kind == Kind.BLOCK) {
            throw new IllegalArgumentException("'block' needs a resolution, e.g. block@16");
        }
    }

    /** The paper's four components, in its order: mapping, affine, feature convolutions, toRGB. */
    public static List<Part> paperComponents() {
        return List.of(MAPPING, AFFINE, CONVS, TORGB);
    }

    /** Every tensor of the generator belongs to exactly one of these. */
    public static List<Part> all() {
        return List.of(MAPPING, AFFINE, CONVS, TORGB, CONST, NOISE);
    }

    /** This part restricted to the synthesis block at {@code r}. */
    public Part at(int r) {
        return new Part(kind, r);
    }

    /**
     * Parses {@code mapping}, {@code convs@16}, {@code block@8}, ... (case-insensitive); a comma-separated list with
     * {@link #parseAll}.
     */
    public static Part parse(String spec) {
        Matcher m = SPEC.matcher(spec.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown generator part '" + spec + "': use mapping, affine, convs, "
                    + "torgb, const, noise or block@R, optionally @R for one resolution (e.g. convs@16)");
        }
        return new Part(Kind.valueOf(m.group(1).toUpperCase(Locale.ROOT)),
                m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    public static List<Part> parseAll(String specs) {
        List<Part> parts = new ArrayList<>();
        for (String s : specs.split(",")) {
            if (!s.isBlank()) {
                parts.add(parse(s));
            }
        }
        return parts;
    }

    /** Whether the generator tensor with canonical name {@code name} belongs to this part. */
    public boolean matches(String name) {
        if (kind == Kind.MAPPING) {
            return name.startsWith("mapping.");
        }
        Matcher m = BLOCK_NAME.matcher(name);
        if (!m.matches() || (resolution > 0 && Integer.parseInt(m.group(1)) != resolution)) {
            return false;
        }
        String rest = m.group(2); // e.g. conv0.weight, torgb.affine.bias, const
        return switch (kind) {
            case AFFINE -> rest.contains(".affine.");
            case CONVS -> rest.matches("conv[01]\\.(weight|bias)");
            case TORGB -> rest.matches("torgb\\.(weight|bias)");
            case CONST -> rest.equals("const");
            case NOISE -> rest.matches("conv[01]\\.noise_(strength|const)");
            case BLOCK -> true;
            case MAPPING -> false;
        };
    }

    /** Whether any of {@code parts} matches {@code name}. */
    public static boolean anyMatches(Collection<Part> parts, String name) {
        for (Part p : parts) {
            if (p.matches(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        String k = kind.name().toLowerCase(Locale.ROOT);
        return resolution == 0 ? k : k + "@" + resolution;
    }
}
