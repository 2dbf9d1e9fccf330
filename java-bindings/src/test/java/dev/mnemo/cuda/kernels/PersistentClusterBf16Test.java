package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.PersistentClusterKernelsTest.Recorder;
import dev.mnemo.cuda.kernels.PersistentKernels.BwdParams;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentKernels.FwdParams;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bf16-weight cluster kernels: names, the header's shared-memory formulas, the plan and the launch. */
class PersistentClusterBf16Test {
    static final DeviceLimits H100 = PersistentClusterKernelsTest.H100;

    final Recorder target = new Recorder();
    final PersistentKernels persistent = new PersistentKernels(target, target, H100);
    final PersistentClusterKernels kernels = persistent.cluster();

    /** The header's MNEMO_PERSISTENT_CLUSTER_BF16W_SMEM_BYTES, transcribed token for token. */
    static long headerForward(long g, long j, long bc, long h) {
        return 4L * (g * j * ((h + 1) / 2) + 2L * bc * h + bc * g * j);
    }

    /** The header's MNEMO_PERSISTENT_CLUSTER_BF16W_BWD_SMEM_BYTES, transcribed token for token. */
    static long headerBackward(long g, long j, long bc, long h) {
        return 4L * (j * ((g * h + 1) / 2) + 2L * bc * g * h + 3L * bc * j);
    }

    @ParameterizedTest(name = "{0} J={1} Bc={2} H={3}")
    @CsvSource({
            // cell, J, Bc, H, forward bytes, backward bytes (worked out by hand from the header)
            "LSTM, 16, 8, 256, 51200, 99840", // the header's example: 50 KiB forward
            "GRU, 5, 3, 37, 2208, 3964", // odd H: ceil(37/2) = 19 words a forward row, ceil(111/2) = 56 backward
            "RNN_TANH, 1, 1, 1, 16, 24", // one bf16 padded to one word
            "RNN_RELU, 7, 2, 13, 460, 572",
            "LSTM, 38, 1, 600, 187808, 202056"})
    void sharedMemoryMirrorsTheHeaderMacros(Cell cell, long j, long bc, long h, long forward, long backward) {
        assertEquals(forward, headerForward(cell.gates(), j, bc, h));
        assertEquals(backward, headerBackward(cell.gates(), j, bc, h));
        assertEquals(forward, PersistentClusterPlan.bf16SharedMemoryBytes(cell, j, bc, h));
        assertEquals(backward, PersistentClusterPlan.bf16BackwardSharedMemoryBytes(cell, j, bc, h));
        assertEquals(forward, PersistentClusterPlan.sharedBytes(false, cell, j, bc, h, PersistentWeights.BF16));
        assertEquals(backward, PersistentClusterPlan.sharedBytes(true, cell, j, bc, h, PersistentWeights.BF16));
        assertEquals(PersistentClusterPlan.sharedMemoryBytes(cell, j, bc, h),
                PersistentClusterPlan.sharedBytes(false, cell, j, bc, h, PersistentWeights.FP32));
        assertEquals(PersistentClusterPlan.backwardSharedMemoryBytes(cell, j, bc, h),
                PersistentClusterPlan.sharedBytes(true, cell, j, bc, h, PersistentWeights.FP32));
    }

    @Test
    void kernelNamesCarryTheSuffix() {
        for (Cell cell : Cell.values()) {
            var f32 = PersistentClusterKernels.forwardKernel(cell, PersistentWeights.FP32);
            assertSame(PersistentClusterKernels.forwardKernel(cell), f32);
            assertSame(PersistentClusterKernels.backwardKernel(cell),
                    PersistentClusterKernels.backwardKernel(cell, PersistentWeights.FP32));
            String bf16 = PersistentClusterKernels.forwardKernel(cell, PersistentWeights.BF16).name();
            assertEquals(f32.name().replace("_f32", "_bf16w_f32"), bf16);
            assertEquals(PersistentClusterKernels.backwardKernel(cell).name().replace("_f32", "_bf16w_f32"),
                    PersistentClusterKernels.backwardKernel(cell, PersistentWeights.BF16).name());
            assertEquals(f32.parameters(), PersistentClusterKernels.forwardKernel(cell, PersistentWeights.BF16)
                    .parameters());
        }
        assertEquals(38, PersistentKernels.signatures().size(),
                "8 grid, 8 cluster, 8 cluster bf16w, 6 wide-block, 8 forwards projecting one input (x1)");
    }

