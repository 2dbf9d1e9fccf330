package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.kernels.PersistentWeights;

/**
 * Whether a persistent forward of a layer with one input feature forms its input projection in the kernel,
 * from the system property {@value #PROPERTY}: {@code on} (the default) or {@code off}. On, the float32
 * cluster and wide-block forwards take their {@code _x1} twins: each thread keeps its unit's G weights of
 * W_ih's column and multiplies them by x_t itself, so the host's GEMM x·W_ihᵀ (205 MB written and read at
 * pixel MNIST's LSTM) does not run. The results are the GEMM's bits (one rounded product). On by default
 * since its timing on the H200 (bench/results/2026-11-29-h200, {@code persistent_ab} rows "with in-kernel
 * x"): never slower at any shape timed (pixel MNIST, B = 1 and B = 64 at H = 256, each cell), up to 1.18×
 * faster a step.
 */
public final class InputProjectionSetting {
    /** The system property that turns the in-kernel input projection on. */
    public static final String PROPERTY = "mnemo.persistent.inputProjection";

    private InputProjectionSetting() {
    }

    /** {@code on} or {@code off} (case-insensitive, surrounding blanks ignored). */
    public static boolean parse(String text) {
        return TwoWayProperty.parse(PROPERTY, "on", "off", text);
    }

    /** Whether the system property {@value #PROPERTY} says {@code on} (true when unset). */
    public static boolean configured() {
        return TwoWayProperty.read(PROPERTY, "on", "off", true);
    }

    /**
     * Whether {@code choice}'s kernel forms the projection of {@code inputs} input features itself: the setting
     * is on, there is one feature, and the choice runs the cluster kernel with float32 weights or the
     * wide-block kernel (the cooperative grid kernel has no such twin).
     */
    static boolean takes(PersistentPolicy.Choice choice, int inputs) {
        boolean kernel = switch (choice.path()) {
            case CLUSTER -> choice.weights() == PersistentWeights.FP32;
            case WIDE -> true;
            case GRID, PER_STEP -> false;
        };
        return inputs == 1 && kernel && configured();
    }
}
