package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import org.stylealign.model.Discriminator;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.StyleGan2;
import org.stylealign.model.StyleLayer;

import java.io.PrintStream;
import java.util.Map;
import java.util.Set;

/** `stylealign info`: what a checkpoint holds. */
final class InfoCommand implements Command {

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "--checkpoint F: format, architecture, parameter counts, style layers";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = new Args(argv, Set.of("checkpoint"), Set.of());
        try (StyleGan2 model = ModelArgs.load(a)) {
            Generator g = model.generator();
            GeneratorConfig c = g.config();
            out.println("checkpoint   " + model.source());
            out.println("format       " + model.format());
            out.printf("generator    %dx%d, %d image channel(s), z %d, w %d, mapping %d layers (lr x%s), %d ws%n",
                    c.resolution(), c.resolution(), c.imageChannels(), c.zDim(), c.wDim(), c.mappingLayers(),
                    c.mappingLrMul(), c.numWs());
            out.println("channels     " + c.channels());
            out.printf("parameters   G_ema %,d%s%s%n", count(g.tensors(), g.params().trainableNames()),
                    model.trainingGenerator().map(t -> String.format(", G %,d",
                            count(t.tensors(), t.params().trainableNames()))).orElse(""),
                    model.discriminator().map(d -> String.format(", D %,d",
                            count(d.tensors(), d.params().trainableNames()))).orElse(""));
            model.discriminator().map(Discriminator::config).ifPresent(dc -> out.println("discriminator "
                    + dc.resolution() + "x" + dc.resolution() + ", channels " + dc.channels() + ", mbstd group "
                    + dc.mbstdGroup() + ", " + dc.mbstdChannels() + " channel(s)"));
            out.printf("StyleSpace   %d layers, %d channels%n", g.styleLayers().size(), g.styleChannels());
            out.println("  index  layer        res  kind   channels  w index");
            for (StyleLayer l : g.styleLayers()) {
                out.printf("  %5d  %-11s %4d  %-5s  %8d  %7d%n", l.index(), l.name(), l.resolution(),
                        l.isToRgb() ? "torgb" : "conv", l.channels(), l.wIndex());
            }
            for (String n : model.notes()) {
                out.println("note         " + n);
            }
        }
        return 0;
    }

    private static long count(Map<String, NDArray> tensors, Set<String> trainable) {
        long n = 0;
        for (String name : trainable) {
            n += tensors.get(name).getShape().size();
        }
        return n;
    }
}
