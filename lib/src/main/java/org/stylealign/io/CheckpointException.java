package org.stylealign.io;

import java.io.IOException;

/** A checkpoint or array file could not be read or written; the message names the file and the problem. */
public class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
