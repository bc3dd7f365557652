package org.stylealign.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything known about one image: categorical attributes (every part and option the renderer chose, as strings)
 * and numeric targets (rotation, translation, flip, digit...). Maps are sorted so a record prints the same way
 * every time.
 *
 * @param index position in the dataset
 * @param domain the domain name, e.g. "avataaars"
 * @param key what identifies the image in its source: the DiceBear seed, the emoji name, the MNIST index
 */
public record LabelRecord(int index, String domain, String key, SortedMap<String, String> attributes,
                          SortedMap<String, Double> targets) {

    public LabelRecord {
        attributes = Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
        targets = Collections.unmodifiableSortedMap(new TreeMap<>(targets));
    }

    public LabelRecord(int index, String domain, String key, Map<String, String> attributes,
                       Map<String, Double> targets) {
        this(index, domain, key, new TreeMap<>(attributes), new TreeMap<>(targets));
    }

    public String attribute(String name) {
        return attributes.get(name);
    }

    public double target(String name) {
        Double v = targets.get(name);
        if (v == null) {
            throw new DataException("label " + index + " of " + domain + " has no target '" + name + "'");
        }
        return v;
    }

    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("index", index);
        o.addProperty("domain", domain);
        o.addProperty("key", key);
        JsonObject a = new JsonObject();
        attributes.forEach(a::addProperty);
        o.add("attributes", a);
        JsonObject t = new JsonObject();
        targets.forEach(t::addProperty);
        o.add("targets", t);
        return o.toString();
    }

    public static LabelRecord fromJson(String line) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        SortedMap<String, String> a = new TreeMap<>();
        o.getAsJsonObject("attributes").entrySet().forEach(e -> a.put(e.getKey(), e.getValue().getAsString()));
        SortedMap<String, Double> t = new TreeMap<>();
        o.getAsJsonObject("targets").entrySet().forEach(e -> t.put(e.getKey(), e.getValue().getAsDouble()));
        return new LabelRecord(o.get("index").getAsInt(), o.get("domain").getAsString(), o.get("key").getAsString(),
                a, t);
    }
}
