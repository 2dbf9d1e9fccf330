package dev.mnemo.nn.cuda;

/**
 * Where a MemNet read of more than one split merges its rows, from the system property {@value #PROPERTY}:
 * {@code split} (the default) or {@code kernel}. {@code split}: the split kernel's last block of each row merges
 * it (a word of counters per row), so the whole read is one launch; {@code kernel}: a second launch, the merge
 * kernel, a block per row after every split is done. The two give the same bits; {@code kernel} is for timing
 * them side by side ({@code mnemo_harness memnet}, {@code GpuBenchmarkRunner memnet}).
 */
public final class MemnetMergeSetting {
    /** The system property naming where the rows merge. */
    public static final String PROPERTY = "mnemo.cuda.memnetMerge";

    private MemnetMergeSetting() {
    }

    /** {@code split} (true) or {@code kernel} (false), case-insensitive, surrounding blanks ignored. */
    public static boolean parse(String text) {
        return TwoWayProperty.parse(PROPERTY, "split", "kernel", text);
    }

    /** Whether the system property {@value #PROPERTY} says {@code split} (true when unset). */
    public static boolean configured() {
        return TwoWayProperty.read(PROPERTY, "split", "kernel", true);
    }
}
