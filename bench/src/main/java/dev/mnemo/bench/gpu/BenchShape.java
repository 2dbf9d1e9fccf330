package dev.mnemo.bench.gpu;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.Rnn;
import java.util.List;
import java.util.Locale;

/**
 * One row of the cuDNN table in {@code shared/reference/gpu-anchors.md}: a single-layer,
 * unidirectional recurrent cell over an input {@code [T, B, I]} with hidden size H, in one GEMM
 * precision. {@link #ANCHORS} is the one list of these rows; the PyTorch script reads it from the
 * JSON that {@code GpuBenchmarkRunner --emit-shapes} writes, so both sides time the same cases.
 *
 * <p>The anchors' bf16 rows are left out: Mnemo's backends compute in float32 (TF32 GEMMs at most).
 *
 * @param cell          "RNN" (tanh), "LSTM" or "GRU"
 * @param shape         the anchors' shape name, e.g. "pixelMNIST", "large"
 * @param steps         T
 * @param batch         B
 * @param input         I
 * @param hidden        H
 * @param math          "fp32" (exact float32 GEMMs) or "tf32" (TF32 tensor cores)
 * @param anchorForward the anchors' cuDNN forward milliseconds on an H100 (for reference only)
 * @param anchorForwardBackward the anchors' cuDNN forward+backward milliseconds
 */
