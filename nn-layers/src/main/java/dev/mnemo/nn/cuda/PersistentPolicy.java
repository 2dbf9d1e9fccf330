package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.kernels.PersistentKernels;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentKernels.Plan;
import dev.mnemo.nn.Backend;
import java.util.Locale;

/**
 * Which path a recurrent layer's forward takes on CUDA: the persistent whole-sequence kernel (one
 * cooperative launch for all T steps, W_hh kept on chip) or the per-step loop (a cuBLAS GEMM and a
 * pointwise kernel per step).
 *
 * <p>{@link Mode#AUTO} takes the persistent path when the device can run it (cooperative launch,
 * the block's W_hh slice and h fit in shared memory, see {@link PersistentKernels#plan}) and the
 * batch is at most {@link #AUTO_MAX_BATCH}: there the recurrence is latency-bound and a per-step
 * launch (≈ 4 µs from Java) costs more than the whole step; at large batches the per-step GEMM's
 * throughput wins. {@link Mode#PERSISTENT} forces the persistent path (an error where it cannot
 * run), {@link Mode#PER_STEP} never takes it. The mode comes from the system property
 * {@value #PROPERTY} ({@code auto}, {@code persistent}, {@code per-step}; default {@link #DEFAULT}).
 *
 * <p>Why the default is {@code per-step} for now: the persistent kernels spin on a grid barrier and
 * have only run on the CPU emulator. Until a GPU run of their tests is committed under
 * {@code bench/results/}, a layer does not take them unless asked ({@code auto} or
 * {@code persistent}); then the default becomes {@code auto}.
 *
 * <p>Pure arithmetic on the device's numbers: tested without a GPU.
 */
public final class PersistentPolicy {
    /** The system property that overrides the choice. */
    public static final String PROPERTY = "mnemo.recurrent.path";
    /**
     * The largest batch {@link Mode#AUTO} runs persistently. A first estimate, not yet tuned on a
     * GPU: each block copies all of h_{t−1} (B·H floats) from L2 every step, which stops paying once
     * B·H is large.
     */
    public static final int AUTO_MAX_BATCH = 32;
    /** The mode when {@value #PROPERTY} is unset (see the class comment). */
    public static final Mode DEFAULT = Mode.PER_STEP;

    /** How the path is chosen. */
    public enum Mode {
        AUTO, PERSISTENT, PER_STEP;

        /** {@code auto}, {@code persistent} or {@code per-step} (case-insensitive). */
        public static Mode parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "persistent" -> PERSISTENT;
                case "per-step", "per_step", "perstep" -> PER_STEP;
                default -> throw new IllegalArgumentException(PROPERTY + " must be auto, persistent or per-step, got '"
                        + text + "'");
            };
        }

        /** The mode the system property {@value #PROPERTY} names, {@link #DEFAULT} when unset. */
        public static Mode configured() {
            String value = System.getProperty(PROPERTY);
            return value == null || value.isBlank() ? DEFAULT : parse(value);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * The decision for one shape.
     *
     * @param persistent whether the persistent kernel runs
     * @param plan its geometry when it runs (else null)
     * @param reason why, in words
     */
    public record Choice(boolean persistent, Plan plan, String reason) {
        @Override
        public String toString() {
            return (persistent ? "persistent" : "per-step") + " (" + reason + ")";
        }
    }

    private final Mode mode;
    private final DeviceLimits limits;

    public PersistentPolicy(Mode mode, DeviceLimits limits) {
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    public Mode mode() {
        return mode;
    }

    /** The kernel cell of a backend cell. */
    public static Cell cellOf(Backend.RecurrentCell cell) {
        return switch (cell) {
            case RNN_TANH -> Cell.RNN_TANH;
            case RNN_RELU -> Cell.RNN_RELU;
            case LSTM -> Cell.LSTM;
            case GRU -> Cell.GRU;
        };
    }

    /**
     * The path for a forward of {@code steps} steps of batch {@code batch} and width {@code hidden}.
     *
     * @throws IllegalStateException in {@link Mode#PERSISTENT} when the persistent kernel cannot run
     */
    public Choice choose(Cell cell, long steps, long batch, long hidden) {
        return choose(false, cell, steps, batch, hidden);
    }

    private Choice choose(boolean backward, Cell cell, long steps, long batch, long hidden) {
        if (mode == Mode.PER_STEP) {
            return new Choice(false, null, PROPERTY + "=per-step");
        }
        var plan = backward ? PersistentKernels.planBackward(cell, batch, hidden, limits)
                : PersistentKernels.plan(cell, batch, hidden, limits);
        if (!plan.feasible()) {
            if (mode == Mode.PERSISTENT) {
                throw new IllegalStateException(PROPERTY + "=persistent, but the persistent " + cell
                        + (backward ? " backward" : " forward") + " kernel cannot run "
                        + "B " + batch + ", H " + hidden + " here: " + plan.reason());
            }
            return new Choice(false, null, plan.reason());
        }
        if (mode == Mode.PERSISTENT) {
            return new Choice(true, plan.plan(), PROPERTY + "=persistent; " + plan.plan());
        }
        if (batch > AUTO_MAX_BATCH) {
            return new Choice(false, null, "batch " + batch + " > " + AUTO_MAX_BATCH + ": the per-step GEMMs' throughput wins");
        }
        return new Choice(true, plan.plan(), "auto, batch " + batch + " <= " + AUTO_MAX_BATCH + "; " + plan.plan());
    }

    /** As {@link #choose}, for the whole-sequence backward (its own shared-memory limit). */
    public Choice chooseBackward(Cell cell, long steps, long batch, long hidden) {
        return choose(true, cell, steps, batch, hidden);
    }

    /** One line for {@code mnemo info}: the mode and what it means on this device. */
    public String describe() {
        return "recurrent forward path: " + mode + " (" + PROPERTY + "); persistent kernels "
                + (limits.cooperativeLaunch() ? "available" : "unavailable (no cooperative launch)") + ", "
                + limits.multiprocessors() + " SMs, " + limits.sharedMemoryPerBlockOptin() / 1024
                + " KiB shared memory per block; auto: persistent for batch <= " + AUTO_MAX_BATCH
                + " when W_hh's slice fits (e.g. LSTM B=1 H=256: " + example() + ")";
    }

    private String example() {
        try {
            return choose(Cell.LSTM, 1000, 1, 256).toString();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }
}
