package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Storage;
import dev.mnemo.nn.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RecurrentLayer#infer} and {@link RecurrentLayer#inferStep}: the forward's results bit for
 * bit, with nothing kept for a backward (no activated gates, no hn, every scratch buffer handed back).
 */
class RecurrentInferenceTest {

    private static float[] values(Tensor t) {
        return SequenceForwardHookTest.values(t);
    }

    private static RecurrentLayer layer(Cell cell, RecurrentOptions o, Backend be) {
        return cell.create(o, be);
    }

    @ParameterizedTest(name = "{0} layers={1} bidir={2} batchFirst={3} dropout={4} float64={5}")
    @CsvSource({"RNN_TANH, 1, false, false, 0, false", "RNN_RELU, 2, true, true, 0.3, false",
            "LSTM, 1, false, false, 0, false", "LSTM, 3, true, false, 0.25, false", "LSTM, 2, false, true, 0, true",
            "GRU, 1, false, false, 0, false", "GRU, 2, true, true, 0.5, false", "GRU, 1, true, false, 0, true"})
    void inferGivesTheForwardsOutputAndStateBitForBit(Cell cell, int layers, boolean bidirectional, boolean batchFirst,
                                                       double dropout, boolean float64) {
        int steps = 6;
        int batch = 3;
        int input = 5;
        int hidden = 7;
        var options = cell.options(input, hidden).numLayers(layers).bidirectional(bidirectional)
                .batchFirst(batchFirst).dropout(dropout).seed(17).build();
        Backend be = float64 ? CpuBackend.float64() : CpuBackend.float32();
        RecurrentLayer l = layer(cell, options, be);
        int dirs = bidirectional ? 2 : 1;
        Tensor x = TestData.uniform(be, 1, 1.0, batchFirst ? new int[] {batch, steps, input}
                : new int[] {steps, batch, input});
        int[] s = {layers * dirs, batch, hidden};
        RecurrentState state = new RecurrentState(TestData.uniform(be, 2, 0.5, s),
                cell.hasCellState() ? TestData.uniform(be, 3, 0.5, s) : null);

        l.seedDropout(5);
        RecurrentOutput trained = l.forward(x, state);
        l.seedDropout(5);   // the same masks: dropout follows the training flag in both
        RecurrentOutput inferred = l.infer(x, state);

        assertArrayEquals(trained.output().shape(), inferred.output().shape());
        assertArrayEquals(values(trained.output()), values(inferred.output()), "output");
        assertArrayEquals(values(trained.state().h()), values(inferred.state().h()), "h_n");
        if (cell.hasCellState()) {
            assertArrayEquals(values(trained.state().c()), values(inferred.state().c()), "c_n");
        } else {
            assertNull(inferred.state().c());
        }
        assertTrue(trained.saved().keepsActivations());
        assertFalse(inferred.saved().keepsActivations());
        assertEquals(steps, inferred.saved().steps());
        assertEquals(batch, inferred.saved().batch());
    }

    @ParameterizedTest
    @CsvSource({"RNN_TANH", "LSTM", "GRU"})
    void inferStepGivesTheStepsOutputAndState(Cell cell) {
        var options = cell.options(4, 6).numLayers(2).seed(3).build();
        RecurrentLayer l = layer(cell, options, Backend.cpu());
        Tensor x = SequenceForwardHookTest.random(7, 5, 4);
        RecurrentState state = null;
        RecurrentState inferState = null;
        for (int t = 0; t < 3; t++) {   // a few steps, each feeding the next its state
            RecurrentOutput a = l.step(x, state);
            RecurrentOutput b = l.inferStep(x, inferState);
            assertArrayEquals(new int[] {5, 6}, b.output().shape());
            assertArrayEquals(values(a.output()), values(b.output()), "output of step " + t);
            assertArrayEquals(values(a.state().h()), values(b.state().h()), "h of step " + t);
            state = a.state();
            inferState = b.state();
        }
    }

