package org.stylealign.viz;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart helpers: one look for every chart, saved as PNG and SVG under a stable name and shown inline as PNG. */
public final class Charts {

    public static final int WIDTH = 640;
    public static final int HEIGHT = 400;

    private Charts() {
    }

    /** An empty line chart with the workbench's look. */
    public static XYChart xy(String title, String xLabel, String yLabel) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setXAxisDecimalPattern("#0.###");
        chart.getStyler().setYAxisDecimalPattern("#0.###");
        return chart;
    }

    /**
     * Grouped bars: one group per category, one bar per series (insertion order), e.g. categories = model parts and
     * series = models. Each series has one value per category.
     */
    public static CategoryChart bars(String title, String xLabel, String yLabel, java.util.List<String> categories,
                                     Map<String, double[]> series) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisDecimalPattern("#0.###");
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            if (e.getValue().length != categories.size()) {
                throw new IllegalArgumentException("series '" + e.getKey() + "' has " + e.getValue().length
                        + " values for " + categories.size() + " categories");
            }
            java.util.List<Double> ys = new java.util.ArrayList<>();
            for (double v : e.getValue()) {
                ys.add(v);
            }
            chart.addSeries(e.getKey(), categories, ys);
        }
        return chart;
    }

    /** Adds a plain line (no markers). */
    public static XYSeries line(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** Adds a scatter series (small dots, no line). */
    public static XYSeries scatter(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }

    /**
     * Overlaid histograms as density step lines over a common range, so distributions of different sizes compare.
     * The range spans the 0.5-99.5 percentiles of all series; values outside it are left out of the bins (densities
     * are still relative to all values).
     */
    public static XYChart histograms(String title, String xLabel, Map<String, double[]> series, int bins) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] v : series.values()) {
            double[] s = v.clone();
            java.util.Arrays.sort(s);
            if (s.length > 0) {
                lo = Math.min(lo, s[(int) Math.floor(0.005 * (s.length - 1))]);
                hi = Math.max(hi, s[(int) Math.ceil(0.995 * (s.length - 1))]);
            }
        }
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        XYChart chart = xy(title, xLabel, "density");
        double width = (hi - lo) / bins;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            double[] counts = new double[bins];
            for (double v : e.getValue()) {
                if (v >= lo && v <= hi) {
                    counts[Math.min(bins - 1, (int) Math.floor((v - lo) / width))]++;
                }
            }
            double n = Math.max(1, e.getValue().length);
            double[] x = new double[2 * bins];
            double[] y = new double[2 * bins];
            for (int b = 0; b < bins; b++) {
                x[2 * b] = lo + b * width;
                x[2 * b + 1] = lo + (b + 1) * width;
                y[2 * b] = y[2 * b + 1] = counts[b] / (n * width);
            }
            line(chart, e.getKey(), x, y);
        }
        return chart;
    }

    /** Saves {@code <name>.png} and {@code <name>.svg} under {@link Figures#dir()}; returns the rendered image. */
    public static <C extends Chart<?, ?>> BufferedImage save(C chart, String name) {
        Path base = Figures.dir().resolve(Figures.checkName(name));
        BufferedImage img = BitmapEncoder.getBufferedImage(chart);
        Figures.savePng(img, name);
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return img;
    }

    /** Saves the chart (PNG + SVG) and shows it inline. */
    public static <C extends Chart<?, ?>> void show(C chart, String name) {
        Display.image(save(chart, name));
    }
}
