package org.stylealign.cli;

/** A mistake in the command line: printed without a stack trace, exit code 2. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
