package org.stylealign.data;

import java.awt.image.BufferedImage;

/** Pictures of part masks: a fixed colour per {@link PartClass}, alone or blended over the image. */
public final class MaskImages {

    /** RGB per class ordinal; background white. */
    public static final int[] PALETTE = {0xffffff, 0xf2b880, 0x6b3e26, 0x1f77b4, 0x2ca02c, 0xd62728, 0x9467bd,
        0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22};

    private MaskImages() {
    }

    /** The class map of image i in palette colours. */
    public static BufferedImage classes(ImageDataset ds, int i) {
        return blend(ds.image(i), ds.classes(i), 1.0);
    }

    /** The class colours blended over image i with the given opacity (0 = image, 1 = classes). */
    public static BufferedImage overlay(ImageDataset ds, int i, double alpha) {
        return blend(ds.image(i), ds.classes(i), alpha);
    }

    /** Image i with every pixel outside the given part's coverage bit dimmed. */
    public static BufferedImage part(ImageDataset ds, int i, PartClass part) {
        BufferedImage img = ds.image(i);
        short[] bits = ds.partBits(i);
        int s = img.getWidth();
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < bits.length; k++) {
            int p = img.getRGB(k % s, k / s);
            if ((bits[k] & (1 << part.ordinal())) == 0) {
                p = mix(p, 0xffffff, 0.8);
            }
            out.setRGB(k % s, k / s, p);
        }
        return out;
    }

    /** Class colours (one {@link PartClass} ordinal per pixel, row-major) blended over any image of that size. */
    public static BufferedImage blend(BufferedImage img, byte[] classes, double alpha) {
        int s = img.getWidth();
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < classes.length; k++) {
            out.setRGB(k % s, k / s, mix(img.getRGB(k % s, k / s), PALETTE[classes[k]], alpha));
        }
        return out;
    }

    private static int mix(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t);
        int g = (int) Math.round(((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t);
        int bl = (int) Math.round((a & 255) * (1 - t) + (b & 255) * t);
        return (r << 16) | (g << 8) | bl;
    }
}
