package dev.mnemo.nn.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tracker's files: CSV rows that agree with the summary, PNGs that decode at the asked size. */
class SpectrumTrackerTest {

    @Test
    void snapshotsWriteConsistentCsvsAndPictures(@TempDir Path dir) throws IOException {
        var lstm = new Lstm(RecurrentOptions.builder(2, 6).seed(3).build());
        var gru = new Gru(RecurrentOptions.builder(2, 4).seed(4).build());
        int steps = 0;
        try (SpectrumTracker tracker = SpectrumTracker.builder(dir).every(10).horizon(5).plotSize(200)
                .track(lstm).track("dec", gru).build()) {
            for (long step = 0; step < 25; step++) {
                if (tracker.onStep(step)) {
                    steps++;
                }
                // "training": the weights drift
                Tensor w = lstm.parameters().get("weight_hh_l0");
                for (int i = 0; i < w.numel(); i++) {
                    w.setFlat(i, w.getFlat(i) * 1.02);
                }
            }
            assertFalse(tracker.onStep(25));
            List<SpectrumSummary> last = tracker.snapshot(25);
            assertEquals(4 + 3, last.size());
            assertEquals("dec.l0", last.get(4).layer());
            List<Path> pngs = tracker.writePlots();
            assertEquals(7 + 1, pngs.size());
            for (Path p : pngs) {
                BufferedImage img = ImageIO.read(p.toFile());
                assertNotNull(img, p.toString());
                boolean radius = p.getFileName().toString().equals(SpectrumTracker.RADIUS_PLOT);
                assertEquals(radius ? 300 : 200, img.getWidth(), p.toString());
                assertEquals(200, img.getHeight(), p.toString());
            }
            assertTrue(Files.exists(dir.resolve("eigenvalues-l0-g.png")));
            assertTrue(Files.exists(dir.resolve("eigenvalues-dec.l0-n.png")));
        }
        assertEquals(3, steps); // 0, 10, 20
        List<String> summary = Files.readAllLines(dir.resolve(SpectrumTracker.SUMMARY_FILE));
        assertEquals("step,layer,gate,radius,modes_tau_gt_5", summary.get(0));
        assertEquals(1 + 4 * 7, summary.size());
        List<SpectrumCsv.Row> rows = SpectrumCsv.read(dir.resolve(SpectrumTracker.SPECTRUM_FILE));
        assertEquals(4 * (4 * 6 + 3 * 4), rows.size());
        // every summary row agrees with its group of spectrum rows
        Map<String, double[]> maxAndCount = new HashMap<>();
        double threshold = Math.exp(-1.0 / 5);
        for (SpectrumCsv.Row r : rows) {
            double[] acc = maxAndCount.computeIfAbsent(r.step() + "," + r.layer() + "," + r.gate(), k -> new double[3]);
            acc[0] = Math.max(acc[0], r.abs());
            acc[1] += r.abs() > threshold ? 1 : 0;
            acc[2]++;
            assertEquals(Math.hypot(r.re(), r.im()), r.abs(), 0);
        }
        for (String line : summary.subList(1, summary.size())) {
            String[] f = line.split(",");
            double[] acc = maxAndCount.get(f[0] + "," + f[1] + "," + f[2]);
            assertNotNull(acc, line);
            assertEquals(acc[0], Double.parseDouble(f[3]), 0, line);
            assertEquals((int) acc[1], Integer.parseInt(f[4]), line);
            assertEquals(f[1].startsWith("dec") ? 4 : 6, (int) acc[2], line);
        }
        // the drift shows: the radius of l0/i grew by 1.02^k between snapshots
        double r0 = maxAndCount.get("0,l0,i")[0];
        double r10 = maxAndCount.get("10,l0,i")[0];
        assertEquals(Math.pow(1.02, 10), r10 / r0, 1e-5);
    }

