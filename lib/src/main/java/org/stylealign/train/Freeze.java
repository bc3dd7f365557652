package org.stylealign.train;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Parts that fine-tuning can keep fixed, by canonical tensor name (docs/parameters.md):
 * <ul>
 *   <li>{@code mapping}: the mapping MLP</li>
 *   <li>{@code affine}: every affine (w -> style) layer</li>
 *   <li>{@code convs}: the styled 3x3 convolutions (weight, bias, noise strength) and the 4x4 constant</li>
 *   <li>{@code torgb}: toRGB weights and biases</li>
 *   <li>{@code g.bR}: every generator tensor of the block at resolution R (e.g. g.b8)</li>
 *   <li>{@code d}: the whole discriminator; {@code d.bR}: one discriminator block (d.b4: the epilogue)</li>
 * </ul>
 */
public final class Freeze {

    private static final Pattern BLOCK = Pattern.compile("[gd]\\.b(4|8|16|32|64|128|256|512|1024)");

    private Freeze() {
    }

    static void check(List<String> parts) {
        for (String p : parts) {
            if (!List.of("mapping", "affine", "convs", "torgb", "d").contains(p) && !BLOCK.matcher(p).matches()) {
                throw new IllegalArgumentException("unknown part to freeze '" + p + "': use mapping, affine, convs, "
                        + "torgb, g.bR, d or d.bR (R a resolution, e.g. d.b16)");
            }
        }
    }

    /** True when the generator tensor {@code name} is frozen by one of {@code parts}. */
    static boolean generator(List<String> parts, String name) {
        for (String p : parts) {
            boolean hit = switch (p) {
                case "mapping" -> name.startsWith("mapping.");
                case "affine" -> name.contains(".affine.");
                case "convs" -> name.equals("synthesis.b4.const")
                        || name.matches("synthesis\\.b\\d+\\.conv[01]\\.(weight|bias|noise_strength)");
                case "torgb" -> name.matches("synthesis\\.b\\d+\\.torgb\\.(weight|bias)");
                default -> p.startsWith("g.") && name.startsWith("synthesis." + p.substring(2) + ".");
            };
            if (hit) {
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
