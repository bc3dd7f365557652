package org.stylealign.cli;

import org.stylealign.io.Checkpoints;
import org.stylealign.io.ImportedCheckpoint;
import org.stylealign.io.ModelIO;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** `stylealign convert`: any supported checkpoint to the native safetensors format. */
final class ConvertCommand implements Command {

    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String summary() {
        return "--checkpoint F --out DIR|FILE.safetensors [--fp16] [--ema-only] [--resolution R [--seed K]]: to the native "
                + "format (--resolution: cropped to a lower resolution, to fine-tune there)";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = new Args(argv, Set.of("checkpoint", "out", "resolution", "seed"), Set.of("fp16", "ema-only"));
        Path src = a.path("checkpoint");
        if (!Files.isRegularFile(src)) {
            throw new UsageException("--checkpoint " + src + ": no such file");
        }
        Path dest = a.path("out");
        if (!dest.getFileName().toString().endsWith(".safetensors")) {
            Files.createDirectories(dest);
            String stem = src.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            dest = dest.resolve(stem + ".safetensors");
        }
        ImportedCheckpoint ck = Checkpoints.read(src);
        if (a.has("resolution")) {
            int r = a.intValue("resolution", 0);
            ck = ModelIO.atResolution(ck, r, a.intValue("seed", 0));
        } else if (a.has("seed")) {
            throw new UsageException("--seed goes with --resolution (it seeds D's new fromRGB layer)");
        }
        if (a.has("ema-only")) {
            // what rendering needs (a third of a training snapshot): no training G, no D, no optimiser state
            if (ck.gEma() == null) {
                throw new UsageException("--ema-only: " + src + " holds no G_ema");
            }
            ck = new ImportedCheckpoint(ck.source(), ck.format(), ck.generatorConfig(), ck.gEma(), null, null, null,
                    null, ck.metadata(), ck.notes());
        }
        Checkpoints.writeNative(dest, ck, a.has("fp16"));
        out.printf("%s (%s) -> %s (%s%s, %,d bytes)%n", src, ck.format(), dest, a.has("fp16") ? "float16" : "float32",
                a.has("ema-only") ? ", G_ema only" : "", Files.size(dest));
        for (String n : ck.notes()) {
            out.println("note: " + n);
        }
        return 0;
    }
}
