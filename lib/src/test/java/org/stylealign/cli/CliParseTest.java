package org.stylealign.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as scripts use it, parsed without running anything: the option names of every command, their
 * help, errors, and the configuration the scripts' invocations give.
 */
class CliParseTest {

    /** The command object the arguments select, parsed by the real command tree (nothing runs). */
    static <T> T parsed(Class<T> type, String... args) {
        ParseResult r = Main.commandLine(System.out, System.err).parseArgs(args);
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return type.cast(r.commandSpec().userObject());
    }

    /**
     * Every command's options, as the hand-written parser accepted them (its valued and flag sets, before picocli),
     * plus -h/--help. {@code styles} also accepted --noise, which it never used: dropped. Added since: invert's and
     * translate's --noise-reg and --encoder.
     */
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        String data = "--domain --size --count --seed --data";
        String run = "--out --kimg --batch --r1-gamma --pl-weight --snapshot-kimg --lr --train-seed --metrics "
                + "--metric-set --features --classifier --resume --xflip";
        String generate = "--res --batch --channel-base --channel-max --iters --peer --peer-res --peer-images "
                + "--peer-batch";
        OPTIONS.put("stylealign", "");
        OPTIONS.put("info", "--checkpoint --no-check");
        OPTIONS.put("render", "--checkpoint --seeds --z --truncation --noise --out");
        OPTIONS.put("styles", "--checkpoint --seeds --z --truncation --out");
        OPTIONS.put("convert", "--checkpoint --out --resolution --seed --fp16 --ema-only");
        OPTIONS.put("bench", generate);
        OPTIONS.put("bench generate", generate);
        OPTIONS.put("bench train", "--res --channels --widths --batch --steps --z-dim --mapping --freeze --trace --peer "
                + "--profile");
        OPTIONS.put("bench localized", "--checkpoint --images");
        OPTIONS.put("bench invert", "--checkpoint --space --steps --images");
        OPTIONS.put("bench reference", "--res --batch --iters");
        OPTIONS.put("data", "");
        OPTIONS.put("data build", "--size --count --seed --threads --masks --force --pairs --rotate --translate-x "
                + "--translate-y --flip --split --edges");
        OPTIONS.put("data list", "");
        OPTIONS.put("data info", "");
        OPTIONS.put("train", data + " " + run + " --channel-base --channel-max --channels --z-dim --w-dim --mapping");
        OPTIONS.put("finetune", data + " " + run + " --from --freeze");
        OPTIONS.put("metrics", "--checkpoint " + data + " --samples --features --classifier --metric-set");
        OPTIONS.put("metrics train-classifier", "--domains --out --size --count --seed --steps --batch");
        OPTIONS.put("metrics train-attributes", "--domain --out --size --count --seed --steps --batch --test --fp16");
        OPTIONS.put("metrics train-segmenter", "--domains --out --count --test-count --seed --steps --batch --fp16");
        OPTIONS.put("metrics classify", "--data --checkpoint --samples --classifier");
        OPTIONS.put("invert", "--checkpoint --images --count --space --steps --lr --pixel --perceptual --batch --out "
                + "--ws --render --seed --noise-reg --encoder");
        OPTIONS.put("translate", "--checkpoint --to --images --latents --count --space --steps --lr --pixel "
                + "--perceptual --batch --seed --out --noise-reg --encoder");
        OPTIONS.put("export", "--checkpoint --format --out --res --truncation");
        OPTIONS.put("family", "");
        OPTIONS.put("family init", "--parent --child --control --grandchild --locality --resolution --domain --out "
                + "--force");
        OPTIONS.put("family add", "--family --role --distance --from --transform --name --domain");
        OPTIONS.put("family check", "--family");
        OPTIONS.put("completion", "");
    }

    /** Every command of the tree but picocli's own `help`, by its words after `stylealign`. */
    private static Map<String, CommandSpec> commands() {
        Map<String, CommandSpec> all = new LinkedHashMap<>();
        collect(Main.commandLine(System.out, System.err), "", all);
        return all;
    }

    private static void collect(CommandLine c, String path, Map<String, CommandSpec> all) {
        all.put(path.isEmpty() ? "stylealign" : path, c.getCommandSpec());
        for (Map.Entry<String, CommandLine> e : c.getSubcommands().entrySet()) {
            if (!e.getKey().equals("help")) {
                collect(e.getValue(), (path + " " + e.getKey()).trim(), all);
            }
        }
    }

    private static String[] words(String path, String... more) {
        List<String> w = new ArrayList<>(path.equals("stylealign") ? List.of() : List.of(path.split(" ")));
        w.addAll(List.of(more));
        return w.toArray(new String[0]);
    }

    @Test
    void everyCommandKeepsItsOptionNamesAndItsHelpListsThem() {
        Map<String, CommandSpec> all = commands();
        assertEquals(OPTIONS.keySet(), all.keySet(), "the commands");
        for (Map.Entry<String, CommandSpec> e : all.entrySet()) {
            Set<String> names = new TreeSet<>();
            for (OptionSpec o : e.getValue().options()) {
                names.addAll(List.of(o.names()));
            }
            Set<String> expected = new TreeSet<>(List.of("-h", "--help"));
            if (!OPTIONS.get(e.getKey()).isEmpty()) {
                expected.addAll(List.of(OPTIONS.get(e.getKey()).split(" ")));
            }
            assertEquals(expected, names, e.getKey());

            CliTest.Result help = CliTest.run(words(e.getKey(), "--help"));
            assertEquals(0, help.code(), e.getKey() + ": " + help.err());
            assertTrue(help.out().startsWith(e.getValue().usageMessage().header()[0]), help.out());
            for (String n : names) {
                assertTrue(help.out().contains(n), e.getKey() + " --help does not list " + n + ":\n" + help.out());
            }
            e.getValue().positionalParameters().forEach(p -> assertTrue(help.out().contains(p.paramLabel()),
                    e.getKey() + " --help does not list " + p.paramLabel()));
            for (String sub : e.getValue().subcommands().keySet()) {
                assertTrue(help.out().contains("  " + sub + " "), e.getKey() + " --help does not list " + sub);
            }
            assertTrue(!help.out().contains("${"), "an unresolved variable in " + e.getKey() + " --help");
        }
    }

    @Test
    void anUnknownOptionIsNamedWithExitCode2() {
        for (String path : commands().keySet()) {
            CliTest.Result r = CliTest.run(words(path, "--no-such-option"));
            assertEquals(2, r.code(), path);
            assertTrue(r.err().contains("Unknown option: '--no-such-option'"), path + ": " + r.err());
            assertTrue(r.err().contains("--help"), "a hint where the help is: " + r.err());
            assertEquals("", r.out(), path);
        }
        // named even when required options are missing too (picocli checks those first)
        CliTest.Result r = CliTest.run("train", "--kimgs", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'--kimgs'") && r.err().contains("--kimg"), r.err());
    }

    @Test
    void helpAndTheCommandListAndCompletion() {
        CliTest.Result none = CliTest.run();
        assertEquals(2, none.code(), "no command: the list, exit 2 as before");
        CliTest.Result help = CliTest.run("help");
        assertEquals(0, help.code());
        assertEquals(none.out(), help.out());
        assertEquals(help.out(), CliTest.run("--help").out());
        for (String c : List.of("info", "render", "styles", "convert", "bench", "data", "train", "finetune", "metrics",
                "invert", "translate", "export", "family", "completion")) {
            assertTrue(help.out().contains("\n  " + c + " "), c + " missing from:\n" + help.out());
            CliTest.Result h = CliTest.run("help", c);
            assertEquals(0, h.code(), c);
            assertEquals(CliTest.run(c, "--help").out(), h.out(), "help " + c + " = " + c + " --help");
        }
        assertEquals(2, CliTest.run("data").code(), "a group without its sub-command: its help, exit 2");
        assertTrue(CliTest.run("data").out().contains("build"));
        CliTest.Result unknown = CliTest.run("frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());

        CliTest.Result script = CliTest.run("completion");
        assertEquals(0, script.code(), script.err());
        assertTrue(script.out().contains("complete -F _complete_stylealign"), "a bash completion function");
        for (String w : List.of("render", "train-attributes", "--checkpoint", "--translate-x", "--metric-set",
                "torchscript", "w+", "own_domain_share", "grandchild")) {
            assertTrue(script.out().contains(w), "completion knows " + w);
        }
    }

    @Test
    void badValuesNameTheOption() {
        String ck = "x.pt";
        Map<String[], String> cases = new LinkedHashMap<>();
        cases.put(new String[] {"render", "--checkpoint", ck, "--seeds", "1,x", "--out", "a.png"},
                "'--seeds': takes seeds like 1,2,5-8; got '1,x'");
        cases.put(new String[] {"render", "--checkpoint", ck, "--seeds", "9-3", "--out", "a.png"},
                "'--seeds': bad range '9-3'");
        cases.put(new String[] {"render", "--checkpoint", ck, "--seeds", "4294967296", "--out", "a.png"},
                "'--seeds': seed 4294967296 is outside 0..2^32-1");
        cases.put(new String[] {"render", "--checkpoint", ck, "--seeds", "1", "--noise", "loud", "--out", "a.png"},
                "'--noise': must be const, random or none; got 'loud'");
        cases.put(new String[] {"render", "--checkpoint", ck, "--seeds", "1", "--z", "z.npy", "--out", "a.png"},
                "--seeds=SEEDS, --z=Z.npy are mutually exclusive");
        cases.put(new String[] {"render", "--checkpoint", ck, "--out", "a.png"}, "(--seeds=SEEDS | --z=Z.npy)");
        cases.put(new String[] {"render", "--checkpoint", ck, "--seeds", "1", "--truncation", "high", "--out", "a"},
                "'--truncation': 'high' is not a float");
        cases.put(new String[] {"data", "build", "avataaars", "--size", "8", "--count", "4", "--seed", "1",
                "--rotate", "30:-30"}, "'--rotate': empty range 30:-30");
        cases.put(new String[] {"data", "build", "avataaars", "--size", "8", "--count", "4", "--seed", "1",
                "--translate-x", "a:b"}, "'--translate-x': bad range 'a:b'");
        cases.put(new String[] {"data", "build", "avataaars", "--size", "8", "--count", "4", "--seed", "1",
                "--flip", "sideways"}, "'--flip': takes yes, random or no, not 'sideways'");
        cases.put(new String[] {"data", "build", "avataaars", "--size", "8"}, "'--count=N', '--seed=K'");
        cases.put(new String[] {"train", "--data", "d", "--out", "o", "--kimg", "1", "--channels", "4:64;8:64"},
                "'--channels': takes RES:CH pairs like 4:64,8:64,16:32; got '4:64;8:64'");
        cases.put(new String[] {"train", "--data", "d", "--out", "o", "--kimg", "many"}, "'--kimg'");
        cases.put(new String[] {"train", "--domain", "avataaars", "--size", "32", "--out", "o", "--kimg", "1"},
                "--count=N");
        cases.put(new String[] {"finetune", "--data", "d", "--domain", "bottts", "--size", "32", "--count", "9",
                "--out", "o", "--kimg", "1"}, "mutually exclusive");
        cases.put(new String[] {"bench", "train", "--widths", "4-128"}, "'--widths': takes RES:CH pairs");
        cases.put(new String[] {"bench", "reference", "--res", "32,x"}, "'--res' (RES): 'x' is not an int");
        cases.put(new String[] {"bench", "invert", "--space", "q"}, "'--space'");
        cases.put(new String[] {"export", "--checkpoint", ck, "--format", "keras", "--out", "G.onnx"},
                "'--format': must be torchscript or onnx, got 'keras'");
        cases.put(new String[] {"family", "add", "--role", "cousin", "f.pt"}, "'--role': must be one of parent, "
                + "child, grandchild, control, locality, resolution; got 'cousin'");
        cases.put(new String[] {"family", "add", "--role", "child"}, "'FILE'");
        cases.put(new String[] {"metrics", "classify", "--samples", "9"}, "(--data=DIR | --checkpoint=FILE)");
        cases.put(new String[] {"metrics", "--data", "d"}, "'--checkpoint=FILE|RUN_DIR'");
        cases.put(new String[] {"invert", "--checkpoint", ck, "--images", "i", "--out", "l.npy", "--steps", "1.5"},
                "'--steps': '1.5' is not an int");
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            CliTest.Result r = CliTest.run(c.getKey());
            String what = String.join(" ", c.getKey());
            assertEquals(2, r.code(), what + ": " + r.err());
            assertTrue(r.err().contains(c.getValue()), what + ": " + r.err());
        }
    }

    /**
     * What the hand-written parser made of the scripts' invocations (models/train-family.sh, models/quality.sh and
     * the READMEs' examples), recorded from it before it was replaced: the picocli commands give the same objects.
     */
    private static final String OLD_PARSER = """
            P.data = BuildSpec[domain=avataaars, size=32, count=30000, seed=1, masks=false, pairAttribute=null, \
            transform=Transform[rotate=Range[lo=0, hi=0], translateX=Range[lo=0, hi=0], translateY=Range[lo=0, hi=0], \
            flip=NONE]]
            P.out = runs-work/P
            P.resume = false
            P.metrics = 512
            P.config = TrainConfig[batch=16, lrG=0.002, lrD=0.002, beta1=0.0, beta2=0.99, eps=1.0E-8, r1Gamma=0.0128, \
            r1Interval=16, emaKimg=5.0, emaRampup=0.05, styleMixProb=0.9, xflip=false, seed=1, frozen=[], plWeight=0.0, \
            plInterval=4]
            P.run = Options[totalImages=260000, snapshotEvery=1250, logEvery=10, maxLoss=10000.0, history=true]
            P.arch = GeneratorConfig[resolution=32, imageChannels=3, zDim=128, wDim=128, mappingLayers=4, \
            mappingLrMul=0.01, channels={4=128, 8=128, 16=64, 32=64}]
            P2.data = BuildSpec[domain=avataaars, size=32, count=30000, seed=1, masks=false, pairAttribute=null, \
            transform=Transform[rotate=Range[lo=0, hi=0], translateX=Range[lo=0, hi=0], translateY=Range[lo=0, hi=0], \
            flip=NONE]]
            P2.out = runs-work/P2
            P2.resume = true
            P2.metrics = 512
            P2.config = TrainConfig[batch=16, lrG=0.002, lrD=0.002, beta1=0.0, beta2=0.99, eps=1.0E-8, r1Gamma=0.0128, \
            r1Interval=16, emaKimg=5.0, emaRampup=0.05, styleMixProb=0.9, xflip=false, seed=2, frozen=[], plWeight=0.0, \
            plInterval=4]
            P2.run = Options[totalImages=140000, snapshotEvery=1250, logEvery=10, maxLoss=10000.0, history=true]
            P2.arch = GeneratorConfig[resolution=32, imageChannels=3, zDim=128, wDim=128, mappingLayers=4, \
            mappingLrMul=0.01, channels={4=128, 8=128, 16=64, 32=64}]
            C1.data = data data/cache/personas-32px-n10000-s1
            C1.from = models/P.safetensors
            C1.out = runs-work/C1
            C1.resume = false
            C1.metrics = 256
            C1.classifier = null
            C1.config = TrainConfig[batch=16, lrG=0.002, lrD=0.002, beta1=0.0, beta2=0.99, eps=1.0E-8, r1Gamma=0.0128, \
            r1Interval=16, emaKimg=5.0, emaRampup=0.05, styleMixProb=0.9, xflip=false, seed=1, frozen=[], plWeight=0.0, \
            plInterval=4]
            C1.run = Options[totalImages=30000, snapshotEvery=125, logEvery=10, maxLoss=10000.0, history=true]
            G.data = data data/cache/avataaars-32px-n10000-s1
            G.from = models/C2.safetensors
            G.out = runs-work/G
            G.resume = true
            G.metrics = 256
            G.classifier = cls.safetensors
            G.config = TrainConfig[batch=16, lrG=0.002, lrD=0.002, beta1=0.0, beta2=0.99, eps=1.0E-8, r1Gamma=0.1, \
            r1Interval=16, emaKimg=5.0, emaRampup=0.05, styleMixProb=0.9, xflip=false, seed=1, frozen=[], plWeight=0.0, \
            plInterval=4]
            G.run = Options[totalImages=30000, snapshotEvery=313, logEvery=10, maxLoss=10000.0, history=true]
            L3.data = data data/cache/avataaars-rot180-32px-n10000-s1
            L3.from = models/P.safetensors
            L3.out = runs-work/L3
            L3.resume = false
            L3.metrics = 256
            L3.classifier = null
            L3.config = TrainConfig[batch=16, lrG=0.002, lrD=0.002, beta1=0.0, beta2=0.99, eps=1.0E-8, r1Gamma=0.0128, \
            r1Interval=16, emaKimg=5.0, emaRampup=0.05, styleMixProb=0.9, xflip=false, seed=1, frozen=[], plWeight=0.0, \
            plInterval=4]
            L3.run = Options[totalImages=15000, snapshotEvery=313, logEvery=10, maxLoss=10000.0, history=true]
            R16.data = data data/cache/avataaars-16px-n10000-s1
            R16.from = runs-work/P-16px.safetensors
            R16.out = runs-work/R16
            R16.resume = false
            R16.metrics = 256
            R16.classifier = null
            R16.config = TrainConfig[batch=16, lrG=0.002, lrD=0.002, beta1=0.0, beta2=0.99, eps=1.0E-8, \
            r1Gamma=0.0032, r1Interval=16, emaKimg=5.0, emaRampup=0.05, styleMixProb=0.9, xflip=false, seed=1, \
            frozen=[], plWeight=0.0, plInterval=4]
            R16.run = Options[totalImages=30000, snapshotEvery=313, logEvery=10, maxLoss=10000.0, history=true]
            readme-ft.data = BuildSpec[domain=bottts, size=32, count=10000, seed=1, masks=false, pairAttribute=null, \
            transform=Transform[rotate=Range[lo=0, hi=0], translateX=Range[lo=0, hi=0], translateY=Range[lo=0, hi=0], \
            flip=NONE]]
            readme-ft.from = models/P.safetensors
            readme-ft.out = runs/c
            readme-ft.resume = false
            readme-ft.metrics = 256
            readme-ft.classifier = null
            readme-ft.config = TrainConfig[batch=16, lrG=0.002, lrD=0.002, beta1=0.0, beta2=0.99, eps=1.0E-8, \
            r1Gamma=0.0128, r1Interval=16, emaKimg=5.0, emaRampup=0.05, styleMixProb=0.9, xflip=false, seed=1, \
            frozen=[mapping, affine], plWeight=2.0, plInterval=4]
            readme-ft.run = Options[totalImages=30000, snapshotEvery=250, logEvery=10, maxLoss=10000.0, history=true]
            personas.spec = BuildSpec[domain=personas, size=32, count=10000, seed=1, masks=false, pairAttribute=null, \
            transform=Transform[rotate=Range[lo=0, hi=0], translateX=Range[lo=0, hi=0], translateY=Range[lo=0, hi=0], \
            flip=NONE]]
            personas.threads = -1
            personas.force = false
            tx20.spec = BuildSpec[domain=avataaars, size=32, count=10000, seed=1, masks=false, pairAttribute=null, \
            transform=Transform[rotate=Range[lo=0, hi=0], translateX=Range[lo=20, hi=20], translateY=Range[lo=0, hi=0], \
            flip=NONE]]
            tx20.threads = -1
            tx20.force = false
            ty20.spec = BuildSpec[domain=avataaars, size=32, count=10000, seed=1, masks=false, pairAttribute=null, \
            transform=Transform[rotate=Range[lo=0, hi=0], translateX=Range[lo=0, hi=0], translateY=Range[lo=20, hi=20], \
            flip=NONE]]
            ty20.threads = -1
            ty20.force = false
            rot180.spec = BuildSpec[domain=avataaars, size=16, count=10000, seed=1, masks=false, pairAttribute=null, \
            transform=Transform[rotate=Range[lo=180, hi=180], translateX=Range[lo=0, hi=0], translateY=Range[lo=0, \
            hi=0], flip=NONE]]
            rot180.threads = -1
            rot180.force = false
            ranges.spec = BuildSpec[domain=avataaars, size=64, count=20, seed=3, masks=true, pairAttribute=null, \
            transform=Transform[rotate=Range[lo=-30, hi=30], translateX=Range[lo=-10, hi=-10], translateY=Range[lo=0, \
            hi=0], flip=RANDOM]]
            ranges.threads = 1
            ranges.force = true
            pack = runs-work/C1/snapshot-000030.008.safetensors -> models/C1.safetensors fp16=true emaOnly=true \
            resolution=null seed=0
            R16 = models/P.safetensors -> runs-work/P-16px.safetensors fp16=false emaOnly=false resolution=16 seed=16
            quality.data = BuildSpec[domain=avataaars, size=32, count=1000, seed=1001, masks=false, \
            pairAttribute=null, transform=Transform[rotate=Range[lo=0, hi=0], translateX=Range[lo=20, hi=20], \
            translateY=Range[lo=0, hi=0], flip=NONE]]
            quality.checkpoint = models/L1.safetensors
            quality.samples = 1000
            render.seeds = [1, 2, 5, 6, 7, 8]
            render.truncation = 0.7
            render.noise = Noise[CONST]
            bench-train.widths = {4=128, 8=128, 16=64, 32=64}
            bench-train = res=32 batch=16 steps=12 zDim=128 mapping=4 freeze=[mapping, affine] profile=false
            """;

    private final List<String> lines = new ArrayList<>();

    private void rec(String key, Object v) {
        lines.add(key + " = " + v);
    }

    private static String[] cat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }

    private void train(String name, int res, String... argv) {
        TrainCommand c = parsed(TrainCommand.class, cat(new String[] {"train"}, argv));
        TrainOptions t = c.train;
        rec(name + ".data", t.data.spec());
        rec(name + ".out", t.out);
        rec(name + ".resume", t.resume);
        rec(name + ".metrics", t.metrics);
        rec(name + ".config", t.config(res, List.of()));
        rec(name + ".run", t.runOptions(t.config(res, List.of()).batch()));
        rec(name + ".arch", c.architecture(res, 3));
    }

    private void finetune(String name, int res, String... argv) {
        FinetuneCommand c = parsed(FinetuneCommand.class, cat(new String[] {"finetune"}, argv));
        TrainOptions t = c.train;
        rec(name + ".data", t.data.spec() != null ? t.data.spec() : "data " + t.data.source.dir);
        rec(name + ".from", c.from);
        rec(name + ".out", t.out);
        rec(name + ".resume", t.resume);
        rec(name + ".metrics", t.metrics);
        rec(name + ".classifier", t.features.network == null ? null : t.features.network.classifier);
        rec(name + ".config", t.config(res, c.frozen()));
        rec(name + ".run", t.runOptions(t.config(res, c.frozen()).batch()));
    }

    private void dataBuild(String name, String... argv) {
        DataCommand.Build b = parsed(DataCommand.Build.class, cat(new String[] {"data"}, argv));
        rec(name + ".spec", b.spec());
        rec(name + ".threads", b.given("--threads") ? b.threads : -1); // -1: not given, the CPU count
        rec(name + ".force", b.force);
    }

    private void convert(String name, String... argv) {
        ConvertCommand c = parsed(ConvertCommand.class, cat(new String[] {"convert"}, argv));
        rec(name, c.checkpoint.checkpoint + " -> " + c.out + " fp16=" + c.fp16 + " emaOnly=" + c.emaOnly
                + " resolution=" + c.resolution + " seed=" + (c.seed == null ? 0 : c.seed));
    }

    @Test
    void theScriptsInvocationsGiveWhatTheHandWrittenParserGave() {
        String runs = "runs-work", models = "models";
        String[] arch = {"--channels", "4:128,8:128,16:64,32:64", "--z-dim", "128", "--w-dim", "128", "--mapping", "4"};
        String[] common = {"--batch", "16", "--pl-weight", "0"};
        // models/train-family.sh: train_parent P 1 260 (and P2 2 140, resumed)
        train("P", 32, cat(new String[] {"--domain", "avataaars", "--size", "32", "--count", "30000", "--seed", "1",
                "--train-seed", "1", "--out", runs + "/P", "--kimg", "260"}, common, arch,
                new String[] {"--snapshot-kimg", "20", "--metrics", "512"}));
        train("P2", 32, cat(new String[] {"--domain", "avataaars", "--size", "32", "--count", "30000", "--seed", "1",
                "--train-seed", "2", "--out", runs + "/P2", "--kimg", "140"}, common, arch,
                new String[] {"--snapshot-kimg", "20", "--metrics", "512", "--resume"}));
        // finetune NAME FROM KIMG SNAP data-args... (with $CLASSIFIER and a resume for G)
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
        dataBuild("tx20", "build", "avataaars", "--translate-x", "20", "--size", "32", "--count", "10000", "--seed",
                "1");
        dataBuild("ty20", "build", "avataaars", "--translate-y", "20", "--size", "32", "--count", "10000", "--seed",
                "1");
        dataBuild("rot180", "build", "avataaars", "--rotate", "180", "--size", "16", "--count", "10000", "--seed", "1");
        dataBuild("ranges", "build", "avataaars", "--size", "64", "--count", "20", "--seed", "3", "--rotate", "-30:30",
                "--translate-x", "-10", "--flip", "random", "--masks", "--threads", "1", "--force");
        // pack and R16's crop
        convert("pack", "--checkpoint", runs + "/C1/snapshot-000030.008.safetensors", "--out",
                models + "/C1.safetensors", "--fp16", "--ema-only");
        convert("R16", "--checkpoint", models + "/P.safetensors", "--resolution", "16", "--seed", "16", "--out",
                runs + "/P-16px.safetensors");
        // models/quality.sh
        MetricsCommand q = parsed(MetricsCommand.class, "metrics", "--checkpoint", models + "/L1.safetensors",
                "--domain", "avataaars-tx20", "--size", "32", "--count", "1000", "--seed", "1001", "--samples", "1000");
        rec("quality.data", q.data.spec());
        rec("quality.checkpoint", q.checkpoint);
        rec("quality.samples", q.samples);
        // README's render
        RenderCommand r = parsed(RenderCommand.class, "render", "--checkpoint", "ffhq.pkl", "--seeds", "1,2,5-8",
                "--truncation", "0.7", "--out", "grid.png");
        rec("render.seeds", Arrays.toString(r.latents.seeds()));
        rec("render.truncation", r.latents.truncation);
        rec("render.noise", r.noise);
        // models/README's bench train
        BenchCommand.Train b = parsed(BenchCommand.Train.class, "bench", "train", "--widths", "4:128,8:128,16:64,32:64",
                "--mapping", "4", "--freeze", "mapping,affine", "--steps", "12");
        rec("bench-train.widths", b.widths.byResolution());
        rec("bench-train", "res=" + b.res + " batch=" + b.batch + " steps=" + b.steps + " zDim=" + b.zDim
                + " mapping=" + b.mapping + " freeze=" + b.frozen + " profile=" + b.profile);

        List<String> expected = OLD_PARSER.lines().toList();
        for (int i = 0; i < Math.max(expected.size(), lines.size()); i++) {
            assertEquals(i < expected.size() ? expected.get(i) : null, i < lines.size() ? lines.get(i) : null);
        }
    }

    @Test
    void optionsKeepTheirDefaultsAndTheLastOfARepeatedOneWins() {
        // the recipe's values where no option names them
        TrainCommand t = parsed(TrainCommand.class, "train", "--data", "d", "--out", "o", "--kimg", "1");
        assertEquals("GeneratorConfig[resolution=32, imageChannels=3, zDim=128, wDim=128, mappingLayers=2, "
                + "mappingLrMul=0.01, channels={4=64, 8=64, 16=64, 32=64}]", t.architecture(32, 3).toString());
        assertEquals(16, t.train.config(32, List.of()).batch());
        assertEquals(250, t.train.runOptions(16).snapshotEvery(), "a snapshot every 4 kimg: 250 steps of 16");
        // scripts append overrides: the last value counts, as with the hand-written parser
        TrainCommand twice = parsed(TrainCommand.class, "train", "--data", "d", "--out", "o", "--kimg", "1",
                "--batch", "16", "--batch", "8", "--xflip", "--xflip");
        assertEquals(8, twice.train.config(32, List.of()).batch());
        assertTrue(twice.train.xflip);
        // name=value works as before
        assertEquals(0.5f, parsed(RenderCommand.class, "render", "--checkpoint=a.pt", "--seeds=3",
                "--truncation=0.5", "--out=x.png").latents.truncation);
        BenchCommand bench = parsed(BenchCommand.class, "bench");
        assertEquals(List.of(32, 64, 256), bench.generate.resolutions);
        assertEquals(List.of(32, 64), parsed(BenchCommand.Reference.class, "bench", "reference").resolutions);
        assertEquals(List.of(64, 128), parsed(BenchCommand.Train.class, "bench", "train").channels);
        InvertCommand inv = parsed(InvertCommand.class, "invert", "--checkpoint", "a", "--images", "i", "--out", "l.npy");
        InversionOptions io = inv.inversion;
        assertEquals(List.of(500, 0.1f, 1f, 1f, 8, 1), List.of(io.steps, io.lr, io.pixel, io.perceptual,
                io.batch, io.seed));
        assertEquals(org.stylealign.apps.Inversion.Space.W_PLUS, io.space);
        TranslateCommand tr = parsed(TranslateCommand.class, "translate", "--checkpoint", "a", "--to", "c1", "--to",
                "c2", "--latents", "l.npy", "--space", "z", "--out", "t.png");
        assertEquals(List.of(java.nio.file.Path.of("c1"), java.nio.file.Path.of("c2")), tr.targets);
        assertEquals(org.stylealign.apps.Inversion.Space.Z, tr.inversion.space);
        assertEquals(500, tr.inversion.steps, "the same defaults as invert");
        assertEquals(List.of("avataaars", "personas", "micah"),
                parsed(MetricsCommand.TrainSegmenter.class, "metrics", "train-segmenter", "--out", "s").domains);
        assertEquals("family.json", parsed(FamilyCommand.Check.class, "family", "check").family);
    }
}
