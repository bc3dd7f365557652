package org.stylealign.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {

    @Test
    void aNewFileIsReadableByOthersAndAReplacedOneKeepsItsPermissions(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.txt");
        AtomicFiles.writeLines(f, List.of("one"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
                "not the private mode of the temporary file");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.writeLines(f, List.of("two"));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(List.of("two"), Files.readAllLines(f));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("b.txt");
        AtomicFiles.writeLines(f, List.of("kept"));
        assertThrows(CheckpointException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new java.io.IOException("disk full (simulated)");
        }));
        assertEquals(List.of("kept"), Files.readAllLines(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary left behind");
        }
    }
}
