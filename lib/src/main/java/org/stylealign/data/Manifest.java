package org.stylealign.data;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest.json of a built dataset, written last: its presence marks the folder as complete. Holds no
 * timestamp, so the same build gives the same bytes.
 */
public record Manifest(String format, int builderVersion, String id, String domain, int size, int channels,
                       int count, long seed, boolean masks, List<String> classes, String licence, String attribution,
                       String source, JsonObject spec, JsonObject generator, Map<String, FileEntry> files) {

    public static final String FORMAT = "stylealign-dataset/1";

    /** Size and SHA-256 (hex) of one data file in the folder. */
    public record FileEntry(long bytes, String sha256) {
    }

    /** The emoji split the build drew from (spec.split; ALL when the build has none). */
    public BuildSpec.Split split() {
        return spec != null && spec.has("split") ? BuildSpec.Split.parse(spec.get("split").getAsString())
                : BuildSpec.Split.ALL;
    }

    /** Whether the images are edge maps ({@link EdgeMaps}; spec.edges). */
    public boolean edges() {
        return spec != null && spec.has("edges") && spec.get("edges").getAsBoolean();
    }

    /** The domain with the build's transform, e.g. "avataaars-tx20" (see {@link BuildSpec#style()}). */
    public String style() {
        JsonObject t = spec == null ? null : spec.getAsJsonObject("transform");
        if (t == null) {
            return domain + (edges() ? BuildSpec.EDGES_TAG : "");
        }
        try {
            BuildSpec.Transform tr = new BuildSpec.Transform(BuildSpec.Range.parse(t.get("rotate").getAsString()),
                    BuildSpec.Range.parse(t.get("translateX").getAsString()),
                    BuildSpec.Range.parse(t.get("translateY").getAsString()),
                    BuildSpec.Flip.valueOf(t.get("flip").getAsString().toUpperCase(java.util.Locale.ROOT)));
            return domain + tr.tag() + (edges() ? BuildSpec.EDGES_TAG : "");
        } catch (RuntimeException e) {
            throw new DataException("dataset " + id + ": unreadable transform in its manifest: " + t);
        }
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", format);
        o.addProperty("builderVersion", builderVersion);
        o.addProperty("id", id);
        o.addProperty("domain", domain);
        o.addProperty("size", size);
        o.addProperty("channels", channels);
        o.addProperty("count", count);
        o.addProperty("seed", seed);
        o.addProperty("masks", masks);
        com.google.gson.JsonArray c = new com.google.gson.JsonArray();
        classes.forEach(c::add);
        o.add("classes", c);
        o.addProperty("licence", licence);
        o.addProperty("attribution", attribution);
        o.addProperty("source", source);
        o.add("spec", spec);
        o.add("generator", generator);
        JsonObject f = new JsonObject();
        files.forEach((k, v) -> {
            JsonObject e = new JsonObject();
            e.addProperty("bytes", v.bytes());
            e.addProperty("sha256", v.sha256());
            f.add(k, e);
        });
        o.add("files", f);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    public static Manifest parse(String json, String where) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            String format = o.get("format").getAsString();
            if (!FORMAT.equals(format)) {
                throw new DataException(where + ": unsupported format '" + format + "' (expected " + FORMAT + ")");
            }
            Map<String, FileEntry> files = new LinkedHashMap<>();
            o.getAsJsonObject("files").entrySet().forEach(e -> files.put(e.getKey(), new FileEntry(
                    e.getValue().getAsJsonObject().get("bytes").getAsLong(),
                    e.getValue().getAsJsonObject().get("sha256").getAsString())));
            List<String> classes = o.getAsJsonArray("classes").asList().stream().map(x -> x.getAsString()).toList();
            return new Manifest(format, o.get("builderVersion").getAsInt(), o.get("id").getAsString(),
                    o.get("domain").getAsString(), o.get("size").getAsInt(), o.get("channels").getAsInt(),
                    o.get("count").getAsInt(), o.get("seed").getAsLong(), o.get("masks").getAsBoolean(), classes,
                    o.get("licence").getAsString(), o.get("attribution").getAsString(), o.get("source").getAsString(),
                    o.getAsJsonObject("spec"), o.getAsJsonObject("generator"), files);
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            throw new DataException(where + " is not a valid dataset manifest (" + e.getMessage()
                    + "); delete the folder and build again", e);
        }
    }
}
