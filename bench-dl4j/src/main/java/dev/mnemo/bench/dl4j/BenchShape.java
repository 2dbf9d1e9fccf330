package dev.mnemo.bench.dl4j;

import java.util.ArrayList;
import java.util.List;

/**
 * One benchmark case: a single-layer LSTM over T steps of a batch of B sequences of width I, hidden
 * size H, classified into {@value #CLASSES} classes from the last step.
 *
 * @param steps  T ≥ 1
 * @param batch  B ≥ 1
 * @param input  I ≥ 1
 * @param hidden H ≥ 1
 */
public record BenchShape(int steps, int batch, int input, int hidden) {

    /** Width of the output layer on the last step (both sides). */
    public static final int CLASSES = 10;

    /** The anchor shapes of {@code cpu-anchors.md}, in its order. */
    public static final List<BenchShape> ANCHORS = List.of(
            new BenchShape(100, 64, 128, 128),
            new BenchShape(100, 64, 256, 256),
            new BenchShape(784, 32, 1, 128),
            new BenchShape(1000, 1, 256, 256));

    public BenchShape {
        if (steps < 1 || batch < 1 || input < 1 || hidden < 1) {
            throw new IllegalArgumentException("T, B, I and H must be >= 1, got " + label());
        }
    }

    /** {@code TxBxIxH}, e.g. {@code 100x64x128x128}: what {@link #parse} reads. */
    public String label() {
        return steps + "x" + batch + "x" + input + "x" + hidden;
    }

    /**
     * Parses {@code anchors}, or a comma-separated list of {@code TxBxIxH}.
     *
     * @throws IllegalArgumentException naming the entry that is not four positive integers
     */
    public static List<BenchShape> parseList(String spec) {
        if (spec == null || spec.isBlank() || spec.trim().equals("anchors")) {
            return ANCHORS;
        }
        List<BenchShape> shapes = new ArrayList<>();
        for (String part : spec.split(",")) {
            shapes.add(parse(part.trim()));
        }
        return List.copyOf(shapes);
    }

    /** Parses one {@code TxBxIxH}. */
    public static BenchShape parse(String text) {
        String[] f = text.split("x");
        if (f.length != 4) {
            throw new IllegalArgumentException("a shape must be TxBxIxH (four integers joined by x), got '"
                    + text + "'");
        }
        int[] v = new int[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Integer.parseInt(f[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a shape must be TxBxIxH (four integers joined by x), got '"
                        + text + "'", e);
            }
        }
        return new BenchShape(v[0], v[1], v[2], v[3]);
    }

    @Override
    public String toString() {
        return "T=" + steps + " B=" + batch + " I=" + input + " H=" + hidden;
    }
}
