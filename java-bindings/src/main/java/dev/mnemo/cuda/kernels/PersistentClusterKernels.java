package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

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

    private static KernelSignature fwd(String name) {
        return KernelSignature.of(name, of("mnemo_persistent_fwd_params", "p"));
    }

    private static KernelSignature bwd(String name) {
        return KernelSignature.of(name, of("mnemo_persistent_bwd_params", "p"));
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
        PersistentKernels.checkBuffers(cell, p, false);
        Launch launch = check(false, cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock(), clusters);
        p.writeTo(fwdParams);
        launch(forwardKernel(cell), launch, fwdParams);
    }

    /** The backward with the plan's cluster count for S = ceil(H / J). */
    public void backward(Cell cell, BwdParams p) {
        backward(cell, p, defaultClusters(p.hidden(), p.unitsPerBlock(), p.batch()));
    }

    /** As {@link #forward(Cell, FwdParams, int)}, for the whole-sequence backward. */
    public void backward(Cell cell, BwdParams p, int clusters) {
        PersistentKernels.checkBackwardBuffers(cell, p, false);
        Launch launch = check(true, cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock(), clusters);
        p.writeTo(bwdParams);
        launch(backwardKernel(cell), launch, bwdParams);
    }

    /**
     * A cluster kernel from the struct's bytes: scalars and non-null pointers checked (barrier not
     * needed), clusters as {@link PersistentClusterPlan#clustersFor} gives for S = ceil(H / J).
     */
    void raw(KernelSignature kernel, MemorySegment p) {
        Cell cell = cellOf(kernel);
        boolean backward = kernel == backwardKernel(cell);
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
        launch(kernel, check(backward, cell, steps, batch, hidden, units, defaultClusters(hidden, units, batch)), p);
    }

    private static Cell cellOf(KernelSignature kernel) {
        for (Cell c : Cell.values()) {
            if (forwardKernel(c) == kernel || backwardKernel(c) == kernel) {
                return c;
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

    private Launch check(boolean backward, Cell cell, long steps, long batch, long hidden, int units, int clusters) {
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
        long smem = PersistentClusterPlan.sharedBytes(backward, cell, units, rows, hidden);
        if (smem > limits.sharedMemoryPerBlockOptin()) {
            throw new IllegalArgumentException("shared memory per block " + (backward
                    ? "4·(G·J·H + 2·Bc·G·H + 3·Bc·J)" : "4·(G·J·H + 2·Bc·H + Bc·G·J)") + " = " + smem
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

    private void launch(KernelSignature kernel, Launch launch, MemorySegment p) {
        LaunchGeometry geometry = launch.geometry();
        int size = launch.clusterSize();
        target.allowDynamicSharedMemory(kernel, geometry.sharedMemBytes());
        if (size > PersistentClusterPlan.PORTABLE_CLUSTER_SIZE) {
            target.allowNonPortableClusterSize(kernel);
        }
        int fit = occupancy.computeIfAbsent(kernel.name() + "@" + geometry.sharedMemBytes() + "@" + size,
                k -> target.maxActiveClusters(kernel, geometry, size));
        if (fit < 1) {
            throw new IllegalArgumentException("one cluster of " + size + " blocks with " + geometry.sharedMemBytes()
                    + " bytes of shared memory each does not fit this device (cuOccupancyMaxActiveClusters = " + fit
                    + " for " + kernel.name() + "); choose a larger unitsPerBlock or a smaller batch per cluster");
        }
        target.launchCluster(kernel, geometry, size, p);
    }
}
