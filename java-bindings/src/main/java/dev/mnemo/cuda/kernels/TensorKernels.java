package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;

/**
 * Launchers of the header's family "tensor", in the header's order and with its argument names:
 * elementwise fill and axpby, and column sums. Each call validates sizes, then queues one launch
 * on the stream given at construction, with the grid the header prescribes.
 */
public final class TensorKernels {
    /** Threads per block of every tensor kernel. */
    public static final int BLOCK_THREADS = 256;
    /** Grid cap of the elementwise kernels (they loop grid-stride). */
    public static final int MAX_GRID = 65535;

    /** {@code mnemo_tensor_fill_f32(float* x, long long n, float value)}. */
    public static final KernelSignature FILL = KernelSignature.of("mnemo_tensor_fill_f32",
            of("float*", "x"), of("long long", "n"), of("float", "value"));
    /** {@code mnemo_tensor_axpby_f32(float* y, const float* x, long long n, float alpha, float beta)}. */
    public static final KernelSignature AXPBY = KernelSignature.of("mnemo_tensor_axpby_f32",
            of("float*", "y"), of("const float*", "x"), of("long long", "n"), of("float", "alpha"),
            of("float", "beta"));
    /** {@code mnemo_tensor_sum_rows_f32(float* out, const float* in, long long rows, long long cols, float beta)}. */
    public static final KernelSignature SUM_ROWS = KernelSignature.of("mnemo_tensor_sum_rows_f32",
            of("float*", "out"), of("const float*", "in"), of("long long", "rows"), of("long long", "cols"),
            of("float", "beta"));
    /**
     * {@code mnemo_tensor_sum_rows_partial_f32(float* partials, const float* in, long long rows,
     * long long cols, long long rowsPerSplit)}.
     */
    public static final KernelSignature SUM_ROWS_PARTIAL = KernelSignature.of("mnemo_tensor_sum_rows_partial_f32",
            of("float*", "partials"), of("const float*", "in"), of("long long", "rows"), of("long long", "cols"),
            of("long long", "rowsPerSplit"));

    private final LaunchTarget target;

