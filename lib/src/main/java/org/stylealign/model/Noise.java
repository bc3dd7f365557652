package org.stylealign.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What the per-pixel noise inputs receive: the stored constant maps ({@link #constant()}, reproducible: what the
 * reference outputs use), fresh random maps, nothing, or maps the caller gives. Modes can differ per layer, e.g.
 * random noise in the coarse layers only.
 */
public final class Noise {

    public enum Mode { CONST, RANDOM, NONE }

    private final Mode defaultMode;
    private final Map<Predicate<StyleLayer>, Mode> overrides;
    private final List<NDArray> maps;

    private Noise(Mode defaultMode, Map<Predicate<StyleLayer>, Mode> overrides, List<NDArray> maps) {
        this.defaultMode = defaultMode;
        this.overrides = overrides;
        this.maps = maps;
    }

    public static Noise constant() {
        return new Noise(Mode.CONST, Map.of(), null);
    }

    public static Noise random() {
        return new Noise(Mode.RANDOM, Map.of(), null);
    }

    public static Noise none() {
        return new Noise(Mode.NONE, Map.of(), null);
    }

    public static Noise of(Mode mode) {
        return new Noise(Objects.requireNonNull(mode), Map.of(), null);
    }

    /** One map per noise input, in {@link StyleLayer#noiseIndex()} order, each [N or 1, 1, R, R]. */
    public static Noise maps(List<NDArray> maps) {
        return new Noise(Mode.CONST, Map.of(), List.copyOf(maps));
    }

    /** The same, but layers that match use {@code mode} instead. Later calls take precedence. */
    public Noise where(Predicate<StyleLayer> layers, Mode mode) {
        Map<Predicate<StyleLayer>, Mode> m = new java.util.LinkedHashMap<>(overrides);
        m.put(layers, mode);
        return new Noise(defaultMode, m, maps);
    }

    /** Layers of resolution <= maxRes use {@code mode}. */
    public Noise whereResolutionAtMost(int maxRes, Mode mode) {
        return where(l -> l.resolution() <= maxRes, mode);
    }

    Mode modeFor(StyleLayer layer) {
        Mode m = defaultMode;
        for (Map.Entry<Predicate<StyleLayer>, Mode> e : overrides.entrySet()) {
            if (e.getKey().test(layer)) {
                m = e.getValue();
            }
        }
        return m;
    }

    /** The noise map for one layer, or null for none. */
    NDArray mapFor(StyleLayer layer, SynthesisLayer conv, NDManager manager, long batch) {
        Mode m = modeFor(layer);
        if (maps != null && m == Mode.CONST && !hasOverride(layer)) {
            if (layer.noiseIndex() >= maps.size()) {
                throw new IllegalArgumentException("noise maps: got " + maps.size() + ", layer " + layer.name()
                        + " needs index " + layer.noiseIndex());
            }
            return maps.get(layer.noiseIndex());
        }
        return switch (m) {
            case CONST -> conv.constNoise();
            case RANDOM -> conv.randomNoise(manager, batch);
            case NONE -> null;
        };
    }

    private boolean hasOverride(StyleLayer layer) {
        for (Predicate<StyleLayer> p : overrides.keySet()) {
            if (p.test(layer)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Noise[" + defaultMode + (overrides.isEmpty() ? "" : ", " + overrides.size() + " override(s)")
                + (maps == null ? "" : ", given maps") + "]";
    }
}
