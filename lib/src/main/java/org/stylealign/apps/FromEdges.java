package org.stylealign.apps;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.stylealign.data.BuildSpec;
import org.stylealign.data.EdgeMaps;
import org.stylealign.io.ModelFamily;
import org.stylealign.metrics.DomainFeatures;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.Tensors;

import java.util.Locale;
import java.util.Optional;

/**
 * Multimodal translation from an edge drawing (paper Fig. 37): the drawing is inverted (W+) into the edge-map child
 * (the parent fine-tuned on edge maps of its own domain, {@link EdgeMaps}), and its coarse rows, with random fine
 * rows, are rendered by the target (the parent, or another aligned child): several images sharing the drawing's
 * structure. Scored three ways, each against random target samples: how well the edge maps of the results match the
 * drawing (structure), how close the results are to the image the drawing was made from (content), and how much the
 * results of one drawing differ among themselves (diversity).
 */
public final class FromEdges {

    private FromEdges() {
    }

    /** Whether a family member was trained on edge maps: its style or domain ends with "-edges". */
    public static boolean isEdgeModel(ModelFamily.Member m) {
        return m.style().endsWith(BuildSpec.EDGES_TAG) || m.domain().endsWith(BuildSpec.EDGES_TAG);
    }

    /** The family's first child trained on edge maps of the parent's domain, if any. */
    public static Optional<ModelFamily.Member> edgeChild(ModelFamily f) {
        return f.children().stream().filter(FromEdges::isEdgeModel).findFirst();
    }

    /** The edge maps ({@link EdgeMaps}) of images [N, C, R, R] in [-1, 1], quantised to uint8 first as a build is. */
    public static NDArray edgeMaps(NDArray images) {
        Shape s = images.getShape();
        int n = (int) s.get(0), c = (int) s.get(1), r = (int) s.get(2);
        float[] v = images.toFloatArray();
        int per = c * r * r;
        float[] out = new float[v.length];
        byte[] img = new byte[per];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                img[j] = (byte) Math.round(Math.max(0f, Math.min(255f, (v[i * per + j] + 1f) * 127.5f)));
            }
            byte[] e = EdgeMaps.of(img, c, r);
            for (int j = 0; j < per; j++) {
                out[i * per + j] = (e[j] & 0xff) / 127.5f - 1f;
            }
        }
        return Tensors.owned(images.getManager(), out, s);
    }

    /**
     * @param variants  k results per drawing, drawing by drawing: [nDrawings * k, C, R, R]
     * @param random    k random target samples (the control), [k, C, R, R]
     * @param edgeError share of pixels where a result's edge map and the drawing disagree (mean over results)
     * @param truthDistance perceptual distance of the results to the image each drawing was made from
     * @param diversity perceptual distance between the results of one drawing (mean over neighbouring pairs)
     * @param inversion the drawings' W+ inversion into the edge-map child
     */
    public record Result(NDArray variants, NDArray random, int k, double edgeError, double edgeErrorRandom,
                         double truthDistance, double truthDistanceRandom, double diversity,
                         double diversityRandom, Inversion.Result inversion) {

        /** The numbers in a sentence, from the values above. */
        public String summary() {
            return String.format(Locale.ROOT, "edge maps of the results disagree with the drawing on %.1f%% of the "
                            + "pixels (random samples: %.1f%%); perceptual distance to the drawn image %.4f (random: "
                            + "%.4f); diversity among one drawing's results %.4f (random samples: %.4f)",
                    100 * edgeError, 100 * edgeErrorRandom, truthDistance, truthDistanceRandom, diversity,
                    diversityRandom);
        }
    }

    /**
     * Translates {@code drawings} [N, C, R, R] (edge maps in [-1, 1]) through {@code edgeChild} into {@code target}:
     * W+ inversion ({@code steps} steps), then for each drawing k images with rows below n from the drawing and the
     * rest from random z (seeds {@code seed} + 100 i ...). {@code truths} [N, C, R, R] are the images the drawings
     * were made from; random target samples use seeds from {@code seed} + 1,000,000. Results in the drawings' manager.
     */
    public static Result translate(Generator edgeChild, Generator target, NDArray drawings, NDArray truths,
                                   DomainFeatures features, int n, int k, int steps, long seed) {
        if (!edgeChild.config().equals(target.config())) {
            throw new IllegalArgumentException("the edge-map child and the target differ in architecture");
        }
        if (k < 2) {
            throw new IllegalArgumentException("need at least 2 results per drawing to measure diversity, got " + k);
        }
        NDManager m = drawings.getManager();
        int count = (int) drawings.getShape().get(0);
        Inversion.Result inv = Inversion.invert(edgeChild, drawings, features,
                Inversion.Options.defaults(Inversion.Space.W_PLUS).withSteps(steps), null);
        NDArray random = target.generate(target.zFromSeeds(m, Generator.seedRange(seed + 1_000_000, k)), 1f,
                Noise.constant());
        NDArray randomEdges = edgeMaps(random);
        ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
        double edge = 0, edgeR = 0, truth = 0, truthR = 0, div = 0, divR = 0;
        for (int i = 0; i < count; i++) {
            NDArray v = Translation.multimodal(target, inv.ws().get(i + ":" + (i + 1)), n, k, seed + 100L * i, 1f);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray drawing = drawings.get(i + ":" + (i + 1)).repeat(0, k);
                NDArray trueImg = truths.get(i + ":" + (i + 1)).repeat(0, k);
                // binary maps in {-1, 1}: |a - b| / 2 is 1 where they disagree
                edge += edgeMaps(v).sub(drawing).abs().mean().getFloat() / 2;
                edgeR += randomEdges.sub(drawing).abs().mean().getFloat() / 2;
                truth += features.perceptualDistance(v.clip(-1f, 1f), trueImg).mean().getFloat();
                truthR += features.perceptualDistance(random.clip(-1f, 1f), trueImg).mean().getFloat();
                div += features.perceptualDistance(v, v.get("1:").concat(v.get("0:1"))).mean().getFloat();
                divR += features.perceptualDistance(random, random.get("1:").concat(random.get("0:1"))).mean()
                        .getFloat();
            }
            parts.add(v);
        }
        NDArray variants = ai.djl.ndarray.NDArrays.concat(parts);
        parts.close();
        return new Result(variants, random, k, edge / count, edgeR / count, truth / count, truthR / count,
                div / count, divR / count, inv);
    }
}
