package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.kernels.ClusterFit;
import dev.mnemo.cuda.kernels.PersistentClusterPlan;
import dev.mnemo.cuda.kernels.PersistentKernels;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentKernels.Plan;
import dev.mnemo.cuda.kernels.PersistentWeights;
import dev.mnemo.cuda.kernels.PersistentWideKernels;
import dev.mnemo.nn.Backend;
import java.util.Locale;

/**
 * Which path a recurrent layer's forward takes on CUDA: a persistent whole-sequence kernel (one
 * launch for all T steps, W_hh kept on chip) or the per-step loop (a cuBLAS GEMM and a pointwise
 * kernel per step). The persistent kernels come in two variants: the cluster one (compute capability
 * 9.0 and newer: clusters of up to 16 blocks, one cluster barrier per step, see
 * {@link PersistentClusterPlan}) and the cooperative grid one (a grid-wide barrier per step, see
 * {@link PersistentKernels#plan}). Where both can run the cluster one is taken (its barrier is
 * cheaper and nothing in a step waits on L2); {@link PersistentVariant} restricts the choice.
 * {@link PersistentWeightsSetting} ({@code mnemo.persistent.weights=bf16}) makes the cluster variant
 * hold W_hh as bfloat16 (its plan then uses the bf16 shared memory); the grid variant keeps float32
 * weights, and a choice of it says so.
 *
 * <p>{@link Mode#AUTO} (the default) takes the persistent path when the device can run it
 * (cooperative launch, the block's W_hh slice and h fit in shared memory, see
 * {@link PersistentKernels#plan}) and either the batch is at most {@link #AUTO_MAX_BATCH}, or the
 * cluster kernel runs it and the hidden size is at most {@link #AUTO_CLUSTER_MAX_HIDDEN} or its plan
 * gives each cluster one batch row (RNN H = 256 at B = 64: 1.4× faster forward and 1.8× forward +
 * backward than the graphed per-step path on the H200, where LSTM and GRU, at four and two rows per
 * cluster, were not faster): there the
 * recurrence is latency-bound and a per-step launch costs more than the whole step; at large batches
 * and widths the per-step GEMM's throughput wins. {@link Mode#PERSISTENT} forces the persistent path
 * (an error where it cannot run), {@link Mode#PER_STEP} never takes it. The mode comes from the
 * system property {@value #PROPERTY} ({@code auto}, {@code persistent}, {@code per-step}; default
 * {@link #DEFAULT}).
 *
 * <p>The limits come from the H200 runs (2026-11-27, {@code bench/results/}): every persistent test
 * passed, and the persistent kernels beat the per-step path (CUDA Graphs included) at B ≤ 8 for
 * H 128..1024 and, with the cluster kernel, at B = 128, H = 128 for all three cells.
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
    /**
     * The widest hidden size {@link Mode#AUTO} runs on the cluster kernel at any batch: measured
     * faster than the per-step path at B = 128, H = 128 (pixel MNIST) for RNN, LSTM and GRU.
     */
    public static final int AUTO_CLUSTER_MAX_HIDDEN = 128;
    /** The mode when {@value #PROPERTY} is unset (see the class comment). */
    public static final Mode DEFAULT = Mode.AUTO;

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

    /** The three outcomes. */
    public enum Path {
        PER_STEP("per-step"), GRID("persistent"), CLUSTER("persistent-cluster"), WIDE("persistent-wide");

        private final String label;

        Path(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * The decision for one shape.
     *
     * @param path which path runs
     * @param plan the cooperative kernel's geometry when {@link Path#GRID}, or when {@link Path#WIDE} replaced it
     *             (else null)
     * @param clusterPlan the cluster kernel's geometry when {@link Path#CLUSTER}, or when {@link Path#WIDE}
     *                    replaced it (else null)
     * @param reason why, in words (with the geometry when a persistent kernel runs)
     */
    public record Choice(Path path, Plan plan, PersistentClusterPlan clusterPlan, String reason) {
        static Choice perStep(String reason) {
            return new Choice(Path.PER_STEP, null, null, reason);
        }

        /** Whether a persistent kernel (either variant) runs. */
        public boolean persistent() {
            return path != Path.PER_STEP;
        }

        /** Whether the cluster variant runs. */
        public boolean cluster() {
            return path == Path.CLUSTER;
        }

        /** How the chosen kernel holds W_hh: the cluster plan's precision, float32 on every other path. */
        public PersistentWeights weights() {
            return path == Path.CLUSTER ? clusterPlan.weights() : PersistentWeights.FP32;
        }

        /** J of the chosen persistent kernel (the wide-block forward's one block owns all H units). */
        public int unitsPerBlock() {
            return switch (path) {
                case GRID -> plan.unitsPerBlock();
                case CLUSTER -> clusterPlan.unitsPerBlock();
                case WIDE -> Math.toIntExact(clusterPlan != null ? clusterPlan.hidden() : plan.hidden());
                case PER_STEP -> throw new IllegalStateException("the per-step path has no unitsPerBlock");
            };
        }

        @Override
        public String toString() {
            return path + " (" + reason + ")";
        }
    }

    private final Mode mode;
    private final PersistentVariant variant;
    private final PersistentWeights weights;
    private final int clusterSize;
    private final PersistentWideSetting.Mode wide;
    private final DeviceLimits limits;
    private final ClusterFit clusterFit;

    /** A policy that may pick either variant ({@link PersistentVariant#AUTO}). */
    public PersistentPolicy(Mode mode, DeviceLimits limits) {
        this(mode, PersistentVariant.AUTO, limits);
    }

    /** A policy whose cluster kernels hold W_hh as float32. */
    public PersistentPolicy(Mode mode, PersistentVariant variant, DeviceLimits limits) {
        this(mode, variant, PersistentWeights.FP32, limits);
    }

    /** A policy whose cluster kernels hold W_hh as {@code weights} (the grid kernels always as float32). */
    public PersistentPolicy(Mode mode, PersistentVariant variant, PersistentWeights weights, DeviceLimits limits) {
        this(mode, variant, weights, PersistentClusterPlan.AUTO_SIZE, limits);
    }

    /**
     * A policy whose cluster kernels run clusters of {@code clusterSize} blocks
     * ({@link PersistentClusterPlan#AUTO_SIZE}: the plan's rule; see {@link PersistentClusterSizeSetting}).
     *
     * @throws IllegalArgumentException when {@code clusterSize} is neither AUTO_SIZE nor 1..16
     */
    public PersistentPolicy(Mode mode, PersistentVariant variant, PersistentWeights weights, int clusterSize,
                            DeviceLimits limits) {
        this(mode, variant, weights, clusterSize, PersistentWideSetting.Mode.OFF, limits);
    }

    /**
     * A policy that, with {@code wideForward}, runs every persistent forward whose W_hh fits
     * {@link PersistentWideKernels#fits} on the wide-block kernel instead ({@link PersistentWideSetting} on;
     * false: off).
     *
     * @throws IllegalArgumentException when {@code clusterSize} is neither AUTO_SIZE nor 1..16
     */
    public PersistentPolicy(Mode mode, PersistentVariant variant, PersistentWeights weights, int clusterSize,
                            boolean wideForward, DeviceLimits limits) {
        this(mode, variant, weights, clusterSize, wideForward ? PersistentWideSetting.Mode.ON
                : PersistentWideSetting.Mode.OFF, limits);
    }

    /**
     * A policy that runs persistent passes on the wide-block kernel where {@code wide} says
     * ({@link PersistentWideSetting}) and the kernel fits.
     *
     * @throws IllegalArgumentException when {@code clusterSize} is neither AUTO_SIZE nor 1..16
     */
    public PersistentPolicy(Mode mode, PersistentVariant variant, PersistentWeights weights, int clusterSize,
                            PersistentWideSetting.Mode wide, DeviceLimits limits) {
        this(mode, variant, weights, clusterSize, wide, limits, ClusterFit.ANY);
    }

    private PersistentPolicy(Mode mode, PersistentVariant variant, PersistentWeights weights, int clusterSize,
                             PersistentWideSetting.Mode wide, DeviceLimits limits, ClusterFit clusterFit) {
        this.clusterFit = java.util.Objects.requireNonNull(clusterFit, "clusterFit");
        this.wide = java.util.Objects.requireNonNull(wide, "wide");
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
        this.variant = java.util.Objects.requireNonNull(variant, "variant");
        this.weights = java.util.Objects.requireNonNull(weights, "weights");
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        this.clusterSize = PersistentClusterPlan.requireClusterSize(clusterSize);
    }

    /**
     * This policy, asking {@code fit} whether the device runs a cluster plan before choosing it (the CUDA
     * backend passes {@link dev.mnemo.cuda.kernels.PersistentClusterKernels#runs}): a refused cluster size
     * gives way to the next one the plan's rule picks, then to the grid kernel, then to the per-step loop,
     * so {@link Mode#AUTO} runs on a device whose GPCs are smaller than the rule's cluster instead of
     * failing at launch. The policies made by the constructors trust the plan's arithmetic
     * ({@link ClusterFit#ANY}).
     */
    public PersistentPolicy fitting(ClusterFit fit) {
        return new PersistentPolicy(mode, variant, weights, clusterSize, wide, limits, fit);
    }

    public Mode mode() {
        return mode;
    }

    public PersistentVariant variant() {
        return variant;
    }

    /** The W_hh precision asked of the cluster kernels. */
    public PersistentWeights weights() {
        return weights;
    }

    /** The fixed cluster size, or {@link PersistentClusterPlan#AUTO_SIZE} for the plan's rule. */
    public int clusterSize() {
        return clusterSize;
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
        return wide(false, choose(false, cell, steps, batch, hidden), PersistentWideKernels.fits(cell, hidden), cell,
                batch, hidden);
    }

    /**
     * The wide-block kernel instead of {@code chosen} where {@link PersistentWideSetting} takes it for this pass,
     * a persistent path with float32 weights was chosen and the kernel {@code fits}.
     */
    private Choice wide(boolean backward, Choice chosen, boolean fits, Cell cell, long batch, long hidden) {
        // auto leaves a variant or cluster size the user fixed as it is; on overrides them
        boolean fixed = variant != PersistentVariant.AUTO || clusterSize != PersistentClusterPlan.AUTO_SIZE;
        if (!wide.takes(backward, batch) || wide == PersistentWideSetting.Mode.AUTO && fixed || !chosen.persistent()
                || chosen.weights() != PersistentWeights.FP32 || !fits) {
            return chosen;
        }
        return new Choice(Path.WIDE, chosen.plan(), chosen.clusterPlan(), PersistentWideSetting.PROPERTY
                + "=" + wide + "; persistent-wide " + cell + ": " + batch + " blocks × "
                + PersistentWideKernels.blockThreads(cell, hidden) + " threads, W_hh in registers, instead of "
                + chosen.path() + " (" + chosen.reason() + ")");
    }

    private Choice choose(boolean backward, Cell cell, long steps, long batch, long hidden) {
        if (mode == Mode.PER_STEP) {
            return Choice.perStep(PROPERTY + "=per-step");
        }
        Choice persistent = persistentChoice(backward, cell, steps, batch, hidden);
        if (!persistent.persistent()) {
            if (mode == Mode.PERSISTENT) {
                throw new IllegalStateException(PROPERTY + "=persistent, but no persistent " + cell
                        + (backward ? " backward" : " forward") + " kernel can run "
                        + "B " + batch + ", H " + hidden + " here: " + persistent.reason());
            }
            return persistent;
        }
        String geometry = persistent.cluster() ? persistent.clusterPlan().toString() : persistent.plan().toString();
        String variantNote = (variant == PersistentVariant.AUTO ? ""
                : PersistentVariant.PROPERTY + "=" + variant + "; ")
                + weightsNote(persistent.path())
                + (clusterSize == PersistentClusterPlan.AUTO_SIZE || !persistent.cluster() ? ""
                : PersistentClusterSizeSetting.PROPERTY + "=" + clusterSize + "; ");
        if (mode == Mode.PERSISTENT) {
            return new Choice(persistent.path(), persistent.plan(), persistent.clusterPlan(),
                    PROPERTY + "=persistent; " + variantNote + geometry);
        }
        if (batch <= AUTO_MAX_BATCH) {
            return new Choice(persistent.path(), persistent.plan(), persistent.clusterPlan(),
                    "auto, batch " + batch + " <= " + AUTO_MAX_BATCH + "; " + variantNote + geometry);
        }
        if (persistent.cluster() && hidden <= AUTO_CLUSTER_MAX_HIDDEN) {
            return new Choice(persistent.path(), persistent.plan(), persistent.clusterPlan(),
                    "auto, cluster kernel and hidden " + hidden + " <= " + AUTO_CLUSTER_MAX_HIDDEN + "; " + variantNote
                            + geometry);
        }
        if (persistent.cluster() && persistent.clusterPlan().rowsPerCluster() == 1) {
            return new Choice(persistent.path(), persistent.plan(), persistent.clusterPlan(),
                    "auto, cluster kernel with one batch row per cluster; " + variantNote + geometry);
        }
        return Choice.perStep("batch " + batch + " > " + AUTO_MAX_BATCH
                + (persistent.cluster() ? ", hidden " + hidden + " > " + AUTO_CLUSTER_MAX_HIDDEN + " and "
                + persistent.clusterPlan().rowsPerCluster() + " batch rows per cluster" : "")
                + ": the per-step GEMMs' throughput wins");
    }

    /**
     * The persistent kernel the variant allows for this shape: the cluster one when the device has
     * clusters and its plan fits, else the cooperative one when its plan fits; otherwise a per-step
     * choice whose reason names why each allowed variant cannot run.
     */
    private Choice persistentChoice(boolean backward, Cell cell, long steps, long batch, long hidden) {
        String clusterWhyNot = null;
        if (variant != PersistentVariant.GRID) {
            var cluster = PersistentClusterPlan.plan(backward, cell, batch, hidden, limits, weights, clusterSize,
                    clusterFit);
            if (cluster.feasible()) {
                return new Choice(Path.CLUSTER, null, cluster.plan(), "");
            }
            clusterWhyNot = "cluster: " + (clusterSize == PersistentClusterPlan.AUTO_SIZE ? ""
                    : PersistentClusterSizeSetting.PROPERTY + "=" + clusterSize + ", ") + cluster.reason();
        }
        String gridWhyNot = null;
        if (variant != PersistentVariant.CLUSTER) {
            var grid = backward ? PersistentKernels.planBackward(cell, batch, hidden, limits)
                    : PersistentKernels.plan(cell, batch, hidden, limits);
            String reason = grid.feasible() ? null : grid.reason();
            if (grid.feasible() && !PersistentKernels.barrierFits(backward, steps, grid.plan().grid())) {
                // the plan fits B and H; T·grid passes the barrier's 32-bit counter, which the launch refuses
                reason = "T " + steps + " × " + grid.plan().grid() + " blocks passes the grid barrier's 32-bit counter";
            }
            if (reason == null) {
                return new Choice(Path.GRID, grid.plan(), null, "");
            }
            gridWhyNot = variant == PersistentVariant.AUTO ? "grid: " + reason : reason;
        }
        String restricted = variant == PersistentVariant.AUTO ? "" : PersistentVariant.PROPERTY + "=" + variant + ", ";
        if (clusterWhyNot != null && gridWhyNot != null) {
            return Choice.perStep(restricted + clusterWhyNot + "; " + gridWhyNot);
        }
        return Choice.perStep(restricted + (clusterWhyNot != null ? clusterWhyNot : gridWhyNot));
    }

    /** What bf16 weights mean on the chosen path: nothing to say for fp32 or the cluster kernels. */
    private String weightsNote(Path path) {
        if (weights == PersistentWeights.FP32 || path == Path.CLUSTER) {
            return "";
        }
        return PersistentWeightsSetting.PROPERTY + "=" + weights + " applies to the cluster kernels only, "
                + "W_hh stays fp32 on the grid kernels; ";
    }

    /**
     * As {@link #choose}, for the whole-sequence backward (its own shared-memory limit); the wide-block
     * kernel runs only an RNN's ({@link PersistentWideKernels#backwardFits}).
     */
    public Choice chooseBackward(Cell cell, long steps, long batch, long hidden) {
        return wide(true, choose(true, cell, steps, batch, hidden), PersistentWideKernels.backwardFits(cell, hidden),
                cell, batch, hidden);
    }

    /** One line for {@code mnemo info}: the mode and what it means on this device. */
    public String describe() {
        return "recurrent forward path: " + mode + " (" + PROPERTY + "), variant " + variant + " ("
                + PersistentVariant.PROPERTY + "), W_hh " + weights + " in the cluster kernels ("
                + PersistentWeightsSetting.PROPERTY + (weights == PersistentWeights.FP32 ? ""
                : "; opt-in: results of W_hh rounded to bfloat16; the grid kernels stay fp32")
                + "), cluster size " + (clusterSize == PersistentClusterPlan.AUTO_SIZE ? "auto" : clusterSize)
                + " (" + PersistentClusterSizeSetting.PROPERTY + "), wide-block kernels " + wide
                + (wide == PersistentWideSetting.Mode.AUTO ? ": forwards of " + PersistentWideSetting.AUTO_MIN_BATCH
                + " batch rows and more" : "") + " (" + PersistentWideSetting.PROPERTY + "); compute capability " + limits.computeCapability() + ", "
                + limits.multiprocessors() + " SMs, " + limits.sharedMemoryPerBlockOptin() / 1024
                + " KiB shared memory per block; cluster kernels "
                + (limits.clusters() ? "available" : "unavailable (compute capability < 9.0)")
                + ", cooperative grid kernels "
                + (limits.cooperativeLaunch() ? "available" : "unavailable (no cooperative launch)")
                + "; auto: persistent for batch <= " + AUTO_MAX_BATCH + ", or on the cluster kernel for hidden <= "
                + AUTO_CLUSTER_MAX_HIDDEN + " or one batch row per cluster at any batch, when W_hh's slice fits,"
                + " the cluster variant first"
                + " (e.g. LSTM B=1 H=256: " + example() + ")";
    }

    private String example() {
        try {
            return choose(Cell.LSTM, 1000, 1, 256).toString();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }
}
