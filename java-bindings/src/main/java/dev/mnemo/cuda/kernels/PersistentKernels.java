package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Launchers of the header's family "persistent": the whole-sequence forward and backward of one RNN
 * (tanh / relu), LSTM or GRU layer direction, each in one cooperative launch, each block keeping its
 * slice of W_hh (forward: rows; backward: columns) in shared memory for all T steps, with a
 * grid-wide barrier between steps.
 *
 * <p>Geometry: {@link #plan} (and {@link #planBackward}) picks J (hidden units per block) as small
 * as the SM count allows (grid = ceil(H / J) ≤ SMs, so a block per SM) and checks the block's
 * shared memory ({@link #sharedMemoryBytes}, {@link #backwardSharedMemoryBytes}) against the
 * device's opt-in limit. Every launch then checks that the
 * grid can be co-resident (the driver's occupancy for that shared memory × SMs), raises the kernel's
 * dynamic shared memory limit when above 48 KiB, zeroes the barrier words and launches with
 * {@code cuLaunchCooperativeKernel}.
 *
 * <p>The header's cluster variants of the same kernels (sm_90+, same structs) launch through
 * {@link #cluster()} ({@link PersistentClusterKernels}); their raw-struct entry points are here too
 * ({@code clusterLstmFwd}, ...), as the header's family naming asks; so are the wide-block forward's
 * ({@link #wide()}, {@link PersistentWideKernels}: one block per batch row).
 *
 * <p>Not thread-safe (one stream, one thread, like its context).
 */
public final class PersistentKernels {
    /** Threads per block. */
    public static final int BLOCK_THREADS = 256;
    /**
     * {@code MNEMO_PERSISTENT_TUNE_ALL}: every bit of the params' {@code tuning} word, each reversing one
     * choice of the cluster kernels' default path for side-by-side timing (the courier warp on, or a
     * fast path off); the launchers here write 0, the default path.
     */
    public static final int TUNE_ALL = 127;
    /**
     * {@code MNEMO_PERSISTENT_TUNE_NO_ROW_SLICE}: the forward keeps its whole slice in shared memory
     * instead of one row per thread in registers, so its launch needs
     * {@link PersistentClusterPlan#tiledSharedMemoryBytes}.
     */
    public static final int TUNE_NO_ROW_SLICE = 2;
    /**
     * {@code MNEMO_PERSISTENT_TUNE_NO_BWD_SPLIT}: the backward keeps its whole slice in shared memory
     * instead of splitting it between registers and shared memory, so its launch needs
     * {@link PersistentClusterPlan#backwardTiledSharedMemoryBytes}.
     */
    public static final int TUNE_NO_BWD_SPLIT = 16;
    /** 32-bit words of the barrier scratch. */
    public static final int BARRIER_WORDS = 2;
    /** The barrier counts arrivals over the whole launch in 32 bits: (T − 1)·grid (backward T·grid). */
    private static final long MAX_BARRIER_ARRIVALS = 0xFFFF_FFFFL;

    /**
     * Whether the grid barrier's 32-bit arrival counter holds a sequence of {@code steps} steps on {@code grid}
     * blocks: (T − 1)·grid arrivals forward, T·grid backward. A plan depends on B and H only; a choice of path
     * must ask this too, or a long enough sequence picks a kernel its launch then refuses.
     */
    public static boolean barrierFits(boolean backward, long steps, long grid) {
        long arrivals = backward ? steps : steps - 1;
        return arrivals <= 0 || grid <= 0 || arrivals <= MAX_BARRIER_ARRIVALS / grid;
    }

    /** {@code mnemo_persistent_fwd_params}: 128 bytes, 8-byte aligned, no padding. */
    public static final StructLayout FWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("gates"), ParamsStructs.pointer("wHh"), ParamsStructs.pointer("bIh"),
            ParamsStructs.pointer("bHh"), ParamsStructs.pointer("h0"), ParamsStructs.pointer("c0"),
            ParamsStructs.pointer("h"), ParamsStructs.pointer("c"), ParamsStructs.pointer("hn"),
            ParamsStructs.pointer("barrier"), ParamsStructs.int64("steps"), ParamsStructs.int64("batch"),
            ParamsStructs.int64("hidden"), ParamsStructs.int32("unitsPerBlock"), ParamsStructs.int32("reverse"),
            ParamsStructs.int32("saveGates"), ParamsStructs.int32("tuning"), ParamsStructs.pointer("lengths"))
            .withName("mnemo_persistent_fwd_params");

    /** {@code mnemo_persistent_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature RNN_FWD_TANH = KernelSignature.of("mnemo_persistent_rnn_fwd_tanh_f32",
            of("mnemo_persistent_fwd_params", "p"));
    /** {@code mnemo_persistent_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature RNN_FWD_RELU = KernelSignature.of("mnemo_persistent_rnn_fwd_relu_f32",
            of("mnemo_persistent_fwd_params", "p"));
    /** {@code mnemo_persistent_lstm_fwd_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature LSTM_FWD = KernelSignature.of("mnemo_persistent_lstm_fwd_f32",
            of("mnemo_persistent_fwd_params", "p"));
    /** {@code mnemo_persistent_gru_fwd_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature GRU_FWD = KernelSignature.of("mnemo_persistent_gru_fwd_f32",
            of("mnemo_persistent_fwd_params", "p"));

    /** {@code mnemo_persistent_bwd_params}: 152 bytes, 8-byte aligned, no padding. */
    public static final StructLayout BWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("gates"), ParamsStructs.pointer("wHh"), ParamsStructs.pointer("h0"),
            ParamsStructs.pointer("c0"), ParamsStructs.pointer("h"), ParamsStructs.pointer("c"),
            ParamsStructs.pointer("hn"), ParamsStructs.pointer("dy"), ParamsStructs.pointer("dh"),
            ParamsStructs.pointer("dc"), ParamsStructs.pointer("dWx"), ParamsStructs.pointer("dRh"),
            ParamsStructs.pointer("barrier"), ParamsStructs.int64("steps"), ParamsStructs.int64("batch"),
            ParamsStructs.int64("hidden"), ParamsStructs.int32("unitsPerBlock"), ParamsStructs.int32("reverse"),
            ParamsStructs.int32("tuning"), ParamsStructs.int32("reserved"), ParamsStructs.pointer("lengths"))
            .withName("mnemo_persistent_bwd_params");

    /** {@code mnemo_persistent_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature RNN_BWD_TANH = KernelSignature.of("mnemo_persistent_rnn_bwd_tanh_f32",
            of("mnemo_persistent_bwd_params", "p"));
    /** {@code mnemo_persistent_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature RNN_BWD_RELU = KernelSignature.of("mnemo_persistent_rnn_bwd_relu_f32",
            of("mnemo_persistent_bwd_params", "p"));
    /** {@code mnemo_persistent_lstm_bwd_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature LSTM_BWD = KernelSignature.of("mnemo_persistent_lstm_bwd_f32",
            of("mnemo_persistent_bwd_params", "p"));
    /** {@code mnemo_persistent_gru_bwd_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature GRU_BWD = KernelSignature.of("mnemo_persistent_gru_bwd_f32",
            of("mnemo_persistent_bwd_params", "p"));

    /** The cells, with their gate counts and kernels. */
    public enum Cell {
        RNN_TANH(1, RNN_FWD_TANH, RNN_BWD_TANH), RNN_RELU(1, RNN_FWD_RELU, RNN_BWD_RELU),
        LSTM(4, LSTM_FWD, LSTM_BWD), GRU(3, GRU_FWD, GRU_BWD);

        private final int gates;
        private final KernelSignature kernel;
        private final KernelSignature backwardKernel;

        Cell(int gates, KernelSignature kernel, KernelSignature backwardKernel) {
            this.gates = gates;
            this.kernel = kernel;
            this.backwardKernel = backwardKernel;
        }

        /** The backward entry point. */
        public KernelSignature backwardKernel() {
            return backwardKernel;
        }

        /** G: 1 (RNN), 4 (LSTM), 3 (GRU). */
        public int gates() {
            return gates;
        }

        /** The forward entry point. */
        public KernelSignature kernel() {
            return kernel;
        }

        static Cell of(KernelSignature kernel) {
            for (Cell c : values()) {
                if (c.kernel == kernel || c.backwardKernel == kernel) {
                    return c;
                }
            }
            throw new IllegalArgumentException("not a persistent kernel: " + kernel.name());
        }
    }

    /**
     * What a plan depends on.
     *
     * @param multiprocessors SM count
     * @param sharedMemoryPerBlockOptin the most dynamic shared memory one block may opt in to, bytes
     * @param cooperativeLaunch whether the device supports cooperative launches
     * @param computeMajor compute capability, major (0: unknown)
     * @param computeMinor compute capability, minor
     */
    public record DeviceLimits(int multiprocessors, int sharedMemoryPerBlockOptin, boolean cooperativeLaunch,
                               int computeMajor, int computeMinor) {

        /** Limits without a compute capability (0.0): the cluster variant is never planned for them. */
        public DeviceLimits(int multiprocessors, int sharedMemoryPerBlockOptin, boolean cooperativeLaunch) {
            this(multiprocessors, sharedMemoryPerBlockOptin, cooperativeLaunch, 0, 0);
        }

        /** The limits of a queried device. */
        public static DeviceLimits of(CudaDevice device) {
            return new DeviceLimits(device.multiprocessors(), device.sharedMemoryPerBlockOptin(),
                    device.cooperativeLaunch(), device.computeMajor(), device.computeMinor());
        }

        /** Thread-block clusters and distributed shared memory exist from compute capability 9.0 (Hopper). */
        public boolean clusters() {
            return computeMajor >= 9;
        }

        /** Compute capability as "9.0". */
        public String computeCapability() {
            return computeMajor + "." + computeMinor;
        }
    }

    /**
     * The geometry of one persistent launch.
     *
     * @param unitsPerBlock J, hidden units per block
     * @param grid ceil(H / J) blocks
     * @param sharedMemoryBytes dynamic shared memory per block
     */
    public record Plan(Cell cell, long batch, long hidden, int unitsPerBlock, int grid, int sharedMemoryBytes) {
        /** Block {@link #BLOCK_THREADS}, this grid and shared memory. */
        public LaunchGeometry geometry() {
            return new LaunchGeometry(grid, 1, 1, BLOCK_THREADS, 1, 1, sharedMemoryBytes);
        }

        @Override
        public String toString() {
            return "persistent " + cell + ": " + grid + " blocks × " + unitsPerBlock + " units, "
                    + sharedMemoryBytes / 1024 + " KiB shared each";
        }
    }

    /**
     * The fields of {@code mnemo_persistent_fwd_params}, as buffers (names and order as in C).
     *
     * @param gates [T, B, G·H] in-out: x W_ihᵀ in; the activated gates out when saveGates (LSTM, GRU)
     * @param wHh [G·H, H] in
     * @param bIh [G·H] in; nullable
     * @param bHh [G·H] in; nullable
     * @param h0 [B, H] in
     * @param c0 [B, H] in (LSTM); nullable otherwise
     * @param h [T, B, H] out
     * @param c [T, B, H] out (LSTM), or without saveGates the running c [B, H], left holding the last
     *          processed step's; nullable otherwise
     * @param hn [T, B, H] saved (GRU); nullable (not written)
     * @param barrier 2 words of scratch, zeroed by the launcher before each launch
     * @param steps T >= 1
     * @param batch B >= 1
     * @param hidden H >= 1
     * @param unitsPerBlock J >= 1 (from {@link #plan})
     * @param reverse run t = T−1..0
     * @param saveGates overwrite gates with the activated gates (LSTM, GRU)
     * @param lengths [B] int32, each row's steps in [1, T] (a variable-length batch: past its end a row
     *                carries its state); nullable (every row runs all T steps)
     */
    public record FwdParams(DeviceMemory gates, DeviceMemory wHh, DeviceMemory bIh, DeviceMemory bHh,
                            DeviceMemory h0, DeviceMemory c0, DeviceMemory h, DeviceMemory c, DeviceMemory hn,
                            DeviceMemory barrier, long steps, long batch, long hidden, int unitsPerBlock,
                            boolean reverse, boolean saveGates, DeviceMemory lengths) {

        /** Every row runs all T steps (no lengths). */
        public FwdParams(DeviceMemory gates, DeviceMemory wHh, DeviceMemory bIh, DeviceMemory bHh, DeviceMemory h0,
                         DeviceMemory c0, DeviceMemory h, DeviceMemory c, DeviceMemory hn, DeviceMemory barrier,
                         long steps, long batch, long hidden, int unitsPerBlock, boolean reverse, boolean saveGates) {
            this(gates, wHh, bIh, bHh, h0, c0, h, c, hn, barrier, steps, batch, hidden, unitsPerBlock, reverse,
                    saveGates, null);
        }

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = FWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "gates", ParamsStructs.addressOf(gates));
            ParamsStructs.putLong(s, l, "wHh", ParamsStructs.addressOf(wHh));
            ParamsStructs.putLong(s, l, "bIh", ParamsStructs.addressOf(bIh));
            ParamsStructs.putLong(s, l, "bHh", ParamsStructs.addressOf(bHh));
            ParamsStructs.putLong(s, l, "h0", ParamsStructs.addressOf(h0));
            ParamsStructs.putLong(s, l, "c0", ParamsStructs.addressOf(c0));
            ParamsStructs.putLong(s, l, "h", ParamsStructs.addressOf(h));
            ParamsStructs.putLong(s, l, "c", ParamsStructs.addressOf(c));
            ParamsStructs.putLong(s, l, "hn", ParamsStructs.addressOf(hn));
            ParamsStructs.putLong(s, l, "barrier", ParamsStructs.addressOf(barrier));
            ParamsStructs.putLong(s, l, "steps", steps);
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "hidden", hidden);
            ParamsStructs.putInt(s, l, "unitsPerBlock", unitsPerBlock);
            ParamsStructs.putInt(s, l, "reverse", reverse ? 1 : 0);
            ParamsStructs.putInt(s, l, "saveGates", saveGates ? 1 : 0);
            ParamsStructs.putInt(s, l, "tuning", 0);
            ParamsStructs.putLong(s, l, "lengths", ParamsStructs.addressOf(lengths));
        }
    }

    private final CooperativeTarget target;
    private final DeviceLimits limits;
    /** The cluster variants (null when built for CPU tests without a cluster target). */
    private final PersistentClusterKernels cluster;
    /** The wide-block forward (one block per batch row, plain launches on the same target). */
    private final PersistentWideKernels wide;
    private final MemorySegment fwdParams = ParamsStructs.allocate(FWD_PARAMS_LAYOUT);
    /** Occupancy per (kernel, shared bytes): asked of the driver once. */
    private final Map<String, Integer> occupancy = new HashMap<>();

    /** Launchers for the kernels of {@code module}, queued on {@code stream}, for a device with {@code limits}. */
    public PersistentKernels(CudaModule module, CudaStream stream, DeviceLimits limits) {
        this(new ModuleCooperativeTarget(module, stream, signatures()), limits);
    }

    private PersistentKernels(ModuleCooperativeTarget target, DeviceLimits limits) {
        this(target, target, limits);
    }

    PersistentKernels(CooperativeTarget target, DeviceLimits limits) {
        this(target, null, limits);
    }

    PersistentKernels(CooperativeTarget target, ClusterTarget clusterTarget, DeviceLimits limits) {
        this.target = target;
        this.limits = limits;
        this.cluster = clusterTarget == null ? null : new PersistentClusterKernels(clusterTarget, limits);
        this.wide = new PersistentWideKernels(target);
    }

    /** A kernel of this family taking {@code mnemo_persistent_fwd_params p} (the cluster and wide-block forwards). */
    static KernelSignature forwardSignature(String name) {
        return KernelSignature.of(name, of("mnemo_persistent_fwd_params", "p"));
    }

    /**
     * A kernel of this family taking {@code mnemo_persistent_fwd_params p, const float* x, const float* wIh}
     * (the _x1 forwards: the input projection of one input feature done in the kernel).
     */
    static KernelSignature projectedSignature(String name) {
        return KernelSignature.of(name, of("mnemo_persistent_fwd_params", "p"), of("const float*", "x"),
                of("const float*", "wIh"));
    }

    /**
     * The _x1 kernels' two extra buffers: {@code x} holds the one input feature of every step and batch
     * row {@code [T, B]}, {@code wIh} W_ih's one column {@code [G·H]}. Both are only read; their overlap
     * with the outputs is not checked (a layer's input and weights never alias its outputs).
     */
    static void checkProjection(Cell cell, long steps, long batch, long hidden, DeviceMemory x, DeviceMemory wIh) {
        LaunchChecks.present("x", x);
        LaunchChecks.present("wIh", wIh);
        LaunchChecks.holds("x", x, Math.multiplyExact(steps, batch), "T·B: one input feature");
        LaunchChecks.holds("wIh", wIh, Math.multiplyExact((long) cell.gates(), hidden), "G·H: W_ih's one column");
    }

    /** A kernel of this family taking {@code mnemo_persistent_bwd_params p}. */
    static KernelSignature backwardSignature(String name) {
        return KernelSignature.of(name, of("mnemo_persistent_bwd_params", "p"));
    }

    /** The signatures of this family, in header order (the cluster variants, then the wide-block forward). */
    public static List<KernelSignature> signatures() {
        return List.of(RNN_FWD_TANH, RNN_FWD_RELU, LSTM_FWD, GRU_FWD, RNN_BWD_TANH, RNN_BWD_RELU, LSTM_BWD, GRU_BWD,
                PersistentClusterKernels.RNN_FWD_TANH, PersistentClusterKernels.RNN_FWD_RELU,
                PersistentClusterKernels.LSTM_FWD, PersistentClusterKernels.GRU_FWD,
                PersistentClusterKernels.RNN_BWD_TANH, PersistentClusterKernels.RNN_BWD_RELU,
                PersistentClusterKernels.LSTM_BWD, PersistentClusterKernels.GRU_BWD,
                PersistentClusterKernels.RNN_FWD_TANH_BF16W, PersistentClusterKernels.RNN_FWD_RELU_BF16W,
                PersistentClusterKernels.LSTM_FWD_BF16W, PersistentClusterKernels.GRU_FWD_BF16W,
                PersistentClusterKernels.RNN_BWD_TANH_BF16W, PersistentClusterKernels.RNN_BWD_RELU_BF16W,
                PersistentClusterKernels.LSTM_BWD_BF16W, PersistentClusterKernels.GRU_BWD_BF16W,
                PersistentWideKernels.RNN_FWD_TANH, PersistentWideKernels.RNN_FWD_RELU,
                PersistentWideKernels.LSTM_FWD, PersistentWideKernels.GRU_FWD,
                PersistentWideKernels.RNN_BWD_TANH, PersistentWideKernels.RNN_BWD_RELU,
                PersistentClusterKernels.RNN_FWD_TANH_X1, PersistentClusterKernels.RNN_FWD_RELU_X1,
                PersistentClusterKernels.LSTM_FWD_X1, PersistentClusterKernels.GRU_FWD_X1,
                PersistentWideKernels.RNN_FWD_TANH_X1, PersistentWideKernels.RNN_FWD_RELU_X1,
                PersistentWideKernels.LSTM_FWD_X1, PersistentWideKernels.GRU_FWD_X1);
    }

    /** The launchers of the cluster variants (sm_90 and newer), on the same module and stream. */
    public PersistentClusterKernels cluster() {
        if (cluster == null) {
            throw new IllegalStateException("these launchers were built without a cluster target");
        }
        return cluster;
    }

    /**
     * {@code mnemo_persistent_cluster_rnn_fwd_tanh_f32} from the struct's bytes: scalars and non-null
     * pointers checked (no barrier needed), clusters as {@link PersistentClusterPlan#clustersFor} gives.
     */
    public void clusterRnnFwdTanh(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.RNN_FWD_TANH, p);
    }

    /** {@code mnemo_persistent_cluster_rnn_fwd_relu_f32} from the struct's bytes. */
    public void clusterRnnFwdRelu(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.RNN_FWD_RELU, p);
    }

    /** {@code mnemo_persistent_cluster_lstm_fwd_f32} from the struct's bytes. */
    public void clusterLstmFwd(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.LSTM_FWD, p);
    }

    /** {@code mnemo_persistent_cluster_gru_fwd_f32} from the struct's bytes. */
    public void clusterGruFwd(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.GRU_FWD, p);
    }

    /** {@code mnemo_persistent_cluster_rnn_bwd_tanh_f32} from the struct's bytes. */
    public void clusterRnnBwdTanh(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.RNN_BWD_TANH, p);
    }

    /** {@code mnemo_persistent_cluster_rnn_bwd_relu_f32} from the struct's bytes. */
    public void clusterRnnBwdRelu(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.RNN_BWD_RELU, p);
    }

    /** {@code mnemo_persistent_cluster_lstm_bwd_f32} from the struct's bytes. */
    public void clusterLstmBwd(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.LSTM_BWD, p);
    }

    /** {@code mnemo_persistent_cluster_gru_bwd_f32} from the struct's bytes. */
    public void clusterGruBwd(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.GRU_BWD, p);
    }

    /**
     * {@code mnemo_persistent_cluster_rnn_fwd_tanh_bf16w_f32} from the struct's bytes: the cluster kernel with
     * W_hh held as bf16 ({@link PersistentWeights#BF16}), checked as {@link #clusterRnnFwdTanh}.
     */
    public void clusterRnnFwdTanhBf16w(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.RNN_FWD_TANH_BF16W, p);
    }

    /** {@code mnemo_persistent_cluster_rnn_fwd_relu_bf16w_f32} from the struct's bytes. */
    public void clusterRnnFwdReluBf16w(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.RNN_FWD_RELU_BF16W, p);
    }

    /** {@code mnemo_persistent_cluster_lstm_fwd_bf16w_f32} from the struct's bytes. */
    public void clusterLstmFwdBf16w(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.LSTM_FWD_BF16W, p);
    }

    /** {@code mnemo_persistent_cluster_gru_fwd_bf16w_f32} from the struct's bytes. */
    public void clusterGruFwdBf16w(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.GRU_FWD_BF16W, p);
    }

    /** {@code mnemo_persistent_cluster_rnn_bwd_tanh_bf16w_f32} from the struct's bytes. */
    public void clusterRnnBwdTanhBf16w(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.RNN_BWD_TANH_BF16W, p);
    }

    /** {@code mnemo_persistent_cluster_rnn_bwd_relu_bf16w_f32} from the struct's bytes. */
    public void clusterRnnBwdReluBf16w(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.RNN_BWD_RELU_BF16W, p);
    }

    /** {@code mnemo_persistent_cluster_lstm_bwd_bf16w_f32} from the struct's bytes. */
    public void clusterLstmBwdBf16w(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.LSTM_BWD_BF16W, p);
    }

    /** {@code mnemo_persistent_cluster_gru_bwd_bf16w_f32} from the struct's bytes. */
    public void clusterGruBwdBf16w(MemorySegment p) {
        cluster().raw(PersistentClusterKernels.GRU_BWD_BF16W, p);
    }

    /** The launcher of the wide-block forward (any architecture), on the same module and stream. */
    public PersistentWideKernels wide() {
        return wide;
    }

    /**
     * {@code mnemo_persistent_wide_rnn_fwd_tanh_f32} from the struct's bytes: scalars and non-null pointers
     * checked (no barrier needed), one block per batch row ({@link PersistentWideKernels}).
     */
    public void wideRnnFwdTanh(MemorySegment p) {
        wide.raw(Cell.RNN_TANH, false, p);
    }

    /** {@code mnemo_persistent_wide_rnn_fwd_relu_f32} from the struct's bytes. */
    public void wideRnnFwdRelu(MemorySegment p) {
        wide.raw(Cell.RNN_RELU, false, p);
    }

    /** {@code mnemo_persistent_wide_lstm_fwd_f32} from the struct's bytes. */
    public void wideLstmFwd(MemorySegment p) {
        wide.raw(Cell.LSTM, false, p);
    }

    /** {@code mnemo_persistent_wide_gru_fwd_f32} from the struct's bytes. */
    public void wideGruFwd(MemorySegment p) {
        wide.raw(Cell.GRU, false, p);
    }

    /** {@code mnemo_persistent_wide_rnn_bwd_tanh_f32} from the struct's bytes (the RNN's wide-block backward). */
    public void wideRnnBwdTanh(MemorySegment p) {
        wide.raw(Cell.RNN_TANH, true, p);
    }

    /** {@code mnemo_persistent_wide_rnn_bwd_relu_f32} from the struct's bytes. */
    public void wideRnnBwdRelu(MemorySegment p) {
        wide.raw(Cell.RNN_RELU, true, p);
    }

    /**
     * {@code mnemo_persistent_cluster_rnn_fwd_tanh_x1_f32} from the struct's bytes and the projection's two
     * buffers: the cluster forward with the input projection of one input feature done in the kernel.
     */
    public void clusterRnnFwdTanhX1(MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        cluster().rawProjected(Cell.RNN_TANH, p, x, wIh);
    }

    /** {@code mnemo_persistent_cluster_rnn_fwd_relu_x1_f32} from the struct's bytes. */
    public void clusterRnnFwdReluX1(MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        cluster().rawProjected(Cell.RNN_RELU, p, x, wIh);
    }

    /** {@code mnemo_persistent_cluster_lstm_fwd_x1_f32} from the struct's bytes. */
    public void clusterLstmFwdX1(MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        cluster().rawProjected(Cell.LSTM, p, x, wIh);
    }

    /** {@code mnemo_persistent_cluster_gru_fwd_x1_f32} from the struct's bytes. */
    public void clusterGruFwdX1(MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        cluster().rawProjected(Cell.GRU, p, x, wIh);
    }

    /** {@code mnemo_persistent_wide_rnn_fwd_tanh_x1_f32} from the struct's bytes and the projection's buffers. */
    public void wideRnnFwdTanhX1(MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        wide.rawProjected(Cell.RNN_TANH, p, x, wIh);
    }

    /** {@code mnemo_persistent_wide_rnn_fwd_relu_x1_f32} from the struct's bytes. */
    public void wideRnnFwdReluX1(MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        wide.rawProjected(Cell.RNN_RELU, p, x, wIh);
    }

    /** {@code mnemo_persistent_wide_lstm_fwd_x1_f32} from the struct's bytes. */
    public void wideLstmFwdX1(MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        wide.rawProjected(Cell.LSTM, p, x, wIh);
    }

    /** {@code mnemo_persistent_wide_gru_fwd_x1_f32} from the struct's bytes. */
    public void wideGruFwdX1(MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        wide.rawProjected(Cell.GRU, p, x, wIh);
    }

    /** The device limits this launcher plans for. */
    public DeviceLimits limits() {
        return limits;
    }

    /** {@code MNEMO_PERSISTENT_SMEM_BYTES(G, J, B, H)}: 4·(G·J·H + B·H + B·G·J). */
    public static long sharedMemoryBytes(Cell cell, long unitsPerBlock, long batch, long hidden) {
        long g = cell.gates();
        return Math.multiplyExact(4L, Math.addExact(Math.addExact(
                Math.multiplyExact(Math.multiplyExact(g, unitsPerBlock), hidden), Math.multiplyExact(batch, hidden)),
                Math.multiplyExact(Math.multiplyExact(batch, g), unitsPerBlock)));
    }

    /** {@code MNEMO_PERSISTENT_BWD_SMEM_BYTES(G, J, B, H)}: 4·(G·J·H + B·G·H + 3·B·J). */
    public static long backwardSharedMemoryBytes(Cell cell, long unitsPerBlock, long batch, long hidden) {
        long g = cell.gates();
        return Math.multiplyExact(4L, Math.addExact(Math.addExact(
                Math.multiplyExact(Math.multiplyExact(g, unitsPerBlock), hidden),
                Math.multiplyExact(Math.multiplyExact(batch, g), hidden)),
                Math.multiplyExact(Math.multiplyExact(3L, batch), unitsPerBlock)));
    }

    private static long sharedBytes(boolean backward, Cell cell, long units, long batch, long hidden) {
        return backward ? backwardSharedMemoryBytes(cell, units, batch, hidden)
                : sharedMemoryBytes(cell, units, batch, hidden);
    }

    /**
     * The forward's geometry for (cell, B, H) on a device: J = ceil(H / min(SMs, H)), so at most one
     * block per SM; none, with the reason, when the device or the shared memory rules it out.
     *
     * @return the plan, or a {@link PlanOrReason} naming why none exists
     */
    public static PlanOrReason plan(Cell cell, long batch, long hidden, DeviceLimits limits) {
        return plan(false, cell, batch, hidden, limits);
    }

    /** As {@link #plan} for the backward (its shared memory holds all of a step's dRh, B·G·H floats). */
    public static PlanOrReason planBackward(Cell cell, long batch, long hidden, DeviceLimits limits) {
        return plan(true, cell, batch, hidden, limits);
    }

    private static PlanOrReason plan(boolean backward, Cell cell, long batch, long hidden, DeviceLimits limits) {
        LaunchChecks.atLeastOne("batch", batch);
        LaunchChecks.atLeastOne("hidden", hidden);
        if (!limits.cooperativeLaunch()) {
            return PlanOrReason.none("the device does not support cooperative launches");
        }
        if (limits.multiprocessors() < 1) {
            return PlanOrReason.none("the device reports " + limits.multiprocessors() + " SMs");
        }
        long maxBlocks = Math.min(limits.multiprocessors(), hidden);
        long units = LaunchChecks.blocksFor(hidden, (int) maxBlocks);
        long grid = LaunchChecks.blocksFor(hidden, (int) units);
        long smem;
        try {
            smem = sharedBytes(backward, cell, units, batch, hidden);
        } catch (ArithmeticException e) {
            return PlanOrReason.none("batch·hidden too large for shared memory");
        }
        if (smem > limits.sharedMemoryPerBlockOptin()) {
            return PlanOrReason.none("a block " + (backward ? "of the backward " : "") + "needs " + smem
                    + " bytes of shared memory (W_hh slice " + cell.gates() + "·" + units + "·" + hidden + " + "
                    + (backward ? "dRh " + batch + "·" + cell.gates() + "·" : "h " + batch + "·") + hidden
                    + " floats), the device allows " + limits.sharedMemoryPerBlockOptin());
        }
        return PlanOrReason.of(new Plan(cell, batch, hidden, (int) units, (int) grid, (int) smem));
    }

    /** A plan, or why there is none. */
    public record PlanOrReason(Plan plan, String reason) {
        static PlanOrReason of(Plan plan) {
            return new PlanOrReason(plan, null);
        }

        static PlanOrReason none(String reason) {
            return new PlanOrReason(null, reason);
        }

        /** Whether a plan exists. */
        public boolean feasible() {
            return plan != null;
        }
    }

    /** The whole-sequence forward of {@code cell}: every size, overlap and the co-residency checked. */
    public void forward(Cell cell, FwdParams p) {
        LaunchGeometry geometry = check(cell, p);
        p.writeTo(fwdParams);
        launch(cell.kernel(), geometry, p.barrier().address(), fwdParams);
    }

    /** {@code mnemo_persistent_rnn_fwd_tanh_f32} from the struct's bytes (scalars, non-null pointers checked). */
    public void rnnFwdTanh(MemorySegment p) {
        raw(RNN_FWD_TANH, p);
    }

    /** {@code mnemo_persistent_rnn_fwd_relu_f32} from the struct's bytes. */
    public void rnnFwdRelu(MemorySegment p) {
        raw(RNN_FWD_RELU, p);
    }

    /** {@code mnemo_persistent_lstm_fwd_f32} from the struct's bytes. */
    public void lstmFwd(MemorySegment p) {
        raw(LSTM_FWD, p);
    }

    /** {@code mnemo_persistent_gru_fwd_f32} from the struct's bytes. */
    public void gruFwd(MemorySegment p) {
        raw(GRU_FWD, p);
    }

    private void raw(KernelSignature kernel, MemorySegment p) {
        LaunchChecks.structSize("p", p, FWD_PARAMS_LAYOUT);
        Cell cell = Cell.of(kernel);
        StructLayout l = FWD_PARAMS_LAYOUT;
        long steps = ParamsStructs.getLong(p, l, "steps");
        long batch = ParamsStructs.getLong(p, l, "batch");
        long hidden = ParamsStructs.getLong(p, l, "hidden");
        int units = ParamsStructs.getInt(p, l, "unitsPerBlock");
        checkRawStruct(false, cell, p, true);
        LaunchGeometry geometry = geometry(false, cell, steps, batch, hidden, units);
        launch(kernel, geometry, ParamsStructs.getLong(p, l, "barrier"), p);
    }

    private void launch(KernelSignature kernel, LaunchGeometry geometry, long barrierAddress, MemorySegment p) {
        target.allowDynamicSharedMemory(kernel, geometry.sharedMemBytes());
        target.zeroWords(barrierAddress, BARRIER_WORDS);
        target.launchCooperative(kernel, geometry, p);
    }

    /** Scalars, shared memory and co-residency of a launch; its geometry. */
    private LaunchGeometry geometry(boolean backward, Cell cell, long steps, long batch, long hidden, int units) {
        LaunchChecks.atLeastOne("steps", steps);
        LaunchChecks.atLeastOne("batch", batch);
        LaunchChecks.atLeastOne("hidden", hidden);
        LaunchChecks.atLeastOne("unitsPerBlock", units);
        if (hidden > Integer.MAX_VALUE || batch > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch and hidden must fit in 32 bits, got " + batch + ", " + hidden);
        }
        long grid = LaunchChecks.blocksFor(hidden, units);
        long smem = sharedBytes(backward, cell, units, batch, hidden);
        if (smem > limits.sharedMemoryPerBlockOptin()) {
            throw new IllegalArgumentException("shared memory per block " + (backward ? "4·(G·J·H + B·G·H + 3·B·J)"
                    : "4·(G·J·H + B·H + B·G·J)") + " = " + smem
                    + " bytes must be <= the device's opt-in limit " + limits.sharedMemoryPerBlockOptin()
                    + " (G " + cell.gates() + ", J " + units + ", B " + batch + ", H " + hidden + ")");
        }
        if (!limits.cooperativeLaunch()) {
            throw new IllegalStateException("the device does not support cooperative launches");
        }
        if (!barrierFits(backward, steps, grid)) {
            throw new IllegalArgumentException("steps·grid must be < 2^32 (the barrier counter), got "
                    + steps + ", " + grid);
        }
        KernelSignature kernel = backward ? cell.backwardKernel() : cell.kernel();
        int perSm = occupancy.computeIfAbsent(kernel.name() + "@" + smem,
                k -> target.maxActiveBlocksPerMultiprocessor(kernel, BLOCK_THREADS, (int) smem));
        long coResident = (long) perSm * limits.multiprocessors();
        if (grid > coResident) {
            throw new IllegalArgumentException("grid ceil(hidden / unitsPerBlock) = " + grid + " blocks must be <= "
                    + coResident + " co-resident blocks (" + perSm + " per SM × " + limits.multiprocessors()
                    + " SMs at " + smem + " bytes of shared memory each)");
        }
        return new LaunchGeometry((int) grid, 1, 1, BLOCK_THREADS, 1, 1, (int) smem);
    }

    private LaunchGeometry check(Cell cell, FwdParams p) {
        LaunchGeometry geometry = geometry(false, cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock());
        checkBuffers(cell, p, true);
        return geometry;
    }

    /**
     * Presence, sizes and overlaps of the forward's buffers; the barrier only when {@code barrierUsed}
     * (the cluster variants ignore it).
     */
    static void checkBuffers(Cell cell, FwdParams p, boolean barrierUsed) {
        long g = (long) cell.gates() * p.hidden();
        long bh = p.batch() * p.hidden();
        long tbh = Math.multiplyExact(p.steps(), bh);
        long tbg = Math.multiplyExact(p.steps(), Math.multiplyExact(p.batch(), g));
        long whh = Math.multiplyExact(g, p.hidden());
        boolean lstm = cell == Cell.LSTM;
        LaunchChecks.present("gates", p.gates());
        LaunchChecks.present("wHh", p.wHh());
        LaunchChecks.present("h0", p.h0());
        LaunchChecks.present("h", p.h());
        DeviceMemory barrier = barrierUsed ? p.barrier() : null;
        if (barrierUsed) {
            LaunchChecks.present("barrier", barrier);
            LaunchChecks.holds("barrier", barrier, BARRIER_WORDS, "2 words");
        }
        LaunchChecks.holds("gates", p.gates(), tbg, "steps·batch·G·hidden");
        LaunchChecks.holds("wHh", p.wHh(), whh, "G·hidden·hidden");
        LaunchChecks.holdsIfPresent("bIh", p.bIh(), g, "G·hidden");
        LaunchChecks.holdsIfPresent("bHh", p.bHh(), g, "G·hidden");
        LaunchChecks.holds("h0", p.h0(), bh, "batch·hidden");
        LaunchChecks.holds("h", p.h(), tbh, "steps·batch·hidden");
        DeviceMemory c0 = lstm ? p.c0() : null;
        DeviceMemory c = lstm ? p.c() : null;
        DeviceMemory hn = cell == Cell.GRU ? p.hn() : null;
        // c: every step's when the forward saves a trace; the running [B, H] in inference
        long cFloats = p.saveGates() ? tbh : bh;
        if (lstm) {
            LaunchChecks.present("c0", c0);
            LaunchChecks.present("c", c);
            LaunchChecks.holds("c0", c0, bh, "batch·hidden");
            LaunchChecks.holds("c", c, cFloats, p.saveGates() ? "steps·batch·hidden" : "batch·hidden (inference)");
        }
        LaunchChecks.holdsIfPresent("hn", hn, tbh, "steps·batch·hidden");
        LaunchChecks.holdsIfPresent("lengths", p.lengths(), p.batch(), "batch (int32 words)");
        // Outputs (h, c, hn, barrier, and gates when written) overlap nothing else.
        disjoint(List.of(new Region("wHh", p.wHh(), whh), new Region("bIh", p.bIh(), g),
                        new Region("bHh", p.bHh(), g), new Region("h0", p.h0(), bh), new Region("c0", c0, bh),
                        new Region("lengths", p.lengths(), p.batch())),
                List.of(new Region("gates", p.gates(), tbg), new Region("h", p.h(), tbh), new Region("c", c, cFloats),
                        new Region("hn", hn, tbh), new Region("barrier", barrier, BARRIER_WORDS)));
    }

    /** A named buffer and the floats of it a kernel touches; null memory = absent. */
    private record Region(String name, DeviceMemory memory, long floats) {
    }

    /** No output overlaps an input or another output (absent ones skipped). */
    private static void disjoint(List<Region> inputs, List<Region> outputs) {
        List<Region> in = inputs.stream().filter(r -> r.memory() != null).toList();
        List<Region> out = outputs.stream().filter(r -> r.memory() != null).toList();
        for (int i = 0; i < out.size(); i++) {
            Region o = out.get(i);
            for (Region r : in) {
                LaunchChecks.disjoint(o.name(), o.memory(), o.floats(), r.name(), r.memory(), r.floats());
            }
            for (int k = i + 1; k < out.size(); k++) {
                Region other = out.get(k);
                LaunchChecks.disjoint(o.name(), o.memory(), o.floats(), other.name(), other.memory(), other.floats());
            }
        }
    }

    // ───────────────────────────── backward ─────────────────────────────

    /**
     * The fields of {@code mnemo_persistent_bwd_params}, as buffers (names and order as in C).
     *
     * @param gates [T, B, G·H] in: the forward's activated gates (LSTM, GRU); nullable for RNN
     * @param wHh [G·H, H] in
     * @param h0 [B, H] in (GRU); nullable otherwise
     * @param c0 [B, H] in (LSTM); nullable otherwise
     * @param h [T, B, H] in: the forward's h
     * @param c [T, B, H] in (LSTM); nullable otherwise
     * @param hn [T, B, H] in (GRU); nullable otherwise
     * @param dy [T, B, H] in: ∂L/∂h_t from the output; nullable (0)
     * @param dh [B, H] in-out: ∂L/∂h of the last forward step in, ∂L/∂h0 out
     * @param dc [B, H] in-out (LSTM); nullable otherwise
     * @param dWx [T, B, G·H] out: pre-activation gradients, input side
     * @param dRh [T, B, G·H] out (GRU): the recurrent side; nullable otherwise
     * @param barrier 2 words of scratch, zeroed by the launcher before each launch
     * @param steps T >= 1
     * @param batch B >= 1
     * @param hidden H >= 1
     * @param unitsPerBlock J >= 1 (from {@link #planBackward})
     * @param reverse the forward ran t = T−1..0
     * @param lengths [B] int32, the forward's (past a row's end the step passes ∂L/∂h and ∂L/∂c on and writes
     *                0 to dWx and dRh); nullable
     */
    public record BwdParams(DeviceMemory gates, DeviceMemory wHh, DeviceMemory h0, DeviceMemory c0, DeviceMemory h,
                            DeviceMemory c, DeviceMemory hn, DeviceMemory dy, DeviceMemory dh, DeviceMemory dc,
                            DeviceMemory dWx, DeviceMemory dRh, DeviceMemory barrier, long steps, long batch,
                            long hidden, int unitsPerBlock, boolean reverse, DeviceMemory lengths) {

        /** Every row runs all T steps (no lengths). */
        public BwdParams(DeviceMemory gates, DeviceMemory wHh, DeviceMemory h0, DeviceMemory c0, DeviceMemory h,
                         DeviceMemory c, DeviceMemory hn, DeviceMemory dy, DeviceMemory dh, DeviceMemory dc,
                         DeviceMemory dWx, DeviceMemory dRh, DeviceMemory barrier, long steps, long batch, long hidden,
                         int unitsPerBlock, boolean reverse) {
            this(gates, wHh, h0, c0, h, c, hn, dy, dh, dc, dWx, dRh, barrier, steps, batch, hidden, unitsPerBlock,
                    reverse, null);
        }

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = BWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "gates", ParamsStructs.addressOf(gates));
            ParamsStructs.putLong(s, l, "wHh", ParamsStructs.addressOf(wHh));
            ParamsStructs.putLong(s, l, "h0", ParamsStructs.addressOf(h0));
            ParamsStructs.putLong(s, l, "c0", ParamsStructs.addressOf(c0));
            ParamsStructs.putLong(s, l, "h", ParamsStructs.addressOf(h));
            ParamsStructs.putLong(s, l, "c", ParamsStructs.addressOf(c));
            ParamsStructs.putLong(s, l, "hn", ParamsStructs.addressOf(hn));
            ParamsStructs.putLong(s, l, "dy", ParamsStructs.addressOf(dy));
            ParamsStructs.putLong(s, l, "dh", ParamsStructs.addressOf(dh));
            ParamsStructs.putLong(s, l, "dc", ParamsStructs.addressOf(dc));
            ParamsStructs.putLong(s, l, "dWx", ParamsStructs.addressOf(dWx));
            ParamsStructs.putLong(s, l, "dRh", ParamsStructs.addressOf(dRh));
            ParamsStructs.putLong(s, l, "barrier", ParamsStructs.addressOf(barrier));
            ParamsStructs.putLong(s, l, "steps", steps);
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "hidden", hidden);
            ParamsStructs.putInt(s, l, "unitsPerBlock", unitsPerBlock);
            ParamsStructs.putInt(s, l, "reverse", reverse ? 1 : 0);
            ParamsStructs.putInt(s, l, "tuning", 0);
            ParamsStructs.putInt(s, l, "reserved", 0);
            ParamsStructs.putLong(s, l, "lengths", ParamsStructs.addressOf(lengths));
        }
    }

    private final MemorySegment bwdParams = ParamsStructs.allocate(BWD_PARAMS_LAYOUT);

    /** The whole-sequence backward of {@code cell}: every size, overlap and the co-residency checked. */
    public void backward(Cell cell, BwdParams p) {
        LaunchGeometry geometry = checkBackward(cell, p);
        p.writeTo(bwdParams);
        launch(cell.backwardKernel(), geometry, p.barrier().address(), bwdParams);
    }

    /** {@code mnemo_persistent_rnn_bwd_tanh_f32} from the struct's bytes (scalars, non-null pointers checked). */
    public void rnnBwdTanh(MemorySegment p) {
        rawBackward(RNN_BWD_TANH, p);
    }

    /** {@code mnemo_persistent_rnn_bwd_relu_f32} from the struct's bytes. */
    public void rnnBwdRelu(MemorySegment p) {
        rawBackward(RNN_BWD_RELU, p);
    }

    /** {@code mnemo_persistent_lstm_bwd_f32} from the struct's bytes. */
    public void lstmBwd(MemorySegment p) {
        rawBackward(LSTM_BWD, p);
    }

    /** {@code mnemo_persistent_gru_bwd_f32} from the struct's bytes. */
    public void gruBwd(MemorySegment p) {
        rawBackward(GRU_BWD, p);
    }

    private void rawBackward(KernelSignature kernel, MemorySegment p) {
        LaunchChecks.structSize("p", p, BWD_PARAMS_LAYOUT);
        Cell cell = Cell.of(kernel);
        StructLayout l = BWD_PARAMS_LAYOUT;
        checkRawStruct(true, cell, p, true);
        LaunchGeometry geometry = geometry(true, cell, ParamsStructs.getLong(p, l, "steps"),
                ParamsStructs.getLong(p, l, "batch"), ParamsStructs.getLong(p, l, "hidden"),
                ParamsStructs.getInt(p, l, "unitsPerBlock"));
        launch(kernel, geometry, ParamsStructs.getLong(p, l, "barrier"), p);
    }

    /**
     * A raw params struct's flags (reverse, tuning, and the forward's saveGates or the backward's
     * reserved word) and the pointers the cell needs; {@code barrier} only for the cooperative kernels
     * that spin on it. The struct's size is the caller's check.
     */
    static void checkRawStruct(boolean backward, Cell cell, MemorySegment p, boolean needsBarrier) {
        StructLayout l = backward ? BWD_PARAMS_LAYOUT : FWD_PARAMS_LAYOUT;
        LaunchChecks.flag("p.reverse", ParamsStructs.getInt(p, l, "reverse"));
        int tuning = ParamsStructs.getInt(p, l, "tuning");
        if ((tuning & ~TUNE_ALL) != 0) {
            throw new IllegalArgumentException("p.tuning takes only the MNEMO_PERSISTENT_TUNE_* bits (0.."
                    + TUNE_ALL + "), got " + tuning);
        }
        if (backward) {
            if (ParamsStructs.getInt(p, l, "reserved") != 0) {
                throw new IllegalArgumentException("p.reserved must be 0, got " + ParamsStructs.getInt(p, l, "reserved"));
            }
        } else {
            LaunchChecks.flag("p.saveGates", ParamsStructs.getInt(p, l, "saveGates"));
        }
        List<String> required = backward ? requiredBackward(cell)
                : cell == Cell.LSTM ? List.of("gates", "wHh", "h0", "c0", "h", "c", "barrier")
                : List.of("gates", "wHh", "h0", "h", "barrier");
        for (String name : required) {
            if ((needsBarrier || !name.equals("barrier")) && ParamsStructs.getLong(p, l, name) == 0) {
                throw new IllegalArgumentException("p." + name + " must not be null");
            }
        }
    }

    static List<String> requiredBackward(Cell cell) {
        return switch (cell) {
            case RNN_TANH, RNN_RELU -> List.of("wHh", "h", "dh", "dWx", "barrier");
            case LSTM -> List.of("gates", "wHh", "c0", "h", "c", "dh", "dc", "dWx", "barrier");
            case GRU -> List.of("gates", "wHh", "h0", "h", "hn", "dh", "dWx", "dRh", "barrier");
        };
    }

    private LaunchGeometry checkBackward(Cell cell, BwdParams p) {
        LaunchGeometry geometry = geometry(true, cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock());
        checkBackwardBuffers(cell, p, true);
        return geometry;
    }

    /** Presence, sizes and overlaps of the backward's buffers; the barrier only when {@code barrierUsed}. */
    static void checkBackwardBuffers(Cell cell, BwdParams p, boolean barrierUsed) {
        long g = (long) cell.gates() * p.hidden();
        long bh = p.batch() * p.hidden();
        long tbh = Math.multiplyExact(p.steps(), bh);
        long tbg = Math.multiplyExact(p.steps(), Math.multiplyExact(p.batch(), g));
        boolean lstm = cell == Cell.LSTM;
        boolean gru = cell == Cell.GRU;
        boolean rnn = !lstm && !gru;
        DeviceMemory gates = rnn ? null : p.gates();
        DeviceMemory h0 = gru ? p.h0() : null;
        DeviceMemory c0 = lstm ? p.c0() : null;
        DeviceMemory c = lstm ? p.c() : null;
        DeviceMemory hn = gru ? p.hn() : null;
        DeviceMemory dc = lstm ? p.dc() : null;
        DeviceMemory dRh = gru ? p.dRh() : null;
        java.util.Map<String, DeviceMemory> fields = new java.util.HashMap<>();
        fields.put("gates", gates);
        fields.put("wHh", p.wHh());
        fields.put("h0", h0);
        fields.put("c0", c0);
        fields.put("h", p.h());
        fields.put("c", c);
        fields.put("hn", hn);
        fields.put("dh", p.dh());
        fields.put("dc", dc);
        fields.put("dWx", p.dWx());
        fields.put("dRh", dRh);
        DeviceMemory barrier = barrierUsed ? p.barrier() : null;
        fields.put("barrier", barrier);
        for (String name : requiredBackward(cell)) {
            if (barrierUsed || !name.equals("barrier")) {
                LaunchChecks.present(name, fields.get(name));
            }
        }
        LaunchChecks.holdsIfPresent("gates", gates, tbg, "steps·batch·G·hidden");
        LaunchChecks.holds("wHh", p.wHh(), Math.multiplyExact(g, p.hidden()), "G·hidden·hidden");
        LaunchChecks.holdsIfPresent("h0", h0, bh, "batch·hidden");
        LaunchChecks.holdsIfPresent("c0", c0, bh, "batch·hidden");
        LaunchChecks.holds("h", p.h(), tbh, "steps·batch·hidden");
        LaunchChecks.holdsIfPresent("c", c, tbh, "steps·batch·hidden");
        LaunchChecks.holdsIfPresent("hn", hn, tbh, "steps·batch·hidden");
        LaunchChecks.holdsIfPresent("dy", p.dy(), tbh, "steps·batch·hidden");
        LaunchChecks.holds("dh", p.dh(), bh, "batch·hidden");
        LaunchChecks.holdsIfPresent("dc", dc, bh, "batch·hidden");
        LaunchChecks.holds("dWx", p.dWx(), tbg, "steps·batch·G·hidden");
        LaunchChecks.holdsIfPresent("dRh", dRh, tbg, "steps·batch·G·hidden");
        if (barrierUsed) {
            LaunchChecks.holds("barrier", barrier, BARRIER_WORDS, "2 words");
        }
        LaunchChecks.holdsIfPresent("lengths", p.lengths(), p.batch(), "batch (int32 words)");
        disjoint(List.of(new Region("gates", gates, tbg), new Region("wHh", p.wHh(), g * p.hidden()),
                        new Region("h0", h0, bh), new Region("c0", c0, bh), new Region("h", p.h(), tbh),
                        new Region("c", c, tbh), new Region("hn", hn, tbh), new Region("dy", p.dy(), tbh),
                        new Region("lengths", p.lengths(), p.batch())),
                List.of(new Region("dh", p.dh(), bh), new Region("dc", dc, bh), new Region("dWx", p.dWx(), tbg),
                        new Region("dRh", dRh, tbg), new Region("barrier", barrier, BARRIER_WORDS)));
    }
}
