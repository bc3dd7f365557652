package org.stylealign.cli;

import org.junit.jupiter.api.Test;
import org.stylealign.data.BuildSpec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** One-off: what the hand-written parser makes of the scripts' invocations (expected values for the picocli parser). */
class OldParserRecordTest {

    static final List<String> lines = new ArrayList<>();

    static void rec(String key, Object v) {
        lines.add(key + " = " + (v instanceof long[] l ? Arrays.toString(l) : String.valueOf(v)));
    }

    static Args trainArgs(String[] argv, Set<String> own) {
        return new Args(argv, TrainOptions.valued(own), TrainOptions.FLAGS);
    }

    static String data(Args a) {
        return a.has("data") ? "data " + a.path("data")
                : BuildSpec.ofStyle(a.require("domain"), a.intValue("size", 0), a.intValue("count", 0),
                a.intValue("seed", 1)).toString();
    }

    static void train(String name, int res, String... argv) {
        Args a = trainArgs(argv, Set.of("channel-base", "channel-max", "channels", "z-dim", "w-dim", "mapping"));
        rec(name + ".data", data(a));
        rec(name + ".out", a.path("out"));
        rec(name + ".resume", a.has("resume"));
        rec(name + ".metrics", a.get("metrics", null));
        rec(name + ".config", TrainOptions.config(a, res, List.of()));
        rec(name + ".run", TrainOptions.runOptions(a, TrainOptions.config(a, res, List.of()).batch()));
        rec(name + ".arch", TrainCommand.architecture(a, res, 3));
    }

    static void finetune(String name, int res, String... argv) {
        Args a = trainArgs(argv, Set.of("from", "freeze"));
        List<String> parts = new ArrayList<>();
        if (a.has("freeze")) {
            for (String p : a.get("freeze", "").split(",")) {
                if (!p.isBlank()) {
                    parts.add(p.trim());
                }
            }
        }
        rec(name + ".data", data(a));
        rec(name + ".from", a.path("from"));
        rec(name + ".out", a.path("out"));
        rec(name + ".resume", a.has("resume"));
        rec(name + ".metrics", a.get("metrics", null));
        rec(name + ".classifier", a.get("classifier", null));
        rec(name + ".config", TrainOptions.config(a, res, parts));
        rec(name + ".run", TrainOptions.runOptions(a, TrainOptions.config(a, res, parts).batch()));
    }

    /** DataCommand.build's loop, as it stands. */
    static void dataBuild(String name, String... args) {
        String n = null;
        Integer size = null, count = null;
        Long seed = null;
        boolean masks = false, force = false;
        String pairs = null;
        BuildSpec.Range rot = BuildSpec.Range.fixed(0), tx = BuildSpec.Range.fixed(0), ty = BuildSpec.Range.fixed(0);
        BuildSpec.Flip flip = BuildSpec.Flip.NONE;
        int threads = -1;
        for (int i = 1; i < args.length; i++) {
            String x = args[i];
            switch (x) {
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--seed" -> seed = (long) Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--masks" -> masks = true;
                case "--force" -> force = true;
                case "--pairs" -> pairs = args[++i];
                case "--rotate" -> rot = BuildSpec.Range.parse(args[++i]);
                case "--translate-x" -> tx = BuildSpec.Range.parse(args[++i]);
                case "--translate-y" -> ty = BuildSpec.Range.parse(args[++i]);
                case "--flip" -> flip = switch (args[++i]) {
                    case "yes", "always" -> BuildSpec.Flip.ALWAYS;
                    case "random" -> BuildSpec.Flip.RANDOM;
                    default -> BuildSpec.Flip.NONE;
                };
                default -> n = x;
            }
        }
        rec(name + ".spec", new BuildSpec(n, size, count, seed, masks, pairs, new BuildSpec.Transform(rot, tx, ty, flip)));
        rec(name + ".threads", threads);
        rec(name + ".force", force);
    }

    static void convert(String name, String... argv) {
        Args a = new Args(argv, Set.of("checkpoint", "out", "resolution", "seed"), Set.of("fp16", "ema-only"));
        rec(name, a.path("checkpoint") + " -> " + a.path("out") + " fp16=" + a.has("fp16") + " emaOnly="
                + a.has("ema-only") + " resolution=" + (a.has("resolution") ? a.intValue("resolution", 0) : null)
                + " seed=" + a.intValue("seed", 0));
    }

