package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.stylealign.io.IoTestSupport.bits;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path tmp;

    /** A format 1.0 .npy file with the given header dict and raw data. */
    private Path npy(String name, String dict, byte[] data) throws Exception {
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                .putShort((short) h.length).put(h).put(data);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] le(int bytesPer, long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            switch (bytesPer) {
                case 1 -> b.put((byte) x);
                case 2 -> b.putShort((short) x);
                case 4 -> b.putInt((int) x);
                default -> b.putLong(x);
            }
        }
        return b.array();
    }

    @Test
    void readsFixtureAndRoundTrips() throws Exception {
        HostTensor img = Npy.read(IoTestSupport.fixtures().resolve("ref-" + IoTestSupport.NV).resolve("img_mix.npy"));
        assertArrayEquals(new long[] {4, 3, 32, 32}, img.shape());
        for (HostTensor t : new HostTensor[] {img, new HostTensor(new long[] {5}, new float[] {1, -2, 3, Float.NaN, 0}),
                new HostTensor(new long[0], new float[] {7})}) {
            Path p = tmp.resolve("rt.npy");
            Npy.write(p, t);
            HostTensor r = Npy.read(p);
            assertArrayEquals(t.shape(), r.shape());
            assertArrayEquals(bits(t.values()), bits(r.values()));
            assertTrue((Files.size(p) - t.size() * 4) % 64 == 0, "header padded to 64 bytes");
        }
    }

    @Test
    void readsOtherDtypes() throws Exception {
        assertArrayEquals(new float[] {1.5f, -2f}, Npy.read(npy("f8.npy",
                "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                le(8, Double.doubleToLongBits(1.5), Double.doubleToLongBits(-2)))).values());
        assertArrayEquals(new float[] {1f, -0.5f}, Npy.read(npy("f2.npy",
                "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", le(2, 0x3c00, 0xb800))).values());
        assertArrayEquals(new float[] {-3, 4}, Npy.read(npy("i4.npy",
                "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", le(4, -3, 4))).values());
        HostTensor i8 = Npy.read(npy("i8.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }",
                le(8, -7, 1L << 40)));
        assertArrayEquals(new long[] {1, 2}, i8.shape());
        assertArrayEquals(new float[] {-7, (float) (1L << 40)}, i8.values());
        assertArrayEquals(new float[] {0, 255}, Npy.read(npy("u1.npy",
                "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", le(1, 0, 255))).values());
    }

    @Test
    void refusesFortranBigEndianAndTruncated() throws Exception {
        Path f = npy("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("Fortran"), e.getMessage());
        Path be = npy("be.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);
        e = assertThrows(CheckpointException.class, () -> Npy.read(be));
        assertTrue(e.getMessage().contains(be.toString()) && e.getMessage().contains("big-endian"), e.getMessage());
        Path tr = npy("trunc.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[15]);
        e = assertThrows(CheckpointException.class, () -> Npy.read(tr));
        assertTrue(e.getMessage().contains(tr.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        Path txt = tmp.resolve("text.npy");
        Files.writeString(txt, "hello");
        e = assertThrows(CheckpointException.class, () -> Npy.read(txt));
        assertTrue(e.getMessage().contains(txt.toString()), e.getMessage());
    }
}