public record BenchShape(String cell, String shape, int steps, int batch, int input, int hidden, String math,
                         double anchorForward, double anchorForwardBackward) {

    /** The cells, in the anchors' order. */
    public static final List<String> CELLS = List.of("RNN", "LSTM", "GRU");
    /** The GEMM precisions. */
    public static final List<String> MATHS = List.of("fp32", "tf32");

    public BenchShape {
        if (!CELLS.contains(cell)) {
            throw new IllegalArgumentException("cell must be one of " + CELLS + ", got " + cell);
        }
        if (!MATHS.contains(math)) {
            throw new IllegalArgumentException("math must be one of " + MATHS + ", got " + math);
        }
        if (steps < 1 || batch < 1 || input < 1 || hidden < 1) {
            throw new IllegalArgumentException("T, B, I, H must be >= 1, got " + steps + ", " + batch + ", "
                    + input + ", " + hidden);
        }
    }

    /** The row key shared by the Java and PyTorch results: "LSTM/large/fp32". */
    public String key() {
        return cell + "/" + shape + "/" + math;
    }

    /** The backend's cell for {@link #cell()}: "RNN" is the tanh RNN. */
    public Backend.RecurrentCell recurrentCell() {
        return switch (cell) {
            case "LSTM" -> Backend.RecurrentCell.LSTM;
            case "GRU" -> Backend.RecurrentCell.GRU;
            default -> Backend.RecurrentCell.RNN_TANH;
        };
    }

    /** A fresh single-layer layer of this row's cell, input and hidden size (and projection) on {@code backend}, seed 1. */
    public RecurrentLayer newLayer(Backend backend) {
        RecurrentOptions options = RecurrentOptions.builder(input, hidden).projSize(projSize()).seed(1).build();
        return switch (cell) {
            case "LSTM" -> new Lstm(options, backend);
            case "GRU" -> new Gru(options, backend);
            default -> new Rnn(options, backend);
        };
    }

    /** This row's cell and math at other dimensions: shape "custom", no H100 anchor (NaN). */
    public BenchShape withDims(int t, int b, int i, int h) {
        return new BenchShape(cell, "custom", t, b, i, h, math, Double.NaN, Double.NaN);
    }

    /**
     * {@code --dims}' value "T,B,I,H" (each >= 1) as {T, B, I, H}.
     *
     * @throws IllegalArgumentException on any other form
     */
    public static int[] parseDims(String v) {
        String[] parts = v.split(",", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("--dims must be T,B,I,H, got " + v);
        }
        int[] d = new int[4];
        for (int k = 0; k < 4; k++) {
            try {
                d[k] = Integer.parseInt(parts[k].strip());
            } catch (NumberFormatException e) {
                d[k] = 0;
            }
            if (d[k] < 1) {
                throw new IllegalArgumentException("--dims " + "TBIH".charAt(k) + " must be an integer >= 1, got "
                        + parts[k].strip());
            }
        }
        return d;
    }

    /** What PyTorch must have timed for this row to be compared ({@link TorchResults#comparableTo}). */
    String measuredAs(int repeatsForward, int repeatsForwardBackward) {
        int[] l = lengths();
        return TorchResults.measuredAs(steps, batch, input, hidden, projSize(), math,
                l == null ? "" : java.util.Arrays.toString(l), repeatsForward, repeatsForwardBackward);
    }

    /**
     * "T=100 B=64 I=1024 H=1024"; a packed row adds its lengths' range ("lengths 100..51"), a projected
     * row its projection ("P=256").
     */
    public String dims() {
        String d = String.format(Locale.ROOT, "T=%d B=%d I=%d H=%d", steps, batch, input, hidden);
        int[] l = lengths();
        if (l != null) {
            d += " lengths " + l[0] + ".." + l[l.length - 1];
        }
        return projSize() > 0 ? d + " P=" + projSize() : d;
    }

    /** The shape name of the projected LSTM rows ({@link #PROJECTED}). */
    public static final String PROJECTED_SHAPE = "projected";

    /** A projected row's projection P = H/4 (PyTorch's {@code proj_size}, as speech LSTMs use it); 0 otherwise. */
    public int projSize() {
        return shape.equals(PROJECTED_SHAPE) ? hidden / 4 : 0;
    }

    /** The features of the output and of ∂L/∂output: P when projected, else H. */
    public int outputSize() {
        return projSize() > 0 ? projSize() : hidden;
    }

    /** The shape name of the variable-length rows at the anchors' "small" size ({@link #PACKED}). */
    public static final String PACKED_SHAPE = "packed";
    /** The shape name of the small-batch variable-length rows ({@link #PACKED}), where the persistent kernels run. */
    public static final String PACKED_B8_SHAPE = "packed_b8";

    /**
     * The per-row lengths of a variable-length row (shape {@value #PACKED_SHAPE} or
     * {@value #PACKED_B8_SHAPE}): from T down to about T/2 across the batch, longest first (both sides
     * sort rows by length anyway: PyTorch with {@code enforce_sorted=False}, Mnemo always), so the
     * padded batch is about a quarter padding. Null for a full-length row.
     */
    public int[] lengths() {
        if (!shape.equals(PACKED_SHAPE) && !shape.equals(PACKED_B8_SHAPE)) {
            return null;
        }
        int[] l = new int[batch];
        for (int b = 0; b < batch; b++) {
            l[b] = steps - (int) ((long) b * steps / (2L * batch));
        }
        return l;
    }

    private static BenchShape row(String cell, String shape, int t, int b, int i, int h, String math,
                                  double fwd, double fwdBwd) {
        return new BenchShape(cell, shape, t, b, i, h, math, fwd, fwdBwd);
    }

    /** The anchors' fp32 and tf32 rows, in the table's order (gpu-anchors.md, measured 2026-11-26). */
    public static final List<BenchShape> ANCHORS = List.of(
            row("RNN", "pixelMNIST", 784, 128, 1, 128, "fp32", 0.592, 1.829),
            row("RNN", "small", 100, 64, 256, 256, "fp32", 0.331, 1.137),
            row("RNN", "mid", 100, 64, 512, 512, "fp32", 2.122, 4.663),
            row("RNN", "large", 100, 64, 1024, 1024, "fp32", 2.371, 5.337),
            row("RNN", "bigbatch", 50, 256, 512, 512, "fp32", 1.207, 3.205),
            row("RNN", "latency_b1", 1000, 1, 256, 256, "fp32", 1.893, 3.854),
            row("LSTM", "pixelMNIST", 784, 128, 1, 128, "fp32", 2.375, 5.510),
            row("LSTM", "small", 100, 64, 256, 256, "fp32", 1.501, 4.349),
            row("LSTM", "mid", 100, 64, 512, 512, "fp32", 2.338, 5.710),
            row("LSTM", "large", 100, 64, 1024, 1024, "fp32", 4.636, 13.425),
            row("LSTM", "bigbatch", 50, 256, 512, 512, "fp32", 2.097, 6.023),
            row("LSTM", "latency_b1", 1000, 1, 256, 256, "fp32", 13.783, 26.216),
            row("GRU", "pixelMNIST", 784, 128, 1, 128, "fp32", 1.144, 6.386),
            row("GRU", "small", 100, 64, 256, 256, "fp32", 1.976, 4.347),
            row("GRU", "mid", 100, 64, 512, 512, "fp32", 2.201, 5.305),
            row("GRU", "large", 100, 64, 1024, 1024, "fp32", 4.282, 12.353),
            row("GRU", "bigbatch", 50, 256, 512, 512, "fp32", 2.044, 5.487),
            row("GRU", "latency_b1", 1000, 1, 256, 256, "fp32", 13.693, 25.677),
            row("RNN", "mid", 100, 64, 512, 512, "tf32", 2.104, 3.813),
            row("RNN", "large", 100, 64, 1024, 1024, "tf32", 1.848, 3.985),
            row("LSTM", "mid", 100, 64, 512, 512, "tf32", 2.295, 4.979),
            row("LSTM", "large", 100, 64, 1024, 1024, "tf32", 2.157, 5.602),
            row("GRU", "mid", 100, 64, 512, 512, "tf32", 2.339, 5.031),
            row("GRU", "large", 100, 64, 1024, 1024, "tf32", 2.048, 5.333));

    /**
     * Variable-length batches (PyTorch's {@code pack_padded_sequence}) at the anchors' "small" size,
     * where the LSTM and GRU run step by step, and at B = 8, T = 200, where every cell runs in the
     * persistent kernels with the lengths: no anchor of their own (NaN), compared with PyTorch's
     * packed cuDNN path in the same run.
     */
    public static final List<BenchShape> PACKED = java.util.stream.Stream.concat(
            CELLS.stream().map(c -> row(c, PACKED_SHAPE, 100, 64, 256, 256, "fp32", Double.NaN, Double.NaN)),
            CELLS.stream().map(c -> row(c, PACKED_B8_SHAPE, 200, 8, 256, 256, "fp32", Double.NaN, Double.NaN)))
            .toList();

    /**
     * A projected LSTM (PyTorch's {@code proj_size} = H/4) at the anchors' "large" size: no anchor
     * (NaN), compared with PyTorch's projected LSTM in the same run.
     */
    public static final List<BenchShape> PROJECTED = List.of(
            row("LSTM", PROJECTED_SHAPE, 100, 64, 1024, 1024, "fp32", Double.NaN, Double.NaN));

    /** Every row the suite times: the anchors, the packed rows, then the projected one. */
    public static final List<BenchShape> ALL = java.util.stream.Stream.of(ANCHORS, PACKED, PROJECTED)
            .flatMap(List::stream).toList();

    /**
     * The suite's rows ({@link #ALL}) restricted to the given cells, shape names and maths (null or
     * empty: all), in that order.
     *
     * @throws IllegalArgumentException when a name matches no row
     */
    public static List<BenchShape> select(List<String> cells, List<String> shapes, List<String> maths) {
        check("cell", cells, ALL.stream().map(BenchShape::cell).toList());
        check("shape", shapes, ALL.stream().map(BenchShape::shape).toList());
        check("math", maths, ALL.stream().map(BenchShape::math).toList());
        List<BenchShape> rows = ALL.stream()
                .filter(s -> cells == null || cells.isEmpty() || cells.contains(s.cell()))
                .filter(s -> shapes == null || shapes.isEmpty() || shapes.contains(s.shape()))
                .filter(s -> maths == null || maths.isEmpty() || maths.contains(s.math()))
                .toList();
        if (rows.isEmpty()) {   // a report of no rows exited 0, and hostcost crashed on it
            throw new IllegalArgumentException("cells " + cells + ", shapes " + shapes + " and maths " + maths
                    + " select no benchmark row (e.g. shape " + PROJECTED_SHAPE + " is LSTM's only)");
        }
        return rows;
    }

    private static void check(String what, List<String> wanted, List<String> known) {
        if (wanted == null) {
            return;
        }
        for (String w : wanted) {
            if (!known.contains(w)) {
                throw new IllegalArgumentException(what + " must be one of " + known.stream().distinct().toList()
                        + ", got " + w);
            }
        }
    }
}
