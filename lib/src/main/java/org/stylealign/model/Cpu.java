package org.stylealign.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What CPU this process runs on, as figures and reports must say (libtorch's kernels and their bugs differ by CPU). */
public final class Cpu {

    private static final List<String> ISA_FLAGS = List.of("avx2", "fma", "avx512f", "avx512bw", "avx512dq",
            "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "avx_vnni");
    private static volatile String description;

    private Cpu() {
    }

    /**
     * e.g. {@code AMD EPYC 9B45 (family 26 model 2; avx2 fma avx512f avx512bw ...)}, and the oneDNN ISA limit when
     * {@code ONEDNN_MAX_CPU_ISA} is set. Read once from /proc/cpuinfo; the OS name and architecture elsewhere.
     */
    public static String describe() {
        String d = description;
        if (d == null) {
            d = read();
            description = d;
        }
        return d;
    }

    private static String read() {
        String name = System.getProperty("os.arch"), family = "?", model = "?";
        String flags = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
                switch (key) {
                    case "model name" -> name = value;
                    case "cpu family" -> family = value;
                    case "model" -> model = value;
                    case "flags" -> flags = value;
                    default -> { }
                }
                if (key.isEmpty() || line.isBlank()) {
                    break;
                }
                if (!flags.isEmpty()) {
                    break; // the first processor's block is enough
                }
            }
        } catch (IOException | RuntimeException e) {
            return name + " (" + System.getProperty("os.name") + "; /proc/cpuinfo not readable)";
        }
        List<String> have = Arrays.asList(flags.split("\\s+"));
        String isa = ISA_FLAGS.stream().filter(have::contains).collect(Collectors.joining(" "));
        String limit = System.getenv("ONEDNN_MAX_CPU_ISA");
        return String.format(Locale.ROOT, "%s (family %s model %s; %s)%s", name, family, model, isa,
                limit == null || limit.isBlank() ? "" : ", ONEDNN_MAX_CPU_ISA=" + limit);
    }
}
