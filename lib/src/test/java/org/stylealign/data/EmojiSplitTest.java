package org.stylealign.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmojiSplitTest {

    @Test
    void splitCoversEveryNameOnceAndHoldsOutAboutAFifth() {
        DataPaths paths = DataPaths.locate();
        List<String> all = EmojiSource.names(paths, BuildSpec.Split.ALL);
        List<String> train = EmojiSource.names(paths, BuildSpec.Split.TRAIN);
        List<String> test = EmojiSource.names(paths, BuildSpec.Split.TEST);
        Set<String> overlap = new HashSet<>(train);
        overlap.retainAll(test);
        assertTrue(overlap.isEmpty(), "names on both sides: " + overlap);
        Set<String> union = new HashSet<>(train);
        union.addAll(test);
        assertEquals(new HashSet<>(all), union);
        assertEquals(all.size(), train.size() + test.size());
        double share = (double) test.size() / all.size();
        assertTrue(share > 0.1 && share < 0.3, "test share " + share + " of " + all.size());
        for (String n : test) {
            assertTrue(EmojiSplit.isTest(n));
        }
    }

    @Test
    void decidedByTheNameAloneWhateverTheOrderOrRun() {
        List<String> names = EmojiSource.names(DataPaths.locate(), BuildSpec.Split.ALL);
        List<String> shuffled = new ArrayList<>(names);
        Collections.shuffle(shuffled, new Random(5));
        Set<String> a = new HashSet<>(EmojiSplit.filter(names, BuildSpec.Split.TEST));
        Set<String> b = new HashSet<>(EmojiSplit.filter(shuffled, BuildSpec.Split.TEST));
        assertEquals(a, b);
        // a name's side is a property of the name: the same string always lands on the same side
        for (String n : names) {
            assertEquals(EmojiSplit.of(n), EmojiSplit.of(new String(n.toCharArray())));
            double p = EmojiSplit.position(n);
            assertTrue(p >= 0 && p < 1, n + " " + p);
        }
        // positions spread over [0, 1): a constant or a broken hash would put every name on one side
        assertFalse(EmojiSplit.filter(names, BuildSpec.Split.TRAIN).isEmpty());
        assertThrows(DataException.class, () -> EmojiSplit.of(""));
    }

    @Test
    void testBuildsOfNotoAndTwemojiHoldTheSameTestNamesAndSayItInTheManifest(@TempDir Path cache) {
        DatasetBuilder b = TestData.builder(cache);
        int n = b.available("emoji-noto", BuildSpec.Split.TEST);
        assertEquals(n, b.available("emoji-twemoji", BuildSpec.Split.TEST));
        ImageDataset noto = b.open(BuildSpec.of("emoji-noto", 8, n, 3).withSplit(BuildSpec.Split.TEST));
        ImageDataset twemoji = b.open(BuildSpec.of("emoji-twemoji", 8, n, 3).withSplit(BuildSpec.Split.TEST));
        ImageDataset train = b.open(BuildSpec.of("emoji-twemoji", 8, 20, 3).withSplit(BuildSpec.Split.TRAIN));
        assertEquals(BuildSpec.Split.TEST, noto.manifest().split());
        assertEquals("test", noto.manifest().spec().get("split").getAsString());
        assertEquals(EmojiSplit.RULE, noto.manifest().spec().get("splitRule").getAsString());
        assertEquals(BuildSpec.Split.TRAIN, train.manifest().split());
        assertTrue(noto.dir().getFileName().toString().startsWith("emoji-noto-test-8px-n" + n + "-s3"));
        assertTrue(train.dir().getFileName().toString().startsWith("emoji-twemoji-train-8px-n20-s3"));
        Set<String> testNames = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String name = noto.label(i).key();
            assertEquals(name, twemoji.label(i).key(), "index " + i);
            assertTrue(EmojiSplit.isTest(name), name);
            assertEquals("test", noto.label(i).attribute("split"));
            testNames.add(name);
        }
        assertEquals(n, testNames.size());
        assertEquals(new HashSet<>(EmojiSource.names(DataPaths.locate(), BuildSpec.Split.TEST)), testNames);
        for (int i = 0; i < train.size(); i++) {
            assertFalse(testNames.contains(train.label(i).key()), train.label(i).key());
        }
        // more names than the split holds: a clear error naming the split
        DataException e = assertThrows(DataException.class,
                () -> b.build(BuildSpec.of("emoji-noto", 8, n + 1, 3).withSplit(BuildSpec.Split.TEST)));
        assertTrue(e.getMessage().contains("test split"), e.getMessage());
    }

    @Test
    void onlyEmojiDomainsSplit() {
        DataException e = assertThrows(DataException.class,
                () -> BuildSpec.of("avataaars", 8, 4, 1).withSplit(BuildSpec.Split.TRAIN));
        assertTrue(e.getMessage().contains("avataaars"), e.getMessage());
        assertEquals("emoji-noto-8px-n4-s1", BuildSpec.of("emoji-noto", 8, 4, 1).id());
        assertEquals(BuildSpec.Split.TEST, BuildSpec.Split.parse("TEST"));
        assertThrows(DataException.class, () -> BuildSpec.Split.parse("val"));
        // through the CLI: refused before anything is built, with the reason
        String[][] cases = {{"avataaars", "--split", "train", "--count", "4"}, {"avataaars", "--count", "all"},
                {"emoji-noto", "--split", "val", "--count", "4"}};
        int[] codes = {1, 1, 2}; // a domain that cannot split: a failure; a word --split does not know: a usage error
        for (int k = 0; k < cases.length; k++) {
            String[] bad = cases[k];
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            String[] args = new String[bad.length + 6];
            args[0] = "data";
            args[1] = "build";
            System.arraycopy(bad, 0, args, 2, bad.length);
            System.arraycopy(new String[] {"--size", "8", "--seed", "1"}, 0, args, 2 + bad.length, 4);
            assertEquals(codes[k], org.stylealign.cli.Main.run(args, System.out, new java.io.PrintStream(err, true)),
                    String.join(" ", args));
            String msg = err.toString();
            assertTrue(msg.contains("split") || msg.contains("emoji"), msg);
        }
    }
}
