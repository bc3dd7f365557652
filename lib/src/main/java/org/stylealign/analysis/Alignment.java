package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.metrics.AttributeClassifier;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleStatistics;

import java.util.Random;

/**
 * The semantic-alignment score of one control found in a parent: the same edit, on the same latents, in the parent,
 * in a child, in an unrelated model of the same architecture (control 1), and a random control of the same kind
 * and size in the child (control 2). See {@link EditEffect} for the measures and {@code docs/analysis.md}.
 */
public final class Alignment {

    /** A generator with its own style statistics and, when its domain has one, an attribute reader. */
    public record Model(String name, Generator generator, StyleStatistics stats, AttributeClassifier reader) {
        /** Statistics over 256 samples (seeds from 500,000), as the notebooks use. */
        public static Model of(String name, Generator g, AttributeClassifier reader) {
            return new Model(name, g, StyleStatistics.of(g, 256, 64, 500_000), reader);
        }
    }

    /**
     * One row: responses are mean attribute changes with their standard errors (null where there is no reader or
     * the model is absent); map agreements are change-map correlations with the parent's edit (NaN when absent).
     */
    public record Score(String control, String attribute, String child, String readAs, EditEffect.Response parent,
                        EditEffect.Response inChild, EditEffect.Response unrelated, EditEffect.Response random,
                        double mapChild, double mapUnrelated, double mapRandom) {

        /**
         * The child's response has the parent's sign, differs from 0 by two standard errors, and exceeds both
         * controls' sizes by two standard errors (a missing control is not held against it).
         */
        public boolean attributeAligned() {
            if (inChild == null || parent == null) {
                return false;
            }
            double c = inChild.mean(), se = inChild.standardError();
            return Math.signum(c) == Math.signum(parent.mean()) && Math.abs(c) > 2 * se
                    && (random == null || Math.abs(c) > Math.abs(random.mean()) + 2 * se)
                    && (unrelated == null || Math.abs(c) > Math.abs(unrelated.mean()) + 2 * se);
        }

        /** The child changes where the parent changes more than both controls do. */
        public boolean mapAligned() {
            return mapChild > mapRandom && (Double.isNaN(mapUnrelated) || mapChild > mapUnrelated);
        }

        /** How far the child's change-map agreement exceeds the better control's. */
        public double mapMargin() {
            return mapChild - (Double.isNaN(mapUnrelated) ? mapRandom : Math.max(mapRandom, mapUnrelated));
        }
    }

    private Alignment() {
    }

    /**
     * Scores {@code control} (found in {@code parent}, read there as {@code attribute}) in {@code child} (read as
     * {@code childAttribute}, null for change maps only) and in {@code unrelated} (null for none; read by the parent's
     * reader, as it shares the parent's domain). The random control is drawn from {@code rng} in the child.
     */
    public static Score score(Control control, float alpha, NDArray z, Model parent, String attribute, Model child,
                              String childAttribute, Model unrelated, Random rng) {
        return score(control, alpha, z, parent, attribute, child, childAttribute, unrelated, rng, null);
    }

    /**
     * As above, with the parent's change map carried into the child's frame by {@code toChildFrame} (e.g.
     * {@link EditEffect#downsampled} for a lower-resolution child, a shift for a locality child; null for none)
     * before it is compared with the child's and the random control's maps. The unrelated model shares the parent's
     * frame.
     */
    public static Score score(Control control, float alpha, NDArray z, Model parent, String attribute, Model child,
                              String childAttribute, Model unrelated, Random rng,
                              java.util.function.UnaryOperator<NDArray> toChildFrame) {
        try (NDManager m = z.getManager().newSubManager()) {
            EditEffect.Edit p = EditEffect.of(parent.generator(), parent.stats(), z, control, alpha, m);
            EditEffect.Response pr = response(p, parent.reader(), attribute);
            EditEffect.Edit c = EditEffect.of(child.generator(), child.stats(), z, control, alpha, m);
            Control randomControl = control.random(child.generator(), rng);
            EditEffect.Edit r = EditEffect.of(child.generator(), child.stats(), z, randomControl, alpha, m);
            EditEffect.Response cr = response(c, child.reader(), childAttribute);
            EditEffect.Response rr = response(r, child.reader(), childAttribute);
            EditEffect.Response ur = null;
            double mu = Double.NaN;
            if (unrelated != null) {
                EditEffect.Edit u = EditEffect.of(unrelated.generator(), unrelated.stats(), z, control, alpha, m);
                ur = response(u, parent.reader(), attribute);
                mu = EditEffect.changeMapAgreement(p, u, null);
            }
            return new Score(control.name(), attribute, child.name(), childAttribute, pr, cr, ur, rr,
                    EditEffect.changeMapAgreement(p, c, toChildFrame), mu,
                    EditEffect.changeMapAgreement(p, r, toChildFrame));
        }
    }

    private static EditEffect.Response response(EditEffect.Edit e, AttributeClassifier reader, String attribute) {
        return reader == null || attribute == null ? null : EditEffect.response(e, reader, attribute);
    }
}
