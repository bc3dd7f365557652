package org.stylealign.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The safetensors container: an 8-byte little-endian header length, a JSON header (dtype, shape, data_offsets per
 * tensor, string map {@code __metadata__}), then the raw little-endian data. Used by the native checkpoint format.
 */
public final class SafeTensors {

    /** A file's tensors (in file order, converted to float32) and its metadata. */
    public record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {
    }

    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {
    }

    /**
     * Reads every tensor (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL) as float32, validating all offsets; the
     * memory taken is bounded by the file's size even when many tensors claim the same bytes.
     */
    public static Contents read(Path file) throws CheckpointException {
        String f = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ReadBudget budget = new ReadBudget(f, size);
            if (size < 8) {
                throw new CheckpointException(f + ": truncated safetensors file (" + size + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, f);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new CheckpointException(f + ": truncated or invalid safetensors file (header length "
                        + headerLen + ", file size " + size + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, f);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new CheckpointException(f + ": safetensors header is not a JSON object (" + e.getMessage() + ")");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                String name = e.getKey();
                if (name.equals("__metadata__")) {
                    if (!e.getValue().isJsonObject()) {
                        throw new CheckpointException(f + ": __metadata__ is not a string map");
                    }
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                        if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString()) {
                            throw new CheckpointException(f + ": __metadata__ entry '" + m.getKey()
                                    + "' is not a string");
                        }
                        metadata.put(m.getKey(), m.getValue().getAsString());
                    }
                    continue;
                }
                tensors.put(name, readTensor(ch, f, name, e.getValue(), dataStart, dataLen, budget));
            }
            return new Contents(tensors, metadata);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(f + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static HostTensor readTensor(FileChannel ch, String f, String name, JsonElement el, long dataStart,
                                         long dataLen, ReadBudget budget) throws IOException {
        try {
            JsonObject o = el.getAsJsonObject();
            String dt = primitive(f, name, o.get("dtype")).getAsString();
            DType dtype = switch (dt) {
                case "F32" -> DType.FLOAT32;
                case "F16" -> DType.FLOAT16;
                case "BF16" -> DType.BFLOAT16;
                case "F64" -> DType.FLOAT64;
                case "I64" -> DType.INT64;
                case "I32" -> DType.INT32;
                case "I16" -> DType.INT16;
                case "I8" -> DType.INT8;
                case "U8" -> DType.UINT8;
                case "BOOL" -> DType.BOOL;
                default -> throw new CheckpointException(f + ": tensor '" + name + "' has unsupported dtype " + dt);
            };
            JsonArray shp = o.get("shape").getAsJsonArray();
            long[] shape = new long[shp.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = primitive(f, name, shp.get(i)).getAsLong();
                if (shape[i] < 0) {
                    throw new CheckpointException(f + ": tensor '" + name + "' has a negative dimension");
                }
                n = Math.multiplyExact(n, shape[i]);
            }
            JsonArray off = o.get("data_offsets").getAsJsonArray();
            long begin = primitive(f, name, off.get(0)).getAsLong();
            long end = primitive(f, name, off.get(1)).getAsLong();
            if (off.size() != 2 || begin < 0 || end < begin || end > dataLen) {
                throw new CheckpointException(f + ": tensor '" + name + "' has data offsets [" + begin + ", " + end
                        + "] outside the data section of " + dataLen + " bytes (truncated file?)");
            }
            if (end - begin != n * dtype.size) {
                throw new CheckpointException(f + ": tensor '" + name + "' " + Arrays.toString(shape) + " " + dt
                        + " needs " + n * dtype.size + " bytes, its offsets span " + (end - begin));
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(f + ": tensor '" + name + "' is too large");
            }
            budget.take(end - begin + 4 * n, "tensor '" + name + "'");
            ByteBuffer buf = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, buf, dataStart + begin, f);
            float[] v = new float[(int) n];
            if (dtype == DType.FLOAT32) {
                buf.asFloatBuffer().get(v);
            } else {
                for (int i = 0; i < v.length; i++) {
                    v[i] = dtype.get(buf, i);
                }
            }
            return new HostTensor(shape, v);
        } catch (IllegalStateException | NullPointerException | UnsupportedOperationException
                 | IndexOutOfBoundsException | NumberFormatException | ArithmeticException e) {
            throw new CheckpointException(f + ": malformed header entry for tensor '" + name + "' (" + e + ")");
        }
    }

    /** A header value that must be a plain string or number (Gson unwraps nested arrays recursively). */
    private static JsonElement primitive(String f, String name, JsonElement e) throws CheckpointException {
        if (e == null || !e.isJsonPrimitive()) {
            throw new CheckpointException(f + ": malformed header entry for tensor '" + name + "' (expected a number "
                    + "or string, found " + (e == null ? "nothing" : e.isJsonArray() ? "an array" : "an object") + ")");
        }
        return e;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, String f) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                throw new CheckpointException(f + ": truncated safetensors file");
            }
        }
        b.flip();
        b.position(0);
    }

    /**
     * Writes tensors (float32, or float16 rounded to nearest even when {@code fp16}) with string metadata,
     * atomically: the file either appears complete or not at all.
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata, boolean fp16)
            throws CheckpointException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        int es = fp16 ? 2 : 4;
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new CheckpointException(file + ": '__metadata__' cannot be a tensor name");
            }
            HostTensor t = e.getValue();
            JsonObject o = new JsonObject();
            o.addProperty("dtype", fp16 ? "F16" : "F32");
            JsonArray shp = new JsonArray();
            for (long d : t.shape()) {
                shp.add(d);
            }
            o.add("shape", shp);
            JsonArray off = new JsonArray();
            off.add(offset);
            offset += t.size() * es;
            off.add(offset);
            o.add("data_offsets", off);
            header.add(e.getKey(), o);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keeps the data 8-byte aligned
        byte[] h = Arrays.copyOf(json, padded);
        Arrays.fill(h, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length);
            out.write(len.array());
            out.write(h);
            for (HostTensor t : tensors.values()) {
                if (fp16) {
                    ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                    for (float x : t.values()) {
                        if (!chunk.hasRemaining()) {
                            out.write(chunk.array(), 0, chunk.position());
                            chunk.clear();
                        }
                        chunk.putShort(Half.fromFloat(x));
                    }
                    out.write(chunk.array(), 0, chunk.position());
                } else {
                    Npy.writeFloats(out, t.values());
                }
            }
        });
    }
}
