package org.stylealign.viz;

import org.stylealign.apps.Encoder;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.Checkpoints;
import org.stylealign.io.ImportedCheckpoint;
import org.stylealign.io.ModelIO;
import org.stylealign.io.ModelFamily;
import org.stylealign.model.Devices;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.StyleGan2;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Settings every notebook reads: where the repository and the report folder are, whether this is a smoke run, and
 * which model to load. Each is an environment variable (set by {@code ./workbench}) with a system-property twin that
 * takes precedence (for tests), and a default that works when a notebook is opened by hand.
 */
public final class Workbench {

    /** The default model: the parent of the family shipped in the repository (models/README.md). */
    public static final String DEFAULT_MODEL = "models/P.safetensors";
    /** The family of aligned models shipped in the repository. */
    public static final String FAMILY = "models/family.json";
    /** The shipped pose family (parent and children trained on randomly rotated data), next to {@link #FAMILY}. */
    public static final String POSE_FAMILY = "models/pose-family.json";
    /** The model used when the repository holds no family: a shared toy fixture (noise-like images). */
    public static final String FALLBACK_MODEL = "stylegan2/rosinality-s32-sd64-mlp4-ch64.pt";
    /** The emoji pair of the paired translation benchmark (models/README.md), once trained. */
    public static final String EMOJI_FAMILY = "models/emoji-family.json";
    /** The shipped edge-map family (P and PE), written by {@code models/train-family.sh edge-family}. */
    public static final String EDGE_FAMILY = "models/edge-family.json";

    private Workbench() {
    }

    /** The repository root: STYLEALIGN_HOME, else the nearest folder above the working directory holding workbench. */
    public static Path home() {
        return home(System.getenv(), System.getProperties());
    }

    /** The report root (STYLEALIGN_REPORTS, default {@code <home>/reports}); figures and tables go below it. */
    public static Path reports() {
        return reports(System.getenv(), System.getProperties());
    }

    /** True when STYLEALIGN_SMOKE is 1/true/yes: notebooks shrink their work to a quick check. */
    public static boolean smoke() {
        return smoke(System.getenv(), System.getProperties());
    }

    /** {@code full} in a normal run, {@code smoke} in a smoke run. */
    public static int pick(int full, int smoke) {
        return smoke() ? smoke : full;
    }

    /** The shared fixtures: STYLEALIGN_FIXTURES, else {@code <home>/../shared/fixtures}. */
    public static Path fixtures() {
        return fixtures(System.getenv(), System.getProperties());
    }

    /**
     * The model the notebooks load: STYLEALIGN_MODEL, else the parent of the family STYLEALIGN_FAMILY names, else the
     * shipped family's parent {@link #DEFAULT_MODEL}, else (a checkout without models) {@link #FALLBACK_MODEL} under
     * {@link #fixtures()}.
     */
    public static Path model() {
        return model(System.getenv(), System.getProperties());
    }

    /**
     * Loads {@link #model()}. In a smoke run a model too costly per image is cut to a lower resolution, as
     * {@link #family()} previews a family ({@link Budget#previewResolution}), and a line says so.
     */
    public static StyleGan2 loadModel() throws CheckpointException {
        Path p = model();
        if (!smoke()) {
            return ModelIO.load(p);
        }
        ImportedCheckpoint ck = Checkpoints.read(p);
        GeneratorConfig c = ck.generatorConfig();
        int r = c == null ? 0 : Budget.previewResolution(c, threads());
        if (c != null && r < c.resolution()) {
            System.out.printf(Locale.ROOT, "Smoke run on a preview: %s cut from %d to %d px (one %d px image costs "
                    + "%.0fx the shipped parent's); the images below only check that every cell runs.%n",
                    p.getFileName(), c.resolution(), r, c.resolution(), Budget.cost(c));
        }
        return ModelIO.build(c == null ? ck : ModelIO.atMost(ck, r, 0), Devices.preferred());
    }

    /**
     * The aligned model family: STYLEALIGN_FAMILY (a family.json), else {@link #FAMILY} in the repository. In a smoke
     * run, a family too costly per image is a {@link ModelFamily#preview} ({@link Budget#previewResolution}).
     */
    public static ModelFamily family() throws CheckpointException {
        ModelFamily f = ModelFamily.load(family(System.getenv(), System.getProperties()));
        if (!smoke()) {
            return f;
        }
        GeneratorConfig parent = f.config(f.parent().name());
        int r = Budget.previewResolution(parent, threads());
        return r < parent.resolution() ? f.preview(r) : f;
    }

