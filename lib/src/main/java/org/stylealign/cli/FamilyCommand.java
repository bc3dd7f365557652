package org.stylealign.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.stylealign.io.AtomicFiles;
import org.stylealign.io.CheckpointException;
import org.stylealign.io.ModelFamily;
import org.stylealign.io.ModelIO;
import org.stylealign.model.GeneratorConfig;
import org.stylealign.model.StyleGan2;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `stylealign family init|add|check`: a family.json from checkpoints a user already has (paths relative to the
 * file, no weights copied), one more member with its role, and a check that every member loads and shares the
 * parent's architecture (a resolution child differs only in resolution).
 */
@Command(name = "family", header = "Make and check a family.json of your own checkpoints",
        subcommands = {FamilyCommand.Init.class, FamilyCommand.Add.class, FamilyCommand.Check.class},
        description = {"Any checkpoint format; paths relative to the file, no weights copied. Roles: parent, child, "
                + "grandchild, control, locality, resolution (README: \"Bring your own family\")."})
final class FamilyCommand extends Action {

    @Override
    public Integer call() {
        return usage();
    }

    /** One member as the command line names it: [NAME=]FILE[:HINT]. */
    record Spec(String name, Path file, String hint) {

        static Spec parse(String option, String v) {
            String name = null;
            String rest = v;
            int eq = v.indexOf('=');
            int colon = v.indexOf(':');
            if (eq > 0 && (colon < 0 || eq < colon)) {
                name = v.substring(0, eq);
                rest = v.substring(eq + 1);
            }
            String hint = null;
            int c = rest.lastIndexOf(':');
            if (c >= 0) {
                hint = rest.substring(c + 1);
                rest = rest.substring(0, c);
            }
            if (rest.isBlank()) {
                throw new UsageException("--" + option + " '" + v + "' names no file");
            }
            Path file = Path.of(rest);
            if (name == null) {
                String f = file.getFileName().toString();
                int dot = f.indexOf('.');
                name = dot > 0 ? f.substring(0, dot) : f;
            }
            if (!name.matches("[A-Za-z0-9_.+-]+")) {
                throw new UsageException("--" + option + " '" + v + "': the name '" + name
                        + "' may hold only letters, digits and _ . + - (give one as NAME=FILE)");
            }
            return new Spec(name, file, hint);
        }
    }

    @Command(name = "init", header = "Write a family.json from checkpoints by role", sortOptions = false,
            description = {"NAME defaults to the file name without its extension; children take their own name as "
            + "domain, the other roles the parent's domain. Nothing is written when a file is missing or a value "
            + "is wrong."})
    static final class Init extends Action {

        @Option(names = "--parent", required = true, paramLabel = "[NAME=]FILE", description = "The model the others "
                + "were fine-tuned from (exactly one).")
        List<String> parents;

        @Option(names = "--child", paramLabel = "[NAME=]FILE[:close|distant]",
                description = "Fine-tuned from the parent; the distance is a hint. Repeatable.")
        List<String> children = List.of();

        @Option(names = "--control", paramLabel = "[NAME=]FILE",
                description = "Trained independently of the parent (the not-aligned baseline). Repeatable.")
        List<String> controls = List.of();

        @Option(names = "--grandchild", paramLabel = "[NAME=]FILE:FROM",
                description = "Fine-tuned from the member FROM. Repeatable.")
        List<String> grandchildren = List.of();

        @Option(names = "--locality", paramLabel = "[NAME=]FILE:TRANSFORM", description = "Fine-tuned on the parent's "
                + "domain moved by a fixed transform: shift_x=20,shift_y=0,rotate=180,flip. Repeatable.")
        List<String> locality = List.of();

        @Option(names = "--resolution", paramLabel = "[NAME=]FILE",
                description = "Fine-tuned from the parent at a lower resolution. Repeatable.")
        List<String> resolution = List.of();

        @Option(names = "--domain", paramLabel = "D", description = "The parent's domain (default: its name).")
        String domain;

        @Option(names = "--out", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}.")
        Path target = Path.of("family.json");

        @Option(names = "--force", description = "Replace an existing file.")
        boolean force;

