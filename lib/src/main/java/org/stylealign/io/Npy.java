package org.stylealign.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy {@code .npy} arrays. Reads C-ordered little-endian float32/float64/float16/int32/int64/uint8 (and bool)
 * into float32; writes float32 (format 1.0) atomically.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads an array as float32. */
    public static HostTensor read(Path file) throws CheckpointException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        String f = file.toString();
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC)) {
            throw new CheckpointException(f + ": not a .npy file (bad magic)");
        }
        int major = all[6];
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int start;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (all.length < 12) {
                throw new CheckpointException(f + ": truncated .npy header");
            }
            headerLen = b.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new CheckpointException(f + ": unsupported .npy format version " + major);
        }
        if (start + headerLen > all.length) {
            throw new CheckpointException(f + ": truncated .npy header");
        }
        String header = new String(all, start, (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher fo = FORTRAN.matcher(header);
        Matcher sh = SHAPE.matcher(header);
        if (!d.find() || !fo.find() || !sh.find()) {
            throw new CheckpointException(f + ": cannot parse .npy header " + header.trim());
        }
        String descr = d.group(1);
        DType dtype = switch (descr) {
            case "<f4" -> DType.FLOAT32;
            case "<f8" -> DType.FLOAT64;
            case "<f2" -> DType.FLOAT16;
            case "<i4" -> DType.INT32;
            case "<i8" -> DType.INT64;
            case "|u1" -> DType.UINT8;
            case "|b1" -> DType.BOOL;
            default -> null;
        };
        if (dtype == null) {
            String why = descr.startsWith(">") ? "big-endian data is not supported" : "unsupported dtype";
            throw new CheckpointException(f + ": " + why + " ('" + descr
                    + "'; supported: <f4 <f8 <f2 <i4 <i8 |u1 |b1)");
        }
        String[] dims = sh.group(1).split(",");
        long[] shape = Arrays.stream(dims).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(s -> {
                    try {
                        return Long.parseLong(s.replace("L", ""));
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }).toArray();
        int dataStart = start + (int) headerLen;
        byte[] data = Arrays.copyOfRange(all, dataStart, all.length);
        return decode(f, shape, dtype, ByteOrder.LITTLE_ENDIAN, fo.group(1).equals("True"), data);
    }

    static HostTensor decode(String file, long[] shape, DType dtype, ByteOrder order, boolean fortran, byte[] data)
            throws CheckpointException {
        if (fortran) {
            throw new CheckpointException(file + ": Fortran-ordered arrays are not supported (save with C order, "
                    + "e.g. numpy.ascontiguousarray)");
        }
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new CheckpointException(file + ": bad array shape " + Arrays.toString(shape));
            }
            if (s > 0 && n > Long.MAX_VALUE / 8 / s) {
                throw new CheckpointException(file + ": array shape " + Arrays.toString(shape)
                        + " is impossibly large");
            }
            n *= s;
        }
        if (n * dtype.size > data.length) {
            throw new CheckpointException(file + ": truncated array data: shape " + Arrays.toString(shape)
                    + " needs " + n * dtype.size + " bytes, found " + data.length);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + ": array too large");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(order);
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = dtype.get(b, i);
        }
        return new HostTensor(shape.clone(), out);
    }

    /** Writes a float32 little-endian C-ordered array (format 1.0), atomically. */
    public static void write(Path file, HostTensor t) throws CheckpointException {
        StringBuilder shape = new StringBuilder("(");
        for (long s : t.shape()) {
            shape.append(s).append(", ");
        }
        if (t.shape().length > 1) {
            shape.setLength(shape.length() - 1);
            shape.setLength(shape.length() - 1);
        } else if (t.shape().length == 1) {
            shape.setLength(shape.length() - 1);
        }
        shape.append(")");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        AtomicFiles.write(file, out -> {
            ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
            pre.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length);
            out.write(pre.array());
            out.write(h);
            writeFloats(out, t.values());
        });
    }

    static void writeFloats(java.io.OutputStream out, float[] v) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            if (!chunk.hasRemaining()) {
                out.write(chunk.array(), 0, chunk.position());
                chunk.clear();
            }
            chunk.putFloat(x);
        }
        out.write(chunk.array(), 0, chunk.position());
    }
}
