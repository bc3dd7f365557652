package org.stylealign.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.stylealign.model.Devices;
import org.stylealign.model.StyleGan2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A family of aligned models described by a {@code family.json}: each member names its checkpoint, the domain it
 * was trained on, the member it was fine-tuned from, its training log and the snapshots taken while it was trained.
 * Paths in the file are relative to its folder. The workbench's own family is {@code models/family.json}.
 *
 * <p>Each member may also say what it is for the analyses ({@code "role"}: parent, child with a {@code "distance"}
 * hint, grandchild, control, locality with its {@code "transform"}, resolution), so that notebooks ask for "the
 * parent" or "the close children" instead of names. Members without a role get one from the tree: the parent is the
 * declared one, else the first root with children, else the first root; every other root is a control (trained
 * independently); a member fine-tuned from the parent is a child (distance unknown), one further down the parent's
 * tree a grandchild, and anything under a control has no role ({@link Role#OTHER}). Locality and resolution children
 * are never inferred: a family says which they are.
 */
public final class ModelFamily {

    /** What a member is for in the analyses. */
    public enum Role {
        /** the model the others were fine-tuned from (FFHQ in the paper) */
        PARENT,
        /** fine-tuned from the parent to another domain */
        CHILD,
        /** fine-tuned from a child (or deeper), e.g. back to the parent's domain (hidden knowledge) */
        GRANDCHILD,
        /** trained independently of the parent: the not-aligned baseline */
        CONTROL,
        /** fine-tuned from the parent on its domain moved by a fixed spatial transform (paper Fig. 15) */
        LOCALITY,
        /** fine-tuned from the parent at another resolution (paper Fig. 30) */
        RESOLUTION,
        /** in the family, but not in any of the roles above (e.g. a control's child) */
        OTHER;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Role parse(String s) {
            for (Role r : values()) {
                if (r != OTHER && r.key().equals(s)) {
                    return r;
                }
            }
            return null;
        }
    }

    /** How far a child's domain is from its parent's (a hint the family gives; UNKNOWN when it gives none). */
    public enum Distance {
        CLOSE, DISTANT, UNKNOWN;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The fixed spatial transform a locality child's data was rendered with: flip (left-right), then rotation about
     * the centre by {@code rotate} degrees (a multiple of 90), then a shift by a percentage of the image size (right
     * and down positive).
     */
    public record Transform(int rotate, int shiftX, int shiftY, boolean flip) {

        public Transform {
            if (Math.floorMod(rotate, 90) != 0) {
                throw new IllegalArgumentException("rotate must be a multiple of 90 degrees, got " + rotate);
            }
            if (Math.abs(shiftX) > 100 || Math.abs(shiftY) > 100) {
                throw new IllegalArgumentException("shifts are percentages of the size in -100..100, got "
                        + shiftX + ", " + shiftY);
            }
        }

        /** e.g. "shift x 20%", "rotate 180", "flip, shift y -10%". */
        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            if (flip) {
                parts.add("flip");
            }
            if (Math.floorMod(rotate, 360) != 0) {
                parts.add("rotate " + rotate);
            }
            if (shiftX != 0) {
                parts.add("shift x " + shiftX + "%");
            }
            if (shiftY != 0) {
                parts.add("shift y " + shiftY + "%");
            }
            return parts.isEmpty() ? "none" : String.join(", ", parts);
        }
    }

    /**
     * One model of the family.
     *
     * @param name        short name used everywhere (P, C1, ...)
     * @param parent      the member it was fine-tuned from, or null for a model trained from scratch
     * @param domain      the domain it was trained on (a built dataset's domain name)
     * @param data        how its data differs from the plain domain (e.g. "shifted right 20%"), or ""
     * @param style       the style name of its data (the domain, or e.g. "avataaars-tx20": a domain classifier
     *                    class and a dataset builder's spec)
     * @param description one line for tables
     * @param kimg        thousands of images shown in its own training (not counting its ancestors')
     * @param checkpoint  the checkpoint file
     * @param log         its training log (metrics.csv), or null
     * @param quality     its per-snapshot quality (quality.csv), or null
     * @param snapshots   snapshots taken during its training, in order, with the images seen at each (kimg)
     * @param command     the command that trained it
     * @param role        what it is for in the analyses (declared, or inferred from the tree)
     * @param declared    whether the file declares the role
     * @param distance    for a child, how far its domain is from the parent's; UNKNOWN otherwise
     * @param transform   for a locality child, the transform of its data; null otherwise
     */
    public record Member(String name, String parent, String domain, String data, String style, String description,
                         double kimg,
                         Path checkpoint, Path log, Path quality, List<Snapshot> snapshots, String command,
                         Role role, boolean declared, Distance distance, Transform transform) {

        public boolean isRoot() {
            return parent == null;
        }

        /** The role as the tree prints it: "child, close", "locality, shift x 20%", "control". */
        public String roleText() {
            String r = role.key();
            if (role == Role.CHILD && distance != Distance.UNKNOWN) {
                r += ", " + distance.key();
            } else if (role == Role.LOCALITY) {
                r += ", " + transform;
            }
            return r + (declared ? "" : ", inferred");
        }

        Member withRole(Role r) {
            return new Member(name, parent, domain, data, style, description, kimg, checkpoint, log, quality,
                    snapshots, command, r, false, Distance.UNKNOWN, null);
        }
    }

    /** A snapshot of a member's training: the checkpoint after {@code kimg} thousand images. */
    public record Snapshot(double kimg, Path checkpoint) {
    }

    private final Path file;
    private final Map<String, Member> members;
    private final Map<Path, org.stylealign.model.GeneratorConfig> configs = new java.util.concurrent.ConcurrentHashMap<>();
    /** 1, or the factor by which {@link #preview} divides every member's resolution. */
    private final int divisor;

    private ModelFamily(Path file, Map<String, Member> members) {
        this(file, members, 1);
    }

    private ModelFamily(Path file, Map<String, Member> members, int divisor) {
        this.file = file;
        this.members = Collections.unmodifiableMap(members);
        this.divisor = divisor;
    }

    /**
     * The same family with every member cut to a lower resolution: its synthesis blocks above the new one are left out
     * ({@link ModelIO#atResolution}; each block has its own toRGB, so the cut generator renders the image its lower
     * blocks contribute). Every member's resolution is divided by the same factor ({@code parentResolution} is the
     * parent's new one), so a resolution child stays a resolution child; none goes below 8 px. A quick stand-in for
     * a large family where only the code paths matter (smoke runs): its images are not the family's images, and its
     * discriminators get a fresh, untrained input layer.
     */
    public ModelFamily preview(int parentResolution) throws CheckpointException {
        int own = config(parent().name()).resolution();
        if (parentResolution > own || Integer.bitCount(parentResolution) != 1 || parentResolution < 8) {
            throw new CheckpointException(file + ": preview resolution " + parentResolution
                    + " must be a power of two from 8 up to the parent's " + own + " px");
        }
        ModelFamily base = divisor == 1 ? this : original();
        ModelFamily v = new ModelFamily(file, members, divisor * (own / parentResolution));
        v.configs.putAll(base.configs);
        return v;
    }

    /** Whether {@link #preview} made this family (members load at lower resolutions than their files hold). */
    public boolean isPreview() {
        return divisor > 1;
    }

    /** The family as its files hold it (itself unless it is a {@link #preview}). */
    public ModelFamily original() {
        if (divisor == 1) {
            return this;
        }
        ModelFamily f = new ModelFamily(file, members, 1);
        f.configs.putAll(configs);
        return f;
    }

    private int previewResolution(int own) {
        return Math.max(8, own / divisor);
    }

    /** Reads a family file; every checkpoint it names must exist (a clear error names the first missing one). */
    public static ModelFamily load(Path file) throws CheckpointException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the model family file (" + e.getMessage() + ")", e);
        }
        return parse(file, text);
    }

    /**
     * A family from the text of a family.json that is (or is about to be) {@code file}: paths resolve against its
     * folder. Checks as {@link #load} does, so a writer can verify a file before it replaces the old one.
     */
    public static ModelFamily parse(Path file, String text) throws CheckpointException {
        Path dir = file.toAbsolutePath().getParent();
        Map<String, Member> out = new LinkedHashMap<>();
        try {
            JsonObject root = JsonParser.parseString(text).getAsJsonObject();
            JsonArray arr = root.getAsJsonArray("models");
            if (arr == null || arr.isEmpty()) {
                throw new CheckpointException(file + ": no \"models\" list");
            }
            for (JsonElement e : arr) {
                Member m = member(file, dir, e.getAsJsonObject());
                if (out.put(m.name(), m) != null) {
                    throw new CheckpointException(file + ": model '" + m.name() + "' is listed twice");
                }
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new CheckpointException(file + ": not a valid model family file (" + e.getMessage() + ")", e);
        }
        for (Member m : out.values()) {
            if (m.parent() != null && !out.containsKey(m.parent())) {
                throw new CheckpointException(file + ": model '" + m.name() + "' names the parent '" + m.parent()
                        + "', which is not in the family");
            }
        }
        for (Member m : out.values()) {
            // a cycle (A from B, B from A) would make lineage() loop: refuse it here
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Member a = m; a != null; a = a.parent() == null ? null : out.get(a.parent())) {
                if (!seen.add(a.name())) {
                    throw new CheckpointException(file + ": model '" + m.name() + "' descends from itself");
                }
            }
        }
        return new ModelFamily(file, roles(file, out));
    }

    /** Checks the declared roles against the tree and gives every other member its inferred role. */
    private static Map<String, Member> roles(Path file, Map<String, Member> in) throws CheckpointException {
        List<Member> parents = in.values().stream().filter(m -> m.declared() && m.role() == Role.PARENT).toList();
        if (parents.size() > 1) {
            throw new CheckpointException(file + ": more than one model has the role \"parent\" ("
                    + parents.stream().map(Member::name).toList() + "); a family has one parent");
        }
        Member parent = parents.isEmpty() ? null : parents.get(0);
        if (parent == null) {
            List<Member> roots = in.values().stream()
                    .filter(m -> m.isRoot() && !(m.declared() && m.role() == Role.CONTROL)).toList();
            parent = roots.stream().filter(r -> in.values().stream().anyMatch(c -> r.name().equals(c.parent())))
                    .findFirst().orElse(roots.isEmpty() ? null : roots.get(0));
        }
        if (parent == null) {
            throw new CheckpointException(file + ": no model can be the parent (every root is declared a control)");
        }
        Map<String, Member> out = new LinkedHashMap<>();
        for (Member m : in.values()) {
            String where = file + ": model '" + m.name() + "'";
            List<String> lineage = new ArrayList<>();
            for (Member a = m; a != null; a = a.parent() == null ? null : in.get(a.parent())) {
                lineage.add(0, a.name());
            }
            boolean underParent = lineage.get(0).equals(parent.name());
            if (m.declared()) {
                switch (m.role()) {
                    case PARENT, CONTROL -> {
                        if (!m.isRoot()) {
                            throw new CheckpointException(where + " has the role \"" + m.role().key()
                                    + "\" but was fine-tuned from '" + m.parent()
                                    + "': a parent or control is trained from scratch (drop \"parent\" or the role)");
                        }
                    }
                    case CHILD, LOCALITY, RESOLUTION -> {
                        if (!parent.name().equals(m.parent())) {
                            throw new CheckpointException(where + " has the role \"" + m.role().key()
                                    + "\" but its \"parent\" is " + (m.parent() == null ? "not set" : "'" + m.parent() + "'")
                                    + ", not the family's parent '" + parent.name() + "'");
                        }
                    }
                    case GRANDCHILD -> {
                        if (!underParent || lineage.size() < 3) {
                            throw new CheckpointException(where + " has the role \"grandchild\" but its lineage "
                                    + lineage + " does not go back through a child to the family's parent '"
                                    + parent.name() + "'");
                        }
                    }
                    default -> throw new IllegalStateException(m.role().toString());
                }
                out.put(m.name(), m);
            } else {
                Role r = m.name().equals(parent.name()) ? Role.PARENT
                        : m.isRoot() ? Role.CONTROL
                        : !underParent ? Role.OTHER
                        : lineage.size() == 2 ? Role.CHILD : Role.GRANDCHILD;
                out.put(m.name(), m.withRole(r));
            }
        }
        return out;
    }

    private static Member member(Path file, Path dir, JsonObject o) throws CheckpointException {
        String name = string(file, o, "name", null, true);
        String where = file + ": model '" + name + "'";
        Path ck = existing(where, dir, string(file, o, "checkpoint", name, true));
        List<Snapshot> snaps = new ArrayList<>();
        JsonArray sa = o.getAsJsonArray("snapshots");
        if (sa != null) {
            for (JsonElement e : sa) {
                JsonObject s = e.getAsJsonObject();
                snaps.add(new Snapshot(s.get("kimg").getAsDouble(),
                        existing(where, dir, string(file, s, "checkpoint", name, true))));
            }
        }
        String log = string(file, o, "log", name, false);
        String quality = string(file, o, "quality", name, false);
        String domain = string(file, o, "domain", name, true);
        String style = string(file, o, "style", name, false);
        String roleText = string(file, o, "role", name, false);
        Role role = roleText == null ? Role.OTHER : Role.parse(roleText.trim().toLowerCase(java.util.Locale.ROOT));
        if (role == null) {
            throw new CheckpointException(where + ": unknown \"role\" '" + roleText + "' (one of parent, child, "
                    + "grandchild, control, locality, resolution)");
        }
        String distanceText = string(file, o, "distance", name, false);
        Distance distance = Distance.UNKNOWN;
        if (distanceText != null) {
            if (role != Role.CHILD) {
                throw new CheckpointException(where + ": \"distance\" is a hint for a child; this model's role is "
                        + (roleText == null ? "not declared (add \"role\": \"child\")" : "'" + roleText + "'"));
            }
            distance = switch (distanceText.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "close" -> Distance.CLOSE;
                case "distant" -> Distance.DISTANT;
                default -> throw new CheckpointException(where + ": \"distance\" must be close or distant, got '"
                        + distanceText + "'");
            };
        }
        Transform transform = null;
        JsonElement te = o.get("transform");
        if (te != null && !te.isJsonNull()) {
            if (role != Role.LOCALITY) {
                throw new CheckpointException(where + ": a \"transform\" belongs to a locality child (\"role\": "
                        + "\"locality\")");
            }
            transform = transform(where, te);
        } else if (role == Role.LOCALITY) {
            throw new CheckpointException(where + ": a locality child needs the \"transform\" of its data, e.g. "
                    + "{\"shift_x\": 20} or {\"rotate\": 180}");
        }
        return new Member(name, string(file, o, "parent", name, false), domain,
                orEmpty(string(file, o, "data", name, false)), style == null ? domain : style,
                orEmpty(string(file, o, "description", name, false)),
                o.has("kimg") ? o.get("kimg").getAsDouble() : Double.NaN, ck,
                log == null ? null : existing(where, dir, log), quality == null ? null : existing(where, dir, quality),
                List.copyOf(snaps), orEmpty(string(file, o, "command", name, false)),
                role, roleText != null, distance, transform);
    }

    /** {"shift_x": 20, "shift_y": 0, "rotate": 180, "flip": true}, every key optional. */
    private static Transform transform(String where, JsonElement e) throws CheckpointException {
        if (!e.isJsonObject()) {
            throw new CheckpointException(where + ": \"transform\" must be an object like {\"shift_x\": 20}, got " + e);
        }
        JsonObject t = e.getAsJsonObject();
        for (String k : t.keySet()) {
            if (!List.of("shift_x", "shift_y", "rotate", "flip").contains(k)) {
                throw new CheckpointException(where + ": unknown key '" + k + "' in \"transform\" (shift_x, shift_y "
                        + "in percent of the size, rotate in degrees, flip)");
            }
        }
        try {
            return new Transform(t.has("rotate") ? t.get("rotate").getAsInt() : 0,
                    t.has("shift_x") ? t.get("shift_x").getAsInt() : 0,
                    t.has("shift_y") ? t.get("shift_y").getAsInt() : 0,
                    t.has("flip") && t.get("flip").getAsBoolean());
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException ex) {
            throw new CheckpointException(where + ": bad \"transform\" " + t + " (" + ex.getMessage() + ")", ex);
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String string(Path file, JsonObject o, String key, String model, boolean required)
            throws CheckpointException {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new CheckpointException(file + ": " + (model == null ? "a model" : "model '" + model + "'")
                        + " has no \"" + key + "\"");
            }
            return null;
        }
        return e.getAsString();
    }

    private static Path existing(String where, Path dir, String rel) throws CheckpointException {
        Path p = dir.resolve(rel).normalize();
        if (!Files.isRegularFile(p)) {
            throw new CheckpointException(where + ": " + p + " does not exist");
        }
        return p;
    }

    public Path file() {
        return file;
    }

    /** The members in file order (parents before their children). */
    public List<Member> members() {
        return List.copyOf(members.values());
    }

    public List<String> names() {
        return List.copyOf(members.keySet());
    }

    public Member member(String name) {
        Member m = members.get(name);
        if (m == null) {
            throw new NoSuchElementException("no model '" + name + "' in " + file + " (it has " + names() + ")");
        }
        return m;
    }

    /** The members fine-tuned directly from {@code name}. */
    public List<Member> children(String name) {
        member(name);
        return members.values().stream().filter(m -> name.equals(m.parent())).toList();
    }

    /** The chain from the root to {@code name}, e.g. [P, C2, G]. */
    public List<Member> lineage(String name) {
        List<Member> chain = new ArrayList<>();
        for (Member m = member(name); m != null; m = m.parent() == null ? null : members.get(m.parent())) {
            chain.add(0, m);
        }
        return chain;
    }

    /**
     * A member's fine-tuning trajectory (paper Fig. 4, 13): the checkpoint it started from (its parent's, at 0 kimg)
     * followed by its snapshots in the order the family lists them. A root has no parent: its own snapshots only.
     */
    public List<Snapshot> trajectory(String name) {
        Member m = member(name);
        List<Snapshot> out = new java.util.ArrayList<>();
        if (m.parent() != null) {
            out.add(new Snapshot(0, member(m.parent()).checkpoint()));
        }
        out.addAll(m.snapshots());
        return List.copyOf(out);
    }

    /** The parent: the member every child was fine-tuned from (every family has one). */
    public Member parent() {
        return withRole(Role.PARENT).get(0);
    }

    /** Every child of the parent (role child, either distance), in file order. */
    public List<Member> children() {
        return withRole(Role.CHILD);
    }

    /** The children with the given distance hint (UNKNOWN: the children without one). */
    public List<Member> children(Distance d) {
        return children().stream().filter(m -> m.distance() == d).toList();
    }

    /** The grandchildren (and deeper descendants of the parent); {@link #lineage} gives each one's path. */
    public List<Member> grandchildren() {
        return withRole(Role.GRANDCHILD);
    }

    /** The first control (an independently trained parent), if the family has one. */
    public java.util.Optional<Member> control() {
        return controls().stream().findFirst();
    }

    public List<Member> controls() {
        return withRole(Role.CONTROL);
    }

    /** The children trained on the parent's domain moved by a fixed transform, each with its {@code transform()}. */
    public List<Member> locality() {
        return withRole(Role.LOCALITY);
    }

    /** The children fine-tuned from the parent at another resolution. */
    public List<Member> resolutionChildren() {
        return withRole(Role.RESOLUTION);
    }

    public List<Member> withRole(Role r) {
        return members.values().stream().filter(m -> m.role() == r).toList();
    }

    /** The roles of {@code wanted} the family has no member for, e.g. to say which sections a notebook skips. */
    public List<Role> missing(Role... wanted) {
        return java.util.Arrays.stream(wanted).filter(r -> withRole(r).isEmpty()).toList();
    }

    /** One line per role: "parent: P", "children: C1 (close), C2 (distant)", ..., "control: none". */
    public String roles() {
        StringBuilder b = new StringBuilder();
        for (Role r : Role.values()) {
            List<Member> ms = withRole(r);
            if (r == Role.OTHER && ms.isEmpty()) {
                continue;
            }
            b.append(String.format("%-12s", r.key() + ":"));
            b.append(ms.isEmpty() ? "none" : String.join(", ", ms.stream().map(m -> m.name() + switch (r) {
                case CHILD -> m.distance() == Distance.UNKNOWN ? "" : " (" + m.distance().key() + ")";
                case LOCALITY -> " (" + m.transform() + ")";
                case GRANDCHILD -> " (" + String.join(" > ", lineage(m.name()).stream().map(Member::name).toList()) + ")";
                default -> "";
            }).toList()));
            if (ms.stream().anyMatch(m -> !m.declared())) {
                b.append("  [inferred from the tree]");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * The generator architecture of a member, read from its file without building the networks (cached); in a
     * {@link #preview}, the architecture it loads with.
     */
    public org.stylealign.model.GeneratorConfig config(String name) throws CheckpointException {
        Path ck = member(name).checkpoint();
        org.stylealign.model.GeneratorConfig c = configs.get(ck);
        if (c == null) {
            c = Checkpoints.read(ck).generatorConfig();
            if (c == null) {
                throw new CheckpointException(ck + ": model '" + name + "' holds no generator");
            }
            configs.put(ck, c);
        }
        return divisor == 1 ? c : ModelIO.cropped(c, previewResolution(c.resolution()));
    }

    /** Loads a member's networks (G_ema always; G and D when its file holds them), cut in a {@link #preview}. */
    public StyleGan2 load(String name) throws CheckpointException {
        return ModelIO.build(read(name), Devices.preferred());
    }

    /** Loads a snapshot of a member's {@link #trajectory}, cut in a {@link #preview} as the members are. */
    public StyleGan2 load(Snapshot snapshot) throws CheckpointException {
        return ModelIO.build(read(snapshot.checkpoint()), Devices.preferred());
    }

    /**
     * A member's checkpoint as imported, without building networks (e.g. to fine-tune from it:
     * {@code Snapshots.finetune}); cut in a {@link #preview}.
     */
    public ImportedCheckpoint read(String name) throws CheckpointException {
        return read(member(name).checkpoint());
    }

    private ImportedCheckpoint read(Path file) throws CheckpointException {
        ImportedCheckpoint full = Checkpoints.read(file);
        if (divisor == 1 || full.generatorConfig() == null) {
            return full;
        }
        return ModelIO.atMost(full, previewResolution(full.generatorConfig().resolution()), 0);
    }

    /** The family as an indented tree, one member per line: "P  avataaars  (parent ...)". */
    public String tree() {
        StringBuilder b = new StringBuilder();
        for (Member m : members.values()) {
            if (m.isRoot()) {
                tree(b, m, "", "");
            }
        }
        return b.toString();
    }

    private void tree(StringBuilder b, Member m, String lead, String branch) {
        b.append(lead).append(branch).append(m.name()).append("  ").append(m.domain());
        if (!m.data().isEmpty()) {
            b.append(" (").append(m.data()).append(')');
        }
        if (!Double.isNaN(m.kimg())) {
            b.append(String.format(java.util.Locale.ROOT, ", %.0f kimg", m.kimg()));
        }
        b.append("  [").append(m.roleText()).append(']');
        b.append('\n');
        List<Member> kids = children(m.name());
        String next = lead + (branch.isEmpty() ? "" : branch.startsWith("└") ? "   " : "│  ");
        for (int i = 0; i < kids.size(); i++) {
            tree(b, kids.get(i), next, i == kids.size() - 1 ? "└─ " : "├─ ");
        }
    }
}
