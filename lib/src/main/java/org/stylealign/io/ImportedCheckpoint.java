package org.stylealign.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.stylealign.model.DiscriminatorConfig;
import org.stylealign.model.GeneratorConfig;

/**
 * A StyleGAN2 checkpoint in canonical tensor names (docs/parameters.md), whatever file it came from.
 *
 * @param source              the file read
 * @param format              "rosinality", "nvlabs-pkl", "state-dict" or "native"
 * @param generatorConfig     the generator architecture (inferred from the tensors; null only for a
 *                            discriminator-only file, see {@link Checkpoints#readDiscriminator})
 * @param gEma                the generator to use for inference (G_ema); without {@code mapping.w_avg} when the
 *                            file stored none (see {@link #hasWAvg()} and the notes)
 * @param g                   the training generator, or null
 * @param discriminatorConfig the discriminator architecture, or null without a discriminator
 * @param d                   the discriminator, or null
 * @param extraGroups         further named tensor groups of a native file (e.g. training state), else empty
 * @param metadata            settings read from the source (e.g. "G_ema.mapping.w_avg_beta") or extra native
 *                            metadata entries
 * @param notes               human-readable remarks about the import (assumptions, missing pieces)
 */
public record ImportedCheckpoint(Path source, String format, GeneratorConfig generatorConfig,
                                 Map<String, HostTensor> gEma, Map<String, HostTensor> g,
                                 DiscriminatorConfig discriminatorConfig, Map<String, HostTensor> d,
                                 Map<String, Map<String, HostTensor>> extraGroups, Map<String, String> metadata,
                                 List<String> notes) {

    public ImportedCheckpoint {
        gEma = frozen(gEma);
        g = frozen(g);
        d = frozen(d);
        Map<String, Map<String, HostTensor>> groups = new LinkedHashMap<>();
        if (extraGroups != null) {
            extraGroups.forEach((k, v) -> groups.put(k, frozen(v)));
        }
        extraGroups = Collections.unmodifiableMap(groups);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata == null ? Map.of() : metadata));
        notes = List.copyOf(notes == null ? List.of() : notes);
    }

    private static Map<String, HostTensor> frozen(Map<String, HostTensor> m) {
        return m == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    /** True when G_ema carries a stored {@code mapping.w_avg} (the truncation centre). */
    public boolean hasWAvg() {
        return gEma != null && gEma.containsKey("mapping.w_avg");
    }

    /** A copy with other extra groups and metadata, e.g. to add training state before writing a native file. */
    public ImportedCheckpoint withExtras(Map<String, Map<String, HostTensor>> groups, Map<String, String> meta) {
        return new ImportedCheckpoint(source, format, generatorConfig, gEma, g, discriminatorConfig, d, groups, meta,
                notes);
    }
}
