package org.stylealign.io;

/**
 * A pickle asked for a global (a Python function or class) outside the allow-list of checkpoint data types.
 * Nothing from the pickle was executed: globals are only looked up in that list, never imported or run.
 */
public class UnsafePickleException extends CheckpointException {

    private static final long serialVersionUID = 1L;

    private final String global;

    public UnsafePickleException(String file, String global) {
        super(file + ": refused to load the pickle: it references '" + global
                + "', which is not a checkpoint data type (possibly malicious; nothing was executed)");
        this.global = global;
    }

    /** The refused global as module.name. */
    public String global() {
        return global;
    }
}
