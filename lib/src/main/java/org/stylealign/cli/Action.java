package org.stylealign.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * What every `stylealign` command and sub-command shares: {@code -h/--help}, and the output streams of the
 * {@link Main#run} that called it (the library prints progress to a PrintStream, picocli to a PrintWriter).
 * {@link #call} returns the exit code; bad values found while running throw {@link UsageException} (exit 2).
 */
abstract class Action implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    PrintStream out() {
        return ((Main) spec.root().userObject()).out;
    }

    /** Whether an option with a default was given on the command line. */
    boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** For commands that only group sub-commands: their help, exit 2 (as when a required option is missing). */
    int usage() {
        spec.commandLine().usage(out());
        return 2;
    }
}
