package org.stylealign.data;

import com.github.weisj.jsvg.SVGDocument;
import com.github.weisj.jsvg.parser.LoaderContext;
import com.github.weisj.jsvg.parser.SVGLoader;
import com.github.weisj.jsvg.view.ViewBox;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/**
 * SVG to RGB bytes with JSVG: drawn antialiased on white at {@code size * supersample} pixels, then box-averaged
 * down to {@code size}. Deterministic: the same SVG text gives the same bytes.
 */
public final class SvgRaster {

    private SvgRaster() {
    }

    /** Supersampling factor used by the builders: at least 4, and at least 128 px drawn for small sizes. */
    public static int supersample(int size) {
        return Math.max(4, (int) Math.ceil(128.0 / size));
    }

    /** Planar RGB (3 x size x size), row-major. */
    public static byte[] renderRgb(String svg, int size, int supersample) {
        SVGLoader loader = new SVGLoader();
        SVGDocument doc = loader.load(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)), null,
                LoaderContext.createDefault());
        if (doc == null) {
            throw new DataException("JSVG could not parse an SVG (" + svg.length() + " chars, starts "
                    + svg.substring(0, Math.min(80, svg.length())) + ")");
        }
        int big = size * supersample;
        BufferedImage img = new BufferedImage(big, big, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, big, big);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
            doc.render(null, g, new ViewBox(0, 0, big, big));
        } finally {
            g.dispose();
        }
        return boxAverage(((DataBufferInt) img.getRaster().getDataBuffer()).getData(), big, supersample);
    }

    static byte[] boxAverage(int[] argb, int big, int f) {
        int size = big / f;
        int plane = size * size;
        byte[] out = new byte[3 * plane];
        int n = f * f;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int r = 0;
                int gg = 0;
                int b = 0;
                for (int dy = 0; dy < f; dy++) {
                    int row = (y * f + dy) * big + x * f;
                    for (int dx = 0; dx < f; dx++) {
                        int p = argb[row + dx];
                        r += (p >> 16) & 0xff;
                        gg += (p >> 8) & 0xff;
                        b += p & 0xff;
                    }
                }
                int i = y * size + x;
                out[i] = (byte) ((r + n / 2) / n);
                out[plane + i] = (byte) ((gg + n / 2) / n);
                out[2 * plane + i] = (byte) ((b + n / 2) / n);
            }
        }
        return out;
    }
}
