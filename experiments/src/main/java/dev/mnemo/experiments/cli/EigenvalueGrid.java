package dev.mnemo.experiments.cli;

import dev.mnemo.nn.analysis.SpectrumPlots;
import dev.mnemo.nn.analysis.SpectrumSummary;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * One PNG of eigenvalue panels side by side: a column per task, a row per gate block, each panel the
 * block's eigenvalues before and after training on the complex plane with the unit circle
 * ({@link SpectrumPlots#complexPlane}, drawn one by one and pasted together).
 */
final class EigenvalueGrid {

    static final int PANEL = 400;

    /** A task's column: its title and the per-gate spectra before and after training (same order). */
    record Column(String title, List<SpectrumSummary> before, List<SpectrumSummary> after) {
    }

    private EigenvalueGrid() {
    }

    static void write(Path png, List<Column> columns, String cell) {
        int rows = columns.getFirst().after().size();
        BufferedImage grid = new BufferedImage(PANEL * columns.size(), PANEL * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
        Path tmp = null;
        try {
            tmp = Files.createTempFile("mnemo-panel", ".png");
            for (int c = 0; c < columns.size(); c++) {
                Column col = columns.get(c);
                for (int r = 0; r < rows; r++) {
                    SpectrumSummary b = col.before().get(r);
                    SpectrumSummary a = col.after().get(r);
                    SpectrumPlots.complexPlane(tmp, col.title() + ", " + cell + " gate " + a.gate(), List.of(
                            new SpectrumPlots.Series("before", b.re(), b.im()),
                            new SpectrumPlots.Series("after", a.re(), a.im())), PANEL, PANEL);
                    g.drawImage(ImageIO.read(tmp.toFile()), c * PANEL, r * PANEL, null);
                }
            }
            g.dispose();
            if (!ImageIO.write(grid, "png", png.toFile())) {
                throw new IOException("no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary picture is harmless
                }
            }
        }
    }
}
