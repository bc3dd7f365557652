package org.stylealign.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Emoji from the Iconify sets noto, twemoji and openmoji, limited to the names all three draw: faces, animal faces,
 * and people with skin tones. The list is sorted then shuffled with the build seed, so builds of the three sets
 * with the same seed and count hold the same names at the same indices (pairs by name).
 */
final class EmojiSource implements ImageSource {

    static final List<String> SETS = List.of("noto", "twemoji", "openmoji");

    private static final Set<String> ANIMALS = Set.of("cat", "cow", "dog", "dragon", "horse", "monkey", "mouse", "pig",
            "rabbit", "tiger", "bear", "fox", "frog", "hamster", "lion", "panda", "wolf", "unicorn", "koala");
    private static final Pattern PERSON = Pattern.compile(
            "^(baby|boy|child|girl|man|woman|person|older-man|older-woman|older-person)"
                    + "(-(light|medium-light|medium|medium-dark|dark)-skin-tone)?$");
    private static final Map<String, JsonObject> ICONS = new HashMap<>();

    private final BuildSpec spec;
    private final String set;
    private final JsonObject icons;
    private final int defaultWidth;
    private final int defaultHeight;
    private final List<String[]> names; // {name, category, skinTone}
    private final JsonObject generator = new JsonObject();

    EmojiSource(BuildSpec spec, DataPaths paths) {
        this.spec = spec;
        this.set = Domain.of(spec.domain()).source();
        Path modules = NpmPackages.ensureInstalled(paths, "@iconify-json/" + set);
        Map<String, JsonObject> all = new HashMap<>();
        for (String s : SETS) {
            all.put(s, load(modules, s));
        }
        JsonObject root = all.get(set);
        this.icons = root.getAsJsonObject("icons");
        this.defaultWidth = root.has("width") ? root.get("width").getAsInt() : 16;
        this.defaultHeight = root.has("height") ? root.get("height").getAsInt() : 16;
        // the split is decided by the name alone (EmojiSplit), before the seeded shuffle: every set keeps the same names
        List<String[]> list = new ArrayList<>(selectNames(all).stream()
                .filter(n -> EmojiSplit.contains(spec.split(), n[0])).toList());
        Collections.shuffle(list, new Random(spec.seed()));
        if (spec.count() > list.size()) {
            throw new DataException("domain " + spec.domain() + " has " + list.size()
                    + " emoji drawn by all of noto, twemoji and openmoji"
                    + (spec.split() == BuildSpec.Split.ALL ? "" : " in the " + spec.split().key() + " split")
                    + "; use --count " + list.size() + " or less (--count all takes them all)");
        }
        this.names = list.subList(0, spec.count());
        this.supersampleNote();
    }

    private void supersampleNote() {
        generator.addProperty("renderer", "Iconify SVG body + JSVG 2.1.0, antialiased on white, "
                + SvgRaster.supersample(spec.size()) + "x supersampled, box-averaged");
        generator.addProperty("set", set);
        if (spec.split() != BuildSpec.Split.ALL) {
            generator.addProperty("split", spec.split().key() + " names only (" + EmojiSplit.RULE + ")");
        }
        generator.addProperty("selection", "names drawn by noto, twemoji and openmoji: *-face, face-*, animal faces, "
                + "people (baby, boy, girl, child, man, woman, person, older-*) with and without skin tones");
    }

    static synchronized JsonObject load(Path modules, String set) {
        return ICONS.computeIfAbsent(set, s -> {
            Path f = modules.resolve("@iconify-json").resolve(s).resolve("icons.json");
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                return JsonParser.parseReader(r).getAsJsonObject();
            } catch (IOException | RuntimeException e) {
                throw new DataException("cannot read emoji set " + f + ": " + e.getMessage(), e);
            }
        });
    }

    /** The names all three sets draw that belong to the split, sorted. */
    static List<String> names(DataPaths paths, BuildSpec.Split split) {
        Path modules = NpmPackages.ensureInstalled(paths, "@iconify-json/noto");
        Map<String, JsonObject> all = new HashMap<>();
        for (String s : SETS) {
            all.put(s, load(modules, s));
        }
        return EmojiSplit.filter(selectNames(all).stream().map(n -> n[0]).toList(), split);
    }

    /** {name, category, skin tone} for every name all three sets draw, sorted by name. */
    static List<String[]> selectNames(Map<String, JsonObject> all) {
        Set<String> common = new TreeSet<>(all.get(SETS.get(0)).getAsJsonObject("icons").keySet());
        for (String s : SETS) {
            common.retainAll(all.get(s).getAsJsonObject("icons").keySet());
        }
        List<String[]> out = new ArrayList<>();
        for (String n : common) {
            Matcher m = PERSON.matcher(n);
            if (m.matches()) {
                out.add(new String[] {n, "person", m.group(3) == null ? "none" : m.group(3)});
            } else if (n.endsWith("-face") && ANIMALS.contains(n.substring(0, n.length() - 5))) {
                out.add(new String[] {n, "animal-face", "none"});
            } else if (n.endsWith("-face") || n.startsWith("face-")) {
                out.add(new String[] {n, "face", "none"});
            }
        }
        return out;
    }

    @Override
    public JsonObject generator() {
        return generator;
    }

    String svg(String name) {
        JsonObject icon = icons.getAsJsonObject(name);
        int w = icon.has("width") ? icon.get("width").getAsInt() : defaultWidth;
        int h = icon.has("height") ? icon.get("height").getAsInt() : defaultHeight;
        int left = icon.has("left") ? icon.get("left").getAsInt() : 0;
        int top = icon.has("top") ? icon.get("top").getAsInt() : 0;
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\""
                + left + " " + top + " " + w + " " + h + "\">" + icon.get("body").getAsString() + "</svg>";
    }

    @Override
    public List<Item> render(int from, int to, ExecutorService pool) throws Exception {
        List<Future<Item>> futures = new ArrayList<>();
        int ss = SvgRaster.supersample(spec.size());
        for (int i = from; i < to; i++) {
            String[] n = names.get(i);
            int index = i;
            futures.add(pool.submit(() -> {
                byte[] rgb = SvgRaster.renderRgb(svg(n[0]), spec.size(), ss);
                Map<String, String> a = new TreeMap<>();
                a.put("name", n[0]);
                a.put("category", n[1]);
                a.put("skinTone", n[2]);
                a.put("set", set);
                if (spec.split() != BuildSpec.Split.ALL) { // unsplit builds keep the bytes they had
                    a.put("split", EmojiSplit.of(n[0]).key());
                }
                return new Item(rgb, new LabelRecord(index, spec.domain(), n[0], a, Map.of()), null, null);
            }));
        }
        List<Item> items = new ArrayList<>();
        for (Future<Item> f : futures) {
            items.add(f.get());
        }
        return items;
    }
}