    @Test
    void aBackwardThroughAnInferenceIsRejected() {
        RecurrentLayer l = new Lstm(RecurrentOptions.builder(3, 4).build());
        Tensor x = SequenceForwardHookTest.random(1, 2, 2, 3);
        RecurrentOutput o = l.infer(x, null);
        var e = assertThrows(IllegalArgumentException.class, () -> l.backward(o.saved(), null, null));
        assertTrue(e.getMessage().contains("infer"), e.getMessage());
        o.saved().release();   // nothing to hand back, and no harm in asking
        RecurrentOutput s = l.inferStep(x.select(0), null);
        assertThrows(IllegalArgumentException.class, () -> l.backward(s.saved(), null, null));
    }

    @Test
    void inferChecksItsInputLikeForward() {
        RecurrentLayer l = new Gru(RecurrentOptions.builder(3, 4).batchFirst(true).build());
        Tensor wrong = Tensor.zeros(2, 5, 4);
        String forward = assertThrows(IllegalArgumentException.class, () -> l.forward(wrong, null)).getMessage();
        String infer = assertThrows(IllegalArgumentException.class, () -> l.infer(wrong, null)).getMessage();
        assertEquals(forward, infer);
        var bidir = new Rnn(RecurrentOptions.builder(3, 4).bidirectional(true).build());
        assertThrows(IllegalStateException.class, () -> bidir.inferStep(Tensor.zeros(2, 3), null));
        Tensor nan = Tensor.zeros(2, 2, 3);
        nan.setFlat(4, Double.NaN);
        var checked = new Lstm(RecurrentOptions.builder(3, 4).checkFinite(true).build());
        assertThrows(IllegalArgumentException.class, () -> checked.infer(nan, null));
    }

    @Test
    void aGruCellKeepsItsGatesAndHnTogetherOrNeither() {
        Backend cpu = CpuBackend.float32();
        Tensor wx = cpu.zeros(2, 9);
        Tensor h = cpu.zeros(2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> cpu.gruCellForward(wx, cpu.zeros(2, 9), null, null,
                cpu.zeros(2, 3), wx, null, h));
        assertEquals("gates and hn must both be given (training) or both be null (inference), got gates given and "
                + "hn null", e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> new Backend.SequenceForward(
                Backend.RecurrentCell.GRU, cpu.zeros(1, 2, 9), cpu.zeros(9, 3), null, null, h, null, cpu.zeros(1, 2, 3),
                null, cpu.zeros(1, 2, 3), false, false, null));
        assertTrue(f.getMessage().startsWith("hn must be null for an inference forward"), f.getMessage());
    }

    @ParameterizedTest(name = "{0} layers={1} bidir={2} batchFirst={3}")
    @CsvSource({"LSTM, 1, false, false", "LSTM, 2, true, true", "GRU, 2, false, false", "GRU, 1, true, true",
            "RNN_TANH, 2, true, false"})
    void inferKeepsNoGatesAndHandsBackEveryBufferButItsResults(Cell cell, int layers, boolean bidirectional,
                                                                boolean batchFirst) {
        var options = cell.options(3, 5).numLayers(layers).bidirectional(bidirectional).batchFirst(batchFirst)
                .dropout(layers > 1 ? 0.2 : 0).build();
        Ledger ledger = new Ledger();
        RecurrentLayer l = layer(cell, options, ledger.backend(CpuBackend.float32()));
        Tensor x = SequenceForwardHookTest.random(4, 4, 2, 3);
        ledger.clear();
        RecurrentOutput o = l.infer(x, null);

        Set<Storage> results = Collections.newSetFromMap(new IdentityHashMap<>());
        results.add(o.output().storage());
        results.add(o.state().h().storage());
        if (o.state().c() != null) {
            results.add(o.state().c().storage());
        }
        Set<Storage> kept = ledger.unreleased();
        assertEquals(results, kept, "infer keeps exactly its output and final state");
        assertFalse(ledger.cellGates.isEmpty() && cell != Cell.RNN_TANH, "the cells ran");
        for (Object gates : ledger.cellGates) {
            assertNull(gates, "inference cells write no gates");
        }

        // The same ledger sees the training forward keep its traces and write gates: the check can fail.
        ledger.clear();
        RecurrentOutput trained = l.forward(x, null);
        assertTrue(ledger.unreleased().size() > results.size(), "forward keeps traces for its backward");
        if (cell != Cell.RNN_TANH) {
            assertNotNull(ledger.cellGates.getFirst());
        }
        trained.saved().release();
    }

