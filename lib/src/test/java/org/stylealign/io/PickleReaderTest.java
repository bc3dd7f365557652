package org.stylealign.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pickle VM: every protocol's data opcodes, and refusal of anything outside the allow-list. */
class PickleReaderTest {

    @TempDir
    Path tmp;

    /**
     * pickle.dumps(obj, protocol=p) by CPython 3.11 / numpy 2.4 for
     * {'int': 7, 'neg': -300000, 'big': 2**70, 'f': 1.5, 's': 'héllo', 'b': b'\x00\xffab', 'none': None, 't': True,
     * 'list': [1, 2.5, 'x', None], 'tup': (1, (2, 3)), 'od': OrderedDict(a=1, b=2), 'set': {3}, 'fs': frozenset([4]),
     * 'np64': np.float64(0.125), 'npi': np.int64(-5), 'arr': np.arange(6, dtype=float32).reshape(2, 3),
     * 'ns': argparse.Namespace(size=256, arch='stylegan2')}.
     */
    static final String[] PROTOCOLS = {
        "KGRwMApWaW50CnAxCkk3CnNWbmVnCnAyCkktMzAwMDAwCnNWYmlnCnAzCkwxMTgwNTkxNjIwNzE3NDExMzAzNDI0TApzVmYKcDQKRjEuNQpzVnMKcDUKVmjpbGxvCnA2CnNWYgpwNwpjX2NvZGVjcwplbmNvZGUKcDgKKFZcdTAwMDD/YWIKcDkKVmxhdGluMQpwMTAKdHAxMQpScDEyCnNWbm9uZQpwMTMKTnNWdApwMTQKSTAxCnNWbGlzdApwMTUKKGxwMTYKSTEKYUYyLjUKYVZ4CnAxNwphTmFzVnR1cApwMTgKKEkxCihJMgpJMwp0cDE5CnRwMjAKc1ZvZApwMjEKY2NvbGxlY3Rpb25zCk9yZGVyZWREaWN0CnAyMgoodFJwMjMKVmEKcDI0CkkxCnNnNwpJMgpzc1ZzZXQKcDI1CmNfX2J1aWx0aW5fXwpzZXQKcDI2CigobHAyNwpJMwphdHAyOApScDI5CnNWZnMKcDMwCmNfX2J1aWx0aW5fXwpmcm96ZW5zZXQKcDMxCigobHAzMgpJNAphdHAzMwpScDM0CnNWbnA2NApwMzUKY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKc2NhbGFyCnAzNgooY251bXB5CmR0eXBlCnAzNwooVmY4CnAzOApJMDAKSTAxCnRwMzkKUnA0MAooSTMKVjwKcDQxCk5OTkktMQpJLTEKSTAKdHA0MgpiZzgKKFZcdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDDAPwpwNDMKZzEwCnRwNDQKUnA0NQp0cDQ2ClJwNDcKc1ZucGkKcDQ4CmczNgooZzM3CihWaTgKcDQ5CkkwMApJMDEKdHA1MApScDUxCihJMwpnNDEKTk5OSS0xCkktMQpJMAp0cDUyCmJnOAooVvv/////////CnA1MwpnMTAKdHA1NApScDU1CnRwNTYKUnA1NwpzVmFycgpwNTgKY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKX3JlY29uc3RydWN0CnA1OQooY251bXB5Cm5kYXJyYXkKcDYwCihJMAp0cDYxCmc4CihWYgpwNjIKZzEwCnRwNjMKUnA2NAp0cDY1ClJwNjYKKEkxCihJMgpJMwp0cDY3CmczNwooVmY0CnA2OApJMDAKSTAxCnRwNjkKUnA3MAooSTMKZzQxCk5OTkktMQpJLTEKSTAKdHA3MQpiSTAwCmc4CihWXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwgD9cdTAwMDBcdTAwMDBcdTAwMDBAXHUwMDAwXHUwMDAwQEBcdTAwMDBcdTAwMDCAQFx1MDAwMFx1MDAwMKBACnA3MgpnMTAKdHA3MwpScDc0CnRwNzUKYnNWbnMKcDc2CmNjb3B5X3JlZwpfcmVjb25zdHJ1Y3RvcgpwNzcKKGNhcmdwYXJzZQpOYW1lc3BhY2UKcDc4CmNfX2J1aWx0aW5fXwpvYmplY3QKcDc5Ck50cDgwClJwODEKKGRwODIKVnNpemUKcDgzCkkyNTYKc1ZhcmNoCnA4NApWc3R5bGVnYW4yCnA4NQpzYnMu",
        "fXEAKFgDAAAAaW50cQFLB1gDAAAAbmVncQJKIGz7/1gDAAAAYmlncQNMMTE4MDU5MTYyMDcxNzQxMTMwMzQyNEwKWAEAAABmcQRHP/gAAAAAAABYAQAAAHNxBVgGAAAAaMOpbGxvcQZYAQAAAGJxB2NfY29kZWNzCmVuY29kZQpxCChYBQAAAADDv2FicQlYBgAAAGxhdGluMXEKdHELUnEMWAQAAABub25lcQ1OWAEAAAB0cQ5JMDEKWAQAAABsaXN0cQ9dcRAoSwFHQAQAAAAAAABYAQAAAHhxEU5lWAMAAAB0dXBxEihLAShLAksDdHETdHEUWAIAAABvZHEVY2NvbGxlY3Rpb25zCk9yZGVyZWREaWN0CnEWKVJxFyhYAQAAAGFxGEsBaAdLAnVYAwAAAHNldHEZY19fYnVpbHRpbl9fCnNldApxGihdcRtLA2F0cRxScR1YAgAAAGZzcR5jX19idWlsdGluX18KZnJvemVuc2V0CnEfKF1xIEsEYXRxIVJxIlgEAAAAbnA2NHEjY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKc2NhbGFyCnEkKGNudW1weQpkdHlwZQpxJShYAgAAAGY4cSZJMDAKSTAxCnRxJ1JxKChLA1gBAAAAPHEpTk5OSv////9K/////0sAdHEqYmgIKFgJAAAAAAAAAAAAw4A/cStoCnRxLFJxLXRxLlJxL1gDAAAAbnBpcTBoJChoJShYAgAAAGk4cTFJMDAKSTAxCnRxMlJxMyhLA2gpTk5OSv////9K/////0sAdHE0YmgIKFgQAAAAw7vDv8O/w7/Dv8O/w7/Dv3E1aAp0cTZScTd0cThScTlYAwAAAGFycnE6Y251bXB5Ll9jb3JlLm11bHRpYXJyYXkKX3JlY29uc3RydWN0CnE7KGNudW1weQpuZGFycmF5CnE8KEsAdHE9aAgoWAEAAABicT5oCnRxP1JxQHRxQVJxQihLAShLAksDdHFDaCUoWAIAAABmNHFESTAwCkkwMQp0cUVScUYoSwNoKU5OTkr/////Sv////9LAHRxR2JJMDAKaAgoWBsAAAAAAAAAAADCgD8AAABAAABAQAAAwoBAAADCoEBxSGgKdHFJUnFKdHFLYlgCAAAAbnNxTGNjb3B5X3JlZwpfcmVjb25zdHJ1Y3RvcgpxTShjYXJncGFyc2UKTmFtZXNwYWNlCnFOY19fYnVpbHRpbl9fCm9iamVjdApxT050cVBScVF9cVIoWAQAAABzaXplcVNNAAFYBAAAAGFyY2hxVFgJAAAAc3R5bGVnYW4ycVV1YnUu",
        "gAJ9cQAoWAMAAABpbnRxAUsHWAMAAABuZWdxAkogbPv/WAMAAABiaWdxA4oJAAAAAAAAAABAWAEAAABmcQRHP/gAAAAAAABYAQAAAHNxBVgGAAAAaMOpbGxvcQZYAQAAAGJxB2NfY29kZWNzCmVuY29kZQpxCFgFAAAAAMO/YWJxCVgGAAAAbGF0aW4xcQqGcQtScQxYBAAAAG5vbmVxDU5YAQAAAHRxDohYBAAAAGxpc3RxD11xEChLAUdABAAAAAAAAFgBAAAAeHERTmVYAwAAAHR1cHESSwFLAksDhnEThnEUWAIAAABvZHEVY2NvbGxlY3Rpb25zCk9yZGVyZWREaWN0CnEWKVJxFyhYAQAAAGFxGEsBaAdLAnVYAwAAAHNldHEZY19fYnVpbHRpbl9fCnNldApxGl1xG0sDYYVxHFJxHVgCAAAAZnNxHmNfX2J1aWx0aW5fXwpmcm96ZW5zZXQKcR9dcSBLBGGFcSFScSJYBAAAAG5wNjRxI2NudW1weS5fY29yZS5tdWx0aWFycmF5CnNjYWxhcgpxJGNudW1weQpkdHlwZQpxJVgCAAAAZjhxJomIh3EnUnEoKEsDWAEAAAA8cSlOTk5K/////0r/////SwB0cSpiaAhYCQAAAAAAAAAAAMOAP3EraAqGcSxScS2GcS5ScS9YAwAAAG5waXEwaCRoJVgCAAAAaThxMYmIh3EyUnEzKEsDaClOTk5K/////0r/////SwB0cTRiaAhYEAAAAMO7w7/Dv8O/w7/Dv8O/w79xNWgKhnE2UnE3hnE4UnE5WAMAAABhcnJxOmNudW1weS5fY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxO2NudW1weQpuZGFycmF5CnE8SwCFcT1oCFgBAAAAYnE+aAqGcT9ScUCHcUFScUIoSwFLAksDhnFDaCVYAgAAAGY0cUSJiIdxRVJxRihLA2gpTk5OSv////9K/////0sAdHFHYoloCFgbAAAAAAAAAAAAwoA/AAAAQAAAQEAAAMKAQAAAwqBAcUhoCoZxSVJxSnRxS2JYAgAAAG5zcUxjYXJncGFyc2UKTmFtZXNwYWNlCnFNKYFxTn1xTyhYBAAAAHNpemVxUE0AAVgEAAAAYXJjaHFRWAkAAABzdHlsZWdhbjJxUnVidS4=",
        "gAN9cQAoWAMAAABpbnRxAUsHWAMAAABuZWdxAkogbPv/WAMAAABiaWdxA4oJAAAAAAAAAABAWAEAAABmcQRHP/gAAAAAAABYAQAAAHNxBVgGAAAAaMOpbGxvcQZYAQAAAGJxB0MEAP9hYnEIWAQAAABub25lcQlOWAEAAAB0cQqIWAQAAABsaXN0cQtdcQwoSwFHQAQAAAAAAABYAQAAAHhxDU5lWAMAAAB0dXBxDksBSwJLA4ZxD4ZxEFgCAAAAb2RxEWNjb2xsZWN0aW9ucwpPcmRlcmVkRGljdApxEilScRMoWAEAAABhcRRLAWgHSwJ1WAMAAABzZXRxFWNidWlsdGlucwpzZXQKcRZdcRdLA2GFcRhScRlYAgAAAGZzcRpjYnVpbHRpbnMKZnJvemVuc2V0CnEbXXEcSwRhhXEdUnEeWAQAAABucDY0cR9jbnVtcHkuX2NvcmUubXVsdGlhcnJheQpzY2FsYXIKcSBjbnVtcHkKZHR5cGUKcSFYAgAAAGY4cSKJiIdxI1JxJChLA1gBAAAAPHElTk5OSv////9K/////0sAdHEmYkMIAAAAAAAAwD9xJ4ZxKFJxKVgDAAAAbnBpcSpoIGghWAIAAABpOHEriYiHcSxScS0oSwNoJU5OTkr/////Sv////9LAHRxLmJDCPv/////////cS+GcTBScTFYAwAAAGFycnEyY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKX3JlY29uc3RydWN0CnEzY251bXB5Cm5kYXJyYXkKcTRLAIVxNUMBYnE2h3E3UnE4KEsBSwJLA4ZxOWghWAIAAABmNHE6iYiHcTtScTwoSwNoJU5OTkr/////Sv////9LAHRxPWKJQxgAAAAAAACAPwAAAEAAAEBAAACAQAAAoEBxPnRxP2JYAgAAAG5zcUBjYXJncGFyc2UKTmFtZXNwYWNlCnFBKYFxQn1xQyhYBAAAAHNpemVxRE0AAVgEAAAAYXJjaHFFWAkAAABzdHlsZWdhbjJxRnVidS4=",
        "gASVOwIAAAAAAAB9lCiMA2ludJRLB4wDbmVnlEogbPv/jANiaWeUigkAAAAAAAAAAECMAWaURz/4AAAAAAAAjAFzlIwGaMOpbGxvlIwBYpRDBAD/YWKUjARub25llE6MAXSUiIwEbGlzdJRdlChLAUdABAAAAAAAAIwBeJROZYwDdHVwlEsBSwJLA4aUhpSMAm9klIwLY29sbGVjdGlvbnOUjAtPcmRlcmVkRGljdJSTlClSlCiMAWGUSwFoB0sCdYwDc2V0lI+UKEsDkIwCZnOUKEsEkZSMBG5wNjSUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwGc2NhbGFylJOUjAVudW1weZSMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiQwgAAAAAAADAP5SGlFKUjANucGmUaB5oIYwCaTiUiYiHlFKUKEsDaCVOTk5K/////0r/////SwB0lGJDCPv/////////lIaUUpSMA2FycpRoHIwMX3JlY29uc3RydWN0lJOUaB+MB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFLAksDhpRoIYwCZjSUiYiHlFKUKEsDaCVOTk5K/////0r/////SwB0lGKJQxgAAAAAAACAPwAAAEAAAEBAAACAQAAAoECUdJRijAJuc5SMCGFyZ3BhcnNllIwJTmFtZXNwYWNllJOUKYGUfZQojARzaXpllE0AAYwEYXJjaJSMCXN0eWxlZ2FuMpR1YnUu",
        "gAWVPQIAAAAAAAB9lCiMA2ludJRLB4wDbmVnlEogbPv/jANiaWeUigkAAAAAAAAAAECMAWaURz/4AAAAAAAAjAFzlIwGaMOpbGxvlIwBYpRDBAD/YWKUjARub25llE6MAXSUiIwEbGlzdJRdlChLAUdABAAAAAAAAIwBeJROZYwDdHVwlEsBSwJLA4aUhpSMAm9klIwLY29sbGVjdGlvbnOUjAtPcmRlcmVkRGljdJSTlClSlCiMAWGUSwFoB0sCdYwDc2V0lI+UKEsDkIwCZnOUKEsEkZSMBG5wNjSUjBZudW1weS5fY29yZS5tdWx0aWFycmF5lIwGc2NhbGFylJOUjAVudW1weZSMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiQwgAAAAAAADAP5SGlFKUjANucGmUaB5oIYwCaTiUiYiHlFKUKEsDaCVOTk5K/////0r/////SwB0lGJDCPv/////////lIaUUpSMA2FycpSME251bXB5Ll9jb3JlLm51bWVyaWOUjAtfZnJvbWJ1ZmZlcpSTlCiWGAAAAAAAAAAAAAAAAACAPwAAAEAAAEBAAACAQAAAoECUaCGMAmY0lImIh5RSlChLA2glTk5OSv////9K/////0sAdJRiSwJLA4aUjAFDlHSUUpSMAm5zlIwIYXJncGFyc2WUjAlOYW1lc3BhY2WUk5QpgZR9lCiMBHNpemWUTQABjARhcmNolIwJc3R5bGVnYW4ylHVidS4="
    };

