package org.stylealign.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A minimal `--name value` / `--flag` parser that names the offending option in its errors. */
final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, List<String>> repeated = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    Args(String[] args, Set<String> valued, Set<String> flags) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    values.put(name, "true");
                } else if (valued.contains(name)) {
                    if (inline == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("--" + name + " needs a value");
                        }
                        inline = args[++i];
                    }
                    values.put(name, inline);
                    repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(inline);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                positional.add(a);
            }
        }
    }

    /** Every value of an option given more than once (e.g. --child a.pkl --child b.pkl), in order. */
    List<String> all(String name) {
        return repeated.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    Path path(String name) {
        return Path.of(require(name));
    }

    int intValue(String name, int dflt) {
        String v = values.get(name);
        try {
            return v == null ? dflt : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    float floatValue(String name, float dflt) {
        String v = values.get(name);
        try {
            return v == null ? dflt : Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    /** "1,2,5-8" -> 1 2 5 6 7 8. */
    long[] seeds(String name) {
        String v = require(name);
        List<Long> out = new ArrayList<>();
        for (String part : v.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    long a = Long.parseLong(p.substring(0, dash).trim());
                    long b = Long.parseLong(p.substring(dash + 1).trim());
                    if (b < a || b - a > 100_000) {
                        throw new UsageException("--" + name + ": bad range '" + p + "'");
                    }
                    for (long s = a; s <= b; s++) {
                        out.add(s);
                    }
                } else {
                    out.add(Long.parseLong(p));
                }
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " takes seeds like 1,2,5-8; got '" + v + "'");
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("--" + name + " names no seed");
        }
        for (long s : out) {
            if (s < 0 || s > 0xFFFFFFFFL) {
                throw new UsageException("--" + name + ": seed " + s + " is outside 0..2^32-1 (numpy's range)");
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    List<String> positional() {
        return positional;
    }
}
