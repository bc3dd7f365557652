package org.stylealign.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The residual StyleGAN2 discriminator: blocks from the input resolution down to 8x8, then the 4x4 epilogue
 * (minibatch stddev, 3x3 conv, fully connected, one logit per image).
 */
public final class Discriminator implements AutoCloseable {

    private final DiscriminatorConfig config;
    private final NDManager manager;
    private final Params params;
    private final List<DiscriminatorBlock> blocks = new ArrayList<>();
    private final MinibatchStdLayer mbstd;
    private final Conv2dLayer epilogueConv;
    private final FullyConnectedLayer fc;
    private final FullyConnectedLayer out;

    private Discriminator(DiscriminatorConfig config, NDManager manager, Params params) {
        this.config = config;
        this.manager = manager;
        this.params = params;
        Scalars scalars = new Scalars(manager);
        Fir fir = new Fir(manager);
        for (int res = config.resolution(); res > 4; res /= 2) {
            blocks.add(new DiscriminatorBlock(params, scalars, fir, config, res));
        }
        int c4 = config.channelsAt(4);
        mbstd = new MinibatchStdLayer(scalars, config.mbstdGroup(), config.mbstdChannels());
        epilogueConv = new Conv2dLayer(params, scalars, fir, "b4.conv", c4 + config.mbstdChannels(), c4, 3,
                true, false, true, 1f);
        fc = new FullyConnectedLayer(params, scalars, "b4.fc", c4 * 16, c4, 1f, Params.Init.ZEROS, true);
        out = new FullyConnectedLayer(params, scalars, "b4.out", c4, 1, 1f, Params.Init.ZEROS, false);
        params.checkAllUsed();
    }

    public static Discriminator of(DiscriminatorConfig config, Device device, Map<String, NDArray> tensors) {
        return Tensors.withNewManager(device, m -> new Discriminator(config, m, Params.of(m, tensors)));
    }

    public static Discriminator create(DiscriminatorConfig config, Device device, long seed) {
        return Tensors.withNewManager(device, m -> new Discriminator(config, m, Params.init(m, seed)));
    }

    public DiscriminatorConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public Params params() {
        return params;
    }

    public Map<String, NDArray> tensors() {
        return params.all();
    }

    /** images [N, C, R, R] -> logits [N, 1]. */
    public NDArray forward(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != config.imageChannels() || s.get(2) != config.resolution()
                || s.get(3) != config.resolution()) {
            throw new IllegalArgumentException("the discriminator takes [N, " + config.imageChannels() + ", "
                    + config.resolution() + ", " + config.resolution() + "] images, got " + s);
        }
        return Scoped.compute(images.getManager(), () -> {
            NDArray x = Tensors.channelsLast(images);
            for (DiscriminatorBlock b : blocks) {
                x = b.forward(x);
            }
            x = epilogueConv.forward(mbstd.forward(x));
            x = fc.forward(x.reshape(x.getShape().get(0), -1));
            return out.forward(x);
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
