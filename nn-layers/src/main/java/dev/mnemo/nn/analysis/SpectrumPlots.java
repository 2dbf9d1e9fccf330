package dev.mnemo.nn.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG pictures of spectra with JFreeChart, headless ({@code java.awt.headless} is set to true unless
 * the application set it): eigenvalues on the complex plane with the unit circle (one point series
 * per snapshot, e.g. before vs after training), and spectral radii over training.
 */
public final class SpectrumPlots {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private SpectrumPlots() {
    }

    /**
     * The largest magnitude a picture takes: the axes reach a little past it and are widened again to equal
     * scales, and JFreeChart refuses an axis range that is not finite.
     */
    public static final double MAX_DRAWN = 1e300;

    /** Eigenvalues to draw as points. */
    public record Series(String label, double[] re, double[] im) {
        /**
         * Checks the lengths and values: a NaN made the axes NaN and left the whole picture blank, an infinite
         * one failed inside JFreeChart with a bare "Must be finite.".
         */
        public Series {
            Objects.requireNonNull(label, "label");
            if (re.length != im.length) {
                throw new IllegalArgumentException("re and im must have the same length, got " + re.length + " and "
                        + im.length);
            }
            for (int i = 0; i < re.length; i++) {
                if (!(Math.hypot(re[i], im[i]) <= MAX_DRAWN)) {
                    throw new IllegalArgumentException("series '" + label + "': eigenvalue " + i + " = " + re[i]
                            + (im[i] < 0 ? " - " : " + ") + Math.abs(im[i]) + "i cannot be drawn (|λ| must be finite, "
                            + "at most " + MAX_DRAWN + ")");
                }
            }
        }
    }

    /** A value over training steps, drawn as a line; a NaN value leaves a gap. */
    public record Trajectory(String label, long[] steps, double[] values) {
        /** Checks the lengths and values (an infinite one failed inside JFreeChart with a bare "Must be finite."). */
        public Trajectory {
            Objects.requireNonNull(label, "label");
            if (steps.length != values.length) {
                throw new IllegalArgumentException("steps and values must have the same length, got " + steps.length
                        + " and " + values.length);
            }
            for (int i = 0; i < values.length; i++) {
                if (Math.abs(values[i]) > MAX_DRAWN) {
                    throw new IllegalArgumentException("trajectory '" + label + "': value " + values[i] + " at step "
                            + steps[i] + " cannot be drawn (at most " + MAX_DRAWN + " in magnitude, or NaN for a gap)");
                }
            }
        }
    }

    /**
     * Writes the eigenvalues of each series on the complex plane, with the unit circle, to {@code png}:
     * equal scales on both axes, so the circle is round and |λ| reads off the picture, with the shorter
     * axis spanning ±max(1.05, 1.05·max |λ|).
     *
     * @throws IllegalArgumentException on duplicate labels or a size below 16 pixels
     * @throws UncheckedIOException     naming the file when it cannot be written
     */
    public static void complexPlane(Path png, String title, List<Series> series, int width, int height) {
        save(png, complexPlaneChart(title, series, width, height), width, height);
    }

    /** The chart {@link #complexPlane} writes, its axes already at equal scales for a {@code width × height} picture. */
    static JFreeChart complexPlaneChart(String title, List<Series> series, int width, int height) {
        checkSize(width, height);
        unique(series.stream().map(Series::label).toList());
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries circle = new XYSeries("|λ| = 1", false, true);
        for (int k = 0; k <= 360; k++) {
            double t = Math.toRadians(k);
            circle.add(Math.cos(t), Math.sin(t));
        }
        data.addSeries(circle);
        double extent = 1.05;
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.label(), false, true);
            for (int i = 0; i < s.re().length; i++) {
                xy.add(s.re()[i], s.im()[i]);
                extent = Math.max(extent, 1.05 * Math.hypot(s.re()[i], s.im()[i]));
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "Re λ", "Im λ", data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesLinesVisible(0, true);
        r.setSeriesShapesVisible(0, false);
        r.setSeriesPaint(0, Color.GRAY);
        r.setSeriesStroke(0, new BasicStroke(1.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[]{4f, 4f}, 0f));
        for (int i = 1; i <= series.size(); i++) {
            r.setSeriesLinesVisible(i, false);
            r.setSeriesShapesVisible(i, true);
            r.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
            r.setSeriesPaint(i, PALETTE[(i - 1) % PALETTE.length]);
        }
        plot.setRenderer(r);
        style(plot);
        ((NumberAxis) plot.getDomainAxis()).setRange(-extent, extent);
        ((NumberAxis) plot.getRangeAxis()).setRange(-extent, extent);
        equalScales(chart, extent, width, height);
        return chart;
    }

