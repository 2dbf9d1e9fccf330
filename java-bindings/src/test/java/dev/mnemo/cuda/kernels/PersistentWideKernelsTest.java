package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.PersistentKernelsTest.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.BwdParams;
import dev.mnemo.cuda.kernels.PersistentKernels.FwdParams;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The wide-block forward's fit rule, launch geometry, struct and validation, against a recording target. */
class PersistentWideKernelsTest {
    final PersistentKernelsTest.Recorder target = new PersistentKernelsTest.Recorder();
    final PersistentKernels persistent = new PersistentKernels(target, PersistentKernelsTest.H100);

    /** A forward of {@code cell} with J = {@code units} and no barrier words. */
    static FwdParams params(Cell cell, long t, long b, long h, int units) {
        long g = cell.gates() * h;
        return new FwdParams(at(0, t * b * g), at(1, g * h), at(2, g), at(3, g), at(4, b * h),
                cell == Cell.LSTM ? at(5, b * h) : null, at(6, t * b * h), cell == Cell.LSTM ? at(7, t * b * h) : null,
                cell == Cell.GRU ? at(8, t * b * h) : null, null, t, b, h, units, false, true);
    }

    @ParameterizedTest
    @CsvSource({"GRU, 128, true, 384", "GRU, 4, true, 32", "GRU, 44, true, 160", "GRU, 132, false, 416",
            "GRU, 126, false, 384", "LSTM, 96, true, 384", "LSTM, 100, false, 416", "LSTM, 128, false, 512",
            "RNN_TANH, 128, true, 128", "RNN_RELU, 4, true, 32", "RNN_TANH, 132, false, 160", "GRU, 0, false, 0"})
    void fitsWhenEveryRowOfWhhHasAThread(Cell cell, long hidden, boolean fits, int threads) {
        assertEquals(fits, PersistentWideKernels.fits(cell, hidden));
        assertEquals(threads, PersistentWideKernels.blockThreads(cell, hidden), "G·H rounded up to a warp");
    }

    @Test
    void aForwardIsOnePlainBlockPerBatchRow() {
        FwdParams p = params(Cell.GRU, 10, 128, 128, 128);
        persistent.wide().forward(Cell.GRU, p);
        assertEquals(List.of("plain mnemo_persistent_wide_gru_fwd_f32"), target.calls);
        // 4·(2·H + 3·G·H): h twice, the products and both biases
        assertEquals(new LaunchGeometry(128, 1, 1, 384, 1, 1, 4 * (256 + 3 * 384)), target.geometry);
        var l = PersistentKernels.FWD_PARAMS_LAYOUT;
        assertEquals(p.hn().address(), ParamsStructs.getLong(target.params, l, "hn"));
        assertEquals(0L, ParamsStructs.getLong(target.params, l, "barrier"));
        assertEquals(128, ParamsStructs.getInt(target.params, l, "unitsPerBlock"));
        assertEquals(10L, ParamsStructs.getLong(target.params, l, "steps"));
        // any batch, more blocks than SMs: the blocks never wait for one another
        persistent.wide().forward(Cell.LSTM, params(Cell.LSTM, 1, 2000, 96, 96));
        assertEquals(2000, target.geometry.gridX());
        assertEquals(5376, PersistentWideKernels.sharedMemoryBytes(Cell.LSTM, 96));
        // pixel MNIST's RNN: a thread a row, 128 of them
        persistent.wide().forward(Cell.RNN_RELU, params(Cell.RNN_RELU, 10, 128, 128, 128));
        assertEquals("plain mnemo_persistent_wide_rnn_fwd_relu_f32", target.calls.getLast());
        assertEquals(new LaunchGeometry(128, 1, 1, 128, 1, 1, 4 * (256 + 3 * 128)), target.geometry);
    }

