package org.stylealign.metrics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.stylealign.data.LabelRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An attribute of an image that the renderer's labels give exactly, as an attribute classifier reads it:
 * <ul>
 *   <li>{@code BINARY}: the label {@code source} is one of {@code values} (e.g. glasses: accessories in
 *       [wayfarers, round, ...]); or, with {@code negate}, is none of them (facial hair: facialHair not in [none])</li>
 *   <li>{@code CATEGORICAL}: which of {@code values} the label {@code source} is (e.g. mouth)</li>
 *   <li>{@code LUMINANCE}: the relative luminance (0 black .. 1 white, sRGB, Rec. 709 weights) of the hex colour in
 *       {@code source} (e.g. hair colour): comparable across styles whose palettes differ</li>
 * </ul>
 * Attributes with the same name mean the same thing in every domain that has them (glasses, facial_hair,
 * hair_luminance, skin_luminance), which is what alignment scores and zero-shot tasks compare.
 */
public record Attribute(String name, Kind kind, String source, List<String> values, boolean negate,
                        String description) {

    /** How an attribute is read. */
    public enum Kind { BINARY, CATEGORICAL, LUMINANCE }

    public Attribute {
        values = List.copyOf(values);
        if (kind != Kind.LUMINANCE && values.isEmpty()) {
            throw new IllegalArgumentException("attribute " + name + ": a " + kind + " attribute needs values");
        }
    }

    public static Attribute binary(String name, String source, List<String> positives, String description) {
        return new Attribute(name, Kind.BINARY, source, positives, false, description);
    }

    public static Attribute binaryNot(String name, String source, List<String> negatives, String description) {
        return new Attribute(name, Kind.BINARY, source, negatives, true, description);
    }

    public static Attribute categorical(String name, String source, List<String> classes, String description) {
        return new Attribute(name, Kind.CATEGORICAL, source, classes, false, description);
    }

    public static Attribute luminance(String name, String source, String description) {
        return new Attribute(name, Kind.LUMINANCE, source, List.of(), false, description);
    }

    /** Outputs of the classifier's head: 1, or the number of classes. */
    public int outputs() {
        return kind == Kind.CATEGORICAL ? values.size() : 1;
    }

    /**
     * The target of one labelled image: 0/1, the class index, or the luminance; NaN when the label lacks the source
     * or has a value outside the classes (such images do not count for this attribute).
     */
    public double target(LabelRecord r) {
        String v = r.attributes().get(source);
        if (v == null) {
            return Double.NaN;
        }
        return switch (kind) {
            case BINARY -> values.contains(v) != negate ? 1 : 0;
            case CATEGORICAL -> {
                int i = values.indexOf(v);
                yield i < 0 ? Double.NaN : i;
            }
            case LUMINANCE -> luminance(v);
        };
    }

    /** Relative luminance of "#rrggbb" (sRGB decoded to linear light, Rec. 709 weights). */
    public static double luminance(String hex) {
        String h = hex.startsWith("#") ? hex.substring(1) : hex;
        if (h.length() != 6) {
            throw new IllegalArgumentException("not a #rrggbb colour: '" + hex + "'");
        }
        int rgb = Integer.parseInt(h, 16);
        double[] c = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
        for (int i = 0; i < 3; i++) {
            double s = c[i] / 255.0;
            c[i] = s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }

    /** The attributes the workbench reads for a domain (its labels), or an error naming the known domains. */
    public static List<Attribute> forDomain(String domain) {
        List<Attribute> a = DEFAULTS.get(domain);
        if (a == null) {
            throw new IllegalArgumentException("no attribute set for domain '" + domain + "'; known: "
                    + DEFAULTS.keySet());
        }
        return a;
    }

    public static List<String> domains() {
        return List.copyOf(DEFAULTS.keySet());
    }

    private static final Map<String, List<Attribute>> DEFAULTS = new java.util.LinkedHashMap<>();

    static {
        DEFAULTS.put("avataaars", List.of(
                binary("glasses", "accessories", List.of("kurt", "prescription01", "prescription02", "round",
                        "sunglasses", "wayfarers"), "wears glasses or sunglasses"),
                binaryNot("facial_hair", "facialHair", List.of("none"), "has a beard or moustache"),
                luminance("hair_luminance", "hairColor", "hair colour, dark (0) to light (1)"),
                luminance("skin_luminance", "skinColor", "skin colour, dark (0) to light (1)"),
                categorical("mouth", "mouth", List.of("concerned", "default", "disbelief", "eating", "grimace", "sad",
                        "screamOpen", "serious", "smile", "tongue", "twinkle", "vomit"), "the mouth (12 kinds)")));
        DEFAULTS.put("personas", List.of(
                binary("glasses", "eyes", List.of("glasses", "sunglasses"), "wears glasses or sunglasses"),
                binaryNot("facial_hair", "facialHair", List.of("none"), "has a beard, moustache or stubble"),
                luminance("hair_luminance", "hairColor", "hair colour, dark (0) to light (1)"),
                luminance("skin_luminance", "skinColor", "skin colour, dark (0) to light (1)"),
                categorical("mouth", "mouth", List.of("bigSmile", "frown", "lips", "pacifier", "smile", "smirk",
                        "surprise"), "the mouth (7 kinds)")));
        DEFAULTS.put("bottts", List.of(
                luminance("body_luminance", "baseColor", "the robot's body colour, dark (0) to light (1)"),
                categorical("eyes", "eyes", List.of("bulging", "dizzy", "eva", "frame1", "frame2", "glow", "happy",
                        "hearts", "robocop", "round", "roundFrame01", "roundFrame02", "sensor", "shade01"),
                        "the eyes (14 kinds)"),
                categorical("top", "top", List.of("antenna", "antennaCrooked", "bulb01", "glowingBulb01",
                        "glowingBulb02", "horns", "lights", "pyramid", "radar"), "the top (9 kinds)"),
                categorical("mouth", "mouth", List.of("bite", "diagram", "grill01", "grill02", "grill03", "smile01",
                        "smile02", "square01", "square02"), "the mouth (9 kinds)")));
    }

    // ---- metadata (kept in the classifier's safetensors) ----

    static String toJson(List<Attribute> attributes) {
        JsonArray arr = new JsonArray();
        for (Attribute a : attributes) {
            JsonObject o = new JsonObject();
            o.addProperty("name", a.name);
            o.addProperty("kind", a.kind.name().toLowerCase(Locale.ROOT));
            o.addProperty("source", a.source);
            JsonArray v = new JsonArray();
            a.values.forEach(v::add);
            o.add("values", v);
            o.addProperty("negate", a.negate);
            o.addProperty("description", a.description);
            arr.add(o);
        }
        return arr.toString();
    }

    static List<Attribute> fromJson(String json) {
        List<Attribute> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            List<String> values = new ArrayList<>();
            o.getAsJsonArray("values").forEach(v -> values.add(v.getAsString()));
            out.add(new Attribute(o.get("name").getAsString(),
                    Kind.valueOf(o.get("kind").getAsString().toUpperCase(Locale.ROOT)), o.get("source").getAsString(),
                    values, o.get("negate").getAsBoolean(), o.get("description").getAsString()));
        }
        return out;
    }
}