    private static Object load(byte[] b) throws CheckpointException {
        return Pickle.load("test.pkl", ByteBuffer.wrap(b), TorchFiles.GLOBALS, null);
    }

    @Test
    void everyProtocolDecodesTheSameData() throws Exception {
        for (int p = 0; p < PROTOCOLS.length; p++) {
            String what = "protocol " + p;
            @SuppressWarnings("unchecked")
            Map<Object, Object> m = (Map<Object, Object>) load(Base64.getDecoder().decode(PROTOCOLS[p]));
            assertEquals(7L, m.get("int"), what);
            assertEquals(-300000L, m.get("neg"), what);
            assertEquals(BigInteger.TWO.pow(70), m.get("big"), what);
            assertEquals(1.5, m.get("f"), what);
            assertEquals("héllo", m.get("s"), what);
            assertArrayEquals(new byte[] {0, (byte) 0xff, 'a', 'b'}, (byte[]) m.get("b"), what);
            assertTrue(m.containsKey("none") && m.get("none") == null, what);
            assertEquals(Boolean.TRUE, m.get("t"), what);
            assertEquals(Arrays.asList(1L, 2.5, "x", null), m.get("list"), what);
            assertEquals(new Pickle.Tuple(List.of(1L, new Pickle.Tuple(List.of(2L, 3L)))), m.get("tup"), what);
            assertEquals(new LinkedHashMap<>(Map.of("a", 1L, "b", 2L)), m.get("od"), what);
            assertEquals(Set.of(3L), m.get("set"), what);
            assertEquals(Set.of(4L), m.get("fs"), what);
            assertEquals(0.125, m.get("np64"), what);
            assertEquals(-5L, m.get("npi"), what);
            HostTensor arr = assertInstanceOf(TorchData.NumpyArray.class, m.get("arr"), what).toHost("t");
            assertArrayEquals(new long[] {2, 3}, arr.shape(), what);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, arr.values(), what);
            assertEquals(Map.of("size", 256L, "arch", "stylegan2"), m.get("ns"), what);
        }
    }

    static final String EVIL = "cos\nsystem\n(S'touch %s'\ntR.";

    @Test
    void maliciousBarePickleIsRefusedAndNothingRuns() throws Exception {
        Path marker = tmp.resolve("pwned");
        Path pkl = tmp.resolve("evil.pkl");
        Files.write(pkl, String.format(EVIL, marker).getBytes(StandardCharsets.US_ASCII));
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> Checkpoints.read(pkl));
        assertTrue(e.getMessage().contains(pkl.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("os.system"), e.getMessage());
        assertEquals("os.system", e.global());
        assertFalse(Files.exists(marker));
        assertFalse(Files.exists(Path.of("/tmp/pwned")));
    }

    @Test
    void maliciousDataPklInTorchZipIsRefused() throws Exception {
        Path marker = tmp.resolve("pwned");
        Path pt = tmp.resolve("evil.pt");
        IoTestSupport.writeTorchZip(pt, "evil", String.format(EVIL, marker).getBytes(StandardCharsets.US_ASCII),
                Map.of());
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> Checkpoints.read(pt));
        assertTrue(e.getMessage().contains(pt.toString()) && e.getMessage().contains("os.system"), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void otherDangerousGlobalsAreRefused() throws Exception {
        String[][] globals = {{"builtins", "eval"}, {"subprocess", "Popen"}, {"posix", "system"},
            {"torch", "load"}, {"builtins", "getattr"}, {"numpy", "load"}, {"torch.nn.modules.conv", "Conv2d"}};
        for (String[] g : globals) {
            // protocol 4 style: STACK_GLOBAL inside an otherwise valid dict
            IoTestSupport.PickleOut p = new IoTestSupport.PickleOut().proto(4).op('}').op('(').str("x");
            p.raw(0x8c, g[0].length()).bytes(g[0].getBytes(StandardCharsets.US_ASCII))
                    .raw(0x8c, g[1].length()).bytes(g[1].getBytes(StandardCharsets.US_ASCII)).raw(0x93);
            p.op('(').str("echo hi").op('t').op('R').op('u').op('.');
            Path f = tmp.resolve(g[1] + ".pkl");
            Files.write(f, p.bytes());
            UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> Checkpoints.read(f));
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(g[0] + "." + g[1]), e.getMessage());
        }
        // INST and the legacy copyreg route with a class outside the list
        assertThrows(UnsafePickleException.class, () -> load("(S'ls'\nios\nsystem\n.".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(CheckpointException.class,
                () -> load("ccopy_reg\n_reconstructor\n(ccollections\nOrderedDict\nN\ntR.".getBytes(StandardCharsets.US_ASCII)));
        // an allow-listed data class is not callable as a function
        assertThrows(CheckpointException.class, () -> load("ctorch\nFloatStorage\n(tR.".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(UnsafePickleException.class, () -> load(new byte[] {(byte) 0x80, 2, (byte) 0x82, 1, '.'}));
    }

    @Test
    void unknownOpcodesAndTruncationAreClearErrors() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> load(new byte[] {(byte) 0x80, 2, (byte) 0xfe}));
        assertTrue(e.getMessage().contains("test.pkl") && e.getMessage().contains("unknown opcode 0xfe"), e.getMessage());
        byte[] good = Base64.getDecoder().decode(PROTOCOLS[4]);
        for (int cut : new int[] {1, 2, 10, good.length / 2, good.length - 1}) {
            e = assertThrows(CheckpointException.class, () -> load(Arrays.copyOf(good, cut)));
            assertTrue(e.getMessage().contains("test.pkl"), e.getMessage());
        }
        e = assertThrows(CheckpointException.class, () -> load(new byte[] {(byte) 0x80, 2, 'h', 5, '.'}));
        assertTrue(e.getMessage().contains("memo"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> load(new byte[] {(byte) 0x80, 2, 'Q', '.'}));
        assertThrows(CheckpointException.class, () -> load(new byte[] {(byte) 0x80, 2, 'B', (byte) 0xff, (byte) 0xff, 0, 0, '.'}));
    }
}