    @Test
    void theRawStructTakesTheSameLaunch() {
        FwdParams p = params(Cell.LSTM, 5, 3, 96, 96);
        MemorySegment raw = ParamsStructs.allocate(PersistentKernels.FWD_PARAMS_LAYOUT);
        p.writeTo(raw);
        persistent.wideLstmFwd(raw);
        assertEquals(List.of("plain mnemo_persistent_wide_lstm_fwd_f32"), target.calls);
        assertEquals(new LaunchGeometry(3, 1, 1, 384, 1, 1, 5376), target.geometry);
        ParamsStructs.putInt(raw, PersistentKernels.FWD_PARAMS_LAYOUT, "unitsPerBlock", 48);
        var e = assertThrows(IllegalArgumentException.class, () -> persistent.wideLstmFwd(raw));
        assertTrue(e.getMessage().contains("unitsPerBlock must be hidden 96, got 48"), e.getMessage());
        ParamsStructs.putInt(raw, PersistentKernels.FWD_PARAMS_LAYOUT, "unitsPerBlock", 96);
        ParamsStructs.putLong(raw, PersistentKernels.FWD_PARAMS_LAYOUT, "c0", 0L);
        e = assertThrows(IllegalArgumentException.class, () -> persistent.wideLstmFwd(raw));
        assertTrue(e.getMessage().contains("p.c0 must not be null"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> persistent.wideGruFwd(MemorySegment.ofArray(new byte[8])));
    }

    @Test
    void anRnnsBackwardIsOnePlainBlockPerBatchRowToo() {
        long t = 10;
        long b = 128;
        long h = 128;
        BwdParams p = new BwdParams(null, at(1, h * h), null, null, at(6, t * b * h), null, null, at(9, t * b * h),
                at(10, b * h), null, at(11, t * b * h), null, null, t, b, h, (int) h, true);
        persistent.wide().backward(Cell.RNN_TANH, p);
        assertEquals(List.of("plain mnemo_persistent_wide_rnn_bwd_tanh_f32"), target.calls);
        assertEquals(new LaunchGeometry(128, 1, 1, 128, 1, 1, 8 * 128), target.geometry);
        var l = PersistentKernels.BWD_PARAMS_LAYOUT;
        assertEquals(p.dWx().address(), ParamsStructs.getLong(target.params, l, "dWx"));
        assertEquals(1, ParamsStructs.getInt(target.params, l, "reverse"));
        MemorySegment raw = ParamsStructs.allocate(l);
        p.writeTo(raw);
        persistent.wideRnnBwdRelu(raw);
        assertEquals("plain mnemo_persistent_wide_rnn_bwd_relu_f32", target.calls.getLast());
        // LSTM's and GRU's unit gradients sum G columns: no wide-block backward
        assertFalse(PersistentWideKernels.backwardFits(Cell.GRU, 128));
        assertTrue(PersistentWideKernels.backwardFits(Cell.RNN_RELU, 128));
        var gru = assertThrows(IllegalArgumentException.class,
                () -> persistent.wide().backward(Cell.GRU, new BwdParams(at(0, t * b * 3 * h), at(1, 3 * h * h),
                        at(2, b * h), null, at(6, t * b * h), null, at(7, t * b * h), null, at(10, b * h), null,
                        at(11, t * b * 3 * h), at(12, t * b * 3 * h), null, t, b, h, (int) h, false)));
        assertTrue(gru.getMessage().contains("RNN only"), gru.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> persistent.wide().backward(Cell.RNN_TANH,
                new BwdParams(null, at(1, h * h), null, null, at(6, t * b * h), null, null, null, null, null,
                        at(11, t * b * h), null, null, t, b, h, (int) h, false)));
        assertTrue(missing.getMessage().contains("dh"), missing.getMessage());
    }

    @Test
    void shapesItCannotHoldAreRefusedBeforeAnyLaunch() {
        var wide = persistent.wide();
        var lstm128 = assertThrows(IllegalArgumentException.class,
                () -> wide.forward(Cell.LSTM, params(Cell.LSTM, 4, 2, 128, 128)));
        assertTrue(lstm128.getMessage().contains("G·hidden <= 384 rows, got hidden 128 (512 rows)"), lstm128.getMessage());
        var odd = assertThrows(IllegalArgumentException.class, () -> wide.forward(Cell.GRU, params(Cell.GRU, 4, 2, 126, 126)));
        assertTrue(odd.getMessage().contains("multiple of 4"), odd.getMessage());
        var units = assertThrows(IllegalArgumentException.class,
                () -> wide.forward(Cell.GRU, params(Cell.GRU, 4, 2, 128, 64)));
        assertTrue(units.getMessage().contains("unitsPerBlock must be hidden 128, got 64"), units.getMessage());
        var rnn = assertThrows(IllegalArgumentException.class,
                () -> wide.forward(Cell.RNN_TANH, params(Cell.RNN_TANH, 4, 2, 256, 256)));
        assertTrue(rnn.getMessage().contains("up to 128"), rnn.getMessage());
        FwdParams p = params(Cell.GRU, 4, 2, 128, 128);
        FwdParams shortH = new FwdParams(p.gates(), p.wHh(), p.bIh(), p.bHh(), p.h0(), null, at(6, 4 * 2 * 128 - 1),
                null, p.hn(), null, 4, 2, 128, 128, false, true);
        var small = assertThrows(IllegalArgumentException.class, () -> wide.forward(Cell.GRU, shortH));
        assertTrue(small.getMessage().contains("h"), small.getMessage());
        assertFalse(target.calls.stream().anyMatch(c -> c.startsWith("plain")), target.calls.toString());
    }

    /** The _x1 twin: the same plain launch, with x and W_ih's column after the struct. */
    @Test
    void aProjectedForwardIsTheTwinsLaunchWithTwoMoreArguments() {
        FwdParams p = params(Cell.GRU, 10, 128, 128, 128);
        DeviceMemory x = at(20, 10 * 128);
        DeviceMemory w = at(21, 3 * 128);
        persistent.wide().forward(Cell.GRU, p);
        LaunchGeometry twin = target.geometry;
        persistent.wide().forwardProjected(Cell.GRU, p, x, w);
        assertEquals("plain mnemo_persistent_wide_gru_fwd_x1_f32", target.calls.getLast());
        assertEquals(twin, target.geometry);
        assertEquals(List.of(x, w), List.of(target.arguments[1], target.arguments[2]));
        var e = assertThrows(IllegalArgumentException.class,
                () -> persistent.wide().forwardProjected(Cell.GRU, p, x, at(21, 3 * 128 - 1)));
        assertEquals("wIh must hold >= 384 floats (G·H: W_ih's one column), got 383", e.getMessage());
        MemorySegment raw = ParamsStructs.allocate(PersistentKernels.FWD_PARAMS_LAYOUT);
        params(Cell.LSTM, 5, 3, 96, 96).writeTo(raw);
        persistent.wideLstmFwdX1(raw, at(20, 15), at(21, 384));
        assertEquals("plain mnemo_persistent_wide_lstm_fwd_x1_f32", target.calls.getLast());
        assertEquals(new LaunchGeometry(3, 1, 1, 384, 1, 1, 5376), target.geometry);
        persistent.wideGruFwdX1(raw, at(20, 15), at(21, 384));
        persistent.wideRnnFwdTanhX1(raw, at(20, 15), at(21, 384));
        persistent.wideRnnFwdReluX1(raw, at(20, 15), at(21, 384));
        assertEquals("plain mnemo_persistent_wide_rnn_fwd_relu_x1_f32", target.calls.getLast());
        assertThrows(IllegalArgumentException.class, () -> persistent.wideLstmFwdX1(raw, at(20, 14), at(21, 384)),
                "x is T·B");
    }
}
