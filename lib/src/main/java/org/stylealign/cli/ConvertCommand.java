package org.stylealign.cli;

import org.stylealign.io.Checkpoints;
import org.stylealign.io.ImportedCheckpoint;
import org.stylealign.io.ModelIO;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** `stylealign convert`: any supported checkpoint to the native safetensors format. */
@Command(name = "convert", header = "A checkpoint in the native format (float16, G_ema, cropped)",
        sortOptions = false, description = {"Any checkpoint the workbench reads to the native safetensors format; "
        + "with --resolution, cropped to a lower resolution to fine-tune there (paper Fig. 30)."})
final class ConvertCommand extends Action {

    @Mixin
    ModelArgs checkpoint;

    @Option(names = "--out", required = true, paramLabel = "DIR|FILE.safetensors",
            description = "A .safetensors file, or a folder to write <checkpoint name>.safetensors into.")
    Path out;

    @Option(names = "--fp16", description = "Store float16 (half the size).")
    boolean fp16;

    @Option(names = "--ema-only", description = "Keep G_ema alone: what rendering needs, no G, D or optimiser state.")
    boolean emaOnly;

    @Option(names = "--resolution", paramLabel = "R",
            description = "Crop G and D to R px (G keeps its blocks up to R; D gets a fresh fromRGB at R).")
    Integer resolution;

    @Option(names = "--seed", paramLabel = "K",
            description = "With --resolution: the seed of D's new fromRGB layer (default: 0).")
    Integer seed;

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        Path src = checkpoint.file();
        Path dest = this.out;
        if (!dest.getFileName().toString().endsWith(".safetensors")) {
            Files.createDirectories(dest);
            String stem = src.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            dest = dest.resolve(stem + ".safetensors");
        }
        ImportedCheckpoint ck = Checkpoints.read(src);
        if (resolution != null) {
            ck = ModelIO.atResolution(ck, resolution, seed == null ? 0 : seed);
        } else if (seed != null) {
            throw new UsageException("--seed goes with --resolution (it seeds D's new fromRGB layer)");
        }
        if (emaOnly) {
            // what rendering needs (a third of a training snapshot): no training G, no D, no optimiser state
            if (ck.gEma() == null) {
                throw new UsageException("--ema-only: " + src + " holds no G_ema");
            }
            ck = new ImportedCheckpoint(ck.source(), ck.format(), ck.generatorConfig(), ck.gEma(), null, null, null,
                    null, ck.metadata(), ck.notes());
        }
        Checkpoints.writeNative(dest, ck, fp16);
        out.printf("%s (%s) -> %s (%s%s, %,d bytes)%n", src, ck.format(), dest, fp16 ? "float16" : "float32",
                emaOnly ? ", G_ema only" : "", Files.size(dest));
        for (String n : ck.notes()) {
            out.println("note: " + n);
        }
        return 0;
    }
}
