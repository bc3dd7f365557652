package org.stylealign.viz;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.Locale;

/**
 * A progress bar for work longer than a few seconds. In a notebook it is one display that updates itself (the
 * executed notebook keeps its final state: count and time taken); on a terminal it prints a line every 10 %.
 * <pre>{@code
 * try (Progress p = Progress.start("sampling", n)) { for (...) { ...; p.step(); } }
 * for (int seed : Progress.over("seeds", seeds)) { ... }
 * }</pre>
 */
public final class Progress implements AutoCloseable {

    private static final long UPDATE_NANOS = 300_000_000L;

    private final String label;
    private final long total;
    private final long startNanos;
    private final String displayId;
    private final PrintStream console;
    private long done;
    private long lastUpdate;
    private int lastDecile = -1;
    private boolean closed;
    private String note = "";

    private Progress(String label, long total, PrintStream console) {
        this.label = label;
        this.total = Math.max(0, total);
        this.startNanos = System.nanoTime();
        this.console = console;
        this.displayId = console == null ? Display.htmlWithId(html(label, 0, this.total, 0)) : null;
        this.lastUpdate = startNanos;
    }

    /** Starts a bar for {@code total} steps (shown in the notebook, or printed when outside one). */
    public static Progress start(String label, long total) {
        return new Progress(label, total, Display.kernel() == Display.Kernel.NONE ? System.out : null);
    }

    /** A terminal-style bar on the given stream (tests, CLI). */
    static Progress onConsole(String label, long total, PrintStream out) {
        return new Progress(label, total, out);
    }

    /** Iterates over {@code items}, stepping once per item; the bar closes when the loop ends. */
    public static <T> Iterable<T> over(String label, java.util.Collection<T> items) {
        return () -> {
            Progress p = start(label, items.size());
            Iterator<T> it = items.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    boolean more = it.hasNext();
                    if (!more) {
                        p.close();
                    }
                    return more;
                }

                @Override
                public T next() {
                    T t = it.next();
                    // Counts items handed out: the bar reaches total when the last one starts; close marks the end.
                    p.step();
                    return t;
                }
            };
        };
    }

    public void step() {
        step(1);
    }

    public synchronized void step(long n) {
        done = Math.min(total, done + n);
        long now = System.nanoTime();
        if (console != null) {
            int decile = total == 0 ? 10 : (int) (10 * done / total);
            if (decile != lastDecile && decile < 10) {
                lastDecile = decile;
                console.println(text(label, done, total, seconds(now)) + suffix());
            }
        } else if (now - lastUpdate >= UPDATE_NANOS) {
            lastUpdate = now;
            Display.updateHtml(displayId, html(label, done, total, seconds(now)).replace("</div>",
                    Tables.escape(suffix()) + "</div>"));
        }
    }

    /** Moves the bar to {@code count} (clamped to the total), e.g. the images a training run has seen. */
    public synchronized void stepTo(long count) {
        step(Math.max(0, count - done));
    }

    /** A short text shown after the counts (e.g. the latest losses); shown from the next update on. */
    public synchronized void note(String text) {
        this.note = text == null ? "" : text;
    }

    public synchronized long done() {
        return done;
    }

    /** Marks the work finished and shows the total time. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        double s = seconds(System.nanoTime());
        if (console != null) {
            console.println(text(label, done, total, s) + suffix() + " done");
        } else {
            Display.updateHtml(displayId, html(label, done, total, s).replace("</div>",
                    Tables.escape(suffix()) + " &#10003;</div>"));
        }
    }

    private String suffix() {
        return note.isEmpty() ? "" : "  " + note;
    }

    private double seconds(long now) {
        return (now - startNanos) / 1e9;
    }

    static String text(String label, long done, long total, double seconds) {
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / total);
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %s", label, "#".repeat(filled), ".".repeat(width - filled),
                done, total, timing(done, total, seconds));
    }

    static String html(String label, long done, long total, double seconds) {
        return String.format(Locale.ROOT,
                "<div style='font-family:monospace'>%s <progress value='%d' max='%d' style='width:240px'></progress>"
                        + " %d/%d %s</div>",
                Tables.escape(label), done, Math.max(total, 1), done, total, timing(done, total, seconds));
    }

    private static String timing(long done, long total, double seconds) {
        String t = String.format(Locale.ROOT, "%.1f s", seconds);
        if (done > 0 && done < total) {
            t += String.format(Locale.ROOT, ", about %.0f s left", seconds * (total - done) / done);
        }
        return t;
    }
}
