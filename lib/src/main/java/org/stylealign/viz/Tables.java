package org.stylealign.viz;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.stylealign.analysis.Alignment;
import org.stylealign.analysis.EditEffect;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;

/** Tablesaw tables as HTML in the notebook, saved as CSV under {@code <reports>/tables} with a stable name. */
public final class Tables {

    private Tables() {
    }

    /** The table as an HTML {@code <table>} (Tablesaw's writer, text escaped), headed by its name. */
    public static String html(Table table) {
        StringWriter w = new StringWriter();
        HtmlWriteOptions options;
        try {
            options = HtmlWriteOptions.builder(w).escapeText(true).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        table.write().usingOptions(options);
        String name = table.name() == null || table.name().isBlank() ? "" : "<p><b>" + escape(table.name()) + "</b> ("
                + table.rowCount() + " rows)</p>";
        return name + w;
    }

    /** Saves {@code <name>.csv} under {@link Figures#tablesDir()} and returns its path. */
    public static Path saveCsv(Table table, String name) {
        Path p = Figures.tablesDir().resolve(Figures.checkName(name) + ".csv");
        table.write().csv(p.toFile());
        return p;
    }

    /** Saves the table as CSV and shows it inline as HTML (as text outside a kernel). */
    public static void show(Table table, String name) {
        saveCsv(table, name);
        if (Display.kernel() == Display.Kernel.NONE) {
            System.out.println(table.printAll());
        } else {
            Display.html(html(table));
        }
    }

    /**
     * Semantic-alignment scores as one table: a row per (control, child), responses rounded to 3 digits (NaN where a
     * model has no reader for the attribute or the control model is absent), and the two verdicts.
     */
    public static Table alignment(String title, List<String> kinds, List<Alignment.Score> scores) {
        if (kinds.size() != scores.size()) {
            throw new IllegalArgumentException(kinds.size() + " kinds for " + scores.size() + " scores");
        }
        Table t = Table.create(title, StringColumn.create("kind", kinds),
                StringColumn.create("control", scores.stream().map(Alignment.Score::control).toList()),
                StringColumn.create("attribute (in the parent)", scores.stream().map(Alignment.Score::attribute).toList()),
                StringColumn.create("child", scores.stream().map(Alignment.Score::child).toList()),
                StringColumn.create("read in the child as", scores.stream()
                        .map(x -> x.readAs() == null ? "-" : x.readAs()).toList()));
        t.addColumns(responses("response in the parent", scores, Alignment.Score::parent, false),
                responses("response in the child", scores, Alignment.Score::inChild, false),
                responses("its standard error", scores, Alignment.Score::inChild, true),
                responses("control: same edit in the unrelated parent", scores, Alignment.Score::unrelated, false),
                responses("control: random edit in the child", scores, Alignment.Score::random, false),
                DoubleColumn.create("change-map agreement with the parent",
                        scores.stream().mapToDouble(x -> round(x.mapChild())).toArray()),
                DoubleColumn.create("control: unrelated parent",
                        scores.stream().mapToDouble(x -> round(x.mapUnrelated())).toArray()),
                DoubleColumn.create("control: random edit",
                        scores.stream().mapToDouble(x -> round(x.mapRandom())).toArray()),
                StringColumn.create("attribute aligned", scores.stream()
                        .map(x -> x.inChild() == null ? "-" : x.attributeAligned() ? "yes" : "no").toList()),
                StringColumn.create("map aligned", scores.stream().map(x -> x.mapAligned() ? "yes" : "no").toList()));
        return t;
    }

    private static DoubleColumn responses(String name, List<Alignment.Score> scores,
                                          Function<Alignment.Score, EditEffect.Response> f, boolean standardError) {
        return DoubleColumn.create(name, scores.stream().mapToDouble(x -> {
            EditEffect.Response r = f.apply(x);
            return r == null ? Double.NaN : round(standardError ? r.standardError() : r.mean());
        }).toArray());
    }

    private static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 1000) / 1000.0;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
