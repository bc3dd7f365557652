package org.stylealign.cli;

import org.stylealign.export.GeneratorExport;
import org.stylealign.model.Generator;
import org.stylealign.model.StyleGan2;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** `stylealign export`: the generator as TorchScript or ONNX, with the stored noise (docs/export.md). */
final class ExportCommand implements Command {

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "--checkpoint F --format torchscript|onnx --out G.pt|G.onnx [--res R] [--truncation PSI]: the "
                + "generator (z -> image, ws -> image, stored noise) for torch.jit.load / ONNX Runtime; --res: the "
                + "image of a lower block; --truncation: TorchScript's default psi, built into G.onnx (docs/export.md)";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args a = new Args(argv, Set.of("checkpoint", "format", "out", "res", "truncation"), Set.of());
        String f = a.require("format").trim().toLowerCase();
        GeneratorExport.Format format = switch (f) {
            case "torchscript" -> GeneratorExport.Format.TORCHSCRIPT;
            case "onnx" -> GeneratorExport.Format.ONNX;
            default -> throw new UsageException("--format must be torchscript or onnx, got '" + f + "'");
        };
        Path dest = a.path("out");
        if (Files.isDirectory(dest)) {
            throw new UsageException("--out " + dest + " is a folder: name the file, e.g. G.pt or G.onnx");
        }
        float psi = ModelArgs.truncation(a);
        if (!Float.isFinite(psi)) {
            throw new UsageException("--truncation must be a finite number, got " + psi);
        }
        try (StyleGan2 model = ModelArgs.load(a)) {
            Generator g = model.generator();
            int own = g.config().resolution();
            int res = a.intValue("res", own);
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
            out.printf("%s (%s, %d px%s) -> %s, truncation %s (%s), stored noise%n", a.path("checkpoint"),
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
