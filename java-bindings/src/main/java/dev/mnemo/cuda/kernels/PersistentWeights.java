package dev.mnemo.cuda.kernels;

import java.util.Locale;

/**
 * How the cluster variants of the persistent kernels hold the block's W_hh slice in shared memory:
 * float32 (the default), or bfloat16 (opt-in, like TF32 elsewhere: half the shared memory, so one
 * cluster holds a W_hh about 1.4× wider, and half of what a step reads). With {@link #BF16} the
 * kernels compute what the float32 kernel computes on W_hh rounded to nearest-even bfloat16
 * ({@link #roundToBf16}); h, gates, c, the exchange and every gradient stay float32. The
 * cooperative grid kernels have no bf16 variant.
 */
public enum PersistentWeights {
    FP32(""), BF16("_bf16w");

    private final String nativeSuffix;

    PersistentWeights(String nativeSuffix) {
        this.nativeSuffix = nativeSuffix;
    }

    /** What the header appends before {@code _f32} ({@code mnemo_persistent_cluster_lstm_fwd_bf16w_f32}). */
    public String nativeSuffix() {
        return nativeSuffix;
    }

    /** The weight as the kernel multiplies it: unchanged for {@link #FP32}, {@link #roundToBf16} for {@link #BF16}. */
    public float apply(float weight) {
        return this == BF16 ? roundToBf16(weight) : weight;
    }

    /**
     * {@code x} rounded to the nearest bfloat16 (the upper 16 bits of a float32), ties to even, as
     * the kernels' {@code __float2bfloat16_rn} does; returned as the float32 it widens back to.
     * Infinities stay, finite values beyond the largest bfloat16 round to infinity, NaN stays NaN
     * (quiet, sign and upper payload kept).
     */
    public static float roundToBf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) {
            // truncation alone could clear every payload bit and turn NaN into infinity
            return Float.intBitsToFloat((bits | 0x0040_0000) & 0xFFFF_0000);
        }
        int lsb = (bits >>> 16) & 1;
        return Float.intBitsToFloat((bits + 0x7FFF + lsb) & 0xFFFF_0000);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
