package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.stylealign.data.BuildSpec;

/**
 * The fixed transform a locality child's data was rendered with (paper Fig. 15: shifted or flipped copies of the
 * parent's domain), applied to image batches [N, C, H, W] or maps [N, H, W]: to carry the parent's change map into
 * the child's frame, or to undo the transform on the child's images before reading them with the parent domain's
 * classifier. DiceBear's order is kept: flip, rotation about the centre (multiples of 90 degrees), translation by a
 * percentage of the size (uncovered pixels take {@code fill}).
 */
public record SpatialTransform(int rotateDegrees, int shiftXPercent, int shiftYPercent, boolean flip) {

    public static final SpatialTransform NONE = new SpatialTransform(0, 0, 0, false);

    public SpatialTransform {
        if (Math.floorMod(rotateDegrees, 90) != 0) {
            throw new IllegalArgumentException("only rotations by multiples of 90 degrees are exact on a pixel grid, got "
                    + rotateDegrees);
        }
    }

    /** The transform of a style name such as "avataaars-tx20" or "avataaars-rot180" (only fixed values). */
    public static SpatialTransform ofStyle(String style) {
        BuildSpec.Transform t = BuildSpec.ofStyle(style, 32, 1, 1).transform();
        if (t.rotate().lo() != t.rotate().hi() || t.translateX().lo() != t.translateX().hi()
                || t.translateY().lo() != t.translateY().hi() || t.flip() == BuildSpec.Flip.RANDOM) {
            throw new IllegalArgumentException("style '" + style + "' has a random transform: no fixed inverse");
        }
        return new SpatialTransform(t.rotate().lo(), t.translateX().lo(), t.translateY().lo(),
                t.flip() == BuildSpec.Flip.ALWAYS);
    }

    /** A family's declared transform (family.json's {@code "transform"} of a locality child). */
    public static SpatialTransform of(org.stylealign.io.ModelFamily.Transform t) {
        return new SpatialTransform(t.rotate(), t.shiftX(), t.shiftY(), t.flip());
    }

    /**
     * The transform of a locality child: the one its family declares, else the one its style name encodes
     * ({@link #ofStyle}); NONE for a member of another role.
     */
    public static SpatialTransform of(org.stylealign.io.ModelFamily.Member m) {
        if (m.role() != org.stylealign.io.ModelFamily.Role.LOCALITY) {
            return NONE;
        }
        return m.transform() != null ? of(m.transform()) : ofStyle(m.style());
    }

    public boolean isNone() {
        return equals(NONE) || (Math.floorMod(rotateDegrees, 360) == 0 && shiftXPercent == 0 && shiftYPercent == 0
                && !flip);
    }

    /** Applies the transform to [N, C, H, W] or [N, H, W] (square images), uncovered pixels set to {@code fill}. */
    public NDArray apply(NDArray x, float fill) {
        return apply(x, fill, false);
    }

    /** Undoes the transform (pixels a shift pushed out come back as {@code fill}). */
    public NDArray undo(NDArray x, float fill) {
        return apply(x, fill, true);
    }

    private NDArray apply(NDArray x, float fill, boolean undo) {
        int d = x.getShape().dimension();
        if (d != 3 && d != 4) {
            throw new IllegalArgumentException("expected [N, C, H, W] or [N, H, W], got " + x.getShape());
        }
        int hAxis = d - 2, wAxis = d - 1;
        NDArray y = x;
        if (!undo) {
            if (flip) {
                y = y.flip(wAxis);
            }
            y = rotate(y, rotateDegrees, hAxis, wAxis);
            y = shift(y, shiftXPercent, shiftYPercent, fill, hAxis, wAxis);
        } else {
            y = shift(y, -shiftXPercent, -shiftYPercent, fill, hAxis, wAxis);
            y = rotate(y, -rotateDegrees, hAxis, wAxis);
            if (flip) {
                y = y.flip(wAxis);
            }
        }
        return y;
    }

    /**
     * A segmenter for images in this transform's frame, from one that knows the untransformed frame: the images are
     * carried back (white where a shift left nothing), segmented, and the masks carried forward again (background
     * where nothing is known). A shifted or upside-down child's parts are then found where they moved.
     */
    public java.util.function.Function<NDArray, byte[][]> segmenterInFrame(
            java.util.function.Function<NDArray, byte[][]> segment) {
        if (isNone()) {
            return segment;
        }
        return images -> {
            byte[][] masks;
            try (NDArray back = undo(images, 1f)) {
                masks = segment.apply(back);
            }
            int n = masks.length, px = masks[0].length, side = (int) Math.round(Math.sqrt(px));
            float[] v = new float[n * px];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < px; k++) {
                    v[i * px + k] = masks[i][k];
                }
            }
            byte[][] out = new byte[n][px];
            try (ai.djl.ndarray.NDManager m = images.getManager().newSubManager()) {
                float[] moved = apply(m.create(v, new Shape(n, side, side)), 0f).toFloatArray();
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < px; k++) {
                        out[i][k] = (byte) Math.round(moved[i * px + k]);
                    }
                }
            }
            return out;
        };
    }

    /** Rotation by a multiple of 90 degrees, clockwise for positive angles as SVG rotates (y axis down). */
    private static NDArray rotate(NDArray x, int degrees, int hAxis, int wAxis) {
        int q = Math.floorMod(degrees, 360) / 90;
        NDArray y = x;
        for (int i = 0; i < q; i++) {
            // clockwise quarter turn: transpose H and W, then mirror the columns
            int[] perm = new int[y.getShape().dimension()];
            for (int k = 0; k < perm.length; k++) {
                perm[k] = k;
            }
            perm[hAxis] = wAxis;
            perm[wAxis] = hAxis;
            y = y.transpose(perm).flip(wAxis);
        }
        return y;
    }

    /** Moves content right by dx and down by dy (percent of the size, rounded to pixels), filling the rest. */
    private static NDArray shift(NDArray x, int dxPercent, int dyPercent, float fill, int hAxis, int wAxis) {
        Shape s = x.getShape();
        long h = s.get(hAxis), w = s.get(wAxis);
        long dx = Math.round(dxPercent / 100.0 * w), dy = Math.round(dyPercent / 100.0 * h);
        if (dx == 0 && dy == 0) {
            return x;
        }
        if (Math.abs(dx) >= w || Math.abs(dy) >= h) {
            return x.zerosLike().add(fill);
        }
        String lead = hAxis == 2 ? ":, :, " : ":, ";
        NDArray cropped = x.get(new NDIndex(lead + "{}:{}, {}:{}", Math.max(0, -dy), h - Math.max(0, dy),
                Math.max(0, -dx), w - Math.max(0, dx)));
        long[] pad = new long[2 * s.dimension()];
        // torch pad order: last axis first, (before, after)
        pad[0] = Math.max(0, dx);
        pad[1] = Math.max(0, -dx);
        pad[2] = Math.max(0, dy);
        pad[3] = Math.max(0, -dy);
        return cropped.pad(new Shape(java.util.Arrays.copyOf(pad, 4)), fill);
    }
}
