package dev.mnemo.nn.cuda;

/**
 * Whether a MemNet layer on CUDA runs its loops as one launch, from the system property
 * {@value #PROPERTY}: {@code on} (the default) or {@code off}. On, where the cell's weight fits a block's
 * shared memory and the memory has at most 256 slots
 * ({@link dev.mnemo.cuda.kernels.MemnetSequenceKernels#fits}), the teacher-forced forward and backward
 * are one kernel each, and so is a call of {@code step} or {@code generate}; off, the layer's step loops
 * (seven launches a step forward, nine backward, about fourteen a streaming step). Off is for timing
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
