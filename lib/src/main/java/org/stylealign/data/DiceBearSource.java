package org.stylealign.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * DiceBear avatars: SVG and label record from Node (render.mjs), rasterised here. Image i uses the DiceBear seed
 * {@code "<seed>:<i>"} (pair i: both renders use {@code "<seed>:<i>"}); transform values for item i come from a
 * random stream seeded by (seed, i), so any item can be rebuilt alone.
 */
final class DiceBearSource implements ImageSource {

    private final BuildSpec spec;
    private final DiceBearProcess node;
    private final JsonObject schema;
    private final JsonObject generator = new JsonObject();
    private final int supersample;

    DiceBearSource(BuildSpec spec, DataPaths paths) {
        this.spec = spec;
        this.node = new DiceBearProcess(paths);
        try {
            JsonObject version = node.call(request("version"));
            this.schema = node.call(schemaRequest()).getAsJsonObject("schema");
            this.supersample = SvgRaster.supersample(spec.size());
            generator.addProperty("renderer", "data/dicebear/render.mjs + JSVG 2.1.0, antialiased on white, "
                    + supersample + "x supersampled, box-averaged");
            generator.add("versions", version);
            if (spec.pairAttribute() != null) {
                candidates(spec.pairAttribute()); // fails early on an unknown attribute
            }
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private JsonObject schemaRequest() {
        JsonObject r = request("schema");
        r.addProperty("style", spec.domain());
        return r;
    }

    private static JsonObject request(String op) {
        JsonObject r = new JsonObject();
        r.addProperty("op", op);
        return r;
    }

    @Override
    public int imagesPerUnit() {
        return spec.pairAttribute() == null ? 1 : 2;
    }

    @Override
    public JsonObject generator() {
        return generator;
    }

    /** DiceBear options for unit i: the transform, plus the values it was given (as targets). */
    private JsonObject options(int i, Map<String, Double> targets) {
        BuildSpec.Transform t = spec.transform();
        SplittableRandom r = new SplittableRandom(spec.seed() * 0x9E3779B97F4A7C15L + i);
        int rot = t.rotate().sample(r);
        int tx = t.translateX().sample(r);
        int ty = t.translateY().sample(r);
        boolean flip = t.flip() == BuildSpec.Flip.ALWAYS || (t.flip() == BuildSpec.Flip.RANDOM && r.nextBoolean());
        JsonObject o = new JsonObject();
        if (rot != 0) {
            o.addProperty("rotate", ((rot % 360) + 360) % 360);
        }
        if (tx != 0) {
            o.addProperty("translateX", tx);
        }
        if (ty != 0) {
            o.addProperty("translateY", ty);
        }
        if (flip) {
            o.addProperty("flip", true);
        }
        targets.put("rotate", (double) rot);
        targets.put("translateX", (double) tx);
        targets.put("translateY", (double) ty);
        targets.put("flip", flip ? 1.0 : 0.0);
        return o;
    }

    private JsonObject renderRequest(int i, JsonObject options) {
        JsonObject r = request("render");
        r.addProperty("style", spec.domain());
        r.addProperty("seed", spec.seed() + ":" + i);
        r.add("options", options);
        r.addProperty("parts", spec.masks());
        return r;
    }

    /** The values a pair attribute can take: a part's enum, or a colour's palette (hex without '#'). */
    private List<String> candidates(String attribute) {
        JsonElement p = schema.get(attribute);
        List<String> out = new ArrayList<>();
        if (p != null && p.isJsonObject()) {
            JsonObject o = p.getAsJsonObject();
            if (o.has("items") && o.getAsJsonObject("items").has("enum")) {
                o.getAsJsonObject("items").getAsJsonArray("enum").forEach(e -> out.add(e.getAsString()));
            } else if (attribute.endsWith("Color") && o.has("default")) {
                o.getAsJsonArray("default").forEach(e -> out.add(e.getAsString()));
            }
        }
        if (out.size() < 2) {
            List<String> ok = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : schema.entrySet()) {
                JsonObject o = e.getValue().isJsonObject() ? e.getValue().getAsJsonObject() : new JsonObject();
                if ((o.has("items") && o.getAsJsonObject("items").has("enum"))
                        || (e.getKey().endsWith("Color") && o.has("default"))) {
                    ok.add(e.getKey());
                }
            }
            throw new DataException("style " + spec.domain() + " has no attribute '" + attribute
                    + "' with two or more values; pair attributes: " + String.join(", ", ok));
        }
        return out;
    }

    /** Options for the "after" render: the attribute set to a value other than the one drawn. */
    private String changeAttribute(int i, JsonObject options, Map<String, String> before) {
        String a = spec.pairAttribute();
        List<String> values = candidates(a);
        String current = before.getOrDefault(a, "none");
        List<String> others = new ArrayList<>();
        for (String v : values) {
            if (!v.equalsIgnoreCase(current) && !("#" + v).equalsIgnoreCase(current)) {
                others.add(v);
            }
        }
        String v = others.get(new SplittableRandom(spec.seed() * 31 + i * 0x632BE59BD9B4E019L).nextInt(others.size()));
        JsonArray arr = new JsonArray();
        arr.add(v);
        options.add(a, arr);
        if (schema.has(a + "Probability")) {
            options.addProperty(a + "Probability", 100);
        }
        return a.endsWith("Color") ? "#" + v : v;
    }

    /** The label attributes: DiceBear's record, with "none" for optional parts it left out. */
    private Map<String, String> attributes(JsonObject extra) {
        Map<String, String> a = new TreeMap<>();
        extra.entrySet().forEach(e -> a.put(e.getKey(), e.getValue().isJsonNull() ? "none" : e.getValue().getAsString()));
        for (String k : schema.keySet()) {
            if (k.endsWith("Probability")) {
                String part = k.substring(0, k.length() - "Probability".length());
                a.putIfAbsent(part, "none");
            }
        }
        return a;
    }

    @Override
    public List<Item> render(int from, int to, ExecutorService pool) throws Exception {
        List<JsonObject> requests = new ArrayList<>();
        List<Map<String, Double>> targets = new ArrayList<>();
        List<JsonObject> opts = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Map<String, Double> t = new TreeMap<>();
            JsonObject o = options(i, t);
            targets.add(t);
            opts.add(o);
            requests.add(renderRequest(i, o));
        }
        List<JsonObject> replies = node.call(requests);
        List<JsonObject> afterList = null;
        List<String> newValues = new ArrayList<>();
        if (spec.pairAttribute() != null) {
            List<JsonObject> after = new ArrayList<>();
            for (int i = from; i < to; i++) {
                JsonObject o = opts.get(i - from).deepCopy();
                newValues.add(changeAttribute(i, o, attributes(replies.get(i - from).getAsJsonObject("extra"))));
                after.add(renderRequest(i, o));
            }
            afterList = node.call(after);
        }
        List<JsonObject> afterReplies = afterList;
        List<Future<Item>> futures = new ArrayList<>();
        for (int k = from; k < to; k++) {
            int i = k;
            int u = i - from;
            Map<String, Double> t = targets.get(u);
            if (afterReplies == null) {
                futures.add(pool.submit(() -> item(i, replies.get(u), t, null)));
            } else {
                JsonObject before = replies.get(u);
                JsonObject after = afterReplies.get(u);
                String nv = newValues.get(u);
                futures.add(pool.submit(() -> item(2 * i, before, t, new String[] {"before", Integer.toString(i), nv})));
                futures.add(pool.submit(() -> item(2 * i + 1, after, t, new String[] {"after", Integer.toString(i), nv})));
            }
        }
        List<Item> items = new ArrayList<>(futures.size());
        for (Future<Item> f : futures) {
            items.add(f.get());
        }
        return items;
    }