    @Test
    void record() throws Exception {
        String runs = "runs-work", models = "models";
        String[] arch = {"--channels", "4:128,8:128,16:64,32:64", "--z-dim", "128", "--w-dim", "128", "--mapping", "4"};
        String[] common = {"--batch", "16", "--pl-weight", "0"};
        // train_parent P 1 260 (and P2 2 140), the second time with --resume
        train("P", 32, cat(new String[] {"--domain", "avataaars", "--size", "32", "--count", "30000", "--seed", "1",
                "--train-seed", "1", "--out", runs + "/P", "--kimg", "260"}, common, arch,
                new String[] {"--snapshot-kimg", "20", "--metrics", "512"}));
        train("P2", 32, cat(new String[] {"--domain", "avataaars", "--size", "32", "--count", "30000", "--seed", "1",
                "--train-seed", "2", "--out", runs + "/P2", "--kimg", "140"}, common, arch,
                new String[] {"--snapshot-kimg", "20", "--metrics", "512", "--resume"}));
        // finetune NAME FROM KIMG SNAP data-args...
        finetune("C1", 32, cat(new String[] {"--from", models + "/P.safetensors", "--data",
                "data/cache/personas-32px-n10000-s1", "--out", runs + "/C1", "--kimg", "30"}, common,
                new String[] {"--snapshot-kimg", "2", "--metrics", "256"}));
        finetune("G", 32, cat(new String[] {"--from", models + "/C2.safetensors", "--data",
                "data/cache/avataaars-32px-n10000-s1", "--r1-gamma", "0.1", "--out", runs + "/G", "--kimg", "30"},
                common, new String[] {"--snapshot-kimg", "5", "--metrics", "256", "--classifier", "cls.safetensors",
                "--resume"}));
        finetune("L3", 32, cat(new String[] {"--from", models + "/P.safetensors", "--data",
                "data/cache/avataaars-rot180-32px-n10000-s1", "--out", runs + "/L3", "--kimg", "15"}, common,
                new String[] {"--snapshot-kimg", "5", "--metrics", "256"}));
        finetune("R16", 16, cat(new String[] {"--from", runs + "/P-16px.safetensors", "--data",
                "data/cache/avataaars-16px-n10000-s1", "--out", runs + "/R16", "--kimg", "30"}, common,
                new String[] {"--snapshot-kimg", "5", "--metrics", "256"}));
        // README's finetune with --domain and --freeze
        finetune("readme-ft", 32, "--from", "models/P.safetensors", "--domain", "bottts", "--size", "32", "--count",
                "10000", "--out", "runs/c", "--kimg", "30", "--freeze", "mapping,affine", "--metrics", "256");
        // built STYLE build-args...
        dataBuild("personas", "build", "personas", "--size", "32", "--count", "10000", "--seed", "1");
        dataBuild("tx20", "build", "avataaars", "--translate-x", "20", "--size", "32", "--count", "10000", "--seed", "1");
        dataBuild("ty20", "build", "avataaars", "--translate-y", "20", "--size", "32", "--count", "10000", "--seed", "1");
        dataBuild("rot180", "build", "avataaars", "--rotate", "180", "--size", "16", "--count", "10000", "--seed", "1");
        dataBuild("ranges", "build", "avataaars", "--size", "64", "--count", "20", "--seed", "3", "--rotate", "-30:30",
                "--translate-x", "-10", "--flip", "random", "--masks", "--threads", "1", "--force");
        convert("pack", "--checkpoint", runs + "/C1/snapshot-000030.008.safetensors", "--out", models + "/C1.safetensors",
                "--fp16", "--ema-only");
        convert("R16", "--checkpoint", models + "/P.safetensors", "--resolution", "16", "--seed", "16", "--out",
                runs + "/P-16px.safetensors");
        // models/quality.sh
        Args q = new Args(new String[] {"--checkpoint", models + "/L1.safetensors", "--domain", "avataaars-tx20",
                "--size", "32", "--count", "1000", "--seed", "1001", "--samples", "1000"}, Set.of("checkpoint",
                "domain", "size", "count", "seed", "data", "samples", "features", "classifier", "metric-set"), Set.of());
        rec("quality.data", data(q));
        rec("quality.checkpoint", q.path("checkpoint"));
        rec("quality.samples", q.intValue("samples", 1000));
        // README render
        Args r = new Args(new String[] {"--checkpoint", "ffhq.pkl", "--seeds", "1,2,5-8", "--truncation", "0.7",
                "--out", "grid.png"}, ModelArgs.LATENT_OPTIONS, Set.of());
        rec("render.seeds", r.seeds("seeds"));
        rec("render.truncation", ModelArgs.truncation(r));
        rec("render.noise", ModelArgs.noise(r));
        // models/README bench train
        Args b = new Args(new String[] {"--widths", "4:128,8:128,16:64,32:64", "--mapping", "4", "--freeze",
                "mapping,affine", "--steps", "12"}, Set.of("res", "channels", "widths", "batch", "steps", "z-dim",
                "mapping", "freeze", "trace", "peer"), Set.of("profile"));
        rec("bench-train.widths", TrainOptions.channels(b.get("widths", "")));
        rec("bench-train", "res=" + b.intValue("res", 32) + " batch=" + b.intValue("batch", 16) + " steps="
                + b.intValue("steps", 12) + " zDim=" + b.intValue("z-dim", 128) + " mapping=" + b.intValue("mapping", 2)
                + " freeze=" + List.of(b.get("freeze", "").split(",")) + " profile=" + b.has("profile"));
        Files.write(Path.of("/tmp/picocli-rec/old-parse.txt"), lines);
    }

    static String[] cat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }
}