    /**
     * Widens the longer side's axis so one unit takes as many pixels on both: the title, legend and labels leave a
     * data area that is not square (561 × 534 pixels in a 640 × 640 picture), which drew the unit circle as an
     * ellipse. Laid out twice, as the new tick labels can move the area by a pixel.
     */
    private static void equalScales(JFreeChart chart, double extent, int width, int height) {
        XYPlot plot = chart.getXYPlot();
        for (int pass = 0; pass < 2; pass++) {
            ChartRenderingInfo info = new ChartRenderingInfo();
            chart.createBufferedImage(width, height, info);
            Rectangle2D area = info.getPlotInfo().getDataArea();
            if (!(area.getWidth() > 0 && area.getHeight() > 0)) {
                return;
            }
            double ratio = area.getWidth() / area.getHeight();
            ((NumberAxis) plot.getDomainAxis()).setRange(-extent * Math.max(1, ratio), extent * Math.max(1, ratio));
            ((NumberAxis) plot.getRangeAxis()).setRange(-extent * Math.max(1, 1 / ratio), extent * Math.max(1, 1 / ratio));
        }
    }

    /**
     * Writes each trajectory as a line over training steps, with a dashed line at 1 (the edge of
     * stability), to {@code png}.
     *
     * @throws IllegalArgumentException on duplicate labels or a size below 16 pixels
     * @throws UncheckedIOException     naming the file when it cannot be written
     */
    public static void overTraining(Path png, String title, String valueLabel, List<Trajectory> trajectories,
                                    int width, int height) {
        checkSize(width, height);
        unique(trajectories.stream().map(Trajectory::label).toList());
        XYSeriesCollection data = new XYSeriesCollection();
        for (Trajectory t : trajectories) {
            XYSeries xy = new XYSeries(t.label(), false, true);
            for (int i = 0; i < t.steps().length; i++) {
                xy.add(t.steps()[i], t.values()[i]);
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "step", valueLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < trajectories.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesShape(i, new Ellipse2D.Double(-2, -2, 4, 4));
        }
        plot.setRenderer(r);
        style(plot);
        ValueMarker one = new ValueMarker(1.0, Color.GRAY, new BasicStroke(1.0f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[]{4f, 4f}, 0f));
        plot.addRangeMarker(one);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        save(png, chart, width, height);
    }

    private static void style(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
    }

    /**
     * Draws the chart, then writes it beside {@code png} and moves it into place: drawing straight into the file
     * left a 0-byte PNG behind when drawing failed.
     */
    private static void save(Path png, JFreeChart chart, int width, int height) {
        BufferedImage image = chart.createBufferedImage(width, height);
        Path target = png.toAbsolutePath();
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            Files.createDirectories(target.getParent());
            try (OutputStream out = Files.newOutputStream(partial)) {
                ChartUtils.writeBufferedImageAsPNG(out, image);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the write's own failure is the one to report
            }
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    private static void checkSize(int width, int height) {
        if (width < 16 || height < 16) {
            throw new IllegalArgumentException("width and height must be >= 16 pixels, got " + width + "×" + height);
        }
    }

    private static void unique(List<String> labels) {
        Set<String> seen = new HashSet<>();
        for (String l : labels) {
            if (!seen.add(l)) {
                throw new IllegalArgumentException("series labels must be unique, '" + l + "' appears twice");
            }
        }
    }
}
