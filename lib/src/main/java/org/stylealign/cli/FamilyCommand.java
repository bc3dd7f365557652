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
import java.util.Set;

/**
 * `stylealign family init|add|check`: a family.json from checkpoints a user already has (paths relative to the
 * file, no weights copied), one more member with its role, and a check that every member loads and shares the
 * parent's architecture (a resolution child differs only in resolution).
 */
final class FamilyCommand implements Command {

    private static final String USAGE = String.join("\n",
            "usage: stylealign family init --parent [NAME=]FILE [--child [NAME=]FILE[:close|distant]]...",
            "                              [--control [NAME=]FILE]... [--grandchild [NAME=]FILE:FROM]...",
            "                              [--locality [NAME=]FILE:shift_x=20,shift_y=0,rotate=180,flip]...",
            "                              [--resolution [NAME=]FILE]... [--domain D] [--out family.json] [--force]",
            "       stylealign family add [--family family.json] --role ROLE [--distance close|distant]",
            "                              [--from NAME] [--transform shift_x=20,...] [--name NAME] [--domain D] FILE",
            "       stylealign family check [--family family.json]",
            "Roles: parent, child, grandchild, control, locality, resolution (README: \"Bring your own family\").",
            "NAME defaults to the file name without its extension; --domain names the parent's domain (default: its",
            "name); children take their own name as domain, the other roles the parent's. Any checkpoint format.");

    @Override
    public String name() {
        return "family";
    }

    @Override
    public String summary() {
        return "init|add|check a family.json of your own aligned checkpoints (roles, architecture check, tree)";
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "init" -> init(rest, out);
            case "add" -> add(rest, out);
            case "check" -> check(new Args(rest, Set.of("family"), Set.of()).get("family", "family.json"), out);
            default -> throw new UsageException("unknown action '" + args[0] + "'\n" + USAGE);
        };
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

    private int init(String[] argv, PrintStream out) throws CheckpointException {
        Args a = new Args(argv, Set.of("parent", "child", "control", "grandchild", "locality", "resolution", "domain",
                "out"), Set.of("force"));
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'\n" + USAGE);
        }
        if (a.all("parent").size() != 1) {
            throw new UsageException("give exactly one --parent (got " + a.all("parent").size() + ")");
        }
        Path target = Path.of(a.get("out", "family.json"));
        if (Files.exists(target) && !a.has("force")) {
            throw new UsageException(target + " exists: add members with 'stylealign family add', or pass --force "
                    + "to replace it");
        }
        Spec parent = Spec.parse("parent", a.all("parent").get(0));
        if (parent.hint() != null) {
            throw new UsageException("--parent '" + a.all("parent").get(0) + "': a parent takes no ':" + parent.hint()
                    + "' hint");
        }
        String domain = a.get("domain", parent.name());
        JsonArray models = new JsonArray();
        models.add(member(target, parent, ModelFamily.Role.PARENT, null, domain));
        for (String v : a.all("child")) {
            models.add(member(target, Spec.parse("child", v), ModelFamily.Role.CHILD, parent.name(), null));
        }
        for (String v : a.all("control")) {
            models.add(member(target, Spec.parse("control", v), ModelFamily.Role.CONTROL, null, domain));
        }
        for (String v : a.all("locality")) {
            models.add(member(target, Spec.parse("locality", v), ModelFamily.Role.LOCALITY, parent.name(), domain));
        }
        for (String v : a.all("resolution")) {
            models.add(member(target, Spec.parse("resolution", v), ModelFamily.Role.RESOLUTION, parent.name(), domain));
        }
        for (String v : a.all("grandchild")) {
            Spec s = Spec.parse("grandchild", v);
            if (s.hint() == null || s.hint().isBlank()) {
                throw new UsageException("--grandchild '" + v + "' needs the member it was fine-tuned from: FILE:FROM");
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

    private int add(String[] argv, PrintStream out) throws CheckpointException {
        Args a = new Args(argv, Set.of("family", "role", "distance", "from", "transform", "name", "domain"), Set.of());
        if (a.positional().size() != 1) {
            throw new UsageException("give one checkpoint file to add (got " + a.positional() + ")\n" + USAGE);
        }
        Path target = Path.of(a.get("family", "family.json"));
        ModelFamily family = ModelFamily.load(target);
        JsonObject root = json(target);
        String roleText = a.require("role").trim().toLowerCase(Locale.ROOT);
        ModelFamily.Role role = java.util.Arrays.stream(ModelFamily.Role.values())
                .filter(r -> r != ModelFamily.Role.OTHER && r.key().equals(roleText)).findFirst()
                .orElseThrow(() -> new UsageException("--role must be one of parent, child, grandchild, control, "
                        + "locality, resolution; got '" + a.get("role", "") + "'"));
        String file = a.positional().get(0);
        Spec s = Spec.parse("name", (a.has("name") ? a.get("name", "") + "=" : "") + file);
        String hint = switch (role) {
            case CHILD -> a.get("distance", null);
            case LOCALITY -> a.require("transform");
            default -> null;
        };
        if (a.has("distance") && role != ModelFamily.Role.CHILD) {
            throw new UsageException("--distance is a hint for --role child");
        }
        if (a.has("transform") && role != ModelFamily.Role.LOCALITY) {
            throw new UsageException("--transform belongs to --role locality");
        }
        String from = switch (role) {
            case PARENT, CONTROL -> null;
            case GRANDCHILD -> a.require("from");
            default -> a.get("from", family.parent().name());
        };
        if (role == ModelFamily.Role.PARENT && family.members().stream().anyMatch(m -> m.declared()
                && m.role() == ModelFamily.Role.PARENT)) {
            throw new UsageException(target + " already has a parent (" + family.parent().name() + ")");
        }
        String domain = a.get("domain", role == ModelFamily.Role.CHILD ? s.name() : family.parent().domain());
        root.getAsJsonArray("models").add(member(target, new Spec(s.name(), s.file(), hint), role, from, domain));
        ModelFamily f = write(target, root);
        out.println("added " + s.name() + " (" + f.member(s.name()).roleText() + ") to " + target);
        out.print(f.tree());
        return 0;
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
