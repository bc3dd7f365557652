package org.stylealign.cli;

import org.stylealign.export.GeneratorExport;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** `stylealign export`: the generator as TorchScript or ONNX, with the stored noise (docs/export.md). */
@Command(name = "export", header = "The generator as TorchScript or ONNX", sortOptions = false,
        description = {"For torch.jit.load / DJL or ONNX Runtime: z -> image and ws -> image, with the stored noise "
        + "(docs/export.md)."})
final class ExportCommand extends Action {

    @Mixin
    ModelArgs checkpoint;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", converter = Values.FormatConverter.class,
            completionCandidates = Values.Formats.class, description = "${COMPLETION-CANDIDATES}.")
    GeneratorExport.Format format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "G.pt or G.onnx (ONNX also writes "
            + "G.synthesis.onnx beside it: ws -> image).")
    Path dest;

    @Option(names = "--res", paramLabel = "R",
            description = "The image of a lower block: a power of two from 8 up to the model's (default: the model's).")
    Integer res;

    @Option(names = "--truncation", paramLabel = "PSI", defaultValue = "1", description = "TorchScript: the default "
            + "of truncation_psi; ONNX: built into G.onnx (default: ${DEFAULT-VALUE}).")
    float psi;

    @Override
    public Integer call() throws Exception {
        PrintStream out = out();
        if (Files.isDirectory(dest)) {
            throw new UsageException("--out " + dest + " is a folder: name the file, e.g. G.pt or G.onnx");
        }
        if (!Float.isFinite(psi)) {
            throw new UsageException("--truncation must be a finite number, got " + psi);
        }
        try (StyleGan2 model = checkpoint.load()) {
            Generator g = model.generator();
            int own = g.config().resolution();
            int res = this.res == null ? own : this.res;
            if (res > own || res < 8 || Integer.bitCount(res) != 1) {
                throw new UsageException("--res must be a power of two from 8 up to the model's " + own + ", got "
                        + res);
            }
            Path dir = dest.toAbsolutePath().getParent();
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new UsageException("--out " + dest + ": cannot create its folder " + dir + " (" + e + ")");
            }
            List<Path> files = format == GeneratorExport.Format.ONNX
                    ? GeneratorExport.onnx(g, dest, res, psi)
                    : GeneratorExport.torchScript(g, dest, res, psi);
            out.printf("%s (%s, %d px%s) -> %s, truncation %s (%s), stored noise%n", checkpoint.checkpoint,
                    model.format(), res, res == own ? "" : " of " + own, format.name().toLowerCase(), psi,
                    format == GeneratorExport.Format.ONNX ? "built in" : "the default of truncation_psi");
            for (Path p : files) {
                out.printf("  %s (%,d bytes)%n", p, Files.size(p));
            }
            if (format == GeneratorExport.Format.ONNX) {
                out.printf("  opset %d: %s takes z [N, %d], gives image and ws; %s takes ws [N, %d, %d]%n",
                        GeneratorExport.onnxOpset(), files.get(0).getFileName(), g.config().zDim(),
                        files.get(1).getFileName(), 2 * (31 - Integer.numberOfLeadingZeros(res)) - 2, g.config().wDim());
            } else {
                out.println("  methods: forward(z, truncation_psi) -> image, ws_from_z(z, truncation_psi) -> ws, "
                        + "synthesize(ws) -> image");
            }
        }
        return 0;
    }
}
