package org.stylealign.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.io.PrintWriter;

/** Entry point of the `stylealign` launcher: the command tree, its error handling and exit codes. */
@Command(name = "stylealign", sortOptions = false, synopsisSubcommandLabel = "COMMAND",
        header = "The StyleAlign workbench's library outside notebooks",
        description = "Checkpoints, rendering, styles, data, training, metrics, inversion, export and model families.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "'stylealign help COMMAND' or 'stylealign COMMAND --help' describes a command's options.",
                "Set STYLEALIGN_DEBUG=1 for stack traces. Exit codes: 0 done, 1 failed, 2 bad command line."},
        // in the order help lists them; add new commands here
        subcommands = {InfoCommand.class, RenderCommand.class, StylesCommand.class, ConvertCommand.class,
                BenchCommand.class, DataCommand.class, TrainCommand.class, FinetuneCommand.class,
                MetricsCommand.class, InvertCommand.class, TranslateCommand.class, ExportCommand.class, FamilyCommand.class,
                HelpCommand.class, Main.Completion.class})
public final class Main extends Action {

    final PrintStream out;
    final PrintStream err;

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(out, err).execute(args);
    }

    /** The command tree writing to {@code out} and {@code err}; tests parse with it without running. */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main(out, err));
        // as the hand-written parser did: a repeated option takes its last value (scripts append overrides)
        cl.setOverwrittenOptionsAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler(Main::badCommandLine);
        cl.setExecutionExceptionHandler((e, c, parsed) -> failed(e, c));
        return cl;
    }

    /** `stylealign` alone: the list of commands, exit 2. */
    @Override
    public Integer call() {
        return usage();
    }

    /** picocli's message naming the option, a hint where the help is, exit 2. */
    private static int badCommandLine(ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        PrintWriter w = c.getErr();
        String name = c.getCommandSpec().qualifiedName();
        // picocli checks required options before unknown ones: name a misspelt option first, it is the likelier cause
        if (!(e instanceof UnmatchedArgumentException) && !c.getUnmatchedArguments().isEmpty()) {
            UnmatchedArgumentException u = new UnmatchedArgumentException(c, c.getUnmatchedArguments());
            w.println(name + ": " + u.getMessage());
            UnmatchedArgumentException.printSuggestions(u, w);
        }
        String m = e.getMessage().replaceFirst("^Error: ", "");
        if (e instanceof UnmatchedArgumentException u && !c.getSubcommands().isEmpty()
                && c.getCommandSpec().positionalParameters().isEmpty() && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) {
            m = "unknown command '" + u.getUnmatched().get(0) + "'"; // a word where a sub-command goes
        }
        w.println(name + ": " + m);
        UnmatchedArgumentException.printSuggestions(e, w);
        w.println("Try '" + name + " --help'" + (c.getSubcommands().isEmpty() ? " for its options." : "."));
        w.flush();
        return c.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A failure while running: its message after the command's name; 2 for {@link UsageException}, else 1. */
    private static int failed(Exception e, CommandLine c) {
        CommandLine top = c;
        while (top.getParent() != null && top.getParent().getParent() != null) {
            top = top.getParent();
        }
        PrintStream err = ((Main) c.getCommandSpec().root().userObject()).err;
        String name = top.getParent() == null ? "stylealign" : "stylealign " + top.getCommandName();
        String m = e.getMessage();
        err.println(name + ": " + (m == null ? e.getClass().getSimpleName() : m));
        if (e instanceof UsageException) {
            return 2;
        }
        if (System.getenv("STYLEALIGN_DEBUG") != null) {
            e.printStackTrace(err);
        }
        return 1;
    }

    /** `stylealign completion`: picocli's bash completion script for the whole command tree. */
    @Command(name = "completion", header = "Print a bash completion script for stylealign",
            description = {"picocli's script for bash (in zsh it loads bashcompinit). Enable it in this shell with",
            "  source <(bin/stylealign completion)", "with bin/ on PATH, so that the command is called stylealign."})
    static final class Completion extends Action {
        @Override
        public Integer call() {
            out().print(AutoComplete.bash("stylealign", spec.root().commandLine()));
            out().flush();
            return 0;
        }
    }
}