    @Test
    void bf16PlansWiderHiddenThanFp32() {
        // 227 KiB opt-in, compute capability 9.0: LSTM H = 600 B = 1 needs 370208 bytes a block in
        // float32 even at S = 16, 187808 with bf16 (J = 38, S = 16)
        var device = new DeviceLimits(132, 232448, true, 9, 0);
        var fp32 = PersistentClusterPlan.plan(Cell.LSTM, 1, 600, device);
        assertFalse(fp32.feasible());
        assertTrue(fp32.reason().contains("370208") && fp32.reason().contains("4·(R·H + 2·Bc·H + Bc·G·J), R = G·J"),
                fp32.reason());
        assertFalse(PersistentClusterPlan.plan(Cell.LSTM, 1, 600, device, PersistentWeights.FP32).feasible());
        var bf16 = PersistentClusterPlan.plan(Cell.LSTM, 1, 600, device, PersistentWeights.BF16);
        assertTrue(bf16.feasible(), bf16::reason);
        var plan = bf16.plan();
        assertEquals(PersistentWeights.BF16, plan.weights());
        assertEquals(16, plan.clusterSize());
        assertEquals(38, plan.unitsPerBlock());
        assertEquals(1, plan.clusters());
        assertEquals(187808, plan.sharedMemoryBytes());
        assertEquals(new LaunchGeometry(16, 1, 1, 256, 1, 1, 187808), plan.geometry());
        assertTrue(plan.toString().endsWith(", bf16 W_hh"), plan::toString);
        var backward = PersistentClusterPlan.planBackward(Cell.LSTM, 1, 600, device, PersistentWeights.BF16);
        assertTrue(backward.feasible(), backward::reason);
        assertEquals(202056, backward.plan().sharedMemoryBytes());
        assertFalse(PersistentClusterPlan.planBackward(Cell.LSTM, 1, 600, device).feasible());
        // fp32 plans say fp32 and print no bf16 note
        var small = PersistentClusterPlan.plan(Cell.GRU, 5, 37, device).plan();
        assertEquals(PersistentWeights.FP32, small.weights());
        assertFalse(small.toString().contains("bf16"), small::toString);
        // too wide even in bf16: the reason names the bf16 formula
        var huge = PersistentClusterPlan.plan(Cell.LSTM, 1, 1024, device, PersistentWeights.BF16);
        assertFalse(huge.feasible());
        assertTrue(huge.reason().contains("bf16") && huge.reason().contains("4·(G·J·ceil(H/2) + 2·Bc·H + Bc·G·J)"),
                huge.reason());
        var hugeBackward = PersistentClusterPlan.planBackward(Cell.LSTM, 1, 1024, device, PersistentWeights.BF16);
        assertTrue(hugeBackward.reason().contains("4·(J·ceil(G·H/2) + 2·Bc·G·H + 3·Bc·J)"), hugeBackward.reason());
    }

