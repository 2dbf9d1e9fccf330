package dev.mnemo.cuda.kernels;

/**
 * How {@link TensorKernels#columnSums} sums the rows of a {@code [rows, cols]} matrix: in one pass,
 * or split into {@code splits} groups of {@code rowsPerSplit} rows whose partial sums a second pass
 * adds. The split is the header's formula, so the order of every float addition, and hence the
 * result, depends only on (rows, cols):
 * <pre>
 *   tiles = ceil(cols / 32)
 *   S     = max(ceil(MNEMO_SUM_ROWS_TARGET_BLOCKS / tiles), ceil(rows / MNEMO_SUM_ROWS_MAX_SPLIT_ROWS))
 *   S     = min(S, ceil(rows / MNEMO_SUM_ROWS_MIN_SPLIT_ROWS), MNEMO_SUM_ROWS_MAX_SPLITS)
 *   S &lt;= 1: one pass; else rowsPerSplit = ceil(rows / S), S = ceil(rows / rowsPerSplit)
 * </pre>
 *
 * @param rows matrix rows
 * @param cols matrix columns
 * @param splits S: 1 for one pass
 * @param rowsPerSplit rows per split; {@code rows} for one pass
 */
public record SumRowsPlan(long rows, long cols, long splits, long rowsPerSplit) {
    /** {@code MNEMO_SUM_ROWS_TARGET_BLOCKS}. */
    public static final long TARGET_BLOCKS = 1024;
    /** {@code MNEMO_SUM_ROWS_MIN_SPLIT_ROWS}. */
    public static final long MIN_SPLIT_ROWS = 256;
    /** {@code MNEMO_SUM_ROWS_MAX_SPLIT_ROWS}. */
    public static final long MAX_SPLIT_ROWS = 16384;
    /** {@code MNEMO_SUM_ROWS_MAX_SPLITS}. */
    public static final long MAX_SPLITS = 65535;
    /** Columns per block of both passes. */
    public static final long COLUMNS_PER_BLOCK = 32;

    /** The header's split for {@code rows x cols} (an empty matrix is one pass). */
    public static SumRowsPlan of(long rows, long cols) {
        LaunchChecks.count("rows", rows);
        LaunchChecks.count("cols", cols);
        if (rows == 0 || cols == 0) {
            return new SumRowsPlan(rows, cols, 1, rows);
        }
        long tiles = ceil(cols, COLUMNS_PER_BLOCK);
        long s = Math.max(ceil(TARGET_BLOCKS, tiles), ceil(rows, MAX_SPLIT_ROWS));
        s = Math.min(Math.min(s, ceil(rows, MIN_SPLIT_ROWS)), MAX_SPLITS);
        if (s <= 1) {
            return new SumRowsPlan(rows, cols, 1, rows);
        }
        long rowsPerSplit = ceil(rows, s);
        return new SumRowsPlan(rows, cols, ceil(rows, rowsPerSplit), rowsPerSplit);
    }

    /** Whether two passes run. */
    public boolean isSplit() {
        return splits > 1;
    }

    /** Scratch floats of the partial sums: {@code splits·cols} when split, else 0. */
    public long partialsFloats() {
        return isSplit() ? Math.multiplyExact(splits, cols) : 0;
    }

    static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
