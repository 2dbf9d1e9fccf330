package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.kernels.PersistentWeights;
import java.util.Locale;

/**
 * How the persistent cluster kernels hold W_hh, from the system property {@value #PROPERTY}:
 * {@code fp32} (the default) or {@code bf16} (opt-in, like TF32: half the shared memory, so wider
 * layers fit one cluster; results are those of W_hh rounded to bfloat16, see
 * {@link PersistentWeights}). Applies to the cluster variant only: the cooperative grid kernels and
 * the per-step path keep float32 weights.
 */
public final class PersistentWeightsSetting {
    /** The system property that asks for bf16 weights in the cluster kernels. */
    public static final String PROPERTY = "mnemo.persistent.weights";

    private PersistentWeightsSetting() {
    }

    /** {@code fp32} or {@code bf16} (case-insensitive, surrounding blanks ignored). */
    public static PersistentWeights parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "fp32" -> PersistentWeights.FP32;
            case "bf16" -> PersistentWeights.BF16;
            default -> throw new IllegalArgumentException(PROPERTY + " must be fp32 or bf16, got '" + text + "'");
        };
    }

    /** The precision the system property {@value #PROPERTY} names, {@link PersistentWeights#FP32} when unset. */
    public static PersistentWeights configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? PersistentWeights.FP32 : parse(value);
    }
}