    /** A diverged layer (NaN in weight_hh, of any tracked layer) skips the snapshot instead of ending the run. */
    /** A step written twice gave its blocks 2H modes in spectrum.csv (a spectrum-matched init then drew them). */
    @Test
    void aStepIsWrittenOnceAndInOrder(@TempDir Path dir) throws IOException {
        var lstm = new Lstm(RecurrentOptions.builder(2, 3).seed(3).build());
        try (SpectrumTracker tracker = SpectrumTracker.builder(dir).every(10).track(lstm).build()) {
            assertTrue(tracker.onStep(10));
            long rows = Files.readAllLines(tracker.spectrumCsv()).size();
            var e = assertThrows(IllegalArgumentException.class, () -> tracker.snapshot(10));
            assertEquals("step 10 is not after the last snapshot's (10): the CSVs hold one snapshot a step, in order",
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> tracker.snapshot(3));
            assertEquals(rows, Files.readAllLines(tracker.spectrumCsv()).size(), "nothing written");
            assertEquals(4, tracker.snapshot(11).size());
        }
    }

    @Test
    void aSnapshotOfNonFiniteWeightsIsSkipped(@TempDir Path dir) throws IOException {
        var lstm = new Lstm(RecurrentOptions.builder(2, 3).seed(3).build());
        var gru = new Gru(RecurrentOptions.builder(2, 4).numLayers(2).seed(4).build());
        try (SpectrumTracker tracker = SpectrumTracker.builder(dir).every(1).track(lstm).track("dec", gru).build()) {
            assertEquals(4 + 6, tracker.snapshot(0).size());
            long rows = Files.readAllLines(tracker.spectrumCsv()).size();
            Tensor w = gru.parameters().get("weight_hh_l1");
            w.setFlat(w.numel() - 1, Double.POSITIVE_INFINITY);
            assertEquals(List.of(), tracker.snapshot(7));
            w.setFlat(w.numel() - 1, Double.NaN);
            assertFalse(tracker.onStep(8), "skipped, not taken");
            assertEquals(List.of(7L, 8L), tracker.skippedSteps());
            assertEquals(rows, Files.readAllLines(tracker.spectrumCsv()).size(), "no rows for a skipped step");
            assertEquals(1 + 10, Files.readAllLines(tracker.summaryCsv()).size());
            assertEquals(10 + 1, tracker.writePlots().size(), "the pictures show the snapshot that was taken");
        }
    }

    @Test
    void badOptionsAreRejected(@TempDir Path dir) {
        var lstm = new Lstm(RecurrentOptions.of(2, 3));
        assertThrows(IllegalArgumentException.class, () -> SpectrumTracker.builder(dir).build());
        assertThrows(IllegalArgumentException.class, () -> SpectrumTracker.builder(dir).every(0).track(lstm).build());
        assertThrows(IllegalArgumentException.class, () -> SpectrumTracker.builder(dir).track("a,b", lstm));
        assertThrows(IllegalArgumentException.class,
                () -> SpectrumTracker.builder(dir).track(lstm).track(lstm).build());
        SpectrumTracker t = SpectrumTracker.builder(dir).track(lstm).build();
        t.close();
        t.close();
        assertThrows(IllegalStateException.class, () -> t.snapshot(0));
        var inf = assertThrows(IllegalArgumentException.class,
                () -> SpectrumTracker.builder(dir).horizon(Double.POSITIVE_INFINITY).track(lstm).build());
        assertEquals("horizon must be > 0 and finite, got Infinity", inf.getMessage());
        assertEquals("modes_tau_gt_784", SpectrumTracker.modesColumn(784));
        assertEquals("modes_tau_gt_12.5", SpectrumTracker.modesColumn(12.5));
        // from 2^63 on a long saturates: 1e19 was named modes_tau_gt_9223372036854775807
        assertEquals("modes_tau_gt_1.0E19", SpectrumTracker.modesColumn(1e19));
        assertEquals("modes_tau_gt_4611686018427387904", SpectrumTracker.modesColumn(0x1p62));
    }

    @Test
    void complexPlanePictureDecodes(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("sub/plane.png");
        SpectrumPlots.complexPlane(png, "test", List.of(new SpectrumPlots.Series("a", new double[]{0.5, 2},
                new double[]{0.5, 0})), 320, 240);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(320, img.getWidth());
        assertEquals(240, img.getHeight());
        assertThrows(IllegalArgumentException.class, () -> SpectrumPlots.complexPlane(png, "t",
                List.of(new SpectrumPlots.Series("a", new double[0], new double[0]),
                        new SpectrumPlots.Series("a", new double[0], new double[0])), 100, 100));
    }

