package org.stylealign.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.stylealign.io.HostTensor;
import org.stylealign.io.ModelIO;
import org.stylealign.io.Npy;

/**
 * The TensorFlow-format pickle of the NVlabs fixture reproduces that fixture's reference outputs (written by the
 * PyTorch code) to max abs error 1e-4: w, truncated w, images in every noise mode, style mixing, StyleSpace, D logits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TfPickleParityTest {

    private StyleGan2 model;
    private NDManager m;

    @BeforeAll
    void load() throws Exception {
        model = ModelIO.load(Fixtures.tfPickle(), Device.cpu());
        m = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    void close() {
        m.close();
        model.close();
    }

    private NDArray ref(String name) throws Exception {
        HostTensor h = Npy.read(Fixtures.nvlabsRef().resolve(name + ".npy"));
        return m.create(h.values(), new Shape(h.shape()));
    }

    private static void close(NDArray expected, NDArray actual, String what) {
        float max = expected.getShape().equals(actual.getShape())
                ? expected.sub(actual).abs().max().getFloat() : Float.NaN;
        System.out.printf("TF pickle parity %-22s max abs error %.3g%n", what, max);
        ParityTest.assertClose(expected, actual, "TF pickle " + what);
    }

    @Test
    void mappingTruncationAndImages() throws Exception {
        assertEquals("nvlabs-tf-pkl", model.format());
        Generator g = model.generator();
        NDArray z = ref("z");
        close(ref("w_avg").reshape(1, 64), g.wAvg(m), "w_avg");
        NDArray w = g.mapping(z);
        close(ref("w"), w, "w");
        close(ref("w_trunc"), g.truncate(w, 0.7f), "w_trunc");
        close(ref("img_noise_const"), g.generate(z, 1f, Noise.constant()), "img_noise_const");
        close(ref("img_noise_none"), g.generate(z, 1f, Noise.none()), "img_noise_none");
        close(ref("img_trunc"), g.generate(z, 0.7f, Noise.constant()), "img_trunc");
        NDArray ws = g.mix(g.broadcast(w), g.broadcast(g.mapping(ref("z2_mix"))), 2);
        close(ref("ws_mix"), ws, "ws_mix");
        close(ref("img_mix"), g.synthesis(ws, Noise.constant()), "img_mix");
    }

    @Test
    void styleSpace() throws Exception {
        Generator g = model.generator();
        StyleCodes s = g.styles(g.broadcast(g.mapping(ref("z").get("0:1"))));
        assertEquals(11, s.size());
        for (int i = 0; i < s.size(); i++) {
            String name = String.format("s_%02d", i);
            close(ref(name).reshape(1, -1), s.get(i), name);
        }
    }

    @Test
    void discriminatorLogits() throws Exception {
        Discriminator d = model.discriminator().orElseThrow();
        NDArray img = ref("img_noise_const");
        close(ref("d_logits"), d.forward(img), "d_logits");
        NDArray single = ref("d_logits_single");
        for (int i = 0; i < 4; i++) {
            close(single.get(i + ":" + (i + 1)), d.forward(img.get(i + ":" + (i + 1))), "d_logits_single[" + i + "]");
        }
    }

    @Test
    void trainingGeneratorDiffersFromGs() throws Exception {
        // G and Gs are different networks in the file: mixing them up would show here
        NDArray z = ref("z");
        float diff = model.generator().generate(z, 1f, Noise.constant())
                .sub(model.trainingGenerator().orElseThrow().generate(z, 1f, Noise.constant())).abs().max().getFloat();
        assertTrue(diff > 0.1f, "G vs Gs max diff " + diff);
    }
}