    private Item item(int index, JsonObject reply, Map<String, Double> targets, String[] pair) {
        int size = spec.size();
        byte[] rgb = SvgRaster.renderRgb(reply.get("svg").getAsString(), size, supersample);
        Map<String, String> attrs = attributes(reply.getAsJsonObject("extra"));
        if (pair != null) {
            attrs.put("pair.role", pair[0]);
            attrs.put("pair.id", pair[1]);
            attrs.put("pair.changed", spec.pairAttribute());
            attrs.put("pair.value", pair[2]);
        }
        int unit = pair == null ? index : index / 2;
        LabelRecord label = new LabelRecord(index, spec.domain(), spec.seed() + ":" + unit, attrs, targets);
        if (!spec.masks()) {
            return new Item(rgb, label, null, null);
        }
        List<PartMasks.Variant> variants = new ArrayList<>();
        for (JsonElement e : reply.getAsJsonArray("parts")) {
            JsonObject p = e.getAsJsonObject();
            variants.add(new PartMasks.Variant(PartClass.of(p.get("cls").getAsString()),
                    SvgRaster.renderRgb(p.get("svg").getAsString(), size, supersample)));
        }
        PartMasks.Result m = PartMasks.derive(rgb, variants, size);
        return new Item(rgb, label, m.classes(), m.bits());
    }

    @Override
    public void close() {
        node.close();
    }
}