        @Override
        public Integer call() throws CheckpointException {
            PrintStream out = out();
            if (parents.size() != 1) {
                throw new UsageException("give exactly one --parent (got " + parents.size() + ")");
            }
            if (Files.exists(target) && !force) {
                throw new UsageException(target + " exists: add members with 'stylealign family add', or pass --force "
                        + "to replace it");
            }
            Spec parent = Spec.parse("parent", parents.get(0));
            if (parent.hint() != null) {
                throw new UsageException("--parent '" + parents.get(0) + "': a parent takes no ':" + parent.hint()
                        + "' hint");
            }
            String domain = this.domain != null ? this.domain : parent.name();
            JsonArray models = new JsonArray();
            models.add(member(target, parent, ModelFamily.Role.PARENT, null, domain));
            for (String v : children) {
                models.add(member(target, Spec.parse("child", v), ModelFamily.Role.CHILD, parent.name(), null));
            }
            for (String v : controls) {
                models.add(member(target, Spec.parse("control", v), ModelFamily.Role.CONTROL, null, domain));
            }
            for (String v : locality) {
                models.add(member(target, Spec.parse("locality", v), ModelFamily.Role.LOCALITY, parent.name(), domain));
            }
            for (String v : resolution) {
                models.add(member(target, Spec.parse("resolution", v), ModelFamily.Role.RESOLUTION, parent.name(),
                        domain));
            }
            for (String v : grandchildren) {
                Spec s = Spec.parse("grandchild", v);
                if (s.hint() == null || s.hint().isBlank()) {
                    throw new UsageException("--grandchild '" + v
                            + "' needs the member it was fine-tuned from: FILE:FROM");
                }
                models.add(member(target, new Spec(s.name(), s.file(), null), ModelFamily.Role.GRANDCHILD, s.hint(),
                        domain));
            }
            JsonObject root = new JsonObject();
            root.addProperty("about", "written by stylealign family init; paths are relative to this file");
            root.add("models", models);
            ModelFamily f = write(target, root);
            out.println("wrote " + target + " (" + f.names().size() + " models)");
            out.print(f.tree());
            out.println("next: stylealign family check --family " + target);
            return 0;
        }
    }

    @Command(name = "add", header = "Add one member to a family.json", sortOptions = false,
            description = "The new family is verified before it replaces the file.")
    static final class Add extends Action {

        @Parameters(paramLabel = "FILE", description = "The checkpoint, any format.")
        String file;

        @Option(names = "--family", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}.")
        Path target = Path.of("family.json");

        @Option(names = "--role", required = true, paramLabel = "ROLE", converter = Values.RoleConverter.class,
                completionCandidates = Values.Roles.class, description = "${COMPLETION-CANDIDATES}.")
        ModelFamily.Role role;

        @Option(names = "--distance", paramLabel = "DISTANCE", completionCandidates = Values.Distances.class,
                description = "A child's: ${COMPLETION-CANDIDATES}.")
        String distance;

        @Option(names = "--from", paramLabel = "NAME", description = "The member it was fine-tuned from (a "
                + "grandchild's is required; default: the parent).")
        String from;

        @Option(names = "--transform", paramLabel = "TRANSFORM", description = "A locality child's: "
                + "shift_x=20,shift_y=0,rotate=180,flip.")
        String transform;

        @Option(names = "--name", paramLabel = "NAME", description = "Default: the file name without its extension.")
        String name;

        @Option(names = "--domain", paramLabel = "D", description = "Default: a child's name, else the parent's "
                + "domain.")
        String domain;

        @Override
        public Integer call() throws CheckpointException {
            PrintStream out = out();
            ModelFamily family = ModelFamily.load(target);
            JsonObject root = json(target);
            Spec s = Spec.parse("name", (name != null ? name + "=" : "") + file);
            String hint = switch (role) {
                case CHILD -> distance;
                case LOCALITY -> {
                    if (transform == null) {
                        throw new UsageException("--transform is required for --role locality");
                    }
                    yield transform;
                }
                default -> null;
            };
            if (distance != null && role != ModelFamily.Role.CHILD) {
                throw new UsageException("--distance is a hint for --role child");
            }
            if (transform != null && role != ModelFamily.Role.LOCALITY) {
                throw new UsageException("--transform belongs to --role locality");
            }
            String from = switch (role) {
                case PARENT, CONTROL -> null;
                case GRANDCHILD -> {
                    if (this.from == null) {
                        throw new UsageException("--from is required for --role grandchild");
                    }
                    yield this.from;
                }
                default -> this.from != null ? this.from : family.parent().name();
            };
            if (role == ModelFamily.Role.PARENT && family.members().stream().anyMatch(m -> m.declared()
                    && m.role() == ModelFamily.Role.PARENT)) {
                throw new UsageException(target + " already has a parent (" + family.parent().name() + ")");
            }
            String domain = this.domain != null ? this.domain
                    : role == ModelFamily.Role.CHILD ? s.name() : family.parent().domain();
            root.getAsJsonArray("models").add(member(target, new Spec(s.name(), s.file(), hint), role, from, domain));
            ModelFamily f = write(target, root);
            out.println("added " + s.name() + " (" + f.member(s.name()).roleText() + ") to " + target);
            out.print(f.tree());
            return 0;
        }
    }

