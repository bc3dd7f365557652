package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/** Z -> W: normalise z to unit second moment, then an MLP of equalised-lr layers with lr multiplier 0.01. */
final class MappingNetwork {

    final List<FullyConnectedLayer> layers = new ArrayList<>();
    /** Running mean of w: the centre that truncation pulls towards. */
    final NDArray wAvg;
    private final NDArray eps;

    MappingNetwork(Params params, Scalars scalars, GeneratorConfig cfg) {
        for (int i = 0; i < cfg.mappingLayers(); i++) {
            int in = i == 0 ? cfg.zDim() : cfg.wDim();
            layers.add(new FullyConnectedLayer(params, scalars, "mapping.fc" + i, in, cfg.wDim(),
                    cfg.mappingLrMul(), Params.Init.ZEROS, true));
        }
        wAvg = params.take("mapping.w_avg", new Shape(cfg.wDim()), Params.Init.ZEROS, false);
        eps = scalars.of(1e-8f);
    }

    NDArray forward(NDArray z) {
        NDArray x = Layers.normalize2ndMoment(z, 1, eps);
        for (FullyConnectedLayer fc : layers) {
            x = fc.forward(x);
        }
        return x;
    }
}
