package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentKernels.FwdParams;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The persistent family's plan, geometry and validation, against a recording target: no driver needed. */
class PersistentKernelsTest {
    static final DeviceLimits H100 = new DeviceLimits(132, 227 * 1024, true);

    /** Records what the launcher asks of the device; reports {@code perSm} blocks per SM. */
    static final class Recorder implements CooperativeTarget {
        final List<String> calls = new ArrayList<>();
        int perSm = 1;
        LaunchGeometry geometry;
        MemorySegment params;
        Object[] arguments;

        @Override
        public int maxActiveBlocksPerMultiprocessor(KernelSignature kernel, int blockThreads, int sharedBytes) {
            calls.add("occupancy " + kernel.name() + " " + blockThreads + " " + sharedBytes);
            return perSm;
        }

        @Override
        public void allowDynamicSharedMemory(KernelSignature kernel, int sharedBytes) {
            calls.add("allow " + sharedBytes);
        }

        @Override
        public void zeroWords(long address, long count) {
            calls.add("zero " + Long.toHexString(address) + " " + count);
        }

        @Override
        public void launchCooperative(KernelSignature kernel, LaunchGeometry geometry, Object... arguments) {
            calls.add("launch " + kernel.name());
            this.geometry = geometry;
            this.params = ((MemorySegment) arguments[0]).asReadOnly();
        }

        @Override
        public void launchPlain(KernelSignature kernel, LaunchGeometry geometry, Object... arguments) {
            calls.add("plain " + kernel.name());
            this.geometry = geometry;
            this.params = ((MemorySegment) arguments[0]).asReadOnly();
            this.arguments = arguments.clone();
        }
    }

    final Recorder target = new Recorder();
    final PersistentKernels kernels = new PersistentKernels(target, H100);

    /** Distinct, non-overlapping fake buffers: each at its own 16 MiB slot. */
    static DeviceMemory at(int slot, long floats) {
        return new FakeMemory(0x1000_0000L + slot * 0x100_0000L, floats * Float.BYTES);
    }

    static FwdParams lstm(long t, long b, long h, int units) {
        long g = 4 * h;
        return new FwdParams(at(0, t * b * g), at(1, g * h), at(2, g), at(3, g), at(4, b * h), at(5, b * h),
                at(6, t * b * h), at(7, t * b * h), null, at(8, 2), t, b, h, units, false, true);
    }

    @ParameterizedTest
    @CsvSource({
            // cell, B, H, units, grid, shared bytes = 4·(G·J·H + B·H + B·G·J)
            "LSTM, 1, 256, 2, 128, 9248",
            "GRU, 1, 256, 2, 128, 7192",
            "RNN_TANH, 8, 1024, 8, 128, 65792",
            "LSTM, 128, 128, 1, 128, 69632",
            "LSTM, 1, 1, 1, 1, 36",
            "GRU, 3, 131, 1, 131, 3180",
            "RNN_RELU, 2, 133, 2, 67, 2144"})
    void planUsesAtMostOneBlockPerSmAndTheHeaderFormula(Cell cell, long b, long h, int units, int grid, int smem) {
        var plan = PersistentKernels.plan(cell, b, h, H100);
        assertTrue(plan.feasible(), () -> plan.reason());
        assertEquals(units, plan.plan().unitsPerBlock());
        assertEquals(grid, plan.plan().grid());
        assertEquals(smem, plan.plan().sharedMemoryBytes());
        assertEquals(smem, PersistentKernels.sharedMemoryBytes(cell, units, b, h));
        assertEquals(new LaunchGeometry(grid, 1, 1, 256, 1, 1, smem), plan.plan().geometry());
    }

    /** The barrier's 32-bit counter: (T − 1)·grid arrivals forward, T·grid backward, as the launch checks. */
    @Test
    void barrierFitsKeepsTheArrivalCountIn32Bits() {
        assertTrue(PersistentKernels.barrierFits(false, 0xFFFF_FFFFL / 108 + 1, 108));
        assertFalse(PersistentKernels.barrierFits(false, 0xFFFF_FFFFL / 108 + 2, 108));
        assertFalse(PersistentKernels.barrierFits(true, 0xFFFF_FFFFL / 108 + 1, 108));
        assertTrue(PersistentKernels.barrierFits(false, 1, 1 << 30));
        assertTrue(PersistentKernels.barrierFits(true, Long.MAX_VALUE / 2, 0));
        assertFalse(PersistentKernels.barrierFits(false, Long.MAX_VALUE, 2), "no overflow in the product");
    }

