package org.stylealign.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The one train/test split of emoji names, shared by every emoji style: a name is a test name when the first 8
 * bytes of SHA-256("stylealign-emoji-split/1:" + name), read as an unsigned number in [0, 1), fall below
 * {@link #TEST_FRACTION}. It depends on the name alone - not on the set, the seed, the count or the order of the
 * list - so a model trained on the train split of any style never sees a test name drawn by any artist, and the
 * test names of noto and twemoji are the same names (the paired benchmark's ground truth).
 */
public final class EmojiSplit {

    /** The share of names held out for testing. */
    public static final double TEST_FRACTION = 0.2;
    /** Recorded in a split build's manifest (spec.splitRule): the rule that made it. */
    public static final String RULE = "test iff first 8 bytes of SHA-256('stylealign-emoji-split/1:' + name) / 2^64 < "
            + TEST_FRACTION;

    private static final byte[] SALT = "stylealign-emoji-split/1:".getBytes(StandardCharsets.UTF_8);

    private EmojiSplit() {
    }

    /** TRAIN or TEST for one emoji name (e.g. "grinning-face"). */
    public static BuildSpec.Split of(String name) {
        return position(name) < TEST_FRACTION ? BuildSpec.Split.TEST : BuildSpec.Split.TRAIN;
    }

    public static boolean isTest(String name) {
        return of(name) == BuildSpec.Split.TEST;
    }

    /** Whether a name belongs to the split (every name belongs to ALL). */
    public static boolean contains(BuildSpec.Split split, String name) {
        return split == BuildSpec.Split.ALL || of(name) == split;
    }

    /** The names of {@code all} that belong to the split, in their order. */
    public static List<String> filter(Collection<String> all, BuildSpec.Split split) {
        List<String> out = new ArrayList<>();
        for (String n : all) {
            if (contains(split, n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** The name's place in [0, 1): the top 53 bits of its salted SHA-256. */
    static double position(String name) {
        if (name == null || name.isEmpty()) {
            throw new DataException("an emoji name is needed to place it in the train/test split");
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(SALT);
            byte[] h = md.digest(name.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return (v >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
