package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged, foreign and inconsistent files fail with a message naming the file and the problem. */
class CorruptFilesTest {

    @TempDir
    Path tmp;

    private CheckpointException refused(Path f) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
        return e;
    }

    @Test
    void truncatedFixturesAreRefused() throws Exception {
        for (Path src : List.of(IoTestSupport.rosPt(), IoTestSupport.nvPkl(), IoTestSupport.nvStateDict())) {
            byte[] all = Files.readAllBytes(src);
            for (int cut : new int[] {all.length - 1, all.length - 5000, all.length / 2, 100}) {
                Path f = tmp.resolve("cut" + cut + "-" + src.getFileName());
                Files.write(f, Arrays.copyOf(all, cut));
                refused(f);
            }
        }
    }

    @Test
    void filesThatAreNotCheckpoints() throws Exception {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "this is not a checkpoint\n");
        assertTrue(refused(text).getMessage().contains("not a checkpoint"));
        Path png = tmp.resolve("image.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        assertTrue(refused(png).getMessage().contains("not a checkpoint"));
        Path empty = tmp.resolve("empty.pt");
        Files.write(empty, new byte[0]);
        assertTrue(refused(empty).getMessage().contains("empty"));
        refused(tmp.resolve("missing.pt"));
        Path npy = tmp.resolve("array.pt");
        Npy.write(npy, new HostTensor(new long[] {2}, new float[] {1, 2}));
        refused(npy);
        // a valid pickle of something else
        Path other = tmp.resolve("list.pkl");
        Files.write(other, new byte[] {(byte) 0x80, 2, ']', '.'});
        refused(other);
        Path dict = tmp.resolve("dict.pkl");
        Files.write(dict, new IoTestSupport.PickleOut().proto(2).op('}').str("epoch").integer(3).op('s').op('.').bytes());
        assertTrue(refused(dict).getMessage().contains("epoch"));
    }

    @Test
    void wronglyShapedTensorIsReportedByName() throws Exception {
        Map<String, HostTensor> g = new LinkedHashMap<>(Checkpoints.read(IoTestSupport.nvStateDict()).gEma());
        HostTensor w = g.get("synthesis.b16.conv1.weight");
        g.put("synthesis.b16.conv1.weight", w.reshape(64, 64, 9, 1));
        Path f = IoTestSupport.writeStateDict(tmp.resolve("bad-shape.pt"), g);
        CheckpointException e = refused(f);
        assertTrue(e.getMessage().contains("synthesis.b16.conv1.weight has shape [64, 64, 9, 1], expected [64, 64, 3, 3]"),
                e.getMessage());
    }

    @Test
    void missingAndUnexpectedKeysAreReported() throws Exception {
        Map<String, HostTensor> g = new LinkedHashMap<>(Checkpoints.read(IoTestSupport.nvStateDict()).gEma());
        g.remove("synthesis.b8.torgb.affine.bias");
        g.put("synthesis.b8.skip.weight", new HostTensor(new long[] {1}, new float[] {1}));
        CheckpointException e = refused(IoTestSupport.writeStateDict(tmp.resolve("keys.pt"), g));
        assertTrue(e.getMessage().contains("missing synthesis.b8.torgb.affine.bias"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected synthesis.b8.skip.weight"), e.getMessage());
    }

    @Test
    void nonStandardBlurFilterIsRefused() throws Exception {
        Map<String, HostTensor> g = new LinkedHashMap<>(Checkpoints.read(IoTestSupport.nvStateDict()).gEma());
        float[] box = new float[16];
        Arrays.fill(box, 1 / 16f);
        g.put("synthesis.b8.conv0.resample_filter", new HostTensor(new long[] {4, 4}, box));
        CheckpointException e = refused(IoTestSupport.writeStateDict(tmp.resolve("box.pt"), g));
        assertTrue(e.getMessage().contains("resample_filter") && e.getMessage().contains("[1,3,3,1]"), e.getMessage());
        // the standard one in any scale is accepted and dropped
        float[] fir = new float[16];
        double[] k = {1, 3, 3, 1};
        for (int i = 0; i < 16; i++) {
            fir[i] = (float) (k[i / 4] * k[i % 4] / 16);
        }
        g.put("synthesis.b8.conv0.resample_filter", new HostTensor(new long[] {4, 4}, fir));
        ImportedCheckpoint c = Checkpoints.read(IoTestSupport.writeStateDict(tmp.resolve("fir.pt"), g));
        assertTrue(!c.gEma().containsKey("synthesis.b8.conv0.resample_filter"));
    }

    @Test
    void generatorWithoutWAvgIsMarked() throws Exception {
        Map<String, HostTensor> g = new LinkedHashMap<>(Checkpoints.read(IoTestSupport.nvStateDict()).gEma());
        g.remove("mapping.w_avg");
        ImportedCheckpoint c = Checkpoints.read(IoTestSupport.writeStateDict(tmp.resolve("noavg.pt"), g));
        assertTrue(!c.hasWAvg());
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("no w_avg")), c.notes().toString());
    }

    @Test
    void discriminatorStateDictAlone() throws Exception {
        ImportedCheckpoint full = Checkpoints.read(IoTestSupport.nvPkl());
        Path f = IoTestSupport.writeStateDict(tmp.resolve("d.pt"), full.d());
        CheckpointException e = refused(f);
        assertTrue(e.getMessage().contains("readDiscriminator"), e.getMessage());
        ImportedCheckpoint d = Checkpoints.readDiscriminator(f);
        assertEquals(full.discriminatorConfig(), d.discriminatorConfig());
        assertNull(d.gEma());
        assertEquals(full.d().keySet(), d.d().keySet());
    }
}
