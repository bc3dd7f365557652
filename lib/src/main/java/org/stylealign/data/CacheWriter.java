package org.stylealign.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a dataset into {@code <final>.partial-<pid>}, then the manifest (temp file + atomic rename), then renames
 * the folder to its final name. A build that dies at any point leaves either no final folder or a complete one;
 * a folder without manifest.json never loads.
 */
final class CacheWriter implements AutoCloseable {

    private final Path target;
    private final Path work;
    private final Map<String, DigestOutputStream> streams = new LinkedHashMap<>();
    private final Map<String, long[]> sizes = new LinkedHashMap<>();
    private boolean done;

    CacheWriter(Path target) throws IOException {
        this.target = target;
        Files.createDirectories(target.getParent());
        this.work = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        deleteTree(work);
        Files.createDirectories(work);
    }

    OutputStream stream(String name) throws IOException {
        DigestOutputStream s = streams.get(name);
        if (s == null) {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            long[] counter = new long[1];
            OutputStream counting = new BufferedOutputStream(Files.newOutputStream(work.resolve(name)), 1 << 20) {
                @Override
                public synchronized void write(byte[] b, int off, int len) throws IOException {
                    super.write(b, off, len);
                    counter[0] += len;
                }

                @Override
                public synchronized void write(int b) throws IOException {
                    super.write(b);
                    counter[0]++;
                }
            };
            s = new DigestOutputStream(counting, md);
            streams.put(name, s);
            sizes.put(name, counter);
        }
        return s;
    }

    void writeLine(String name, String line) throws IOException {
        stream(name).write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    Map<String, Manifest.FileEntry> closeFiles() throws IOException {
        Map<String, Manifest.FileEntry> out = new LinkedHashMap<>();
        for (Map.Entry<String, DigestOutputStream> e : streams.entrySet()) {
            e.getValue().close();
            out.put(e.getKey(), new Manifest.FileEntry(sizes.get(e.getKey())[0],
                    HexFormat.of().formatHex(e.getValue().getMessageDigest().digest())));
        }
        return out;
    }

    /** Writes the manifest last and moves the folder into place. */
    Path commit(Manifest manifest) throws IOException {
        Path tmp = work.resolve("manifest.json.tmp");
        Files.writeString(tmp, manifest.toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, work.resolve("manifest.json"), StandardCopyOption.ATOMIC_MOVE);
        if (Files.exists(target)) {
            // an older or incomplete build under the same name; replaced only now that the new one is whole
            Path old = target.resolveSibling(target.getFileName() + ".old-" + ProcessHandle.current().pid());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        }
        Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
        done = true;
        return target;
    }

    @Override
    public void close() {
        if (!done) {
            for (DigestOutputStream s : streams.values()) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // the folder is deleted below
                }
            }
            try {
                deleteTree(work);
            } catch (IOException ignored) {
                // a leftover *.partial-* folder never loads
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
