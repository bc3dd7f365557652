package org.stylealign.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Figures, charts, tables and progress outside a kernel: files land under the report folder, text on the console. */
class OutputsTest {

    @TempDir
    Path reports;
    private String before;

    @BeforeEach
    void useTempReports() {
        before = System.getProperty("stylealign.reports");
        System.setProperty("stylealign.reports", reports.toString());
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty("stylealign.reports");
        } else {
            System.setProperty("stylealign.reports", before);
        }
    }

    @Test
    void noKernelInUnitTests() {
        assertEquals(Display.Kernel.NONE, Display.kernel());
    }

    @Test
    void figuresHaveStableCheckedNames() throws Exception {
        Path p = Figures.savePng(new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB), "00-stylegan-fig8-truncation");
        assertEquals(reports.resolve("figures/00-stylegan-fig8-truncation.png"), p);
        assertEquals(3, ImageIO.read(p.toFile()).getWidth());
        assertThrows(IllegalArgumentException.class, () -> Figures.checkName("Bad Name"));
        assertThrows(IllegalArgumentException.class, () -> Figures.checkName("../escape"));
    }

    @Test
    void chartsAreSavedAsPngAndSvg() throws Exception {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("a", new double[] {0, 1, 1, 2, 3});
        series.put("b", new double[] {-1, 0, 0.5});
        XYChart chart = Charts.histograms("h", "x", series, 4);
        BufferedImage img = Charts.save(chart, "00-test-chart");
        assertEquals(Charts.WIDTH, img.getWidth());
        assertTrue(Files.size(reports.resolve("figures/00-test-chart.png")) > 0);
        assertTrue(Files.readString(reports.resolve("figures/00-test-chart.svg")).contains("<svg"));
    }

    @Test
    void tablesBecomeEscapedHtmlAndCsv() throws Exception {
        Table t = Table.create("layers", StringColumn.create("name", "b4.conv1", "<x>"),
                IntColumn.create("resolution", 4, 8));
        String html = Tables.html(t);
        assertTrue(html.contains("<table"), html);
        assertTrue(html.contains("b4.conv1"), html);
        assertTrue(html.contains("&lt;x&gt;"), html);
        assertFalse(html.contains("<x>"), html);
        Path csv = Tables.saveCsv(t, "00-style-layers");
        assertTrue(Files.readString(csv).startsWith("name,resolution"));
    }

    @Test
    void consoleProgressPrintsTenthsAndTheEnd() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress p = Progress.onConsole("work", 20, out)) {
            for (int i = 0; i < 20; i++) {
                p.step();
            }
            assertEquals(20, p.done());
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(11, lines.length, String.join("\n", lines));
        assertTrue(lines[10].contains("20/20") && lines[10].endsWith("done"), lines[10]);
        assertTrue(Progress.html("a<b", 1, 4, 2.0).contains("a&lt;b"));
        assertTrue(Progress.text("w", 1, 4, 2.0).contains("about 6 s left"));
    }

    @Test
    void progressFollowsACountAndShowsANote() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (Progress p = Progress.onConsole("images", 1000, out)) {
            p.note("G 1.0 D 0.5");
            p.stepTo(160);
            p.stepTo(640);
            p.stepTo(5000);
            assertEquals(1000, p.done(), "clamped to the total");
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertTrue(lines[0].contains("160/1000") && lines[0].endsWith("G 1.0 D 0.5"), lines[0]);
        assertTrue(lines[lines.length - 1].contains("1000/1000") && lines[lines.length - 1].endsWith("G 1.0 D 0.5 done"),
                lines[lines.length - 1]);
    }

    @Test
    void overStepsOncePerItem() {
        int n = 0;
        for (String s : Progress.over("items", java.util.List.of("a", "b", "c"))) {
            n++;
        }
        assertEquals(3, n);
    }

    @Test
    void htmlFallbackIsReadableText() {
        assertEquals("a\nb\tc", Display.plainText("<p>a</p><table><tr><td>b</td><td>c</td></tr></table>").strip()
                .replace("\t\n", "\n").replaceAll("\t$", ""));
    }

    @Test
    void barsHaveOneValuePerCategory() {
        var chart = Charts.bars("b", "part", "share", java.util.List.of("mapping", "convs"),
                new java.util.LinkedHashMap<>(java.util.Map.of("C1", new double[] {0.1, 0.8})));
        assertEquals(1, chart.getSeriesMap().size());
        assertEquals(Charts.WIDTH, Charts.save(chart, "00-test-bars").getWidth());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Charts.bars("b", "x", "y",
                java.util.List.of("a", "b", "c"), java.util.Map.of("s", new double[] {1, 2})));
    }
}