    @Test
    void forwardLaunchesTheBf16KernelWithItsSharedMemory() {
        // LSTM H = 512, J = 32, B = 1: float32 does not fit the opt-in limit, bf16 does
        FwdParams p = PersistentClusterKernelsTest.lstm(4, 1, 512, 32);
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, p));
        kernels.forward(Cell.LSTM, p, PersistentWeights.BF16);
        assertEquals(List.of("allow 135680", "non-portable mnemo_persistent_cluster_lstm_fwd_bf16w_f32",
                "clusters mnemo_persistent_cluster_lstm_fwd_bf16w_f32 135680 16",
                "launch mnemo_persistent_cluster_lstm_fwd_bf16w_f32"), target.calls);
        assertEquals(new LaunchGeometry(16, 1, 1, 256, 1, 1, 135680), target.geometry);
        assertEquals(p.wHh().address(), ParamsStructs.getLong(target.params, PersistentKernels.FWD_PARAMS_LAYOUT,
                "wHh"));
        // explicit clusters; fp32 overloads still launch the fp32 kernel
        FwdParams small = PersistentClusterKernelsTest.lstm(4, 2, 256, 32);
        kernels.forward(Cell.LSTM, small, 2, PersistentWeights.BF16);
        assertEquals("launch mnemo_persistent_cluster_lstm_fwd_bf16w_f32", target.calls.getLast());
        assertEquals(new LaunchGeometry(16, 1, 1, 256, 1, 1, 68096), target.geometry);
        kernels.forward(Cell.LSTM, small, 2);
        assertEquals("launch mnemo_persistent_cluster_lstm_fwd_f32", target.calls.getLast());
    }

    @Test
    void tooMuchSharedMemoryNamesTheBf16Formula() {
        // LSTM H = 1024, J = 64: S = 16, 533504 bytes a block even in bf16
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM,
                PersistentClusterKernelsTest.lstm(4, 1, 1024, 64), PersistentWeights.BF16));
        assertTrue(e.getMessage().contains("4·(G·J·ceil(H/2) + 2·Bc·H + Bc·G·J) = 533504"), e.getMessage());
        assertTrue(target.calls.isEmpty(), target.calls::toString);
        assertThrows(NullPointerException.class, () -> kernels.forward(Cell.LSTM,
                PersistentClusterKernelsTest.lstm(4, 1, 256, 32), 1, null));
        var a100 = new PersistentKernels(target, target, PersistentClusterKernelsTest.A100).cluster();
        assertThrows(IllegalStateException.class, () -> a100.forward(Cell.LSTM,
                PersistentClusterKernelsTest.lstm(4, 1, 64, 8), PersistentWeights.BF16));
    }

    @Test
    void backwardAndRawStructsLaunchTheBf16Kernels() {
        long t = 10, b = 8, h = 256, g = 4 * h;
        var at = (java.util.function.BiFunction<Integer, Long, FakeMemory>) (slot, floats) ->
                new FakeMemory(0x1000_0000L + slot * 0x100_0000L, floats * Float.BYTES);
        var p = new BwdParams(at.apply(0, t * b * g), at.apply(1, g * h), null, at.apply(2, b * h),
                at.apply(3, t * b * h), at.apply(4, t * b * h), null, at.apply(5, t * b * h), at.apply(6, b * h),
                at.apply(7, b * h), at.apply(8, t * b * g), null, null, t, b, h, 32, false);
        kernels.backward(Cell.LSTM, p, PersistentWeights.BF16);
        assertEquals("launch mnemo_persistent_cluster_lstm_bwd_bf16w_f32", target.calls.getLast());
        // 8 clusters of S = 8, Bc = 1: 4·(32·512 + 2·4·256 + 3·32)
        long smem = 4L * (32 * 512 + 2 * 4 * 256 + 3 * 32);
        assertEquals(new LaunchGeometry(64, 1, 1, 256, 1, 1, (int) smem), target.geometry);
        kernels.backward(Cell.LSTM, p, 2, PersistentWeights.BF16);
        assertEquals(16, target.geometry.gridX());
        MemorySegment s = ParamsStructs.allocate(PersistentKernels.BWD_PARAMS_LAYOUT);
        p.writeTo(s);
        persistent.clusterLstmBwdBf16w(s);
        assertEquals("launch mnemo_persistent_cluster_lstm_bwd_bf16w_f32", target.calls.getLast());
        assertEquals(smem, target.geometry.sharedMemBytes());
        persistent.clusterRnnBwdTanhBf16w(s);
        assertEquals("launch mnemo_persistent_cluster_rnn_bwd_tanh_bf16w_f32", target.calls.getLast());
        persistent.clusterRnnBwdReluBf16w(s);
        assertEquals("launch mnemo_persistent_cluster_rnn_bwd_relu_bf16w_f32", target.calls.getLast());
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterGruBwdBf16w(s), "GRU needs h0, hn, dRh");

        MemorySegment f = ParamsStructs.allocate(PersistentKernels.FWD_PARAMS_LAYOUT);
        PersistentClusterKernelsTest.lstm(4, 1, 256, 32).writeTo(f);
        persistent.clusterLstmFwdBf16w(f);
        assertEquals("launch mnemo_persistent_cluster_lstm_fwd_bf16w_f32", target.calls.getLast());
        assertEquals(PersistentClusterPlan.bf16SharedMemoryBytes(Cell.LSTM, 32, 1, 256), target.geometry.sharedMemBytes());
        persistent.clusterGruFwdBf16w(f);
        assertEquals("launch mnemo_persistent_cluster_gru_fwd_bf16w_f32", target.calls.getLast());
        persistent.clusterRnnFwdTanhBf16w(f);
        persistent.clusterRnnFwdReluBf16w(f);
        assertEquals("launch mnemo_persistent_cluster_rnn_fwd_relu_bf16w_f32", target.calls.getLast());
        assertEquals(PersistentClusterPlan.bf16SharedMemoryBytes(Cell.RNN_RELU, 32, 1, 256),
                target.geometry.sharedMemBytes());
    }
}
