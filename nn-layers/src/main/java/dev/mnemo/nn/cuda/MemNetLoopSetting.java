package dev.mnemo.nn.cuda;

/**
 * Whether a MemNet layer on CUDA runs its teacher-forced sequence as one launch each way, from the
 * system property {@value #PROPERTY}: {@code on} (the default) or {@code off}. On, where the cell's
 * weight fits a block's shared memory and the memory has at most 64 slots
 * ({@link dev.mnemo.cuda.kernels.MemnetSequenceKernels#fits}), forward and backward are one kernel
 * each; off, the layer's step loop (seven launches a step forward, nine backward). Off is for timing
 * the two side by side ({@code GpuBenchmarkRunner memnet}'s cell rows).
 */
public final class MemNetLoopSetting {
    /** The system property that turns the one-launch loop off. */
    public static final String PROPERTY = "mnemo.cuda.memnetLoop";

    private MemNetLoopSetting() {
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
