package org.stylealign.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** Entry point of the `stylealign` launcher. */
public final class Main {

    /** Every sub-command, in the order `help` lists them. Add new commands here. */
    static List<Command> commands() {
        return List.of(
                new InfoCommand(),
                new RenderCommand(),
                new StylesCommand(),
                new ConvertCommand(),
                new BenchCommand(),
                new DataCommand(),
                new TrainCommand(),
                new FinetuneCommand(),
                new MetricsCommand(),
                new InvertCommand(),
                new ExportCommand(),
                new FamilyCommand()
        );
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        for (Command c : commands()) {
            if (c.name().equals(args[0])) {
                try {
                    return c.run(Arrays.copyOfRange(args, 1, args.length), out, err);
                } catch (UsageException e) {
                    err.println("stylealign " + c.name() + ": " + e.getMessage());
                    return 2;
                } catch (Exception e) {
                    err.println("stylealign " + c.name() + ": " + describe(e));
                    if (System.getenv("STYLEALIGN_DEBUG") != null) {
                        e.printStackTrace(err);
                    }
                    return 1;
                }
            }
        }
        err.println("stylealign: unknown command '" + args[0] + "' (try 'stylealign help')");
        return 2;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void usage(PrintStream out) {
        out.println("usage: stylealign <command> [options]");
        out.println();
        for (Command c : commands()) {
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
        out.println();
        out.println("Set STYLEALIGN_DEBUG=1 for stack traces.");
    }
}
