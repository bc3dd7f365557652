package org.stylealign.export;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.stylealign.io.AtomicFiles;
import org.stylealign.io.CheckpointException;
import org.stylealign.model.Generator;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a generator for use outside the workbench, with the stored (constant) noise maps (docs/export.md):
 * <ul>
 *   <li>{@link #torchScript}: one TorchScript archive (torch.jit.load, libtorch, DJL) whose module has
 *       {@code forward(z, truncation_psi)} (z -> image), {@code ws_from_z(z, truncation_psi)} (z -> W+) and
 *       {@code synthesize(ws)} (W+ -> image); its state_dict holds the canonical tensors;</li>
 *   <li>{@link #onnx}: two ONNX models (opset 17): {@code G.onnx} (input z, the truncation built in; outputs image
 *       and ws) and {@code G.synthesis.onnx} (input ws, output image).</li>
 * </ul>
 * Files are written through a temporary file and renamed. {@code resolution} below the model's exports the blocks
 * up to it (the skip architecture's image at that resolution, as {@link #cropped} computes it).
 */
public final class GeneratorExport {

    public enum Format { TORCHSCRIPT, ONNX }

    private GeneratorExport() {
    }

    /** Writes {@code out} (a TorchScript archive); returns the files written. */
    public static List<Path> torchScript(Generator g, Path out, int resolution, float truncationPsi)
            throws CheckpointException {
        ExportModel m = ExportModel.of(g, resolution);
        AtomicFiles.write(out, stream -> TorchScriptExport.write(m, truncationPsi, stream));
        return List.of(out);
    }

    /** Writes {@code out} (z -> image) and {@link #synthesisFile}(out) (ws -> image); returns both. */
    public static List<Path> onnx(Generator g, Path out, int resolution, float truncationPsi)
            throws CheckpointException {
        ExportModel m = ExportModel.of(g, resolution);
        Path synthesis = synthesisFile(out);
        AtomicFiles.write(out, stream -> stream.write(OnnxExport.generator(m, truncationPsi)));
        try {
            AtomicFiles.write(synthesis, stream -> stream.write(OnnxExport.synthesis(m)));
        } catch (CheckpointException | RuntimeException e) {
            try { // the pair or nothing
                java.nio.file.Files.deleteIfExists(out);
            } catch (java.io.IOException ignored) {
                // the error below names the failure; a stray first file is all that can remain
            }
            throw e;
        }
        return List.of(out, synthesis);
    }

    /** G.onnx -> G.synthesis.onnx: the file of the ws -> image model beside {@code out}. */
    public static Path synthesisFile(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        return out.resolveSibling(stem + ".synthesis.onnx");
    }

    /** The ONNX opset the exported models declare. */
    public static int onnxOpset() {
        return OnnxExport.OPSET;
    }

    /**
     * The generator cut after the block of {@code resolution} (a power of two from 8 up to its own), on the CPU:
     * what an export at that resolution computes, for comparison. The caller closes it.
     */
    public static Generator cropped(Generator g, int resolution) {
        try (NDManager staging = NDManager.newBaseManager(Device.cpu())) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : g.tensors().entrySet()) {
                if (ExportModel.keeps(e.getKey(), resolution)) {
                    NDArray src = e.getValue();
                    // duplicate() is a real copy; toDevice(same device, copy=true) would alias the storage
                    NDArray c = src.getDevice().equals(Device.cpu()) ? src.duplicate() : src.toDevice(Device.cpu(), true);
                    c.attach(staging);
                    t.put(e.getKey(), c);
                }
            }
            return Generator.of(ExportModel.cropped(g.config(), resolution), Device.cpu(), t);
        }
    }

}
