package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.BwdParams;
import dev.mnemo.cuda.kernels.PersistentKernels.FwdParams;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Launcher of the persistent family's wide-block forward ({@code mnemo_persistent_wide_*_fwd_f32}): the
 * whole-sequence RNN, LSTM or GRU forward with one block per batch row ({@link #blockThreads}: G·H
 * rounded up to a warp, at most {@value #BLOCK_THREADS}), every row of W_hh held in registers by one
 * thread, no cluster. An RNN thread runs the cell on its own row's sum, so its step has one block
 * barrier; LSTM and GRU exchange a unit's G rows through shared memory behind a second. For an RNN the
 * backward too ({@link #backward}): thread j holds column j of W_hh and forms unit j's recurrent
 * gradient alone, one block barrier a step. It runs where
 * the whole of W_hh fits one row per thread ({@link #fits}: RNN and GRU H ≤ 128, LSTM H ≤ 96, H a
 * multiple of 4; pixel MNIST's GRU has 384 rows of 128, its RNN 128), on any architecture, for any batch
 * (blocks never wait for one another, so they need not be co-resident). The params struct is the
 * cooperative kernels'; its unitsPerBlock must be H, its barrier and tuning are not used.
 *
 * <p>Opt-in ({@code mnemo.persistent.wide=on}): written for pixel MNIST's RNN and GRU forward, the two
 * anchor rows still slower than cuDNN; not yet timed against the cluster kernels on a GPU.
 *
 * <p>Not thread-safe (one stream, one thread, like its context).
 */
public final class PersistentWideKernels {
    /** {@code MNEMO_PERSISTENT_WIDE_THREADS}: the most threads a block has, one W_hh row each. */
    public static final int BLOCK_THREADS = 384;
    /** The widest H a thread's row holds (its registers). */
    public static final int MAX_HIDDEN = 128;

    /** {@code mnemo_persistent_wide_rnn_fwd_tanh_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature RNN_FWD_TANH = fwd("mnemo_persistent_wide_rnn_fwd_tanh_f32");
    /** {@code mnemo_persistent_wide_rnn_fwd_relu_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature RNN_FWD_RELU = fwd("mnemo_persistent_wide_rnn_fwd_relu_f32");
    /** {@code mnemo_persistent_wide_lstm_fwd_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature LSTM_FWD = fwd("mnemo_persistent_wide_lstm_fwd_f32");
    /** {@code mnemo_persistent_wide_gru_fwd_f32(mnemo_persistent_fwd_params p)}. */
    public static final KernelSignature GRU_FWD = fwd("mnemo_persistent_wide_gru_fwd_f32");

    /** {@code mnemo_persistent_wide_rnn_bwd_tanh_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature RNN_BWD_TANH = bwd("mnemo_persistent_wide_rnn_bwd_tanh_f32");
    /** {@code mnemo_persistent_wide_rnn_bwd_relu_f32(mnemo_persistent_bwd_params p)}. */
    public static final KernelSignature RNN_BWD_RELU = bwd("mnemo_persistent_wide_rnn_bwd_relu_f32");

    /**
     * {@code mnemo_persistent_wide_rnn_fwd_tanh_x1_f32(mnemo_persistent_fwd_params p, const float* x,
     * const float* wIh)}: the input projection of one input feature done in the kernel.
     */
    public static final KernelSignature RNN_FWD_TANH_X1 = PersistentKernels.projectedSignature(
            "mnemo_persistent_wide_rnn_fwd_tanh_x1_f32");
    /** {@code mnemo_persistent_wide_rnn_fwd_relu_x1_f32}. */
    public static final KernelSignature RNN_FWD_RELU_X1 = PersistentKernels.projectedSignature(
            "mnemo_persistent_wide_rnn_fwd_relu_x1_f32");
    /** {@code mnemo_persistent_wide_lstm_fwd_x1_f32}. */
    public static final KernelSignature LSTM_FWD_X1 = PersistentKernels.projectedSignature(
            "mnemo_persistent_wide_lstm_fwd_x1_f32");
    /** {@code mnemo_persistent_wide_gru_fwd_x1_f32}. */
    public static final KernelSignature GRU_FWD_X1 = PersistentKernels.projectedSignature(
            "mnemo_persistent_wide_gru_fwd_x1_f32");

    /** The wide-block forward of {@code cell} that projects one input feature itself. */
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

    private final CooperativeTarget target;
    private final MemorySegment fwdParams = ParamsStructs.allocate(PersistentKernels.FWD_PARAMS_LAYOUT);
    private final MemorySegment bwdParams = ParamsStructs.allocate(PersistentKernels.BWD_PARAMS_LAYOUT);

    PersistentWideKernels(CooperativeTarget target) {
        this.target = target;
    }

    /** {@code MNEMO_PERSISTENT_WIDE_FITS(G, H)}: H a multiple of 4 up to 128, G·H ≤ 384 rows. */
    public static boolean fits(Cell cell, long hidden) {
        return hidden >= 1 && hidden <= MAX_HIDDEN && hidden % 4 == 0 && cell.gates() * hidden <= BLOCK_THREADS;
    }

    /**
     * {@code MNEMO_PERSISTENT_WIDE_BWD_FITS(G, H)}: the backward, an RNN's only (thread j holds column j of
     * W_hh, the whole of unit j's recurrent gradient), where the forward {@link #fits}.
     */
    public static boolean backwardFits(Cell cell, long hidden) {
        return cell.gates() == 1 && fits(cell, hidden);
    }

    /** {@code MNEMO_PERSISTENT_WIDE_BWD_SMEM_BYTES(H)}: 8·H, a step's dRh twice. */
    public static long backwardSharedMemoryBytes(long hidden) {
        return 8L * hidden;
    }

    /** {@code MNEMO_PERSISTENT_WIDE_BLOCK(G, H)}: G·H rounded up to a warp, a thread for each row of W_hh. */
    public static int blockThreads(Cell cell, long hidden) {
        return Math.toIntExact((cell.gates() * hidden + 31) / 32 * 32);
    }

    /** {@code MNEMO_PERSISTENT_WIDE_SMEM_BYTES(G, H)}: 4·(2·H + 3·G·H), h twice, the products and both biases. */
    public static long sharedMemoryBytes(Cell cell, long hidden) {
        return 4L * (2L * hidden + 3L * cell.gates() * hidden);
    }

    /** The wide-block forward entry point of {@code cell}. */
    public static KernelSignature forwardKernel(Cell cell) {
        return switch (cell) {
            case RNN_TANH -> RNN_FWD_TANH;
            case RNN_RELU -> RNN_FWD_RELU;
            case LSTM -> LSTM_FWD;
            case GRU -> GRU_FWD;
        };
    }

    /** The wide-block backward entry point of {@code cell} (RNN only). */
    public static KernelSignature backwardKernel(Cell cell) {
        return switch (cell) {
            case RNN_TANH -> RNN_BWD_TANH;
            case RNN_RELU -> RNN_BWD_RELU;
            case LSTM, GRU -> throw new IllegalArgumentException("the wide-block backward runs RNN only (a " + cell
                    + " unit's recurrent gradient sums " + cell.gates() + " columns of W_hh), got " + cell);
        };
    }

    /**
     * The whole-sequence forward of {@code cell}, one block per batch row. p.unitsPerBlock() must be
     * p.hidden(); p.barrier() is not used and may be null. Every size and overlap is checked before the launch.
     */
    public void forward(Cell cell, FwdParams p) {
        KernelSignature kernel = forwardKernel(cell);
        LaunchGeometry geometry = check(cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock(), false);
        PersistentKernels.checkBuffers(cell, p, false);
        p.writeTo(fwdParams);
        target.launchPlain(kernel, geometry, fwdParams);
    }

    /**
     * As {@link #forward}, with the input projection of one input feature done in the kernel:
     * {@code x [T, B]} and W_ih's one column {@code wIh [G·H]} instead of p.gates' input.
     */
    public void forwardProjected(Cell cell, FwdParams p, DeviceMemory x, DeviceMemory wIh) {
        LaunchGeometry geometry = check(cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock(), false);
        PersistentKernels.checkBuffers(cell, p, false);
        PersistentKernels.checkProjection(cell, p.steps(), p.batch(), p.hidden(), x, wIh);
        p.writeTo(fwdParams);
        target.launchPlain(projectedForwardKernel(cell), geometry, fwdParams, x, wIh);
    }

    /**
     * The whole-sequence backward of an RNN, one block per batch row. p.unitsPerBlock() must be p.hidden();
     * p.barrier() is not used and may be null. Every size and overlap is checked before the launch.
     */
    public void backward(Cell cell, BwdParams p) {
        KernelSignature kernel = backwardKernel(cell);
        LaunchGeometry geometry = check(cell, p.steps(), p.batch(), p.hidden(), p.unitsPerBlock(), true);
        PersistentKernels.checkBackwardBuffers(cell, p, false);
        p.writeTo(bwdParams);
        target.launchPlain(kernel, geometry, bwdParams);
    }

    /**
     * A wide-block kernel (the forward, or with {@code backward} an RNN's backward) from the struct's bytes:
     * scalars and non-null pointers checked (no barrier needed).
     */
    void raw(Cell cell, boolean backward, MemorySegment p) {
        StructLayout l = backward ? PersistentKernels.BWD_PARAMS_LAYOUT : PersistentKernels.FWD_PARAMS_LAYOUT;
        LaunchChecks.structSize("p", p, l);
        KernelSignature kernel = backward ? backwardKernel(cell) : forwardKernel(cell);
        PersistentKernels.checkRawStruct(backward, cell, p, false);
        LaunchGeometry geometry = check(cell, ParamsStructs.getLong(p, l, "steps"),
                ParamsStructs.getLong(p, l, "batch"), ParamsStructs.getLong(p, l, "hidden"),
                ParamsStructs.getInt(p, l, "unitsPerBlock"), backward);
        target.launchPlain(kernel, geometry, p);
    }

    /** {@link #forwardProjected} from the struct's bytes, as {@link #raw} checks them. */
    void rawProjected(Cell cell, MemorySegment p, DeviceMemory x, DeviceMemory wIh) {
        StructLayout l = PersistentKernels.FWD_PARAMS_LAYOUT;
        LaunchChecks.structSize("p", p, l);
        PersistentKernels.checkRawStruct(false, cell, p, false);
        long steps = ParamsStructs.getLong(p, l, "steps");
        long batch = ParamsStructs.getLong(p, l, "batch");
        long hidden = ParamsStructs.getLong(p, l, "hidden");
        LaunchGeometry geometry = check(cell, steps, batch, hidden, ParamsStructs.getInt(p, l, "unitsPerBlock"), false);
        PersistentKernels.checkProjection(cell, steps, batch, hidden, x, wIh);
        target.launchPlain(projectedForwardKernel(cell), geometry, p, x, wIh);
    }

    private static LaunchGeometry check(Cell cell, long steps, long batch, long hidden, int unitsPerBlock,
                                        boolean backward) {
        LaunchChecks.atLeastOne("steps", steps);
        LaunchChecks.atLeastOne("batch", batch);
        LaunchChecks.atLeastOne("hidden", hidden);
        if (!fits(cell, hidden)) {
            throw new IllegalArgumentException("the wide-block " + cell + " kernels hold W_hh a row per thread: "
                    + "hidden must be a multiple of 4 up to " + MAX_HIDDEN + " with G·hidden <= " + BLOCK_THREADS
                    + " rows, got hidden " + hidden + " (" + cell.gates() * hidden + " rows)");
        }
        if (unitsPerBlock != hidden) {
            throw new IllegalArgumentException("the wide-block kernels' one block owns every unit: "
                    + "unitsPerBlock must be hidden " + hidden + ", got " + unitsPerBlock);
        }
        if (batch > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch (the grid) must fit in 32 bits, got " + batch);
        }
        return new LaunchGeometry((int) batch, 1, 1, blockThreads(cell, hidden), 1, 1,
                (int) (backward ? backwardSharedMemoryBytes(hidden) : sharedMemoryBytes(cell, hidden)));
    }
}