    /**
     * The pose family (paper Fig. 29: models trained on randomly rotated data, {@link #POSE_FAMILY}):
     * STYLEALIGN_POSE_FAMILY when set; else, when STYLEALIGN_FAMILY names a family of the user's own, that family
     * (whether it has rotation truth is {@code apps.ZeroShotPose.missing}'s to say); else the shipped file when it
     * exists; else empty.
     */
    public static java.util.Optional<ModelFamily> poseFamily() throws CheckpointException {
        java.util.Optional<Path> f = poseFamily(System.getenv(), System.getProperties());
        return f.isPresent() ? java.util.Optional.of(ModelFamily.load(f.get())) : java.util.Optional.empty();
    }

    /** The sample budget for the family's resolution and this machine ({@link Budget}). */
    public static Budget budget() throws CheckpointException {
        return Budget.of(family());
    }

    /** PyTorch intra-op threads of this process: STYLEALIGN_THREADS (as the kernel is started), default 2. */
    public static int threads() {
        String v = setting(System.getenv(), System.getProperties(), "STYLEALIGN_THREADS", "stylealign.threads");
        try {
            return v == null ? 2 : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 2;
        }
    }

    private static final java.util.List<String> SKIPPED = new java.util.ArrayList<>();

    /**
     * Says that a section does not run and why (e.g. the family has no control), and remembers it for
     * {@link #skipped()}: a notebook run on a family without some role says what it left out instead of failing.
     */
    public static void skip(String section, String why) {
        String line = section + ": " + why;
        synchronized (SKIPPED) {
            SKIPPED.add(line);
        }
        System.out.println("SKIPPED " + line);
    }

