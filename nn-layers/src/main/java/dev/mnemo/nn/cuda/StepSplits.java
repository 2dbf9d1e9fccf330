package dev.mnemo.nn.cuda;

import java.util.Locale;

/**
 * How many partial GEMMs the per-step recurrent product {@code h_{t−1}·W_hhᵀ} runs as on CUDA, from
 * the system property {@value #PROPERTY}: {@code 1} (the default, one {@code cublasSgemm}), a fixed
 * S in 2..{@value #MAX_SPLITS}, or {@code auto}.
 *
 * <p>Why split. Per step the product is {@code [B, H]·[H, G·H]} with small B: cuBLAS tiles the
 * {@code B × G·H} output, and at B = 64 or 256 that may give far fewer tiles than the GPU has SMs
 * (a 64×1024 output is 8 tiles of 128×64). Splitting H into S slices runs S independent GEMMs in one
 * strided-batched call, S times the tiles; the cell kernel, which reads the product anyway, sums the
 * S partials in a fixed order. Float32 and TF32 GEMMs alike; the CPU backend keeps one product.
 *
 * <p>{@code auto} is a first estimate, not yet measured on a GPU: the smallest power of two S ≤ 8
 * with {@code ceil(B/128)·ceil(G·H/128)·S >= SMs}, at least 128 columns of H per slice. A fixed S
 * or the rule's S becomes the largest divisor of H not above it (the slices must be equal).
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

    private StepSplits() {
    }

    /** {@code auto} ({@link #AUTO}) or an integer 1..{@value #MAX_SPLITS} (case-insensitive, blanks ignored). */
    public static int parse(String text) {
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
        throw new IllegalArgumentException(PROPERTY + " must be auto or 1.." + MAX_SPLITS + ", got '" + text + "'");
    }

    /** What the system property asks for: {@link #AUTO}, or S; 1 when unset or blank. */
    public static int configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? 1 : parse(value);
    }

    /**
     * The partials for a product of {@code batch} rows, {@code width} (= G·H) columns and depth
     * {@code hidden} on a GPU with {@code sms} SMs, under {@code requested} ({@link #AUTO} or S).
     */
    public static int splits(int requested, int batch, int width, int hidden, int sms) {
        int s = requested == AUTO ? autoSplits(batch, width, hidden, sms) : requested;
        return largestDivisorAtMost(hidden, s);
    }

    private static int autoSplits(int batch, int width, int hidden, int sms) {
        long tiles = (long) Math.ceilDiv(Math.max(batch, 1), TILE) * Math.ceilDiv(Math.max(width, 1), TILE);
        int s = 1;
        while (s < AUTO_MAX && tiles * s < sms && hidden / (2 * s) >= MIN_SLICE) {
            s *= 2;
        }
        return s;
    }

    private static int largestDivisorAtMost(int n, int limit) {
        for (int s = Math.min(limit, n); s > 1; s--) {
            if (n % s == 0) {
                return s;
            }
        }
        return 1;
    }
}