    @ParameterizedTest(name = "bidir={0}")
    @CsvSource({"false", "true"})
    void anLstmInferenceKeepsOneRunningCNotOnePerStep(boolean bidirectional) {
        int steps = 6;
        int batch = 2;
        int hidden = 5;
        var options = Cell.LSTM.options(3, hidden).bidirectional(bidirectional).build();
        Ledger ledger = new Ledger();
        RecurrentLayer l = layer(Cell.LSTM, options, ledger.backend(CpuBackend.float32()));
        Tensor x = SequenceForwardHookTest.random(4, steps, batch, 3);
        ledger.clear();
        l.infer(x, null);
        int dirs = bidirectional ? 2 : 1;
        assertEquals(dirs, ledger.madeOfShape(steps, batch, hidden), "only each direction's h is [T, B, H]");
        // The training forward keeps c of every step for its backward: the count can fail.
        ledger.clear();
        RecurrentOutput trained = l.forward(x, null);
        assertEquals(2L * dirs, ledger.madeOfShape(steps, batch, hidden), "h and c of every step, per direction");
        trained.saved().release();
    }

    @ParameterizedTest(name = "{0} bidir={1}")
    @CsvSource({"LSTM, false", "GRU, true", "RNN_TANH, false"})
    void aDeeperStackHoldsNoMoreBuffersAtOnce(Cell cell, boolean bidirectional) {
        int[] peaks = new int[2];
        int[] depths = {2, 5};
        for (int i = 0; i < depths.length; i++) {
            var options = cell.options(4, 6).numLayers(depths[i]).bidirectional(bidirectional).dropout(0.1).build();
            Ledger ledger = new Ledger();
            RecurrentLayer l = layer(cell, options, ledger.backend(CpuBackend.float32()));
            Tensor x = SequenceForwardHookTest.random(6, 5, 3, 4);
            ledger.clear();
            l.infer(x, null);
            peaks[i] = ledger.peakLive;
        }
        assertEquals(peaks[0], peaks[1], "buffers alive at once with 2 and with 5 layers");
    }

    /**
     * A CPU backend that notes which storages it hands out and which come back (and the most alive
     * at once), and the gates each LSTM or GRU cell forward is asked to write.
     */
    private static final class Ledger {
        private final Set<Storage> made = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<Storage> released = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<Object> cellGates = new ArrayList<>();
        final List<int[]> madeShapes = new ArrayList<>();
        int peakLive;

        /** How many tensors handed out since {@link #clear} have exactly this shape. */
        long madeOfShape(int... shape) {
            return madeShapes.stream().filter(s -> java.util.Arrays.equals(s, shape)).count();
        }

        Backend backend(CpuBackend cpu) {
            return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                    (proxy, method, args) -> {
                        String name = method.getName();
                        if (name.equals("release")) {
                            released.add(((Tensor) args[0]).storage());
                        }
                        if (name.equals("lstmCellForward") || name.equals("gruCellForward")) {
                            cellGates.add(args[5]);
                        }
                        Object result;
                        try {
                            result = method.invoke(cpu, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (result instanceof Tensor t && !name.equals("release")) {
                            made.add(t.storage());
                            madeShapes.add(t.shape());
                        }
                        peakLive = Math.max(peakLive, unreleased().size());
                        return result;
                    });
        }

        void clear() {
            made.clear();
            released.clear();
            cellGates.clear();
            madeShapes.clear();
            peakLive = 0;
        }

        Set<Storage> unreleased() {
            Set<Storage> left = Collections.newSetFromMap(new IdentityHashMap<>());
            left.addAll(made);
            left.removeAll(released);
            return left;
        }
    }
}