    /**
     * The encoder of {@code parent} (generator {@code g}), found beside its checkpoint as
     * {@code encoder-<NAME>.safetensors} ({@link Encoder#besideCheckpoint}); when there is none, or it was made for
     * another generator, {@code section} is recorded as skipped with the reason and the result is empty.
     */
    public static java.util.Optional<Encoder> encoder(ModelFamily.Member parent, org.stylealign.model.Generator g,
                                                      String section) {
        Path file = Encoder.besideCheckpoint(parent.checkpoint(), parent.name());
        if (!Files.exists(file)) {
            skip(section, "the parent " + parent.name() + " has no encoder (looked for " + file + ")");
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Encoder.load(file, g));
        } catch (CheckpointException e) {
            skip(section, e.getMessage());
            return java.util.Optional.empty();
        }
    }

    /** Every section skipped so far in this kernel, one per line, or a line saying nothing was. */
    public static String skipped() {
        synchronized (SKIPPED) {
            return SKIPPED.isEmpty() ? "Nothing was skipped: every section ran on this family."
                    : "Skipped in this run (" + SKIPPED.size() + "):\n  " + String.join("\n  ", SKIPPED);
        }
    }

    /** One line for the top of a notebook: mode, kernel, folders. */
    public static String describe() {
        return "StyleAlign workbench | mode " + (smoke() ? "smoke" : "full") + " | kernel " + Display.kernel()
                + " | reports " + reports() + " | family " + family(System.getenv(), System.getProperties())
                + " | model " + model();
    }

    /**
     * The family to look for an emoji pair in (a parent on one emoji set, a child on another; notebook 09's paired
     * benchmark): STYLEALIGN_EMOJI_FAMILY when set; else, when STYLEALIGN_FAMILY names a family of the user's own,
     * that family (as for the other sections); else {@link #EMOJI_FAMILY} when it exists; else {@link #family()}.
     */
    public static ModelFamily emojiFamily() throws CheckpointException {
        Path f = emojiFamily(System.getenv(), System.getProperties());
        return f != null ? ModelFamily.load(f) : family();
    }

    static Path emojiFamily(Map<String, String> env, Properties props) {
        return sideFamily(env, props, "STYLEALIGN_EMOJI_FAMILY", "stylealign.emoji.family", EMOJI_FAMILY);
    }

    /**
     * The family to look for an edge-map child in (the parent fine-tuned on edge maps of its own images; notebook
     * 09's translation from drawings, Fig. 37), found as {@link #emojiFamily()} is: STYLEALIGN_EDGE_FAMILY, else the
     * user's STYLEALIGN_FAMILY, else {@link #EDGE_FAMILY} when it exists, else {@link #family()}. A separate file, so
     * that the analyses of the main family do not count the edge-map child among its children.
     */
    public static ModelFamily edgeFamily() throws CheckpointException {
        Path f = edgeFamily(System.getenv(), System.getProperties());
        return f != null ? ModelFamily.load(f) : family();
    }

    static Path edgeFamily(Map<String, String> env, Properties props) {
        return sideFamily(env, props, "STYLEALIGN_EDGE_FAMILY", "stylealign.edge.family", EDGE_FAMILY);
    }

    private static Path sideFamily(Map<String, String> env, Properties props, String key, String property,
                                   String shippedFile) {
        String v = setting(env, props, key, property);
        if (v != null) {
            return Path.of(v).toAbsolutePath().normalize();
        }
        if (setting(env, props, "STYLEALIGN_FAMILY", "stylealign.family") != null) {
            return family(env, props);
        }
        Path shipped = home(env, props).resolve(shippedFile);
        return Files.isRegularFile(shipped) ? shipped : null;
    }

    static Path home(Map<String, String> env, Properties props) {
        String v = setting(env, props, "STYLEALIGN_HOME", "stylealign.home");
        if (v != null) {
            return Path.of(v).toAbsolutePath().normalize();
        }
        Path start = Path.of(props.getProperty("user.dir", ".")).toAbsolutePath().normalize();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("workbench")) && Files.isDirectory(p.resolve("notebooks"))) {
                return p;
            }
        }
        // Opened from notebooks/ of an unrecognised layout: its parent is the best guess.
        return start.getFileName() != null && start.getFileName().toString().equals("notebooks")
                ? start.getParent() : start;
    }

    static Path reports(Map<String, String> env, Properties props) {
        String v = setting(env, props, "STYLEALIGN_REPORTS", "stylealign.reports");
        return v != null ? Path.of(v).toAbsolutePath().normalize() : home(env, props).resolve("reports");
    }

    static boolean smoke(Map<String, String> env, Properties props) {
        String v = setting(env, props, "STYLEALIGN_SMOKE", "stylealign.smoke");
        if (v == null) {
            return false;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        return s.equals("1") || s.equals("true") || s.equals("yes") || s.equals("on");
    }

    static Path fixtures(Map<String, String> env, Properties props) {
        String v = setting(env, props, "STYLEALIGN_FIXTURES", "stylealign.fixtures");
        return v != null ? Path.of(v).toAbsolutePath().normalize()
                : home(env, props).resolve("../shared/fixtures").normalize();
    }

    static Path model(Map<String, String> env, Properties props) {
        String v = setting(env, props, "STYLEALIGN_MODEL", "stylealign.model");
        if (v != null) {
            return Path.of(v).toAbsolutePath().normalize();
        }
        if (setting(env, props, "STYLEALIGN_FAMILY", "stylealign.family") != null) {
            // a user's family: its parent, whatever it is called
            Path f = family(env, props);
            try {
                return ModelFamily.load(f).parent().checkpoint();
            } catch (CheckpointException e) {
                throw new IllegalStateException("STYLEALIGN_FAMILY: " + e.getMessage(), e);
            }
        }
        Path parent = home(env, props).resolve(DEFAULT_MODEL);
        return Files.isRegularFile(parent) ? parent : fixtures(env, props).resolve(FALLBACK_MODEL);
    }

    static java.util.Optional<Path> poseFamily(Map<String, String> env, Properties props) {
        String v = setting(env, props, "STYLEALIGN_POSE_FAMILY", "stylealign.pose.family");
        if (v != null) {
            return java.util.Optional.of(Path.of(v).toAbsolutePath().normalize());
        }
        if (setting(env, props, "STYLEALIGN_FAMILY", "stylealign.family") != null) {
            return java.util.Optional.of(family(env, props));
        }
        Path shipped = home(env, props).resolve(POSE_FAMILY);
        return Files.isRegularFile(shipped) ? java.util.Optional.of(shipped) : java.util.Optional.empty();
    }

    static Path family(Map<String, String> env, Properties props) {
        String v = setting(env, props, "STYLEALIGN_FAMILY", "stylealign.family");
        return v != null ? Path.of(v).toAbsolutePath().normalize() : home(env, props).resolve(FAMILY);
    }

    private static String setting(Map<String, String> env, Properties props, String var, String prop) {
        // The system property wins: a test or a caller can override what the environment says.
        String v = props.getProperty(prop);
        if (v == null || v.isBlank()) {
            v = env.get(var);
        }
        return v == null || v.isBlank() ? null : v;
    }
}
