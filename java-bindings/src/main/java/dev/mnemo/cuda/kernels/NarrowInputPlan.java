package dev.mnemo.cuda.kernels;

/**
 * How {@link InputKernels#narrowBwd} splits the {@code rows = T·B} rows of a layer direction's gate
 * gradients: the header's formula, so every float sum runs in an order fixed by the shape.
 * <pre>
 *   rowsPerSplit = min(rows, max(MNEMO_INPUT_NARROW_MIN_SPLIT_ROWS, ceil(rows / MNEMO_INPUT_NARROW_TARGET_SPLITS)))
 *   S            = ceil(rows / rowsPerSplit)
 * </pre>
 * The kernel writes {@code partials}: the column sums of dWx {@code [S, gates]} first, then the
 * dW_ih partials {@code [S, gates·inputs]} from float {@link #weightPartialsOffset()}; each final
 * gradient is a one-pass {@link TensorKernels#sumRows} over S rows with beta = 1.
 *
 * @param rows R, >= 1
 * @param gates G, 1 .. {@value #MAX_GATES}
 * @param inputs I, 1 .. {@value #MAX_INPUTS}
 * @param splits S
 * @param rowsPerSplit rows a block sums
 */
public record NarrowInputPlan(long rows, int gates, int inputs, long splits, long rowsPerSplit) {
    /** {@code MNEMO_INPUT_NARROW_MAX_INPUTS}. */
    public static final int MAX_INPUTS = 4;
    /** {@code MNEMO_INPUT_NARROW_MAX_GATES}: G·H, so H ≤ 256 for an LSTM. */
    public static final int MAX_GATES = 1024;
    /** {@code MNEMO_INPUT_NARROW_TARGET_SPLITS}. */
    public static final long TARGET_SPLITS = 256;
    /** {@code MNEMO_INPUT_NARROW_MIN_SPLIT_ROWS}. */
    public static final long MIN_SPLIT_ROWS = 64;

    /** Whether the kernel takes this shape: at least one row, and G and I within its bounds. */
    public static boolean fits(long rows, int gates, int inputs) {
        return rows >= 1 && gates >= 1 && gates <= MAX_GATES && inputs >= 1 && inputs <= MAX_INPUTS;
    }

    /** The header's split; throws where {@link #fits} is false. */
    public static NarrowInputPlan of(long rows, int gates, int inputs) {
        if (!fits(rows, gates, inputs)) {
            throw new IllegalArgumentException("the narrow input backward takes rows >= 1, gates in [1, " + MAX_GATES
                    + "] and inputs in [1, " + MAX_INPUTS + "], got rows " + rows + ", gates " + gates + ", inputs "
                    + inputs);
        }
        long rowsPerSplit = Math.min(rows, Math.max(MIN_SPLIT_ROWS, ceil(rows, TARGET_SPLITS)));
        return new NarrowInputPlan(rows, gates, inputs, ceil(rows, rowsPerSplit), rowsPerSplit);
    }

    /** Floats of the kernel's partials: {@code S·G·(1 + I)}. */
    public long partialsFloats() {
        return partialsFloats(splits, gates, inputs);
    }

    /** Where the dW_ih partials start in {@code partials}: {@code S·G}. */
    public long weightPartialsOffset() {
        return splits * gates;
    }

    static long partialsFloats(long splits, int gates, int inputs) {
        return Math.multiplyExact(Math.multiplyExact(splits, (long) gates), 1L + inputs);
    }

    static long ceil(long a, long b) {
        return (a + b - 1) / b;
    }
}
