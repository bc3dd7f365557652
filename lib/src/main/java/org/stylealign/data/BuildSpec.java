package org.stylealign.data;

import com.google.gson.JsonObject;
import java.util.SplittableRandom;

/**
 * What to build: a domain at a size, how many images, from which seed, and the controlled variants.
 *
 * @param pairAttribute when set (DiceBear only), each item is a before/after pair: the same seed rendered twice,
 *                      the second time with this one attribute (a part such as "mouth", or a colour such as
 *                      "hairColor") set to another value; the dataset then holds 2 * count images, before at even
 *                      and after at odd indices
 * @param transform rotation / translation / flip given to DiceBear, recorded as numeric targets
 * @param split     emoji only: build from the train or the test names of {@link EmojiSplit} (ALL: every name)
 * @param edges     replace every image by its edge map ({@link EdgeMaps}): the edge-map child's data (Fig. 37)
 */
public record BuildSpec(String domain, int size, int count, long seed, boolean masks, String pairAttribute,
                        Transform transform, Split split, boolean edges) {

    /** Which emoji names a build draws from ({@link EmojiSplit}); ALL for every other domain. */
    public enum Split {
        ALL, TRAIN, TEST;

        public static Split parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "all" -> ALL;
                case "train" -> TRAIN;
                case "test" -> TEST;
                default -> throw new DataException("split must be train, test or all, not '" + s + "'");
            };
        }

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A build of every name without edge maps (the form before splits and edges existed). */
    public BuildSpec(String domain, int size, int count, long seed, boolean masks, String pairAttribute,
                     Transform transform) {
        this(domain, size, count, seed, masks, pairAttribute, transform, Split.ALL, false);
    }

    /** Inclusive integer range; lo == hi means a fixed value. */
    public record Range(int lo, int hi) {
        public Range {
            if (lo > hi) {
                throw new DataException("empty range " + lo + ":" + hi);
            }
        }

        public static Range fixed(int v) {
            return new Range(v, v);
        }

        /** "20" or "-30:30". */
        public static Range parse(String s) {
            try {
                int c = s.indexOf(':', 1);
                return c < 0 ? fixed(Integer.parseInt(s.trim()))
                        : new Range(Integer.parseInt(s.substring(0, c).trim()), Integer.parseInt(s.substring(c + 1).trim()));
            } catch (NumberFormatException e) {
                throw new DataException("bad range '" + s + "': use an integer or LO:HI");
            }
        }

        int sample(SplittableRandom r) {
            return lo == hi ? lo : lo + r.nextInt(hi - lo + 1);
        }

        String tag() {
            return lo == hi ? Integer.toString(lo) : lo + "_" + hi;
        }
    }

    public enum Flip { NONE, ALWAYS, RANDOM }

    /** Degrees (DiceBear rotates about the centre), translation in percent of the image, flip. */
    public record Transform(Range rotate, Range translateX, Range translateY, Flip flip) {
        public static final Transform NONE = new Transform(Range.fixed(0), Range.fixed(0), Range.fixed(0), Flip.NONE);

        public Transform {
            check("rotate", rotate, -360, 360);
            check("translate-x", translateX, -100, 100);
            check("translate-y", translateY, -100, 100);
        }

        private static void check(String what, Range r, int lo, int hi) {
            if (r.lo() < lo || r.hi() > hi) {
                throw new DataException(what + " must lie in " + lo + ":" + hi + ", got " + r.lo() + ":" + r.hi());
            }
        }

        public boolean isNone() {
            return equals(NONE);
        }

        String tag() {
            StringBuilder b = new StringBuilder();
            if (!rotate.equals(Range.fixed(0))) {
                b.append("-rot").append(rotate.tag());
            }
            if (!translateX.equals(Range.fixed(0))) {
                b.append("-tx").append(translateX.tag());
            }
            if (!translateY.equals(Range.fixed(0))) {
                b.append("-ty").append(translateY.tag());
            }
            if (flip != Flip.NONE) {
                b.append("-flip").append(flip == Flip.ALWAYS ? "" : "rand");
            }
            return b.toString();
        }
    }

    public BuildSpec {
        Domain d = Domain.of(domain);
        if (count <= 0) {
            throw new DataException("count must be > 0, got " + count);
        }
        if (size < 4 || size > 1024) {
            throw new DataException("size must lie in 4..1024 pixels, got " + size);
        }
        if (transform == null) {
            transform = Transform.NONE;
        }
        if (masks && !d.maskable()) {
            throw new DataException("domain " + domain + " has no part masks (masks exist for avataaars, personas, micah)");
        }
        if (d.kind() != Domain.Kind.DICEBEAR && (pairAttribute != null || !transform.isNone())) {
            throw new DataException("pairs and transforms are DiceBear options; domain " + domain + " has neither");
        }
        if (pairAttribute != null && pairAttribute.isBlank()) {
            pairAttribute = null;
        }
        if (split == null) {
            split = Split.ALL;
        }
        if (split != Split.ALL && d.kind() != Domain.Kind.EMOJI) {
            throw new DataException("--split divides emoji names into train and test; domain " + domain
                    + " has no names to split (its images come from seeds)");
        }
        if (edges && masks) {
            throw new DataException("masks describe the rendering, not its edge map: build --edges without --masks");
        }
    }

    public static BuildSpec of(String domain, int size, int count, long seed) {
        return new BuildSpec(domain, size, count, seed, false, null, Transform.NONE);
    }

    public BuildSpec withMasks() {
        return new BuildSpec(domain, size, count, seed, true, pairAttribute, transform, split, edges);
    }

    public BuildSpec withPairs(String attribute) {
        return new BuildSpec(domain, size, count, seed, masks, attribute, transform, split, edges);
    }

    public BuildSpec withTransform(Transform t) {
        return new BuildSpec(domain, size, count, seed, masks, pairAttribute, t, split, edges);
    }

    /** The same build restricted to the train or test names of {@link EmojiSplit} (emoji domains only). */
    public BuildSpec withSplit(Split s) {
        return new BuildSpec(domain, size, count, seed, masks, pairAttribute, transform, s, edges);
    }

    /** The same build with every image replaced by its edge map ({@link EdgeMaps}). */
    public BuildSpec withEdges() {
        return new BuildSpec(domain, size, count, seed, masks, pairAttribute, transform, split, true);
    }

    /** The same build with another count (e.g. every name of a split: {@link DatasetBuilder#available}). */
    public BuildSpec withCount(int n) {
        return new BuildSpec(domain, size, n, seed, masks, pairAttribute, transform, split, edges);
    }

    /**
     * A domain with its transform by its style name, as {@link #style()} writes it: "bottts", "avataaars-tx20"
     * (shifted right 20%), "avataaars-rot180" (upside down), "avataaars-ty20-flip", or with random ranges
     * "avataaars-rot-30_30-tx-8_8" (every image turned by -30..30 degrees and shifted by -8..8%: the pose family's
     * data).
     */
    public static BuildSpec ofStyle(String style, int size, int count, long seed) {
        if (style.endsWith(EDGES_TAG) && style.length() > EDGES_TAG.length()) { // "avataaars-edges": its edge maps
            return ofStyle(style.substring(0, style.length() - EDGES_TAG.length()), size, count, seed).withEdges();
        }
        String domain = null;
        for (Domain d : Domain.all()) {
            String n = d.name();
            if ((style.equals(n) || style.startsWith(n + "-")) && (domain == null || n.length() > domain.length())) {
                domain = n;
            }
        }
        if (domain == null) {
            throw new DataException("unknown style '" + style + "': a domain name optionally followed by -rotDEG, "
                    + "-txPCT, -tyPCT, -flip (e.g. avataaars-tx20)");
        }
        Range rot = Range.fixed(0);
        Range tx = Range.fixed(0);
        Range ty = Range.fixed(0);
        Flip flip = Flip.NONE;
        String rest = style.substring(domain.length());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(rot|tx|ty)(-?[0-9]+)(?:_(-?[0-9]+))?|-(flip)")
                .matcher(rest);
        int at = 0;
        while (at < rest.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new DataException("style '" + style + "': cannot read '" + rest.substring(at) + "' (expected "
                        + "-rotDEG, -txPCT, -tyPCT with an integer or a range LO_HI, or -flip)");
            }
            if (m.group(4) != null) {
                flip = Flip.ALWAYS;
            } else {
                int lo = Integer.parseInt(m.group(2));
                Range v = m.group(3) == null ? Range.fixed(lo) : new Range(lo, Integer.parseInt(m.group(3)));
                switch (m.group(1)) {
                    case "rot" -> rot = v;
                    case "tx" -> tx = v;
                    default -> ty = v;
                }
            }
            at = m.end();
        }
        return of(domain, size, count, seed).withTransform(new Transform(rot, tx, ty, flip));
    }

    /** What {@link #style()} appends for edge maps: "avataaars-edges". */
    public static final String EDGES_TAG = "-edges";

    /**
     * The domain with its transform (and "-edges" for edge maps), e.g. "avataaars-tx20": the name a domain
     * classifier gives this data. The split is not part of it: train and test names are drawn in one style.
     */
    public String style() {
        return domain + transform.tag() + (edges ? EDGES_TAG : "");
    }

    /** The record's form, with split and edges only when they are set (so that plain builds read as before). */
    @Override
    public String toString() {
        return "BuildSpec[domain=" + domain + ", size=" + size + ", count=" + count + ", seed=" + seed + ", masks="
                + masks + ", pairAttribute=" + pairAttribute + ", transform=" + transform
                + (split == Split.ALL ? "" : ", split=" + split) + (edges ? ", edges=true" : "") + "]";
    }

    /** Images in the built dataset. */
    public int images() {
        return pairAttribute == null ? count : 2 * count;
    }

    /** The cache folder name: {@code <name>-<size>px-n<count>-s<seed>}, the name carrying the variants. */
    public String id() {
        StringBuilder n = new StringBuilder(domain);
        if (pairAttribute != null) {
            n.append("-pairs_").append(pairAttribute);
        }
        n.append(transform.tag());
        if (split != Split.ALL) {
            n.append('-').append(split.key()); // a split never shares a cache folder with the other or with all
        }
        if (edges) {
            n.append(EDGES_TAG);
        }
        if (masks) {
            n.append("-masks");
        }
        return n + "-" + size + "px-n" + count + "-s" + seed;
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("domain", domain);
        o.addProperty("size", size);
        o.addProperty("count", count);
        o.addProperty("seed", seed);
        o.addProperty("masks", masks);
        if (pairAttribute != null) {
            o.addProperty("pairAttribute", pairAttribute);
        }
        JsonObject t = new JsonObject();
        t.addProperty("rotate", transform.rotate().lo() + ":" + transform.rotate().hi());
        t.addProperty("translateX", transform.translateX().lo() + ":" + transform.translateX().hi());
        t.addProperty("translateY", transform.translateY().lo() + ":" + transform.translateY().hi());
        t.addProperty("flip", transform.flip().name().toLowerCase());
        o.add("transform", t);
        if (split != Split.ALL) {
            o.addProperty("split", split.key());
            o.addProperty("splitRule", EmojiSplit.RULE);
        }
        if (edges) {
            o.addProperty("edges", true);
            o.addProperty("edgeOperator", EdgeMaps.OPERATOR);
        }
        return o;
    }
}