    @Command(name = "check", header = "Check that every member loads and fits its role",
            description = {"Compares each member's architecture with the parent's (a resolution child differs in "
            + "resolution only), prints a table, the tree and the roles; exit 1 naming each member that does not "
            + "load or does not fit its role."})
    static final class Check extends Action {

        @Option(names = "--family", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}.")
        String family = "family.json";

        @Override
        public Integer call() throws CheckpointException {
            return check(family, out());
        }
    }

    /** Loads every member, compares its architecture with the parent's, prints a table, the tree and the roles. */
    static int check(String file, PrintStream out) throws CheckpointException {
        Path target = Path.of(file);
        ModelFamily f = ModelFamily.load(target);
        ModelFamily.Member parent = f.parent();
        out.println("family " + f.file() + ": " + f.names().size() + " models");
        List<String> problems = new ArrayList<>();
        Map<String, GeneratorConfig> configs = new LinkedHashMap<>();
        for (ModelFamily.Member m : f.members()) {
            try (StyleGan2 model = ModelIO.load(m.checkpoint())) {
                configs.put(m.name(), model.config());
                out.printf("  %-10s %-22s %-11s %4d px  %s%n", m.name(), m.roleText(), model.format(),
                        model.config().resolution(), target.toAbsolutePath().getParent().relativize(m.checkpoint()));
            } catch (CheckpointException | RuntimeException e) {
                problems.add(m.name() + ": " + m.checkpoint() + " does not load (" + e.getMessage() + ")");
            }
        }
        GeneratorConfig pc = configs.get(parent.name());
        if (pc != null) {
            for (ModelFamily.Member m : f.members()) {
                GeneratorConfig c = configs.get(m.name());
                if (c == null || m == parent) {
                    continue;
                }
                List<String> diff = differences(pc, c);
                boolean resolutionOnly = diff.size() == 1 && diff.get(0).startsWith("resolution");
                if (m.role() == ModelFamily.Role.RESOLUTION) {
                    if (!resolutionOnly) {
                        problems.add(m.name() + " (resolution child): should differ from " + parent.name()
                                + " in resolution only" + (diff.isEmpty() ? ", but has the same architecture"
                                : "; differs in " + String.join("; ", diff)));
                    } else {
                        out.println("  " + m.name() + ": " + diff.get(0) + " (a resolution child)");
                    }
                } else if (!diff.isEmpty()) {
                    problems.add(m.name() + " (" + m.role().key() + "): another architecture than the parent "
                            + parent.name() + ": " + String.join("; ", diff)
                            + (resolutionOnly ? " (if it is a resolution transfer, give it \"role\": \"resolution\")" : ""));
                }
            }
        }
        out.println();
        out.print(f.tree());
        out.println();
        out.print(f.roles());
        List<ModelFamily.Role> missing = f.missing(ModelFamily.Role.CHILD, ModelFamily.Role.CONTROL,
                ModelFamily.Role.GRANDCHILD, ModelFamily.Role.LOCALITY, ModelFamily.Role.RESOLUTION);
        if (!missing.isEmpty()) {
            out.println("no " + String.join(", ", missing.stream().map(ModelFamily.Role::key).toList())
                    + ": the notebook sections that need them will say they skip");
        }
        if (problems.isEmpty()) {
            out.println("check: ok (every member loads; architectures as their roles require)");
            return 0;
        }
        out.println("check: " + problems.size() + " problem(s)");
        problems.forEach(p -> out.println("  " + p));
        return 1;
    }

