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
 */
public record BuildSpec(String domain, int size, int count, long seed, boolean masks, String pairAttribute,
                        Transform transform) {

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
    }

    public static BuildSpec of(String domain, int size, int count, long seed) {
        return new BuildSpec(domain, size, count, seed, false, null, Transform.NONE);
    }

    public BuildSpec withMasks() {
        return new BuildSpec(domain, size, count, seed, true, pairAttribute, transform);
    }

    public BuildSpec withPairs(String attribute) {
        return new BuildSpec(domain, size, count, seed, masks, attribute, transform);
    }

    public BuildSpec withTransform(Transform t) {
        return new BuildSpec(domain, size, count, seed, masks, pairAttribute, t);
    }

    /**
     * A domain with its transform by its style name, as {@link #style()} writes it: "bottts", "avataaars-tx20"
     * (shifted right 20%), "avataaars-rot180" (upside down), "avataaars-ty20-flip", or with random ranges
     * "avataaars-rot-30_30-tx-8_8" (every image turned by -30..30 degrees and shifted by -8..8%: the pose family's
     * data).
     */
    public static BuildSpec ofStyle(String style, int size, int count, long seed) {
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

    /** The domain with its transform, e.g. "avataaars-tx20": the name a domain classifier gives this data. */
    public String style() {
        return domain + transform.tag();
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
        return o;
    }
}
