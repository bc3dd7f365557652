package org.stylealign.export;

import ai.djl.ndarray.NDArray;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an export writes: the generator's architecture and its tensors (canonical names) copied to the host as
 * float32, optionally cropped to a lower resolution (the blocks up to it; the skip architecture's image there).
 */
final class ExportModel {

    private final GeneratorConfig config;
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    private ExportModel(GeneratorConfig config) {
        this.config = config;
    }

    /** @param resolution the output resolution: the model's own, or a lower power of two (from 8) */
    static ExportModel of(Generator g, int resolution) {
        GeneratorConfig c = cropped(g.config(), resolution);
        ExportModel m = new ExportModel(c);
        for (Map.Entry<String, NDArray> e : g.tensors().entrySet()) {
            if (keeps(e.getKey(), resolution)) {
                m.values.put(e.getKey(), e.getValue().toFloatArray());
                m.shapes.put(e.getKey(), e.getValue().getShape().getShape());
            }
        }
        return m;
    }

    /** The architecture of {@code c} cut after the block of {@code resolution}. */
    static GeneratorConfig cropped(GeneratorConfig c, int resolution) {
        if (resolution == c.resolution()) {
            return c;
        }
        if (resolution > c.resolution() || resolution < 8 || Integer.bitCount(resolution) != 1) {
            throw new IllegalArgumentException("resolution must be a power of two from 8 up to the model's "
                    + c.resolution() + ", got " + resolution);
        }
        return new GeneratorConfig(resolution, c.imageChannels(), c.zDim(), c.wDim(), c.mappingLayers(),
                c.mappingLrMul(), new TreeMap<>(c.channels()).headMap(resolution, true));
    }

    /** True for the mapping's tensors and those of the synthesis blocks up to {@code resolution}. */
    static boolean keeps(String name, int resolution) {
        if (!name.startsWith("synthesis.b")) {
            return true;
        }
        String r = name.substring("synthesis.b".length(), name.indexOf('.', "synthesis.b".length()));
        return Integer.parseInt(r) <= resolution;
    }

    GeneratorConfig config() {
        return config;
    }

    float[] values(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in the generator");
        }
        return v;
    }

    long[] shape(String name) {
        values(name);
        return shapes.get(name);
    }
}