    @Test
    void planSaysWhyNot() {
        var big = PersistentKernels.plan(Cell.LSTM, 8, 2048, H100);
        assertFalse(big.feasible());
        assertNull(big.plan());
        assertTrue(big.reason().contains("shared memory"), big.reason());
        var noCoop = PersistentKernels.plan(Cell.GRU, 1, 64, new DeviceLimits(132, 227 * 1024, false));
        assertTrue(noCoop.reason().contains("cooperative"), noCoop.reason());
        assertThrows(IllegalArgumentException.class, () -> PersistentKernels.plan(Cell.GRU, 0, 64, H100));
        assertThrows(IllegalArgumentException.class, () -> PersistentKernels.plan(Cell.GRU, 1, 0, H100));
    }

    @Test
    void forwardAllowsSharedMemoryZeroesTheBarrierThenLaunchesTheStruct() {
        FwdParams p = lstm(1000, 1, 256, 2);
        kernels.forward(Cell.LSTM, p);
        assertEquals(List.of("occupancy mnemo_persistent_lstm_fwd_f32 256 9248", "allow 9248",
                "zero " + Long.toHexString(p.barrier().address()) + " 2", "launch mnemo_persistent_lstm_fwd_f32"),
                target.calls);
        assertEquals(new LaunchGeometry(128, 1, 1, 256, 1, 1, 9248), target.geometry);
        var l = PersistentKernels.FWD_PARAMS_LAYOUT;
        assertEquals(128, l.byteSize());
        assertEquals(p.gates().address(), ParamsStructs.getLong(target.params, l, "gates"));
        assertEquals(0L, ParamsStructs.getLong(target.params, l, "lengths"));
        assertEquals(p.c().address(), ParamsStructs.getLong(target.params, l, "c"));
        assertEquals(0L, ParamsStructs.getLong(target.params, l, "hn"));
        assertEquals(1000L, ParamsStructs.getLong(target.params, l, "steps"));
        assertEquals(2, ParamsStructs.getInt(target.params, l, "unitsPerBlock"));
        assertEquals(0, ParamsStructs.getInt(target.params, l, "reverse"));
        assertEquals(1, ParamsStructs.getInt(target.params, l, "saveGates"));
        // the occupancy is asked once per (kernel, shared memory)
        kernels.forward(Cell.LSTM, p);
        assertEquals(1, target.calls.stream().filter(c -> c.startsWith("occupancy")).count());
    }