    /** Launchers for the kernels of {@code module} (see {@code KernelModule.loadMnemoKernels}), queued on {@code stream}. */
    public TensorKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    TensorKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(FILL, AXPBY, SUM_ROWS, SUM_ROWS_PARTIAL);
    }

    /** Elementwise launch for {@code n >= 0}: block 256, grid ceil(n/256) capped at 65535, at least 1. */
    public static LaunchGeometry geometry(long n) {
        LaunchChecks.count("n", n);
        return LaunchGeometry.linear(Math.max(1, Math.min(LaunchChecks.blocksFor(n, BLOCK_THREADS), MAX_GRID)),
                BLOCK_THREADS);
    }

    /** {@code mnemo_tensor_sum_rows_f32}'s launch: block 256, grid ceil(cols/32), at least 1. */
    public static LaunchGeometry sumRowsGeometry(long cols) {
        LaunchChecks.count("cols", cols);
        return LaunchGeometry.linear(columnTiles(cols), BLOCK_THREADS);
    }

    /** {@code mnemo_tensor_sum_rows_partial_f32}'s launch: block 256, grid (ceil(cols/32), S), at least (1, 1). */
    public static LaunchGeometry sumRowsPartialGeometry(long rows, long cols, long rowsPerSplit) {
        long splits = SumRowsPlan.ceil(rows, rowsPerSplit);
        LaunchChecks.between("S = ceil(rows / rowsPerSplit)", splits, 1, SumRowsPlan.MAX_SPLITS);
        long tiles = columnTiles(cols);
        if (tiles > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cols must be <= " + 32L * Integer.MAX_VALUE + ", got " + cols);
        }
        return new LaunchGeometry((int) tiles, (int) splits, 1, BLOCK_THREADS, 1, 1, 0);
    }

    private static long columnTiles(long cols) {
        return Math.max(1, SumRowsPlan.ceil(cols, SumRowsPlan.COLUMNS_PER_BLOCK));
    }

    /**
     * {@code x[i] = value} for every {@code i < n}.
     *
     * @param x [n] out
     * @param n element count, {@code 0 <= n <=} x's capacity
     * @param value the value written
     */
    public void fill(DeviceMemory x, long n, float value) {
        LaunchChecks.count("n", n);
        LaunchChecks.fits("n", n, "x", x);
        target.launch(FILL, geometry(n), x, n, value);
    }

    /**
     * {@code y[i] = alpha·x[i] + beta·y[i]} for every {@code i < n}; {@code beta = 0} overwrites y
     * without reading it (NaNs in y do not survive).
     *
     * @param y [n] in-out; may alias x
     * @param x [n] in
     * @param n element count, {@code 0 <= n <=} the capacity of x and of y
     * @param alpha scale of x
     * @param beta scale of y
     */
    public void axpby(DeviceMemory y, DeviceMemory x, long n, float alpha, float beta) {
        LaunchChecks.count("n", n);
        LaunchChecks.fits("n", n, "y", y);
        LaunchChecks.fits("n", n, "x", x);
        target.launch(AXPBY, geometry(n), y, x, n, alpha, beta);
    }

    /**
     * {@code out[c] = Σ_{r < rows} in[r, c] + beta·out[c]} for every {@code c < cols}, one pass
     * (parallel over columns only; see {@link #columnSums} for many rows).
     *
     * @param out [cols] in-out (out only when beta = 0); must not overlap in
     * @param in [rows, cols] in, row-major
     * @param rows >= 0 (0: out = beta·out)
     * @param cols >= 0
     * @param beta scale of out: 0 overwrites, 1 accumulates
     */
    public void sumRows(DeviceMemory out, DeviceMemory in, long rows, long cols, float beta) {
        LaunchChecks.count("rows", rows);
        LaunchChecks.count("cols", cols);
        LaunchChecks.holds("out", out, cols, "cols");
        LaunchChecks.holds("in", in, Math.multiplyExact(rows, cols), "rows·cols");
        LaunchChecks.disjoint("out", out, cols, "in", in, rows * cols);
        target.launch(SUM_ROWS, sumRowsGeometry(cols), out, in, rows, cols, beta);
    }

    /**
     * Pass 1 of the split sum: {@code partials[s, c] = Σ in[r, c]} over rows
     * {@code [s·rowsPerSplit, min(rows, (s+1)·rowsPerSplit))}, for {@code s < S = ceil(rows / rowsPerSplit)}.
     *
     * @param partials [S, cols] out
     * @param in [rows, cols] in
     * @param rows >= 1
     * @param cols >= 0
     * @param rowsPerSplit 1 .. rows, with S <= 65535
     */
    public void sumRowsPartial(DeviceMemory partials, DeviceMemory in, long rows, long cols, long rowsPerSplit) {
        LaunchChecks.between("rows", rows, 1, Long.MAX_VALUE);
        LaunchChecks.count("cols", cols);
        LaunchChecks.between("rowsPerSplit", rowsPerSplit, 1, rows);
        LaunchGeometry geometry = sumRowsPartialGeometry(rows, cols, rowsPerSplit);
        LaunchChecks.holds("partials", partials, Math.multiplyExact((long) geometry.gridY(), cols), "S·cols");
        LaunchChecks.holds("in", in, Math.multiplyExact(rows, cols), "rows·cols");
        target.launch(SUM_ROWS_PARTIAL, geometry, partials, in, rows, cols, rowsPerSplit);
    }

    /**
     * {@code out[c] = Σ_r in[r, c] + beta·out[c]} with the header's split ({@link SumRowsPlan}):
     * one pass, or {@link #sumRowsPartial} into {@code scratch} and {@link #sumRows} over the
     * partials. The result depends only on (rows, cols), never on timing.
     *
     * @param scratch at least {@code SumRowsPlan.of(rows, cols).partialsFloats()} floats; MAY BE
     *        NULL when that is 0
     */
    public void columnSums(DeviceMemory out, DeviceMemory in, long rows, long cols, float beta, DeviceMemory scratch) {
        SumRowsPlan plan = SumRowsPlan.of(rows, cols);
        if (!plan.isSplit()) {
            sumRows(out, in, rows, cols, beta);
            return;
        }
        if (scratch == null) {
            throw new IllegalArgumentException("scratch must hold >= " + plan.partialsFloats()
                    + " floats (S·cols for " + rows + " x " + cols + "), got null");
        }
        LaunchChecks.holds("scratch", scratch, plan.partialsFloats(), "S·cols for " + rows + " x " + cols);
        LaunchChecks.holds("out", out, cols, "cols");
        sumRowsPartial(scratch, in, rows, cols, plan.rowsPerSplit());
        sumRows(out, scratch, plan.splits(), cols, beta);
    }
}
