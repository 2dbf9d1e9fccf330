package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.kernels.NarrowInputPlan;

/**
 * Whether a recurrent layer's input-side gradients take the narrow kernel, from the system property
 * {@value #PROPERTY}: {@code on} (the default) or {@code off}. On, a layer direction whose input has at
 * most {@value NarrowInputPlan#MAX_INPUTS} features and whose G·H is at most {@value NarrowInputPlan#MAX_GATES}
 * (pixel MNIST, the chaotic series) forms dW_ih, the bias gradients and ∂L/∂input in one read of the gate
 * gradients; off, as two cuBLAS GEMMs and two column sums that read them four times. Off is for timing
 * the two side by side ({@code scripts/gpu-plan-ab.sh OUT 300 pixelMNIST narrow}).
 */
public final class NarrowInputSetting {
    /** The system property that turns the narrow input backward off. */
    public static final String PROPERTY = "mnemo.cuda.narrowInput";

    private NarrowInputSetting() {
    }

    /** {@code on} or {@code off} (case-insensitive, surrounding blanks ignored). */
    public static boolean parse(String text) {
        return TwoWayProperty.parse(PROPERTY, "on", "off", text);
    }

    /** Whether the system property {@value #PROPERTY} says {@code on} (true when unset). */
    public static boolean configured() {
        return TwoWayProperty.read(PROPERTY, "on", "off", true);
    }
}
