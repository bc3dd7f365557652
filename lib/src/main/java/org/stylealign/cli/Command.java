package org.stylealign.cli;

import java.io.PrintStream;

/** One `stylealign` sub-command. Returns the process exit code; throws only for unexpected failures. */
public interface Command {

    /** The word after `stylealign`, e.g. "render". */
    String name();

    /** One line for `stylealign help`. */
    String summary();

    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
