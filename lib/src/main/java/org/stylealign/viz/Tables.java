package org.stylealign.viz;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
