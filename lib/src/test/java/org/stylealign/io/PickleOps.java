package org.stylealign.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The opcode layout of a pickle stream (as pickletools would list it), for structure-aware fuzzing: where each
 * opcode sits, where its length field is, and where its argument ends.
 */
final class PickleOps {

    /** One opcode: its position, code, the position and width of a length/int field (0 when none), its end. */
    record Op(int pos, int code, int fieldPos, int fieldSize, int end) {
        boolean hasLength() {
            return "BXTUC".indexOf(code) >= 0 || code == 0x8c || code == 0x8d || code == 0x8e || code == 0x96
                    || code == 0x8a || code == 0x8b || code == 0x95;
        }

        boolean isInt() {
            return code == 'K' || code == 'M' || code == 'J';
        }

        boolean isMemoRef() {
            return code == 'h' || code == 'j' || code == 'q' || code == 'r';
        }
    }

    private PickleOps() {
    }

    /** Opcodes that the pickle module does not define (as of protocol 5). */
    static final int[] UNDEFINED;

    static {
        List<Integer> u = new ArrayList<>();
        String defined = "().012NIJKLMFGSTUVXBCabcdeghijlopqrstu}]RP Q";
        for (int c = 0; c < 256; c++) {
            boolean d = defined.indexOf(c) >= 0 && c != ' ' || c >= 0x80 && c <= 0x98;
            if (!d) {
                u.add(c);
            }
        }
        UNDEFINED = u.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Walks one pickle from {@code start} up to and including STOP; stops early at anything malformed. */
    static List<Op> walk(byte[] b, int start) {
        List<Op> ops = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int p = start;
        while (p < b.length) {
            int code = b[p] & 0xff;
            int a = p + 1;
            int fieldSize = 0;
            long payload = 0;
            switch (code) {
                case 'K', 'q', 'h', 0x80, 0x82 -> fieldSize = 1;
                case 'M', 0x83 -> fieldSize = 2;
                case 'J', 'r', 'j', 0x84 -> fieldSize = 4;
                case 'G' -> fieldSize = 8;
                case 'C', 'U', 0x8c, 0x8a -> {
                    fieldSize = 1;
                    payload = a < b.length ? b[a] & 0xff : 0;
                }
                case 'B', 'X', 'T', 0x8b -> {
                    fieldSize = 4;
                    payload = a + 4 <= b.length ? in.getInt(a) & 0xffffffffL : 0;
                }
                case 0x8d, 0x8e, 0x96 -> {
                    fieldSize = 8;
                    payload = a + 8 <= b.length ? in.getLong(a) : 0;
                }
                case 0x95 -> fieldSize = 8;
                case 'I', 'L', 'F', 'S', 'V', 'P', 'p', 'g', 'c', 'i' -> {
                    int lines = code == 'c' || code == 'i' ? 2 : 1;
                    int q = a;
                    for (int l = 0; l < lines; l++) {
                        while (q < b.length && b[q] != '\n') {
                            q++;
                        }
                        q++;
                    }
                    if (q > b.length) {
                        return ops;
                    }
                    ops.add(new Op(p, code, 0, 0, q));
                    p = q;
                    continue;
                }
                default -> {
                }
            }
            long end = (long) a + fieldSize + payload;
            if (payload < 0 || end > b.length) {
                return ops;
            }
            ops.add(new Op(p, code, fieldSize > 0 ? a : 0, fieldSize, (int) end));
            p = (int) end;
            if (code == '.') {
                break;
            }
        }
        return ops;
    }
}
