package org.stylealign.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiTest {

    @Test
    void threeSetsHoldTheSameNamesAtTheSameIndices(@TempDir Path cache) {
        List<String> sets = List.of("emoji-noto", "emoji-twemoji", "emoji-openmoji");
        List<ImageDataset> ds = sets.stream().map(s -> TestData.builder(cache).open(BuildSpec.of(s, 16, 5, 9))).toList();
        for (int i = 0; i < 5; i++) {
            String name = ds.get(0).label(i).key();
            for (ImageDataset d : ds) {
                assertEquals(name, d.label(i).key());
                assertEquals(name, d.label(i).attribute("name"));
            }
            assertNotEquals(ImageDataset.sha256(ds.get(0).dir().resolve("images.u8")),
                    ImageDataset.sha256(ds.get(1).dir().resolve("images.u8")));
        }
        assertEquals("CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)", ds.get(2).manifest().licence());
    }

    @Test
    void selectionHasFacesAnimalFacesAndSkinTones() {
        Path modules = NpmPackages.ensureInstalled(DataPaths.locate(), "@iconify-json/openmoji");
        Map<String, JsonObject> all = new HashMap<>();
        for (String s : EmojiSource.SETS) {
            all.put(s, EmojiSource.load(modules, s));
        }
        List<String[]> names = EmojiSource.selectNames(all);
        Map<String, Integer> byCategory = new HashMap<>();
        for (String[] n : names) {
            byCategory.merge(n[1], 1, Integer::sum);
        }
        assertTrue(byCategory.getOrDefault("face", 0) >= 60, byCategory.toString());
        assertTrue(byCategory.getOrDefault("animal-face", 0) >= 8, byCategory.toString());
        assertTrue(byCategory.getOrDefault("person", 0) >= 30, byCategory.toString());
        assertTrue(names.stream().anyMatch(n -> n[0].equals("woman-medium-dark-skin-tone") && n[2].equals("medium-dark")));
    }
}
