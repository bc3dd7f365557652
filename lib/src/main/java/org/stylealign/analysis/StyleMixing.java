package org.stylealign.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.stylealign.model.Generator;
import org.stylealign.model.Noise;
import org.stylealign.model.Scoped;
import org.stylealign.model.StyleLayer;

import java.util.ArrayList;
import java.util.List;

/**
 * Style mixing (StyleGAN Fig. 3): for sources A and B, W+ rows below a crossover from one and the rest from the other.
 * Everything at truncation psi with the stored noise.
 *
 * @param a     the A sources [nA, C, R, R]
 * @param b     the B sources [nB, C, R, R]
 * @param mixed row-major [nA * nB, C, R, R]: image (i, j) mixes A_i and B_j
 */
public record StyleMixing(NDArray a, NDArray b, NDArray mixed) {

    /** The first W+ row that feeds a layer of resolution >= {@code res}: the rows before it are "coarse". */
    public static int crossoverAt(Generator g, int res) {
        return g.styleLayers().stream().filter(l -> l.resolution() >= res).mapToInt(StyleLayer::wIndex).min()
                .orElse(g.numWs());
    }

    /**
     * @param coarseFromB true: rows below {@code crossover} from B, the rest from A; false: rows from {@code
     *                    crossover} on from B
     */
    public static StyleMixing of(Generator g, NDManager m, long[] seedsA, long[] seedsB, int crossover,
                                 boolean coarseFromB, float psi) {
        NDList out = Scoped.computeAll(m, () -> {
            NDArray wsA = g.truncate(g.broadcast(g.mapping(g.zFromSeeds(m, seedsA))), psi);
            NDArray wsB = g.truncate(g.broadcast(g.mapping(g.zFromSeeds(m, seedsB))), psi);
            List<NDArray> rows = new ArrayList<>();
            for (int i = 0; i < seedsA.length; i++) {
                // A_i against every B at once
                NDArray rowA = wsA.get(i + ":" + (i + 1)).repeat(0, seedsB.length);
                NDArray mixed = coarseFromB ? g.mix(wsB, rowA, crossover) : g.mix(rowA, wsB, crossover);
                rows.add(g.synthesis(mixed, Noise.constant()));
            }
            return new NDList(g.synthesis(wsA, Noise.constant()), g.synthesis(wsB, Noise.constant()),
                    NDArrays.concat(new NDList(rows), 0));
        });
        return new StyleMixing(out.get(0), out.get(1), out.get(2));
    }
}
