package org.stylealign.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes small TorchScript archives from Java (no Python): libtorch loads them as modules, which is how the
 * workbench reaches functions DJL does not expose, such as {@code torch.autograd.grad}.
 */
public final class TorchScriptArchive {

    private TorchScriptArchive() {
    }

    /**
     * A TorchScript archive (format version 3) holding one parameter-free module: {@code source} is the serialised
     * code of class {@code className} in {@code __torch__} (as torch.jit.save writes it), state {training: True}.
     */
    public static byte[] module(String className, String source) throws IOException {
        String dir = className.toLowerCase();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, dir + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            stored(zip, dir + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(zip, dir + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, dir + "/data.pkl", modulePickle(className));
        }
        return bytes.toByteArray();
    }

    /** pickle protocol 2: __torch__.{className} object with state {'training': True}. */
    private static byte[] modulePickle(String className) {
        return new PickleWriter().global("__torch__", className).emptyTuple().newObj()
                .emptyDict().mark().string("training").bool(true).setItems().build().finish();
    }

    /** One uncompressed zip entry, as torch.jit.save writes them (libtorch reads stored entries in place). */
    public static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
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

}
