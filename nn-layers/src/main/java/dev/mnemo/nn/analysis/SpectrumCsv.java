package dev.mnemo.nn.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The spectrum file {@link SpectrumTracker} writes: one row per eigenvalue,
 * {@code step,layer,gate,re,im,abs}, numbers as Java's shortest round-trip decimal (so values
 * read back bit for bit). The reader takes any file with those columns in any order.
 */
public final class SpectrumCsv {

    /** The header line. */
    public static final String HEADER = "step,layer,gate,re,im,abs";

    private SpectrumCsv() {
    }

    /** One eigenvalue of one gate block at one step. */
    public record Row(long step, String layer, String gate, double re, double im, double abs) {
        /** The CSV line, without a newline. */
        public String line() {
            return step + "," + layer + "," + gate + "," + re + "," + im + "," + abs;
        }
    }

    /**
     * Every row of {@code csv}.
     *
     * @throws IllegalArgumentException naming the file and line when a column is missing or a value
     *                                  does not parse
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static List<Row> read(Path csv) {
        try (BufferedReader in = Files.newBufferedReader(csv)) {
            String header = in.readLine();
            if (header == null) {
                throw new IllegalArgumentException(csv + " is empty; expected the header " + HEADER);
            }
            // a spreadsheet's UTF-8 export starts with a byte-order mark, which named the first column "\uFEFFstep"
            String[] names = (header.startsWith("\uFEFF") ? header.substring(1) : header).trim().split(",");
            int step = column(csv, names, "step");
            int layer = column(csv, names, "layer");
            int gate = column(csv, names, "gate");
            int re = column(csv, names, "re");
            int im = column(csv, names, "im");
            List<Row> rows = new ArrayList<>();
            String line;
            int number = 1;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != names.length) {
                    throw new IllegalArgumentException(csv + " line " + number + " has " + f.length + " fields, the "
                            + "header " + names.length + ": " + line);
                }
                try {
                    double r = Double.parseDouble(f[re]);
                    double i = Double.parseDouble(f[im]);
                    if (!Double.isFinite(r) || !Double.isFinite(i)) {   // parseDouble takes "NaN" and "Infinity"
                        throw new IllegalArgumentException(csv + " line " + number + ": re and im must be finite, got "
                                + r + ", " + i + ": " + line);
                    }
                    rows.add(new Row(Long.parseLong(f[step].trim()), f[layer].trim(), f[gate].trim(), r, i,
                            Math.hypot(r, i)));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(csv + " line " + number + ": " + e.getMessage() + ": " + line, e);
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        }
    }

    private static int column(Path csv, String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].trim().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(csv + " has no column '" + name + "'; expected the header " + HEADER
                + ", got " + String.join(",", names));
    }
}
