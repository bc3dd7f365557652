package org.stylealign.apps;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.Scoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Cross-domain morphing between two aligned models (paper Fig. 24-27): the latent moves from z1 to z2 (t1) while the
 * weights move from model A to model B (t2), independently. Each model maps the latent with its own mapping network,
 * so a grid row at t2 is the interpolated model's own rendering of the latent path (no parent palette carried over).
 * Latents are interpolated on the sphere (slerp), which keeps |z| typical of the prior midway.
 */
public final class Morphing {

    private Morphing() {
    }

    /** Spherical interpolation of two z [N, D] at t (exactly z1 at 0 and z2 at 1). */
    public static NDArray slerp(NDArray z1, NDArray z2, double t) {
        if (t == 0) {
            return z1.duplicate();
        }
        if (t == 1) {
            return z2.duplicate();
        }
        NDArray n1 = z1.norm(new int[] {1}, true);
        NDArray n2 = z2.norm(new int[] {1}, true);
        NDArray cos = z1.div(n1).mul(z2.div(n2)).sum(new int[] {1}, true).clip(-1f, 1f);
        float[] c = cos.toFloatArray();
        float[] a = new float[c.length];
        float[] b = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            double theta = Math.acos(c[i]);
            if (theta < 1e-4) { // nearly parallel: plain lerp is exact enough
                a[i] = (float) (1 - t);
                b[i] = (float) t;
            } else {
                a[i] = (float) (Math.sin((1 - t) * theta) / Math.sin(theta));
                b[i] = (float) (Math.sin(t * theta) / Math.sin(theta));
            }
        }
        NDManager m = z1.getManager();
        NDArray wa = m.create(a).reshape(-1, 1);
        NDArray wb = m.create(b).reshape(-1, 1);
        return z1.mul(wa).add(z2.mul(wb));
    }

    /**
     * The t1 x t2 grid for one pair of latents (z1, z2 [1, D]): images [t2s.length * t1s.length, C, R, R], row-major
     * (row = t2, the weights; column = t1, the latent), constant noise, psi 1. Each interpolated model lives only
     * while its row renders.
     */
    public static NDArray grid(Generator a, Generator b, NDArray z1, NDArray z2, double[] t1s, double[] t2s) {
        return Scoped.compute(z1.getManager(), () -> {
            List<NDArray> zs = new ArrayList<>();
            for (double t1 : t1s) {
                zs.add(slerp(z1, z2, t1));
            }
            NDArray z = NDArrays.concat(new NDList(zs), 0);
            List<NDArray> rows = new ArrayList<>();
            for (double t2 : t2s) {
                try (Generator g = a.interpolate(b, t2)) {
                    rows.add(g.generate(z, 1f, Noise.constant()));
                }
            }
            return NDArrays.concat(new NDList(rows), 0);
        });
    }

    /**
     * The diagonal t1 = t2 = k / (frames - 1), k = 0..frames-1, as the reference code animates it: images
     * [frames, C, R, R] for one pair of latents [1, D].
     */
    public static NDArray diagonal(Generator a, Generator b, NDArray z1, NDArray z2, int frames) {
        if (frames < 2) {
            throw new IllegalArgumentException("an animation needs at least 2 frames, got " + frames);
        }
        double[] ts = steps(frames);
        return Scoped.compute(z1.getManager(), () -> {
            List<NDArray> out = new ArrayList<>();
            for (double t : ts) {
                try (Generator g = a.interpolate(b, t)) {
                    out.add(g.generate(slerp(z1, z2, t), 1f, Noise.constant()));
                }
            }
            return NDArrays.concat(new NDList(out), 0);
        });
    }

    /** 0, 1/(n-1), ..., 1. */
    public static double[] steps(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 steps, got " + n);
        }
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i / (double) (n - 1);
        }
        t[n - 1] = 1;
        return t;
    }
}
