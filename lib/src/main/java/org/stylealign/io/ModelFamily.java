package org.stylealign.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
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
 */
public final class ModelFamily {

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
     */
    public record Member(String name, String parent, String domain, String data, String style, String description,
                         double kimg,
                         Path checkpoint, Path log, Path quality, List<Snapshot> snapshots, String command) {

        public boolean isRoot() {
            return parent == null;
        }
    }

    /** A snapshot of a member's training: the checkpoint after {@code kimg} thousand images. */
    public record Snapshot(double kimg, Path checkpoint) {
    }

    private final Path file;
    private final Map<String, Member> members;

    private ModelFamily(Path file, Map<String, Member> members) {
        this.file = file;
        this.members = Collections.unmodifiableMap(members);
    }

    /** Reads a family file; every checkpoint it names must exist (a clear error names the first missing one). */
    public static ModelFamily load(Path file) throws CheckpointException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read the model family file (" + e.getMessage() + ")", e);
        }
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
        return new ModelFamily(file, out);
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
        return new Member(name, string(file, o, "parent", name, false), domain,
                orEmpty(string(file, o, "data", name, false)), style == null ? domain : style,
                orEmpty(string(file, o, "description", name, false)),
                o.has("kimg") ? o.get("kimg").getAsDouble() : Double.NaN, ck,
                log == null ? null : existing(where, dir, log), quality == null ? null : existing(where, dir, quality),
                List.copyOf(snaps), orEmpty(string(file, o, "command", name, false)));
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

    /** Loads a member's networks (G_ema always; G and D when its file holds them). */
    public StyleGan2 load(String name) throws CheckpointException {
        return ModelIO.load(member(name).checkpoint());
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
        b.append('\n');
        List<Member> kids = children(m.name());
        String next = lead + (branch.isEmpty() ? "" : branch.startsWith("└") ? "   " : "│  ");
        for (int i = 0; i < kids.size(); i++) {
            tree(b, kids.get(i), next, i == kids.size() - 1 ? "└─ " : "├─ ");
        }
    }
}
