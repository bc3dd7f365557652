package org.stylealign.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.model.ConvCheck;
import org.stylealign.model.Convolution;
import org.stylealign.model.Cpu;
import org.stylealign.model.Discriminator;
import org.stylealign.model.Generator;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.StyleGan2;
import org.stylealign.model.StyleLayer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Map;
import java.util.Set;

/** `stylealign info`: what a checkpoint holds. */
@Command(name = "info", header = "Format, architecture, parameters, style layers of a checkpoint",
        sortOptions = false, description = {"The format, the architecture inferred from the tensors, parameter counts "
        + "of G_ema, G and D, the StyleSpace layers, and a check of the engine's convolutions on this CPU against "
        + "the double-precision definition (docs/numerics.md)."})
final class InfoCommand extends Action {

    @Mixin
    ModelArgs checkpoint;

    @Option(names = "--no-check", description = "Skip the convolution check (G and D once at batch 2).")
    boolean noCheck;

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        try (StyleGan2 model = checkpoint.load()) {
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
            if (!noCheck) {
                convolutionCheck(model, out);
            }
        }
        return 0;
    }

    /**
     * Runs G and D once at batch 2 with the convolution check in diagnostic mode and prints, per shape class, the
     * route taken and whether the engine's own convolution is right on this CPU.
     */
    private static void convolutionCheck(StyleGan2 model, PrintStream out) {
        out.println("cpu          " + Cpu.describe());
        if (Convolution.forced() != null) {
            out.println("convolution  route forced to " + Convolution.forced() + " (STYLEALIGN_CONV), not checked");
            return;
        }
        Convolution.reset();
        Convolution.diagnostic(true);
        try (NDManager m = NDManager.newBaseManager(model.generator().device())) {
            NDArray images = model.generator().generate(model.generator().zFromSeeds(m, 1, 2), 1f,
                    org.stylealign.model.Noise.constant());
            model.discriminator().ifPresent(d -> d.forward(images));
        } finally {
            Convolution.diagnostic(false);
        }
        var decisions = Convolution.decisions();
        long wrong = decisions.stream().filter(d -> !d.failures().isEmpty()).count();
        out.printf("convolution  %d shape classes of G%s at batch 2 checked against the double-precision definition "
                        + "(forward; training checks backward at its start): %s%n", decisions.size(),
                model.discriminator().isPresent() ? " and D" : "",
                wrong == 0 ? "the engine is right for all" : "the engine is WRONG for " + wrong);
        if (decisions.isEmpty()) {
            out.println("  (no CPU float32 convolution ran: nothing to check on this device)");
            return;
        }
        out.println("  shape                                        layout         route   engine (native) check");
        for (Convolution.Decision d : decisions) {
            ConvCheck.Result nat = d.checks().stream().filter(c -> c.route() == Convolution.Route.NATIVE).findFirst()
                    .orElse(null);
            String engine = nat == null ? "-" : nat.ok() ? String.format(java.util.Locale.ROOT, "right (%.2g of tolerance)", nat.worstRatio())
                    : "WRONG: " + nat.summary();
            String why = d.route() == Convolution.Route.PADDED && (nat == null || nat.ok())
                    ? " (channels padded to 16 as a precaution)" : "";
            out.printf("  %-44s %-14s %-7s %s%s%n", d.shape(), d.layout(), d.route(), engine, why);
        }
    }

    private static long count(Map<String, NDArray> tensors, Set<String> trainable) {
        long n = 0;
        for (String name : trainable) {
            n += tensors.get(name).getShape().size();
        }
        return n;
    }
}