    /** What differs between two generator architectures, e.g. "resolution 16 vs 32", "w 256 vs 512". */
    static List<String> differences(GeneratorConfig parent, GeneratorConfig c) {
        List<String> d = new ArrayList<>();
        if (c.resolution() != parent.resolution()) {
            d.add("resolution " + c.resolution() + " vs " + parent.resolution() + " px");
        }
        if (c.imageChannels() != parent.imageChannels()) {
            d.add("image channels " + c.imageChannels() + " vs " + parent.imageChannels());
        }
        if (c.zDim() != parent.zDim()) {
            d.add("z " + c.zDim() + " vs " + parent.zDim());
        }
        if (c.wDim() != parent.wDim()) {
            d.add("w " + c.wDim() + " vs " + parent.wDim());
        }
        if (c.mappingLayers() != parent.mappingLayers()) {
            d.add("mapping layers " + c.mappingLayers() + " vs " + parent.mappingLayers());
        }
        List<String> widths = new ArrayList<>();
        for (int r = 4; r <= Math.min(c.resolution(), parent.resolution()); r *= 2) {
            if (c.channelsAt(r) != parent.channelsAt(r)) {
                widths.add(r + " px: " + c.channelsAt(r) + " vs " + parent.channelsAt(r));
            }
        }
        if (!widths.isEmpty()) {
            d.add("channels " + String.join(", ", widths));
        }
        return d;
    }

    private static JsonObject member(Path target, Spec s, ModelFamily.Role role, String parent, String domain) {
        Path abs = s.file().toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new UsageException("--" + role.key() + ": " + s.file() + " does not exist");
        }
        JsonObject o = new JsonObject();
        o.addProperty("name", s.name());
        if (parent != null) {
            o.addProperty("parent", parent);
        }
        o.addProperty("role", role.key());
        if (role == ModelFamily.Role.CHILD && s.hint() != null) {
            String d = s.hint().trim().toLowerCase(Locale.ROOT);
            if (!d.equals("close") && !d.equals("distant")) {
                throw new UsageException("--child " + s.file() + ":" + s.hint() + ": the distance is close or distant");
            }
            o.addProperty("distance", d);
        } else if (role == ModelFamily.Role.LOCALITY) {
            if (s.hint() == null) {
                throw new UsageException("--locality " + s.file() + " needs its transform, e.g. " + s.file()
                        + ":shift_x=20 or :rotate=180");
            }
            o.add("transform", transform(s.hint()));
        } else if (s.hint() != null) {
            throw new UsageException("--" + role.key() + " " + s.file() + ":" + s.hint() + ": a " + role.key()
                    + " takes no ':' hint");
        }
        o.addProperty("domain", domain == null ? s.name() : domain);
        Path dir = target.toAbsolutePath().normalize().getParent();
        o.addProperty("checkpoint", dir.relativize(abs).toString().replace('\\', '/'));
        return o;
    }

    /** "shift_x=20,rotate=180,flip" -> {"shift_x": 20, "rotate": 180, "flip": true}. */
    static JsonObject transform(String text) {
        JsonObject t = new JsonObject();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("flip")) {
                t.addProperty("flip", true);
                continue;
            }
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq).trim();
            if (eq < 0 || !List.of("shift_x", "shift_y", "rotate").contains(key)) {
                throw new UsageException("transform '" + text + "': '" + p + "' is not shift_x=PCT, shift_y=PCT, "
                        + "rotate=DEG or flip");
            }
            try {
                t.addProperty(key, Integer.parseInt(p.substring(eq + 1).trim()));
            } catch (NumberFormatException e) {
                throw new UsageException("transform '" + text + "': " + key + " must be an integer, got '"
                        + p.substring(eq + 1) + "'");
            }
        }
        return t;
    }

    private static JsonObject json(Path target) throws CheckpointException {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(target, StandardCharsets.UTF_8));
            return e.getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new CheckpointException(target + ": cannot read the family file (" + e.getMessage() + ")", e);
        }
    }

    /** Verifies the new text as a family (roles, files) before it replaces {@code target}, atomically. */
    private static ModelFamily write(Path target, JsonObject root) throws CheckpointException {
        String text = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
        ModelFamily f = ModelFamily.parse(target, text);
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot create the folder (" + e.getMessage() + ")", e);
        }
        AtomicFiles.write(target, o -> o.write(text.getBytes(StandardCharsets.UTF_8)));
        return ModelFamily.load(target);
    }
}
