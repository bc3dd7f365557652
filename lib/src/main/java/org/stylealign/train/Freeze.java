package org.stylealign.train;

import org.stylealign.model.Part;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Parts that fine-tuning can keep fixed. Generator parts are {@link Part}s (the vocabulary the analyses use to
 * reset and swap components), plus two spellings kept for existing commands:
 * <ul>
 *   <li>{@code mapping}, {@code affine}, {@code torgb}, {@code const}, {@code noise}, any of them {@code @R}: as
 *       {@link Part}</li>
 *   <li>{@code convs}: the styled 3x3 convolutions with their noise strengths and the 4x4 constant (what a
 *       fine-tuning keeps of the synthesis when it trains only the affines and toRGB); {@code convs@R}: the
 *       feature convolutions of one block</li>
 *   <li>{@code g.bR}: every generator tensor of the block at resolution R (= {@code block@R})</li>
 *   <li>{@code d}: the whole discriminator; {@code d.bR}: one discriminator block (d.b4: the epilogue)</li>
 * </ul>
 */
public final class Freeze {

    private static final Pattern D_BLOCK = Pattern.compile("d\\.b(4|8|16|32|64|128|256|512|1024)");
    private static final Pattern G_BLOCK = Pattern.compile("g\\.b(4|8|16|32|64|128|256|512|1024)");

    private Freeze() {
    }

    static void check(List<String> parts) {
        for (String p : parts) {
            if (p.equals("d") || D_BLOCK.matcher(p).matches()) {
                continue;
            }
            try {
                generatorParts(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown part to freeze '" + p + "': use mapping, affine, convs, "
                        + "torgb, const, noise (each optionally @R, e.g. convs@16), g.bR, d or d.bR (R a "
                        + "resolution, e.g. d.b16)");
            }
        }
    }

    /** The generator parts a freeze token names (empty for discriminator tokens). */
    static List<Part> generatorParts(String token) {
        if (token.equals("d") || D_BLOCK.matcher(token).matches()) {
            return List.of();
        }
        if (G_BLOCK.matcher(token).matches()) {
            return List.of(new Part(Part.Kind.BLOCK, Integer.parseInt(token.substring(3))));
        }
        if (token.equals("convs")) {
            return List.of(Part.CONVS, Part.CONST, Part.NOISE);
        }
        return List.of(Part.parse(token));
    }

    /** True when the generator tensor {@code name} is frozen by one of {@code parts}. */
    static boolean generator(List<String> parts, String name) {
        for (String p : parts) {
            if (Part.anyMatches(generatorParts(p), name)) {
                return true;
            }
        }
        return false;
    }

    /** True when the discriminator tensor {@code name} is frozen by one of {@code parts}. */
    static boolean discriminator(List<String> parts, String name) {
        for (String p : parts) {
            if (p.equals("d") || p.startsWith("d.") && name.startsWith(p.substring(2) + ".")) {
                return true;
            }
        }
        return false;
    }

    static Predicate<String> generatorPredicate(List<String> parts) {
        return n -> generator(parts, n);
    }
}
