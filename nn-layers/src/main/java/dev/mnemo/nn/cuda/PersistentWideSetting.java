package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.kernels.PersistentWideKernels;

/**
 * Whether a persistent forward runs on the wide-block kernel, from the system property {@value #PROPERTY}:
 * {@code off} (the default) or {@code on}. On, a forward whose W_hh fits one row per thread of a block of
 * at most 384 ({@link PersistentWideKernels#fits}: RNN and GRU H ≤ 128, LSTM H ≤ 96, H a multiple of 4)
 * takes one block per batch row instead of the path the policy chose (pixel MNIST's GRU: instead of
 * two-block clusters meeting at a cluster barrier every step; its RNN: one barrier a step instead of two,
 * no shuffles). The backward takes it for an RNN ({@link PersistentWideKernels#backwardFits}); LSTM's and
 * GRU's keep the path the policy chose. Off by default until it has been timed against the cluster plan on a GPU
 * ({@code mnemo_harness persistent_ab}, row "with wide-block").
 */
public final class PersistentWideSetting {
    /** The system property that turns the wide-block forward on. */
    public static final String PROPERTY = "mnemo.persistent.wide";

    private PersistentWideSetting() {
    }

    /** {@code on} or {@code off} (case-insensitive, surrounding blanks ignored). */
    public static boolean parse(String text) {
        return TwoWayProperty.parse(PROPERTY, "on", "off", text);
    }

    /** Whether the system property {@value #PROPERTY} says {@code on} (false when unset). */
    public static boolean configured() {
        return TwoWayProperty.read(PROPERTY, "on", "off", false);
    }
}
