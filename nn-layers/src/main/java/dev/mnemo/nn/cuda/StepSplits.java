package dev.mnemo.nn.cuda;

import java.util.Locale;

/**
 * How many partial GEMMs the per-step recurrent product {@code h_{t−1}·W_hhᵀ} runs as on CUDA, from
 * the system property {@value #PROPERTY}: {@code auto} (the default), {@code 1} (one
 * {@code cublasSgemm}), or a fixed S in 2..{@value #MAX_SPLITS}.
 *
 * <p>Why split. Per step the product is {@code [B, H]·[H, G·H]} with small B: cuBLAS tiles the
 * {@code B × G·H} output, and at B = 64 or 256 that may give far fewer tiles than the GPU has SMs
 * (a 64×1024 output is 8 tiles of 128×64). Splitting H into S slices runs S independent GEMMs in one
 * strided-batched call, S times the tiles; the cell kernel, which reads the product anyway, sums the
 * S partials in a fixed order. Float32 and TF32 GEMMs alike; the CPU backend keeps one product.
 *
 * <p>{@code auto} (the default) follows the H200's table of S = 1, 2, 4, 8 per anchor shape
 * ({@code GpuBenchmarkRunner stepsplits}, 2026-11-27): a vanilla RNN (G = 1) ran fastest at S = 8 on
 * every shape, 1.2–1.5× faster per step than one GEMM in float32, so it grows S while the tiles stay
 * under the SMs and slices keep at least {@value #MIN_RNN_SLICE} columns; LSTM and GRU in float32 take
 * the smallest power of two S ≤ 8 with {@code ceil(B/128)·ceil(G·H/128)·S >= SMs}, at least
 * {@value #MIN_SLICE} columns per slice (within 6 % of the fastest S on every shape); LSTM and GRU in
 * TF32 keep one GEMM, which was fastest at H = 1024 (partials lost up to 1.5×). A fixed S or the rule's
 * S becomes the largest divisor of H not above it (the slices must be equal).
 */
public final class StepSplits {
    /** The system property that sets the split. */
    public static final String PROPERTY = "mnemo.cuda.stepSplits";
    /** The most partials a product is split into. */
    public static final int MAX_SPLITS = 16;
    /** What {@link #parse} returns for {@code auto}. */
    public static final int AUTO = 0;

    private static final int TILE = 128;
    private static final int AUTO_MAX = 8;
    private static final int MIN_SLICE = 128;
    private static final int MIN_RNN_SLICE = 32;

    private StepSplits() {
    }

    /** {@code auto} ({@link #AUTO}) or an integer 1..{@value #MAX_SPLITS} (case-insensitive, blanks ignored). */
    public static int parse(String text) {
        return parse(PROPERTY, text);
    }

    /** {@link #parse(String)} of the value of {@code property}, which the error message names. */
    static int parse(String property, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("auto")) {
            return AUTO;
        }
        try {
            int s = Integer.parseInt(t);
            if (s >= 1 && s <= MAX_SPLITS) {
                return s;
            }
        } catch (NumberFormatException e) {
            // the message below says what is allowed
        }
        throw new IllegalArgumentException(property + " must be auto or 1.." + MAX_SPLITS + ", got '" + text + "'");
    }

    /** What the system property asks for: {@link #AUTO} (also when unset or blank), or S. */
    public static int configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? AUTO : parse(value);
    }

    /** The setting as a user writes it: {@code auto} (also when unset) or S; the reports print it. */
    public static String setting() {
        int s = configured();
        return s == AUTO ? "auto" : Integer.toString(s);
    }

    /**
     * The partials for a product of {@code batch} rows, {@code width} (= G·H) columns and depth
     * {@code hidden} in float32 ({@code tf32} false) or TF32 on a GPU with {@code sms} SMs, under
     * {@code requested} ({@link #AUTO} or S).
     */
    public static int splits(int requested, int batch, int width, int hidden, boolean tf32, int sms) {
        int s = requested == AUTO ? autoSplits(batch, width, hidden, tf32, sms) : requested;
        return largestDivisorAtMost(hidden, s);
    }

    private static int autoSplits(int batch, int width, int hidden, boolean tf32, int sms) {
        boolean gated = width > hidden;
        if (gated && tf32) {
            return 1;
        }
        int minSlice = gated ? MIN_SLICE : MIN_RNN_SLICE;
        long tiles = (long) Math.ceilDiv(Math.max(batch, 1), TILE) * Math.ceilDiv(Math.max(width, 1), TILE);
        int s = 1;
        while (s < AUTO_MAX && tiles * s < sms && hidden / (2 * s) >= minSlice) {
            s *= 2;
        }
        return s;
    }

    /** The largest divisor of {@code n} not above {@code limit} (1 at least): slices must be equal. */
    static int largestDivisorAtMost(int n, int limit) {
        for (int s = Math.min(limit, n); s > 1; s--) {
            if (n % s == 0) {
                return s;
            }
        }
        return 1;
    }
}
