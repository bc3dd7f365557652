package org.stylealign.analysis;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.Noise;
import org.stylealign.model.Part;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComponentResetTest {

    static final GeneratorConfig TINY = new GeneratorConfig(16, 3, 16, 16, 2, 0.01f, Map.of(4, 16, 8, 16, 16, 16));

    private Generator parent;
    private Generator stranger;
    private NDManager m;

    @BeforeAll
    void build() {
        parent = Generator.create(TINY, Device.cpu(), 1);
        stranger = Generator.create(TINY, Device.cpu(), 2);
        m = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    void close() {
        parent.close();
        stranger.close();
        m.close();
    }

    /** The parent with the tensors of {@code part} multiplied by {@code factor}. */
    private Generator perturbed(Part part, float factor) {
        Map<String, NDArray> t = new HashMap<>();
        try (NDManager s = NDManager.newBaseManager(Device.cpu())) {
            for (var e : parent.tensors().entrySet()) {
                NDArray c = part.matches(e.getKey()) && parent.params().trainableNames().contains(e.getKey())
                        ? e.getValue().mul(factor) : e.getValue().duplicate();
                c.attach(s);
                t.put(e.getKey(), c);
            }
            return Generator.of(TINY, Device.cpu(), t);
        }
    }

    private NDArray images(Generator g, NDManager s) {
        return g.generate(g.zFromSeeds(s, 1, 2, 3, 4), 1f, Noise.constant());
    }

    @Test
    void everyTensorBelongsToExactlyOnePart() {
        for (String name : parent.tensors().keySet()) {
            long n = Part.all().stream().filter(p -> p.matches(name)).count();
            assertEquals(1, n, name + " belongs to " + n + " parts");
        }
        assertTrue(Part.CONVS.at(8).matches("synthesis.b8.conv0.weight"));
        assertTrue(!Part.CONVS.at(8).matches("synthesis.b16.conv0.weight"));
        assertEquals(Part.CONVS.at(16), Part.parse("convs@16"));
        assertEquals(List.of(Part.MAPPING, Part.TORGB), Part.parseAll("mapping, torgb"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Part.parse("weights"));
        assertTrue(e.getMessage().contains("'weights'"), e.getMessage());
    }

    @Test
    void takingEveryPartReproducesTheDonorAndTakingNoneTheChild() {
        try (NDManager s = m.newSubManager(); Generator all = stranger.withParts(parent, Part.all());
             Generator none = stranger.withParts(parent, List.of()); Generator copy = parent.copy()) {
            assertEquals(0.0, ImageDistance.pixel(images(parent, s), images(all, s)));
            assertEquals(0.0, ImageDistance.pixel(images(stranger, s), images(none, s)));
            assertEquals(0.0, ImageDistance.pixel(images(parent, s), images(copy, s)));
            // a copy owns its tensors: changing it leaves the original alone
            NDArray w = copy.tensors().get("synthesis.b8.conv0.weight");
            float before = parent.tensors().get("synthesis.b8.conv0.weight").toFloatArray()[0];
            w.muli(2f);
            assertEquals(before, parent.tensors().get("synthesis.b8.conv0.weight").toFloatArray()[0]);
        }
    }

    @Test
    void aChildThatDiffersInOnePartMovesOnlyWhenThatPartIsReset() {
        try (Generator child = perturbed(Part.AFFINE, 1.3f); NDManager s = m.newSubManager()) {
            NDArray z = child.zFromSeeds(s, 10, 11, 12, 13, 14, 15);
            List<ComponentReset.Row> rows = ComponentReset.of(child, parent).control(stranger).batch(4)
                    .measure(z, Part.paperComponents(), null);
            assertEquals(5, rows.size());
            for (ComponentReset.Row r : rows) {
                if (r.part() == null || r.part().equals(Part.AFFINE)) {
                    assertTrue(r.pixel() > 1e-3, r.toString());
                    assertEquals(1.0, r.shareOfParent(), 1e-6, r.toString());
                } else {
                    assertEquals(0.0, r.pixel(), 1e-7, r.toString());
                }
                assertTrue(r.controlPixel() > 0, "a stranger's part changes the image: " + r);
                assertTrue(Double.isNaN(r.feature()), "no feature network given");
            }
        }
    }

    @Test
    void partDriftIsTheRelativeChangeOfThePartsWeights() {
        try (Generator child = perturbed(Part.TORGB, 1.25f)) {
            assertEquals(0.25, PartDrift.relative(parent, child, Part.TORGB), 1e-6);
            assertEquals(0.0, PartDrift.relative(parent, child, Part.CONVS), 0.0);
            assertEquals(0.0, PartDrift.relative(parent, child, Part.MAPPING), 0.0);
        }
    }

    @Test
    void featureDistanceIsTheMeanEuclideanDistanceOfRows() {
        float[][] a = {{0, 0}, {1, 1}};
        float[][] b = {{3, 4}, {1, 1}};
        assertEquals(2.5, ImageDistance.feature(a, b), 1e-12); // (5 + 0) / 2
    }
}
