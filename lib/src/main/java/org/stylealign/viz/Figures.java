package org.stylealign.viz;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * The figure folder ({@code <reports>/figures}) and the naming rule. A name is stable across runs and says which
 * paper figure it regenerates: {@code <notebook>-<paper>-fig<N>-<what>}, e.g. {@code 00-stylegan-fig8-truncation};
 * figures without a paper counterpart drop the middle part ({@code 00-z-vs-w-stats}).
 */
public final class Figures {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private Figures() {
    }

    /** {@code <reports>/figures}, created on first use. */
    public static Path dir() {
        return ensure(Workbench.reports().resolve("figures"));
    }

    /** {@code <reports>/tables}, created on first use. */
    public static Path tablesDir() {
        return ensure(Workbench.reports().resolve("tables"));
    }

    /** Saves {@code <name>.png} under {@link #dir()} and returns its path. */
    public static Path savePng(BufferedImage img, String name) {
        Path p = dir().resolve(checkName(name) + ".png");
        try {
            if (!ImageIO.write(img, "png", p.toFile())) {
                throw new IllegalStateException("no PNG writer for image type " + img.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Saves the image under its stable name and shows it inline. */
    public static void show(BufferedImage img, String name) {
        savePng(img, name);
        Display.image(img);
    }

    /** Returns the name if it is a valid stable figure name (lower case, digits, '.', '_', '-'). */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("figure name must match " + NAME + ": " + name);
        }
        return name;
    }

    private static Path ensure(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
