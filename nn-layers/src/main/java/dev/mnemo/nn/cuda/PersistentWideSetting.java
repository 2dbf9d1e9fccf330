package dev.mnemo.nn.cuda;

import java.util.Locale;

/**
 * Where a persistent pass runs on the wide-block kernel ({@link PersistentWideKernels}: one block per batch
 * row, W_hh in registers, no cluster), from the system property {@value #PROPERTY}: {@code auto} (the
 * default), {@code on} or {@code off}. The kernel takes a forward whose W_hh fits one row per thread of a
 * block of at most 384 ({@link PersistentWideKernels#fits}: RNN and GRU H ≤ 128, LSTM H ≤ 96, H a multiple
 * of 4), and an RNN's backward ({@link PersistentWideKernels#backwardFits}).
 * <ul>
 *   <li>{@code auto}: the forward at {@value #AUTO_MIN_BATCH} batch rows and more, where it was timed faster.
 *       On the H200 at pixel MNIST's shape (B = 128, H = 128; bench/results/2026-11-29-h200) the GRU forward
 *       took 1.54 µs a step against 1.98 on the planned two-block clusters, the RNN's 0.73 against 0.98; the
 *       RNN and GRU layers' forward ran 1.5–1.8× faster with the input projection in the kernel as well. Below that
 *       batch the cluster plans split W_hh over several blocks a row, which the wide kernel cannot; not
 *       timed there, so not taken. The RNN's wide backward stays off: 0.78 µs a step against 0.65.</li>
 *   <li>{@code on}: every forward that fits, and the RNN's backward (the opt-in of before).</li>
 *   <li>{@code off}: never.</li>
 * </ul>
 */
public final class PersistentWideSetting {
    /** The system property that chooses where the wide-block kernel runs. */
    public static final String PROPERTY = "mnemo.persistent.wide";
    /** The smallest batch whose forward {@code auto} runs on the wide-block kernel. */
    public static final long AUTO_MIN_BATCH = 128;

    /** Where the wide-block kernel runs. */
    public enum Mode {
        OFF, AUTO, ON;

        /** Whether a pass of {@code batch} rows takes the kernel (given that it fits). */
        boolean takes(boolean backward, long batch) {
            return switch (this) {
                case OFF -> false;
                case AUTO -> !backward && batch >= AUTO_MIN_BATCH;
                case ON -> true;
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private PersistentWideSetting() {
    }

    /** {@code auto}, {@code on} or {@code off} (case-insensitive, surrounding blanks ignored). */
    public static Mode parse(String text) {
        String value = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto" -> Mode.AUTO;
            case "on", "true" -> Mode.ON;
            case "off", "false" -> Mode.OFF;
            default -> throw new IllegalArgumentException(PROPERTY + " must be auto, on or off, got '" + text + "'");
        };
    }

    /** The mode the system property {@value #PROPERTY} names ({@code auto} when unset or blank). */
    public static Mode configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? Mode.AUTO : parse(value);
    }
}
