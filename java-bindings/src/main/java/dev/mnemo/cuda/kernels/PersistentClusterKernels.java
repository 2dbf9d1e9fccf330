package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.PersistentKernels.BwdParams;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentKernels.FwdParams;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * Launchers of the cluster variants of the persistent family (sm_90 and newer): the same
 * whole-sequence forward and backward and the same params structs as {@link PersistentKernels}, with
 * the grid barrier replaced by one thread-block-cluster barrier per step and the step's exchange
 * kept in distributed shared memory. No cooperative launch and no barrier words: clusters of
 * S = ceil(H / J) blocks run batch rows independently ({@link PersistentClusterPlan}).
 *
 * <p>Every launch checks the buffers as the cooperative launchers do, the cluster size (at most
 * {@value PersistentClusterPlan#MAX_CLUSTER_SIZE}), the shared memory against the opt-in limit and
 * the compute capability; raises the kernel's dynamic shared memory limit above 48 KiB and allows
 * non-portable cluster sizes above 8; checks that one cluster fits the device
 * ({@code cuOccupancyMaxActiveClusters} >= 1, asked once per kernel, shared memory and S); then
 * launches with {@code cuLaunchKernelEx}, cluster dimension (S, 1, 1), grid clusters·S.
 *
 * <p>Each kernel has a bf16-weight twin ({@code ..._bf16w_f32}, opt-in, {@link PersistentWeights#BF16}):
 * the block's W_hh slice held as bfloat16 in shared memory (its own, smaller formula, see
 * {@link PersistentClusterPlan#sharedBytes(boolean, Cell, long, long, long, PersistentWeights)}),
 * results those of W_hh rounded to nearest-even bfloat16; same structs, same launch. The overloads
 * without a {@link PersistentWeights} launch the float32 kernels.
 *
 * <p>Not thread-safe (one stream, one thread, like its context).
 */
public final class PersistentClusterKernels {
    /** {@code mnemo_persistent_cluster_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature RNN_FWD_TANH = fwd("mnemo_persistent_cluster_rnn_fwd_tanh_f32");
    /** {@code mnemo_persistent_cluster_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature RNN_FWD_RELU = fwd("mnemo_persistent_cluster_rnn_fwd_relu_f32");
    /** {@code mnemo_persistent_cluster_lstm_fwd_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature LSTM_FWD = fwd("mnemo_persistent_cluster_lstm_fwd_f32");
    /** {@code mnemo_persistent_cluster_gru_fwd_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature GRU_FWD = fwd("mnemo_persistent_cluster_gru_fwd_f32");
    /** {@code mnemo_persistent_cluster_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature RNN_BWD_TANH = bwd("mnemo_persistent_cluster_rnn_bwd_tanh_f32");
    /** {@code mnemo_persistent_cluster_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature RNN_BWD_RELU = bwd("mnemo_persistent_cluster_rnn_bwd_relu_f32");
    /** {@code mnemo_persistent_cluster_lstm_bwd_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature LSTM_BWD = bwd("mnemo_persistent_cluster_lstm_bwd_f32");
    /** {@code mnemo_persistent_cluster_gru_bwd_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature GRU_BWD = bwd("mnemo_persistent_cluster_gru_bwd_f32");

    /** {@code mnemo_persistent_cluster_rnn_fwd_tanh_bf16w_f32}: W_hh held as bf16 ({@link PersistentWeights#BF16}). */
    public static final KernelSignature RNN_FWD_TANH_BF16W = fwd("mnemo_persistent_cluster_rnn_fwd_tanh_bf16w_f32");
    /** {@code mnemo_persistent_cluster_rnn_fwd_relu_bf16w_f32}. */
    public static final KernelSignature RNN_FWD_RELU_BF16W = fwd("mnemo_persistent_cluster_rnn_fwd_relu_bf16w_f32");
    /** {@code mnemo_persistent_cluster_lstm_fwd_bf16w_f32}. */
    public static final KernelSignature LSTM_FWD_BF16W = fwd("mnemo_persistent_cluster_lstm_fwd_bf16w_f32");
    /** {@code mnemo_persistent_cluster_gru_fwd_bf16w_f32}. */
    public static final KernelSignature GRU_FWD_BF16W = fwd("mnemo_persistent_cluster_gru_fwd_bf16w_f32");
    /** {@code mnemo_persistent_cluster_rnn_bwd_tanh_bf16w_f32}. */
    public static final KernelSignature RNN_BWD_TANH_BF16W = bwd("mnemo_persistent_cluster_rnn_bwd_tanh_bf16w_f32");
    /** {@code mnemo_persistent_cluster_rnn_bwd_relu_bf16w_f32}. */
    public static final KernelSignature RNN_BWD_RELU_BF16W = bwd("mnemo_persistent_cluster_rnn_bwd_relu_bf16w_f32");
    /** {@code mnemo_persistent_cluster_lstm_bwd_bf16w_f32}. */
    public static final KernelSignature LSTM_BWD_BF16W = bwd("mnemo_persistent_cluster_lstm_bwd_bf16w_f32");
    /** {@code mnemo_persistent_cluster_gru_bwd_bf16w_f32}. */
    public static final KernelSignature GRU_BWD_BF16W = bwd("mnemo_persistent_cluster_gru_bwd_bf16w_f32");

    /**
     * {@code mnemo_persistent_cluster_rnn_fwd_tanh_x1_f32(mnemo_persistent_fwd_params p, const float* x,
     * const float* wIh)}: the input projection of one input feature done in the kernel.
     */
    public static final KernelSignature RNN_FWD_TANH_X1 = PersistentKernels.projectedSignature(
            "mnemo_persistent_cluster_rnn_fwd_tanh_x1_f32");
    /** {@code mnemo_persistent_cluster_rnn_fwd_relu_x1_f32}. */
    public static final KernelSignature RNN_FWD_RELU_X1 = PersistentKernels.projectedSignature(
            "mnemo_persistent_cluster_rnn_fwd_relu_x1_f32");
    /** {@code mnemo_persistent_cluster_lstm_fwd_x1_f32}. */
    public static final KernelSignature LSTM_FWD_X1 = PersistentKernels.projectedSignature(
            "mnemo_persistent_cluster_lstm_fwd_x1_f32");
    /** {@code mnemo_persistent_cluster_gru_fwd_x1_f32}. */
    public static final KernelSignature GRU_FWD_X1 = PersistentKernels.projectedSignature(
            "mnemo_persistent_cluster_gru_fwd_x1_f32");

    /** The float32 forward of {@code cell} that projects one input feature itself. */
    public static KernelSignature projectedForwardKernel(Cell cell) {
        return switch (cell) {
            case RNN_TANH -> RNN_FWD_TANH_X1;
            case RNN_RELU -> RNN_FWD_RELU_X1;
            case LSTM -> LSTM_FWD_X1;
            case GRU -> GRU_FWD_X1;
        };
    }

    private static KernelSignature fwd(String name) {
        return PersistentKernels.forwardSignature(name);
    }

    private static KernelSignature bwd(String name) {
        return PersistentKernels.backwardSignature(name);
    }

    /** The cluster forward entry point of {@code cell}. */
    public static KernelSignature forwardKernel(Cell cell) {
        return switch (cell) {
            case RNN_TANH -> RNN_FWD_TANH;
            case RNN_RELU -> RNN_FWD_RELU;
            case LSTM -> LSTM_FWD;
            case GRU -> GRU_FWD;
        };
    }

    /** The cluster backward entry point of {@code cell}. */
    public static KernelSignature backwardKernel(Cell cell) {
        return switch (cell) {
            case RNN_TANH -> RNN_BWD_TANH;
            case RNN_RELU -> RNN_BWD_RELU;
            case LSTM -> LSTM_BWD;
            case GRU -> GRU_BWD;
        };
    }

    /** The cluster forward entry point of {@code cell} holding W_hh as {@code weights}. */
    public static KernelSignature forwardKernel(Cell cell, PersistentWeights weights) {
        if (weights == PersistentWeights.FP32) {
            return forwardKernel(cell);
        }
        return switch (cell) {
            case RNN_TANH -> RNN_FWD_TANH_BF16W;
            case RNN_RELU -> RNN_FWD_RELU_BF16W;
            case LSTM -> LSTM_FWD_BF16W;
            case GRU -> GRU_FWD_BF16W;
        };
    }

    /** The cluster backward entry point of {@code cell} holding W_hh as {@code weights}. */
    public static KernelSignature backwardKernel(Cell cell, PersistentWeights weights) {
        if (weights == PersistentWeights.FP32) {
            return backwardKernel(cell);
        }
        return switch (cell) {
            case RNN_TANH -> RNN_BWD_TANH_BF16W;
            case RNN_RELU -> RNN_BWD_RELU_BF16W;
            case LSTM -> LSTM_BWD_BF16W;
            case GRU -> GRU_BWD_BF16W;
        };
    }

    private final ClusterTarget target;
    private final DeviceLimits limits;
    private final MemorySegment fwdParams = ParamsStructs.allocate(PersistentKernels.FWD_PARAMS_LAYOUT);
    private final MemorySegment bwdParams = ParamsStructs.allocate(PersistentKernels.BWD_PARAMS_LAYOUT);
    /** cuOccupancyMaxActiveClusters per (kernel, shared bytes, S): asked of the driver once. */
    private final Map<String, Integer> occupancy = new HashMap<>();

    PersistentClusterKernels(ClusterTarget target, DeviceLimits limits) {
        this.target = target;
        this.limits = limits;
    }

    /** The device limits this launcher plans for. */
    public DeviceLimits limits() {
        return limits;
    }

    /** The forward with the plan's cluster count for S = ceil(H / J) ({@link PersistentClusterPlan#clustersFor}). */
    public void forward(Cell cell, FwdParams p) {
        forward(cell, p, defaultClusters(p.hidden(), p.unitsPerBlock(), p.batch()));
    }

    /**
     * The whole-sequence forward of {@code cell} in {@code clusters} clusters of S = ceil(H / J) blocks
     * (J = p.unitsPerBlock(); usually a {@link PersistentClusterPlan}'s); p.barrier() is not used and
     * may be null. Every size, overlap and the device's limits checked before the launch.
     */
    public void forward(Cell cell, FwdParams p, int clusters) {
        forward(cell, p, clusters, PersistentWeights.FP32);
    }

    /** The forward holding W_hh as {@code weights}, with the plan's cluster count for S = ceil(H / J). */
    public void forward(Cell cell, FwdParams p, PersistentWeights weights) {
        forward(cell, p, defaultClusters(p.hidden(), p.unitsPerBlock(), p.batch()), weights);
    }

    /**
     * As {@link #forward(Cell, FwdParams, int)}, with the kernel that holds W_hh as {@code weights}
     * ({@link PersistentWeights#BF16}: results of W_hh rounded to bfloat16, its own shared memory).
     */
    public void forward(Cell cell, FwdParams p, int clusters, PersistentWeights weights) {
        java.util.Objects.requireNonNull(weights, "weights");
        PersistentKernels.checkBuffers(cell, p, false);
        Launch launch = check(false, cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock(), clusters, weights,
                false);
        p.writeTo(fwdParams);
        launch(forwardKernel(cell, weights), launch, fwdParams);
    }

    /**
     * As {@link #forward(Cell, FwdParams)} (float32 W_hh, the plan's cluster count), with the input
     * projection of one input feature done in the kernel: {@code x [T, B]} and W_ih's one column
     * {@code wIh [G·H]} instead of p.gates' input (p.gates is still written when it saves the gates).
     */
    public void forwardProjected(Cell cell, FwdParams p, DeviceMemory x, DeviceMemory wIh) {
        forwardProjected(cell, p, defaultClusters(p.hidden(), p.unitsPerBlock(), p.batch()), x, wIh);
    }

    /** As {@link #forwardProjected(Cell, FwdParams, DeviceMemory, DeviceMemory)} on {@code clusters} clusters. */
    public void forwardProjected(Cell cell, FwdParams p, int clusters, DeviceMemory x, DeviceMemory wIh) {
        PersistentKernels.checkBuffers(cell, p, false);
        PersistentKernels.checkProjection(cell, p.steps(), p.batch(), p.hidden(), x, wIh);
        Launch launch = check(false, cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock(), clusters,
                PersistentWeights.FP32, false);
        p.writeTo(fwdParams);
        launch(projectedForwardKernel(cell), launch, fwdParams, x, wIh);
    }

    /** The backward with the plan's cluster count for S = ceil(H / J). */
    public void backward(Cell cell, BwdParams p) {
        backward(cell, p, defaultClusters(p.hidden(), p.unitsPerBlock(), p.batch()));
    }

    /** As {@link #forward(Cell, FwdParams, int)}, for the whole-sequence backward. */
    public void backward(Cell cell, BwdParams p, int clusters) {
        backward(cell, p, clusters, PersistentWeights.FP32);
    }

    /** The backward holding W_hh as {@code weights}, with the plan's cluster count for S = ceil(H / J). */
    public void backward(Cell cell, BwdParams p, PersistentWeights weights) {
        backward(cell, p, defaultClusters(p.hidden(), p.unitsPerBlock(), p.batch()), weights);
    }

    /** As {@link #forward(Cell, FwdParams, int, PersistentWeights)}, for the whole-sequence backward. */
    public void backward(Cell cell, BwdParams p, int clusters, PersistentWeights weights) {
        java.util.Objects.requireNonNull(weights, "weights");
        PersistentKernels.checkBackwardBuffers(cell, p, false);
        Launch launch = check(true, cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock(), clusters, weights,
                false);
        p.writeTo(bwdParams);
        launch(backwardKernel(cell, weights), launch, bwdParams);
    }

    /**
     * A cluster kernel from the struct's bytes: scalars and non-null pointers checked (barrier not
     * needed), clusters as {@link PersistentClusterPlan#clustersFor} gives for S = ceil(H / J).
     */
    void raw(KernelSignature kernel, MemorySegment p) {
        Cell cell = cellOf(kernel);
        PersistentWeights weights = weightsOf(kernel, cell);
        boolean backward = kernel == backwardKernel(cell, weights);
        launch(kernel, rawLaunch(backward, cell, weights, p), p);
    }

    /** {@link #forwardProjected} from the struct's bytes, as {@link #raw} checks them. */
    void rawProjected(Cell cell, MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        Launch launch = rawLaunch(false, cell, PersistentWeights.FP32, p);
        StructLayout l = PersistentKernels.FWD_PARAMS_LAYOUT;
        PersistentKernels.checkProjection(cell, ParamsStructs.getLong(p, l, "steps"),
                ParamsStructs.getLong(p, l, "batch"), ParamsStructs.getLong(p, l, "hidden"), x, wIh);
        launch(projectedForwardKernel(cell), launch, p, x, wIh);
    }

    /** The launch of a raw struct: its size, scalars and pointers checked, the plan's cluster count. */
    private Launch rawLaunch(boolean backward, Cell cell, PersistentWeights weights, MemorySegment p) {
        StructLayout l = backward ? PersistentKernels.BWD_PARAMS_LAYOUT : PersistentKernels.FWD_PARAMS_LAYOUT;
        LaunchChecks.structSize("p", p, l);
        PersistentKernels.checkRawStruct(backward, cell, p, false);
        long steps = ParamsStructs.getLong(p, l, "steps");
        long batch = ParamsStructs.getLong(p, l, "batch");
        long hidden = ParamsStructs.getLong(p, l, "hidden");
        int units = ParamsStructs.getInt(p, l, "unitsPerBlock");
        LaunchChecks.atLeastOne("hidden", hidden);
        LaunchChecks.atLeastOne("unitsPerBlock", units);
        LaunchChecks.atLeastOne("batch", batch);
        // The forward with its row slice, or the backward with its split, switched off keeps the
        // whole slice in shared memory.
        int tuning = ParamsStructs.getInt(p, l, "tuning");
        boolean tiled = weights == PersistentWeights.FP32 && (tuning
                & (backward ? PersistentKernels.TUNE_NO_BWD_SPLIT : PersistentKernels.TUNE_NO_ROW_SLICE)) != 0;
        return check(backward, cell, steps, batch, hidden, units, defaultClusters(hidden, units, batch), weights, tiled);
    }

    private static Cell cellOf(KernelSignature kernel) {
        for (PersistentWeights w : PersistentWeights.values()) {
            for (Cell c : Cell.values()) {
                if (forwardKernel(c, w) == kernel || backwardKernel(c, w) == kernel) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("not a persistent cluster kernel: " + kernel.name());
    }

    private static PersistentWeights weightsOf(KernelSignature kernel, Cell cell) {
        for (PersistentWeights w : PersistentWeights.values()) {
            if (forwardKernel(cell, w) == kernel || backwardKernel(cell, w) == kernel) {
                return w;
            }
        }
        throw new IllegalArgumentException("not a persistent cluster kernel: " + kernel.name());
    }

    private int defaultClusters(long hidden, int units, long batch) {
        LaunchChecks.atLeastOne("unitsPerBlock", units);
        LaunchChecks.atLeastOne("batch", batch);
        long size = LaunchChecks.blocksFor(hidden, units);
        return PersistentClusterPlan.clustersFor((int) Math.min(size, Integer.MAX_VALUE), batch,
                limits.multiprocessors());
    }

    /** A checked launch: its geometry and cluster size S. */
    private record Launch(LaunchGeometry geometry, int clusterSize) {
    }

    /**
     * {@code tiled}: a float32 forward with {@link PersistentKernels#TUNE_NO_ROW_SLICE} or backward with
     * {@link PersistentKernels#TUNE_NO_BWD_SPLIT} (its whole slice shared).
     */
    private Launch check(boolean backward, Cell cell, long steps, long batch, long hidden, int units, int clusters,
                         PersistentWeights weights, boolean tiled) {
        LaunchChecks.atLeastOne("steps", steps);
        LaunchChecks.atLeastOne("batch", batch);
        LaunchChecks.atLeastOne("hidden", hidden);
        LaunchChecks.atLeastOne("unitsPerBlock", units);
        LaunchChecks.atLeastOne("clusters", clusters);
        if (hidden > Integer.MAX_VALUE || batch > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch and hidden must fit in 32 bits, got " + batch + ", " + hidden);
        }
        long size = LaunchChecks.blocksFor(hidden, units);
        if (size > PersistentClusterPlan.MAX_CLUSTER_SIZE) {
            throw new IllegalArgumentException("cluster size ceil(hidden / unitsPerBlock) = " + size + " must be <= "
                    + PersistentClusterPlan.MAX_CLUSTER_SIZE + " (hidden " + hidden + ", unitsPerBlock " + units
                    + "; unitsPerBlock >= " + LaunchChecks.blocksFor(hidden, PersistentClusterPlan.MAX_CLUSTER_SIZE)
                    + " would do)");
        }
        if (clusters > batch) {
            throw new IllegalArgumentException("clusters must be <= batch (each cluster runs its own rows), got "
                    + clusters + " > " + batch);
        }
        long grid = clusters * size;
        if (grid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("grid clusters·S = " + grid + " must fit in 32 bits");
        }
        long rows = LaunchChecks.blocksFor(batch, clusters);
        long smem = !tiled ? PersistentClusterPlan.sharedBytes(backward, cell, units, rows, hidden, weights)
                : backward ? PersistentClusterPlan.backwardTiledSharedMemoryBytes(cell, units, rows, hidden)
                : PersistentClusterPlan.tiledSharedMemoryBytes(cell, units, rows, hidden);
        if (smem > limits.sharedMemoryPerBlockOptin()) {
            throw new IllegalArgumentException("shared memory per block "
                    + PersistentClusterPlan.sharedBytesFormula(backward, weights) + " = " + smem
                    + " bytes must be <= the device's opt-in limit " + limits.sharedMemoryPerBlockOptin()
                    + " (G " + cell.gates() + ", J " + units + ", Bc " + rows + ", H " + hidden + ")");
        }
        if (!limits.clusters()) {
            throw new IllegalStateException("the cluster kernels need compute capability 9.0 or newer, the device has "
                    + limits.computeCapability());
        }
        return new Launch(new LaunchGeometry((int) grid, 1, 1, PersistentKernels.BLOCK_THREADS, 1, 1, (int) smem),
                (int) size);
    }

    /**
     * Whether the device runs one cluster of {@code plan}'s forward or backward kernel (its cell and
     * weights) with the plan's S and shared memory: {@code cuOccupancyMaxActiveClusters} >= 1, asked
     * once per kernel, shared memory and S, as before each launch. The {@link ClusterFit} the CUDA
     * backend plans with. The in-kernel projection's twin shares the plan's geometry and is not asked
     * separately (its launch still is).
     */
    public boolean runs(PersistentClusterPlan plan) {
        KernelSignature kernel = plan.backward() ? backwardKernel(plan.cell(), plan.weights())
                : forwardKernel(plan.cell(), plan.weights());
        return clustersThatFit(kernel, plan.geometry(), plan.clusterSize()) >= 1;
    }

    /** Clusters of {@code size} blocks of {@code geometry} that fit at once, the kernel's attributes set first. */
    private int clustersThatFit(KernelSignature kernel, LaunchGeometry geometry, int size) {
        target.allowDynamicSharedMemory(kernel, geometry.sharedMemBytes());
        if (size > PersistentClusterPlan.PORTABLE_CLUSTER_SIZE) {
            target.allowNonPortableClusterSize(kernel);
        }
        return occupancy.computeIfAbsent(kernel.name() + "@" + geometry.sharedMemBytes() + "@" + size,
                k -> target.maxActiveClusters(kernel, geometry, size));
    }

    private void launch(KernelSignature kernel, Launch launch, Object... arguments) {
        LaunchGeometry geometry = launch.geometry();
        int size = launch.clusterSize();
        int fit = clustersThatFit(kernel, geometry, size);
        if (fit < 1) {
            throw new IllegalArgumentException("one cluster of " + size + " blocks with " + geometry.sharedMemBytes()
                    + " bytes of shared memory each does not fit this device (cuOccupancyMaxActiveClusters = " + fit
                    + " for " + kernel.name() + "); choose a larger unitsPerBlock or a smaller batch per cluster");
        }
        target.launchCluster(kernel, geometry, size, arguments);
    }
}
