package org.stylealign.io;

import java.nio.ByteBuffer;

/** Element types found in torch storages, numpy arrays and safetensors files, all read as float32. */
enum DType {
    FLOAT32(4), FLOAT16(2), BFLOAT16(2), FLOAT64(8), INT64(8), INT32(4), INT16(2), INT8(1), UINT8(1), BOOL(1);

    final int size;

    DType(int size) {
        this.size = size;
    }

    /** Reads element {@code index} from a buffer whose byte order is already set. */
    float get(ByteBuffer b, long index) {
        int p = Math.toIntExact(index * size);
        return switch (this) {
            case FLOAT32 -> b.getFloat(p);
            case FLOAT16 -> Half.toFloat(b.getShort(p));
            case BFLOAT16 -> Float.intBitsToFloat((b.getShort(p) & 0xffff) << 16);
            case FLOAT64 -> (float) b.getDouble(p);
            case INT64 -> (float) b.getLong(p);
            case INT32 -> (float) b.getInt(p);
            case INT16 -> (float) b.getShort(p);
            case INT8 -> (float) b.get(p);
            case UINT8 -> (float) (b.get(p) & 0xff);
            case BOOL -> b.get(p) != 0 ? 1f : 0f;
        };
    }

    /** torch storage class name (e.g. FloatStorage) to dtype, or null. */
    static DType ofTorchStorage(String name) {
        return switch (name) {
            case "FloatStorage" -> FLOAT32;
            case "HalfStorage" -> FLOAT16;
            case "BFloat16Storage" -> BFLOAT16;
            case "DoubleStorage" -> FLOAT64;
            case "LongStorage" -> INT64;
            case "IntStorage" -> INT32;
            case "ShortStorage" -> INT16;
            case "CharStorage" -> INT8;
            case "ByteStorage", "UntypedStorage" -> UINT8;
            case "BoolStorage" -> BOOL;
            default -> null;
        };
    }
}