    @Test
    void aGridThatCannotBeCoResidentIsRefused() {
        target.perSm = 0;
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, lstm(10, 1, 256, 2)));
        assertTrue(e.getMessage().contains("co-resident"), e.getMessage());
        target.perSm = 1;
        // 256 units one per block: 256 blocks > 132 SMs
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, lstm(10, 1, 256, 1)));
        assertTrue(target.calls.stream().noneMatch(c -> c.startsWith("launch")));
    }

    @Test
    void badSizesAndOverlapsAreRefusedBeforeAnyLaunch() {
        FwdParams ok = lstm(5, 2, 64, 1);
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(ok.gates(),
                ok.wHh(), ok.bIh(), ok.bHh(), ok.h0(), null, ok.h(), ok.c(), null, ok.barrier(), 5, 2, 64, 1, false, true)),
                "LSTM needs c0");
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(ok.gates(),
                ok.wHh(), ok.bIh(), ok.bHh(), ok.h0(), ok.c0(), ok.h(), ok.c(), null, ok.barrier(), 6, 2, 64, 1, false,
                true)), "gates too small for 6 steps");
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(ok.gates(),
                ok.wHh(), ok.bIh(), ok.bHh(), ok.h0(), ok.c0(), ok.gates(), ok.c(), null, ok.barrier(), 5, 2, 64, 1,
                false, true)), "h overlaps gates");
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(ok.gates(),
                ok.wHh(), ok.bIh(), ok.bHh(), ok.h0(), ok.c0(), ok.h(), ok.c(), null, ok.wHh(), 5, 2, 64, 1, false,
                true)), "barrier overlaps wHh");
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(ok.gates(),
                ok.wHh(), ok.bIh(), ok.bHh(), ok.h0(), ok.c0(), ok.h(), ok.c(), null, ok.barrier(), 0, 2, 64, 1, false,
                true)), "steps 0");
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(ok.gates(),
                ok.wHh(), ok.bIh(), ok.bHh(), ok.h0(), ok.c0(), ok.h(), ok.c(), null, ok.barrier(), 5, 2, 64, 0, false,
                true)), "unitsPerBlock 0");
        // GRU: no c needed; hn optional but sized when present
        long t = 3, b = 1, h = 33, g = 3 * h;
        FwdParams gru = new FwdParams(at(0, t * b * g), at(1, g * h), null, null, at(4, b * h), null, at(6, t * b * h),
                null, at(7, t * b * h - 1), at(8, 2), t, b, h, 1, true, true);
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.GRU, gru), "hn too small");
        assertTrue(target.calls.stream().noneMatch(c -> c.startsWith("launch")));
        FwdParams gruOk = new FwdParams(gru.gates(), gru.wHh(), null, null, gru.h0(), null, gru.h(), null,
                at(7, t * b * h), gru.barrier(), t, b, h, 1, true, true);
        kernels.forward(Cell.GRU, gruOk);
        assertEquals(1, ParamsStructs.getInt(target.params, PersistentKernels.FWD_PARAMS_LAYOUT, "reverse"));
        assertEquals(new LaunchGeometry(33, 1, 1, 256, 1, 1, 4 * (3 * 33 + 33 + 3)), target.geometry);
    }

    @Test
    void anInferenceLstmKeepsOneRunningCOfBatchTimesHidden() {
        long t = 5, b = 2, h = 64, g = 4 * h;
        FwdParams training = lstm(t, b, h, 1);
        // training: c holds every step's, so B·H floats are refused
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(
                training.gates(), training.wHh(), training.bIh(), training.bHh(), training.h0(), training.c0(),
                training.h(), at(7, b * h), null, training.barrier(), t, b, h, 1, false, true)));
        assertEquals("c must hold >= 640 floats (steps·batch·hidden), got 128", e.getMessage());
        // inference: the running c of B·H floats is enough, one float less is not
        e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(
                training.gates(), training.wHh(), training.bIh(), training.bHh(), training.h0(), training.c0(),
                training.h(), at(7, b * h - 1), null, training.barrier(), t, b, h, 1, false, false)));
        assertEquals("c must hold >= 128 floats (batch·hidden (inference)), got 127", e.getMessage());
        assertTrue(target.calls.stream().noneMatch(c -> c.startsWith("launch")));
        kernels.forward(Cell.LSTM, new FwdParams(at(0, t * b * g), training.wHh(), training.bIh(), training.bHh(),
                training.h0(), training.c0(), training.h(), at(7, b * h), null, training.barrier(), t, b, h, 1, false,
                false));
        assertEquals(0, ParamsStructs.getInt(target.params, PersistentKernels.FWD_PARAMS_LAYOUT, "saveGates"));
        // the running c right after h: overlapping h by one float is refused
        var overlapping = new FakeMemory(0x1000_0000L + 6 * 0x100_0000L + (t * b * h - 1) * Float.BYTES,
                b * h * Float.BYTES);
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(
                training.gates(), training.wHh(), training.bIh(), training.bHh(), training.h0(), training.c0(),
                training.h(), overlapping, null, training.barrier(), t, b, h, 1, false, false)));
    }

    @Test
    void sharedMemoryBeyondTheDeviceIsRefused() {
        // J = 64 at H = 1024, LSTM: 4·(4·64·1024 + 1024 + 256) bytes > 227 KiB
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, lstm(2, 1, 1024, 64)));
        assertTrue(e.getMessage().contains("opt-in"), e.getMessage());
    }

    @Test
    void tuningMaskIsTheHeadersBits() throws IOException {
        String header = Files.readString(KernelHeaderMirrorTest.findHeader());
        Matcher m = Pattern.compile("#define MNEMO_PERSISTENT_TUNE_(\\w+) (\\d+)").matcher(header);
        int bits = 0;
        int all = -1;
        while (m.find()) {
            int v = Integer.parseInt(m.group(2));
            if (m.group(1).equals("ALL")) {
                all = v;
            } else {
                assertEquals(1, Integer.bitCount(v), m.group(1) + " is one bit");
                bits |= v;
            }
        }
        assertEquals(bits, all, "MNEMO_PERSISTENT_TUNE_ALL is every bit");
        assertEquals(all, PersistentKernels.TUNE_ALL);
    }

    @Test
    void rawStructLaunchChecksScalarsAndPointers() {
        MemorySegment s = ParamsStructs.allocate(PersistentKernels.FWD_PARAMS_LAYOUT);
        FwdParams p = lstm(4, 1, 256, 2);
        p.writeTo(s);
        kernels.lstmFwd(s);
        assertEquals("launch mnemo_persistent_lstm_fwd_f32", target.calls.getLast());
        assertEquals(new LaunchGeometry(128, 1, 1, 256, 1, 1, 9248), target.geometry);
        var l = PersistentKernels.FWD_PARAMS_LAYOUT;
        ParamsStructs.putInt(s, l, "tuning", PersistentKernels.TUNE_ALL + 1);
        assertThrows(IllegalArgumentException.class, () -> kernels.lstmFwd(s), "a tuning bit the header does not define");
        ParamsStructs.putInt(s, l, "tuning", PersistentKernels.TUNE_ALL);
        kernels.lstmFwd(s);
        ParamsStructs.putInt(s, l, "tuning", 0);
        ParamsStructs.putLong(s, l, "c0", 0);
        assertThrows(IllegalArgumentException.class, () -> kernels.lstmFwd(s), "LSTM needs c0");
        kernels.gruFwd(s); // GRU ignores c0
        assertEquals("launch mnemo_persistent_gru_fwd_f32", target.calls.getLast());
        ParamsStructs.putInt(s, l, "reverse", 2);
        assertThrows(IllegalArgumentException.class, () -> kernels.rnnFwdTanh(s));
        ParamsStructs.putInt(s, l, "reverse", 0);
        ParamsStructs.putLong(s, l, "barrier", 0);
        assertThrows(IllegalArgumentException.class, () -> kernels.rnnFwdRelu(s));
        assertThrows(IllegalArgumentException.class, () -> kernels.rnnFwdRelu(MemorySegment.ofArray(new byte[8])));
    }

    static PersistentKernels.BwdParams lstmBwd(long t, long b, long h, int units) {
        long g = 4 * h;
        return new PersistentKernels.BwdParams(at(0, t * b * g), at(1, g * h), null, at(2, b * h), at(3, t * b * h),
                at(4, t * b * h), null, at(5, t * b * h), at(6, b * h), at(7, b * h), at(8, t * b * g), null, at(9, 2),
                t, b, h, units, false);
    }

    @Test
    void backwardPlanHoldsAStepOfDRhAndCanBeStricterThanTheForward() {
        var plan = PersistentKernels.planBackward(Cell.LSTM, 1, 256, H100);
        assertTrue(plan.feasible(), plan::reason);
        assertEquals(2, plan.plan().unitsPerBlock());
        // 4·(4·2·256 + 1·4·256 + 3·1·2)
        assertEquals(4 * (2048 + 1024 + 6), plan.plan().sharedMemoryBytes());
        assertEquals(4 * (2048 + 1024 + 6), PersistentKernels.backwardSharedMemoryBytes(Cell.LSTM, 2, 1, 256));
        // B = 8, H = 1024: the forward fits, the backward (8·4·1024 floats of dRh on top) does not
        assertTrue(PersistentKernels.plan(Cell.LSTM, 8, 1024, H100).feasible());
        var bwd = PersistentKernels.planBackward(Cell.LSTM, 8, 1024, H100);
        assertFalse(bwd.feasible());
        assertTrue(bwd.reason().contains("backward"), bwd.reason());
    }

    @Test
    void backwardLaunchesTheBackwardKernelWithItsSharedMemory() {
        var p = lstmBwd(100, 1, 256, 2);
        kernels.backward(Cell.LSTM, p);
        assertEquals("launch mnemo_persistent_lstm_bwd_f32", target.calls.getLast());
        assertEquals(new LaunchGeometry(128, 1, 1, 256, 1, 1, 4 * (2048 + 1024 + 6)), target.geometry);
        var l = PersistentKernels.BWD_PARAMS_LAYOUT;
        assertEquals(152, l.byteSize());
        assertEquals(p.dWx().address(), ParamsStructs.getLong(target.params, l, "dWx"));
        assertEquals(0L, ParamsStructs.getLong(target.params, l, "dRh"));
        assertEquals(100L, ParamsStructs.getLong(target.params, l, "steps"));
        assertEquals(0L, ParamsStructs.getLong(target.params, l, "lengths"));
    }

    /** A variable-length batch's lengths travel in both structs; a buffer short of one int32 per row, or one overlapping an output, is refused. */
    @Test
    void lengthsGoIntoBothStructsAndMustHoldOnePerRow() {
        FwdParams f = lstm(10, 3, 64, 1);
        DeviceMemory lengths = at(10, 3);
        FwdParams withLengths = new FwdParams(f.gates(), f.wHh(), f.bIh(), f.bHh(), f.h0(), f.c0(), f.h(), f.c(), f.hn(),
                f.barrier(), 10, 3, 64, 1, false, true, lengths);
        kernels.forward(Cell.LSTM, withLengths);
        assertEquals(lengths.address(),
                ParamsStructs.getLong(target.params, PersistentKernels.FWD_PARAMS_LAYOUT, "lengths"));
        var shortOne = new FwdParams(f.gates(), f.wHh(), f.bIh(), f.bHh(), f.h0(), f.c0(), f.h(), f.c(), f.hn(),
                f.barrier(), 10, 3, 64, 1, false, true, at(10, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, shortOne));
        assertTrue(e.getMessage().contains("lengths"), e.getMessage());
        var b = lstmBwd(10, 3, 64, 1);
        var bwd = new PersistentKernels.BwdParams(b.gates(), b.wHh(), b.h0(), b.c0(), b.h(), b.c(), b.hn(), b.dy(),
                b.dh(), b.dc(), b.dWx(), b.dRh(), b.barrier(), 10, 3, 64, 1, false, lengths);
        kernels.backward(Cell.LSTM, bwd);
        assertEquals(lengths.address(),
                ParamsStructs.getLong(target.params, PersistentKernels.BWD_PARAMS_LAYOUT, "lengths"));
        var overlapping = new PersistentKernels.BwdParams(b.gates(), b.wHh(), b.h0(), b.c0(), b.h(), b.c(), b.hn(),
                b.dy(), b.dh(), b.dc(), b.dWx(), b.dRh(), b.barrier(), 10, 3, 64, 1, false, b.dWx());
        var o = assertThrows(IllegalArgumentException.class, () -> kernels.backward(Cell.LSTM, overlapping));
        assertTrue(o.getMessage().contains("lengths"), o.getMessage());
    }

    @Test
    void backwardRefusesMissingOrOverlappingBuffers() {
        var ok = lstmBwd(5, 2, 64, 1);
        assertThrows(IllegalArgumentException.class, () -> kernels.backward(Cell.LSTM, new PersistentKernels.BwdParams(
                ok.gates(), ok.wHh(), null, ok.c0(), ok.h(), ok.c(), null, ok.dy(), ok.dh(), null, ok.dWx(), null,
                ok.barrier(), 5, 2, 64, 1, false)), "LSTM needs dc");
        assertThrows(IllegalArgumentException.class, () -> kernels.backward(Cell.GRU, ok), "GRU needs h0, hn, dRh");
        assertThrows(IllegalArgumentException.class, () -> kernels.backward(Cell.LSTM, new PersistentKernels.BwdParams(
                ok.gates(), ok.wHh(), null, ok.c0(), ok.h(), ok.c(), null, ok.dy(), ok.dh(), ok.dc(), ok.gates(), null,
                ok.barrier(), 5, 2, 64, 1, false)), "dWx overlaps gates");
        assertTrue(target.calls.stream().noneMatch(c -> c.startsWith("launch")));
        // RNN needs neither gates nor c
        kernels.backward(Cell.RNN_TANH, new PersistentKernels.BwdParams(null, at(1, 64 * 64), null, null, ok.h(), null,
                null, null, ok.dh(), null, at(8, 5 * 2 * 64), null, ok.barrier(), 5, 2, 64, 1, true));
        assertEquals("launch mnemo_persistent_rnn_bwd_tanh_f32", target.calls.getLast());
        MemorySegment s = ParamsStructs.allocate(PersistentKernels.BWD_PARAMS_LAYOUT);
        ok.writeTo(s);
        kernels.lstmBwd(s);
        assertThrows(IllegalArgumentException.class, () -> kernels.gruBwd(s), "raw GRU: hn, h0, dRh are 0");
        kernels.rnnBwdRelu(s);
        assertEquals("launch mnemo_persistent_rnn_bwd_relu_f32", target.calls.getLast());
    }
}