    /**
     * Values a picture cannot show are refused up front, naming the series: a NaN eigenvalue drew a blank chart
     * without an error, an infinite trajectory value failed inside JFreeChart ("Must be finite.") and left a
     * 0-byte PNG. A NaN in a trajectory is a gap; a picture is written whole or not at all.
     */
    @Test
    void picturesRefuseValuesTheyCannotShow(@TempDir Path dir) throws IOException {
        for (double[] reIm : new double[][]{{Double.NaN, 0}, {0, Double.POSITIVE_INFINITY}, {1e301, 0}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new SpectrumPlots.Series("step 5",
                    new double[]{0.5, reIm[0]}, new double[]{0.1, reIm[1]}));
            assertTrue(e.getMessage().contains("series 'step 5': eigenvalue 1"), e.getMessage());
        }
        for (double v : new double[]{Double.POSITIVE_INFINITY, -1e301}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> new SpectrumPlots.Trajectory("l0/h", new long[]{0, 10}, new double[]{1, v}));
            assertTrue(e.getMessage().contains("trajectory 'l0/h': value " + v + " at step 10"), e.getMessage());
        }
        Path png = dir.resolve("radius.png");
        Files.writeString(png, "an older picture");
        SpectrumPlots.overTraining(png, "t", "radius", List.of(new SpectrumPlots.Trajectory("l0/h",
                new long[]{0, 10, 20}, new double[]{0.9, Double.NaN, 1e300})), 200, 160);
        assertEquals(200, ImageIO.read(png.toFile()).getWidth(), "replaced by the new picture");
        SpectrumPlots.complexPlane(dir.resolve("plane.png"), "t", List.of(new SpectrumPlots.Series("a",
                new double[]{1e300, 0}, new double[]{0, 0.5})), 200, 160);
        assertEquals(160, ImageIO.read(dir.resolve("plane.png").toFile()).getHeight());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("plane.png", "radius.png"), files.map(f -> f.getFileName().toString()).sorted()
                    .toList(), "no partial file left beside");
        }
    }

    /** One unit takes as many pixels across as up, so the unit circle is drawn round, at any picture size. */
    @Test
    void theComplexPlaneHasEqualScales() {
        for (int[] size : new int[][]{{640, 640}, {320, 240}, {240, 400}}) {
            var chart = SpectrumPlots.complexPlaneChart("eigenvalues of l0 gate i", List.of(new SpectrumPlots.Series(
                    "step 0", new double[]{0.5, 1.3}, new double[]{0.5, 0})), size[0], size[1]);
            var info = new org.jfree.chart.ChartRenderingInfo();
            chart.createBufferedImage(size[0], size[1], info);
            var area = info.getPlotInfo().getDataArea();
            var plot = chart.getXYPlot();
            double xPerPixel = plot.getDomainAxis().getRange().getLength() / area.getWidth();
            double yPerPixel = plot.getRangeAxis().getRange().getLength() / area.getHeight();
            assertEquals(1, xPerPixel / yPerPixel, 0.01, size[0] + "×" + size[1] + ": units per pixel across and up");
            assertTrue(Math.min(plot.getDomainAxis().getRange().getUpperBound(),
                    plot.getRangeAxis().getRange().getUpperBound()) >= 1.05 * 1.3 - 1e-12, "every eigenvalue shows");
        }
    }

    /** A byte-order mark before the header (a spreadsheet's UTF-8 export) is skipped. */
    @Test
    void aSpectrumCsvWithAByteOrderMarkReads(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("bom.csv");
        Files.writeString(csv, "\uFEFF" + SpectrumCsv.HEADER + "\r\n0,l0,h,0.5,0,0.5\r\n");
        assertEquals(1, SpectrumCsv.read(csv).size());
        assertEquals(0.5, SpectrumCsv.read(csv).getFirst().re());
    }

    /** A spectrum CSV holding NaN or ∞ (parseDouble reads both) is refused, naming the line. */
    @Test
    void aSpectrumCsvWithNonFiniteValuesIsRefused(@TempDir Path dir) throws IOException {
        for (String bad : new String[]{"NaN,0", "Infinity,0", "0.5,NaN"}) {
            Path csv = dir.resolve("bad.csv");
            Files.writeString(csv, SpectrumCsv.HEADER + "\n0,l0,h,0.5,0,0.5\n0,l0,h," + bad + ",1\n");
            var e = assertThrows(IllegalArgumentException.class, () -> SpectrumCsv.read(csv));
            assertTrue(e.getMessage().contains("bad.csv line 3: re and im must be finite"), e.getMessage());
        }
    }
}
