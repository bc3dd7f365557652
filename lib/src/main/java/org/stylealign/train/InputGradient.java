package org.stylealign.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The squared norm of d(sum y)/dx per sample, differentiable (create_graph), for R1. DJL only offers
 * {@code backward(create_graph=true)}, which stores graph-carrying gradients in the leaves' {@code .grad} and so
 * makes reference cycles that libtorch never frees (tens of MB per step). {@code torch.autograd.grad} returns the
 * gradient without storing it; DJL cannot call it directly, so a three-line TorchScript module does, written here
 * as a TorchScript archive (no Python needed) and loaded by the PyTorch engine.
 */
final class InputGradient implements AutoCloseable {

    private static final String SOURCE = """
            class R1(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.R1,
                y: Tensor,
                x: Tensor) -> Tensor:
                g = torch.autograd.grad([torch.sum(y)], [x], None, None, True)
                r = unchecked_cast(Tensor, g[0])
                return torch.sum(torch.square(r), [1, 2, 3])
            """;

    private final NDManager manager;
    private final PtSymbolBlock module;

    InputGradient(NDManager parent) {
        manager = parent.newSubManager();
        Path tmp = null;
        try {
            tmp = Files.createTempFile("stylealign-r1-", ".pt");
            Files.write(tmp, archive());
            module = JniUtils.loadModule((PtNDManager) manager, tmp, true, new String[0], new String[0], false);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw new IllegalStateException("cannot load the TorchScript gradient helper: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file; the loaded module no longer needs it
                }
            }
        }
    }

    /**
     * @param y logits computed from {@code x} inside a gradient collector
     * @param x [N, C, H, W] input that requires a gradient
     * @return [N]: sum over C, H, W of (d sum(y) / dx)^2, with a graph back to the parameters behind {@code y}
     */
    NDArray squaredNorm(NDArray y, NDArray x) {
        NDList out = IValueUtils.forward(module, new NDList(y, x), true);
        return out.singletonOrThrow();
    }

    /** A TorchScript archive (format version 3) holding the module above. */
    static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "r1/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            stored(zip, "r1/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            stored(zip, "r1/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, "r1/data.pkl", modulePickle());
        }
        return bytes.toByteArray();
    }

    /** pickle protocol 2: __torch__.R1 object with state {'training': True}. */
    private static byte[] modulePickle() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.writeBytes("c__torch__\nR1\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        p.write(')');   // EMPTY_TUPLE
        p.write(0x81);  // NEWOBJ
        p.write('}');   // EMPTY_DICT
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X');   // BINUNICODE
        p.write(key.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(key);
        p.write(0x88);  // NEWTRUE
        p.write('s');   // SETITEM
        p.write('b');   // BUILD
        p.write('.');   // STOP
        return p.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        ((OutputStream) zip).write(data);
        zip.closeEntry();
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
