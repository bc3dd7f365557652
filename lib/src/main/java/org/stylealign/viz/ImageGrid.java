package org.stylealign.viz;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays images out in a grid with optional title, column and row labels and per-image captions. Generator outputs
 * (NCHW, nominal range [-1, 1]) are clamped to the range and mapped to 8 bits; small images are enlarged by an integer
 * factor with nearest-neighbour sampling so pixels stay visible.
 */
public final class ImageGrid {

    private static final Color BACKGROUND = Color.WHITE;
    private static final Color INK = new Color(30, 30, 30);
    private static final int GAP = 4;

    private final List<BufferedImage> images;
    private int columns;
    private int cellSize = 96;
    private String title;
    private List<String> captions = List.of();
    private List<String> rowLabels = List.of();
    private List<String> columnLabels = List.of();

    private ImageGrid(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images");
        }
        this.images = List.copyOf(images);
        this.columns = Math.min(images.size(), 8);
    }

    /** A batch [N, C, H, W] (or one image [C, H, W]) with values in [-1, 1]; C is 1 or 3. */
    public static ImageGrid of(NDArray images) {
        return of(images, -1f, 1f);
    }

    /** A batch [N, C, H, W] (or [C, H, W]) with values in [lo, hi]. */
    public static ImageGrid of(NDArray images, float lo, float hi) {
        Shape s = images.getShape();
        if (s.dimension() == 3) {
            s = new Shape(1, s.get(0), s.get(1), s.get(2));
        }
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("expected NCHW or CHW, got " + images.getShape());
        }
        float[] data = images.toType(DataType.FLOAT32, false).toFloatArray();
        return of(data, (int) s.get(0), (int) s.get(1), (int) s.get(2), (int) s.get(3), lo, hi);
    }

    /** Flat NCHW floats with values in [lo, hi]. */
    public static ImageGrid of(float[] nchw, int n, int c, int h, int w, float lo, float hi) {
        int per = c * h * w;
        if (nchw.length != n * per) {
            throw new IllegalArgumentException("expected " + n * per + " values for " + n + "x" + c + "x" + h + "x" + w
                    + ", got " + nchw.length);
        }
        List<BufferedImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(toImage(nchw, i * per, c, h, w, lo, hi));
        }
        return new ImageGrid(out);
    }

    /** The images of a batch [N, C, H, W] with values in [-1, 1], one by one (to compose grids by hand). */
    public static List<BufferedImage> images(NDArray images) {
        return of(images).images;
    }

    /** A white image, e.g. for the empty corner of a style-mixing grid. */
    public static BufferedImage blank(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
        g.dispose();
        return img;
    }

    /**
     * A cross table (StyleGAN's style-mixing figure): column heads along the top, row heads down the left, a blank
     * corner, and {@code cells} row-major (rowHeads.size() x colHeads.size()).
     */
    public static ImageGrid crossTable(List<BufferedImage> rowHeads, List<BufferedImage> colHeads,
                                       List<BufferedImage> cells) {
        if (rowHeads.isEmpty() || colHeads.isEmpty() || cells.size() != rowHeads.size() * colHeads.size()) {
            throw new IllegalArgumentException("a cross table of " + rowHeads.size() + " x " + colHeads.size()
                    + " needs that many cells, got " + cells.size());
        }
        List<BufferedImage> all = new java.util.ArrayList<>();
        all.add(blank(colHeads.get(0).getWidth(), colHeads.get(0).getHeight()));
        all.addAll(colHeads);
        for (int i = 0; i < rowHeads.size(); i++) {
            all.add(rowHeads.get(i));
            all.addAll(cells.subList(i * colHeads.size(), (i + 1) * colHeads.size()));
        }
        return new ImageGrid(all).columns(colHeads.size() + 1);
    }

    /** Ready-made images. */
    public static ImageGrid of(List<BufferedImage> images) {
        return new ImageGrid(images);
    }

    /** One CHW image (values in [lo, hi]) starting at {@code offset}; C = 1 gives grey, C = 3 RGB. */
    public static BufferedImage toImage(float[] data, int offset, int c, int h, int w, float lo, float hi) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("images need 1 or 3 channels, got " + c);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = offset + y * w + x;
                int r = to8(data[i], lo, hi);
                int g = c == 3 ? to8(data[i + plane], lo, hi) : r;
                int b = c == 3 ? to8(data[i + 2 * plane], lo, hi) : r;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    static int to8(float v, float lo, float hi) {
        float t = (v - lo) / (hi - lo);
        if (!(t > 0f)) {
            return 0; // also NaN
        }
        return t >= 1f ? 255 : Math.round(t * 255f);
    }

    public ImageGrid columns(int columns) {
        if (columns <= 0) {
            throw new IllegalArgumentException("columns must be positive");
        }
        this.columns = columns;
        return this;
    }

    /** The smallest displayed side of one image in pixels (images are enlarged by whole factors to reach it). */
    public ImageGrid cellSize(int pixels) {
        this.cellSize = pixels;
        return this;
    }

    public ImageGrid title(String title) {
        this.title = title;
        return this;
    }

    /** One caption per image, drawn under it (fewer is fine). */
    public ImageGrid captions(List<String> captions) {
        this.captions = List.copyOf(captions);
        return this;
    }

    public ImageGrid rowLabels(List<String> labels) {
        this.rowLabels = List.copyOf(labels);
        return this;
    }

    public ImageGrid columnLabels(List<String> labels) {
        this.columnLabels = List.copyOf(labels);
        return this;
    }

    public int size() {
        return images.size();
    }

    /** The single images, at their own size (to combine images of different ranges in one grid). */
    public List<BufferedImage> toList() {
        return images;
    }

    public BufferedImage render() {
        int srcW = images.stream().mapToInt(BufferedImage::getWidth).max().orElseThrow();
        int srcH = images.stream().mapToInt(BufferedImage::getHeight).max().orElseThrow();
        int scale = Math.max(1, (int) Math.ceil(cellSize / (double) Math.max(srcW, srcH)));
        int cw = srcW * scale;
        int ch = srcH * scale;
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;

        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        FontMetrics tfm = pg.getFontMetrics(titleFont);
        int labelW = rowLabels.stream().mapToInt(fm::stringWidth).max().orElse(-GAP) + GAP;
        pg.dispose();
        int lineH = fm.getHeight();
        int titleH = title == null ? 0 : tfm.getHeight() + GAP;
        int headH = columnLabels.isEmpty() ? 0 : lineH + 2;
        int capH = captions.isEmpty() ? 0 : lineH + 2;
        int cellW = Math.max(cw, 1);
        int width = GAP + labelW + cols * (cellW + GAP);
        int height = GAP + titleH + headH + rows * (ch + capH + GAP);

        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
        g.setColor(INK);
        if (title != null) {
            g.setFont(titleFont);
            g.drawString(title, GAP, GAP + tfm.getAscent());
        }
        g.setFont(font);
        int top = GAP + titleH;
        int left = GAP + labelW;
        for (int c = 0; c < Math.min(cols, columnLabels.size()); c++) {
            drawCentered(g, fm, columnLabels.get(c), left + c * (cellW + GAP), cellW, top + fm.getAscent());
        }
        top += headH;
        for (int r = 0; r < rows; r++) {
            int y = top + r * (ch + capH + GAP);
            if (r < rowLabels.size()) {
                g.drawString(clip(fm, rowLabels.get(r), labelW - GAP), GAP, y + ch / 2 + fm.getAscent() / 2);
            }
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                if (i >= images.size()) {
                    break;
                }
                BufferedImage img = images.get(i);
                int x = left + c * (cellW + GAP);
                g.drawImage(img, x, y, img.getWidth() * scale, img.getHeight() * scale, null);
                if (i < captions.size()) {
                    drawCentered(g, fm, captions.get(i), x, cellW, y + ch + fm.getAscent());
                }
            }
        }
        g.dispose();
        return out;
    }

    private static void drawCentered(Graphics2D g, FontMetrics fm, String s, int x, int w, int baseline) {
        String t = clip(fm, s, w);
        g.drawString(t, x + Math.max(0, (w - fm.stringWidth(t)) / 2), baseline);
    }

    private static String clip(FontMetrics fm, String s, int w) {
        if (fm.stringWidth(s) <= w) {
            return s;
        }
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > w) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }
}
