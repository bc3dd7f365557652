package org.stylealign.cli;

/**
 * A mistake in the command line found while running (a file that is not there, values that do not fit the model or
 * each other): printed without a stack trace, exit code 2. Mistakes in the options themselves are picocli's.
 */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
