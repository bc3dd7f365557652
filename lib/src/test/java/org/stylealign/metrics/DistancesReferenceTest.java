package org.stylealign.metrics;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.stylealign.io.HostTensor;
import org.stylealign.io.Npy;

import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FID and KID against the values NVlabs' metric arithmetic (numpy + scipy.linalg.sqrtm) gives for committed
 * feature sets: src/test/resources/metrics-reference/ (make_reference.py says how they were made).
 */
class DistancesReferenceTest {

    private static Path folder() throws URISyntaxException {
        return Path.of(DistancesReferenceTest.class.getResource("/metrics-reference/reference.json").toURI())
                .getParent();
    }

    private static float[][] rows(Path file) throws Exception {
        HostTensor t = Npy.read(file);
        int n = (int) t.shape()[0];
        int d = (int) t.shape()[1];
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(t.values(), i * d, x[i], 0, d);
        }
        return x;
    }

    @Test
    void fidAndKidMatchNvlabsArithmetic() throws Exception {
        Path dir = folder();
        JsonObject cases;
        try (var in = new InputStreamReader(
                DistancesReferenceTest.class.getResourceAsStream("/metrics-reference/reference.json"),
                StandardCharsets.UTF_8)) {
            cases = JsonParser.parseReader(in).getAsJsonObject().getAsJsonObject("cases");
        }
        assertEquals(3, cases.size());
        for (Map.Entry<String, com.google.gson.JsonElement> c : cases.entrySet()) {
            String name = c.getKey();
            JsonObject ref = c.getValue().getAsJsonObject();
            float[][] real = rows(dir.resolve(name + "-real.npy"));
            float[][] gen = rows(dir.resolve(name + "-gen.npy"));
            double fid = Distances.fid(gen, real);
            double kid = Distances.kid(gen, real, 7);
            double refFid = ref.get("fid").getAsDouble();
            double refKid = ref.get("kid").getAsDouble();
            // rank-deficient products: scipy's sqrtm and the eigen route agree less closely than for full rank
            double tol = name.startsWith("rank") ? 1e-4 : 1e-7;
            assertEquals(refFid, fid, tol * Math.abs(refFid), name + ": FID " + fid + " vs NVlabs " + refFid);
            assertEquals(refKid, kid, 1e-9 * Math.abs(refKid), name + ": KID " + kid + " vs NVlabs " + refKid);
            assertTrue(fid > 0, name);
        }
    }
}
