package org.stylealign.data;

/** A data problem the user can fix (unknown domain, missing tool, corrupt cache): reported without a stack trace. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
