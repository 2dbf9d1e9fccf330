package dev.mnemo.nn.cuda;

/**
 * How many slices of its depth a narrow per-step product runs as on CUDA ({@link
 * CudaBackend#depthSplitProduct}), from the system property {@value #PROPERTY}: {@code auto} (the
 * default), {@code 1} (one GEMM), or a fixed S in 2..{@value StepSplits#MAX_SPLITS}.
 *
 * <p>Why. A projected LSTM's per-step products have a narrow output and a long depth: {@code h_t =
 * m_t·W_hrᵀ} is {@code [B, P]} over H, and {@code ∂L/∂h_{t−1} = dGates_t·W_hh} is {@code [B, P]}
 * over 4H (at B = 64, P = 256, H = 1024: a {@code 64 × 256} output, 2 tiles of 128 × 128 for 132
 * SMs, each running the whole depth of 1024 or 4096). S slices of the depth run as one
 * strided-batched GEMM with S times the tiles, and one small kernel sums the S partials in a fixed
 * order. The forward recurrent product has the same problem with a cheaper cure, its partials summed
 * by the cell kernel ({@link StepSplits}), whose H200 table (2026-11-27) this rule follows: float32
 * products narrower than the GPU gained up to 1.46× from 8 slices of 128.
 *
 * <p>{@code auto} doubles S, up to {@value #AUTO_MAX}, while {@code ceil(rows/128)·ceil(cols/128)·S}
 * stays at most the SM count and the slices keep at least {@value #MIN_SLICE} of the depth. A fixed
 * or the rule's S becomes the largest divisor of the depth not above it. Not yet timed on a GPU
 * (the bench's {@code stepsplits} table times it beside one GEMM).
 */
public final class DepthSplits {
    /** The system property that sets the split. */
    public static final String PROPERTY = "mnemo.cuda.depthSplits";

    private static final int TILE = 128;
    private static final int AUTO_MAX = 16;
    private static final int MIN_SLICE = 128;

    private DepthSplits() {
    }

    /** What the system property asks for: {@link StepSplits#AUTO} (also when unset or blank), or S. */
    public static int configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? StepSplits.AUTO : StepSplits.parse(PROPERTY, value);
    }

    /** The setting as a user writes it: {@code auto} (also when unset) or S; the reports print it. */
    public static String setting() {
        int s = configured();
        return s == StepSplits.AUTO ? "auto" : Integer.toString(s);
    }

    /**
     * The slices for a product with a {@code [rows, cols]} result over {@code depth} on a GPU with
     * {@code sms} SMs, under {@code requested} ({@link StepSplits#AUTO} or S).
     */
    public static int splits(int requested, int rows, int cols, int depth, int sms) {
        int s = requested == StepSplits.AUTO ? autoSplits(rows, cols, depth, sms) : requested;
        return StepSplits.largestDivisorAtMost(depth, s);
    }

    private static int autoSplits(int rows, int cols, int depth, int sms) {
        long tiles = (long) Math.ceilDiv(Math.max(rows, 1), TILE) * Math.ceilDiv(Math.max(cols, 1), TILE);
        int s = 1;
        while (s < AUTO_MAX && tiles * 2 * s <= sms && depth / (2 * s) >= MIN_SLICE) {
            s *= 2;
        }
        return s;
    }
}
