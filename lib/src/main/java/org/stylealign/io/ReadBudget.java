package org.stylealign.io;

/**
 * What reading one file may allocate for tensor data, in proportion to the file's size: a damaged or hostile file
 * that declares huge shapes, or views one stored array many times, is refused before the memory is taken.
 */
final class ReadBudget {

    private final String file;
    private final long limit;
    private long used;

    /** Eight bytes per file byte (a uint8 array read as float32 needs four) plus 16 MiB for small files. */
    ReadBudget(String file, long fileBytes) {
        this.file = file;
        this.limit = 8 * Math.max(0, fileBytes) + (16L << 20);
    }

    /** Reserves {@code bytes} for {@code what}, or refuses when the file cannot hold that much data. */
    void take(long bytes, String what) throws CheckpointException {
        if (bytes < 0 || bytes > limit - used) {
            throw new CheckpointException(file + ": " + what + " would need " + (bytes < 0 ? "an impossible amount"
                    : String.format("%,d bytes", bytes)) + " of memory, far more than a file of this size can hold "
                    + "(damaged or hostile file)");
        }
        used += bytes;
    }
}
