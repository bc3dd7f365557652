// Trains the W+ encoder of the family's parent and writes models/encoder-<NAME>.safetensors (float16), then measures
// its held-out reconstruction error. Run from the repository root after `bash environment/setup.sh`:
//
//     jshell --class-path environment/.state/classpath.jar models/train-encoder.jsh
//
// Settings (environment variables, defaults in brackets: the shipped encoder's): ENCODER_STEPS [320], ENCODER_BATCH
// generated images per step [8], ENCODER_REAL real images per step [4], ENCODER_REAL_POOL real training images built
// (builder seed 1, the parent's training images) [2000], ENCODER_RUNS snapshot folder [models/runs-work],
// ENCODER_SNAPSHOT_EVERY [20]. An
// interrupted run resumes from its snapshot (ENCODER_RUNS/encoder-<NAME>.snapshot.safetensors) when started again with
// the same settings (the step count may differ while the snapshot lies before the last quarter's ramp-down).
import java.nio.file.*;
import java.util.*;
import ai.djl.ndarray.*;
import org.stylealign.apps.*;
import org.stylealign.data.*;
import org.stylealign.io.*;
import org.stylealign.metrics.*;
import org.stylealign.model.*;

int env(String k, int d) { String v = System.getenv(k); return v == null || v.isBlank() ? d : Integer.parseInt(v.trim()); }
int steps = env("ENCODER_STEPS", 320), batch = env("ENCODER_BATCH", 8), realN = env("ENCODER_REAL", 4);
int pool = env("ENCODER_REAL_POOL", 2000);
Path runs = Path.of(Objects.requireNonNullElse(System.getenv("ENCODER_RUNS"), "models/runs-work"));
Files.createDirectories(runs);

var family = ModelFamily.load(Path.of("models/family.json"));
var root = family.parent();
var model = family.load(root.name());
var g = model.generator();
var features = DomainFeatures.bundled().orElseThrow();
int res = g.config().resolution();
var trainSet = new DatasetBuilder().open(BuildSpec.ofStyle(root.style(), res, pool, 1));
// (one statement per line: JShell runs a line as soon as it parses)
var options = Encoder.Options.defaults().withSteps(steps).withBatch(batch, realN).withSnapshotEvery(env("ENCODER_SNAPSHOT_EVERY", 20));
Path snapshot = runs.resolve("encoder-" + root.name() + ".snapshot.safetensors");
Path out = Encoder.besideCheckpoint(root.checkpoint(), root.name());
System.out.println("training the encoder of " + root.name() + " (" + res + " px): " + options + "; snapshot " + snapshot);
long t0 = System.nanoTime();
var encoder = Encoder.train(g, features, DomainFeatures.Source.of(root.style(), trainSet), options, snapshot, p -> {
    if (p.step() % 25 == 0 || p.step() == p.steps()) {
        System.out.println(String.format(Locale.ROOT, "step %d/%d  loss %.4f  latent %.4f  pixel %.4f  perceptual %.4f  %.0f s",
                p.step(), p.steps(), p.loss(), p.latent(), p.pixel(), p.perceptual(), p.seconds()));
    }
});
encoder.save(out, true);
System.out.println(String.format(Locale.ROOT, "wrote %s (%d bytes) after %.0f s in this session", out, Files.size(out),
        (System.nanoTime() - t0) / 1e9));

// Held-out reconstruction error: 64 real images the family never saw (builder seed 1001) and 64 of the parent's own
// samples (seeds 40000..40063, constant noise), through the saved float16 file.
try (var shipped = Encoder.load(out, g); var m = NDManager.newBaseManager()) {
    var heldOut = new DatasetBuilder().open(BuildSpec.ofStyle(root.style(), res, 64, 1001));
    NDArray real = PartSegmenter.datasetImages(heldOut, Arrays.copyOf(heldOut.indices(), 64), m);
    NDArray drawn = g.generate(g.zFromSeeds(m, Generator.seedRange(40_000, 64)), 1f, Noise.constant());
    for (var e : Map.of("held-out real " + root.style() + " (seed 1001)", real, root.name() + "'s own samples", drawn).entrySet()) {
        NDArray x = e.getValue();
        NDArray rec = g.synthesis(shipped.encode(x), Noise.constant());
        NDArray avg = g.synthesis(g.broadcast(g.wAvg(m).repeat(0, 64)), Noise.constant());
        System.out.println(String.format(Locale.ROOT, "%s: mean |pixel error| %.4f (w_avg %.4f), perceptual %.4f (w_avg %.4f)",
                e.getKey(), rec.sub(x).abs().mean().getFloat(), avg.sub(x).abs().mean().getFloat(),
                features.perceptualDistance(rec, x).mean().getFloat(), features.perceptualDistance(avg, x).mean().getFloat()));
    }
}
encoder.close();
features.close();
model.close();
/exit
