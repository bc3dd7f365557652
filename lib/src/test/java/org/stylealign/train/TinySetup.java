package org.stylealign.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.GeneratorConfig;

import java.util.Map;
import java.util.SplittableRandom;

/** Tiny networks and synthetic images for fast training tests. */
final class TinySetup {

    static final GeneratorConfig G = new GeneratorConfig(16, 3, 16, 16, 2, 0.01f, Map.of(4, 16, 8, 16, 16, 8));
    static final DiscriminatorConfig D = Trainer.matchingDiscriminator(G);

    private TinySetup() {
    }

    static TrainConfig config() {
        return TrainConfig.recipe(16, 4).r1(1f, 2).ema(0.01f, 0.05f).pathLength(0f, 4).xflip(true).seed(7).build();
    }

    static Trainer trainer(TrainConfig cfg) {
        return Trainer.fromScratch(G, D, cfg, Device.cpu(), 3);
    }

    /** Smooth random blobs in [-1, 1], a pure function of the step. */
    static ImageFeed feed(int res, int channels) {
        return new ImageFeed() {
            @Override
            public NDArray images(NDManager m, long step, int batch) {
                SplittableRandom r = new SplittableRandom(1000 + step);
                float[] v = new float[batch * channels * res * res];
                int i = 0;
                for (int n = 0; n < batch; n++) {
                    for (int c = 0; c < channels; c++) {
                        double fx = r.nextDouble() * 0.5, fy = r.nextDouble() * 0.5, ph = r.nextDouble() * 6;
                        for (int y = 0; y < res; y++) {
                            for (int x = 0; x < res; x++) {
                                v[i++] = (float) Math.sin(fx * x + fy * y + ph);
                            }
                        }
                    }
                }
                return TrainRandom.owned(m, v, new Shape(batch, channels, res, res));
            }

            @Override
            public int resolution() {
                return res;
            }

            @Override
            public int channels() {
                return channels;
            }
        };
    }
}
