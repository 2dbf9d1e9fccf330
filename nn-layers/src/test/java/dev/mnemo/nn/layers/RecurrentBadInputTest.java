package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input fails fast with a message naming the tensor, the expected and the actual shape. */
class RecurrentBadInputTest {

    final Backend be = Backend.cpu();

    static void assertMessage(String expected, Executable call) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void wrongInputWidth() {
        var lstm = new Lstm(RecurrentOptions.of(8, 5));
        assertMessage("x must have shape [T, B, 8] (input_size 8), got [5, 3, 7]",
                () -> lstm.forward(be.zeros(5, 3, 7), null));
    }

    @Test
    void wrongInputRankAndBatchFirstLayout() {
        var gru = new Gru(RecurrentOptions.builder(8, 5).batchFirst(true).build());
        assertMessage("x must have shape [B, T, 8] (batchFirst, input_size 8), got [5, 8]",
                () -> gru.forward(be.zeros(5, 8), null));
        assertMessage("x must have shape [B, T, 8] (batchFirst, input_size 8), got null",
                () -> gru.forward(null, null));
        assertMessage("x must have at least one step and one batch row, got [3, 0, 8]",
                () -> gru.forward(be.zeros(3, 0, 8), null));
    }

    @Test
    void wrongStateShape() {
        var rnn = new Rnn(RecurrentOptions.builder(4, 5).numLayers(2).build());
        assertMessage("state.h must have shape [2, 3, 5] (num_layers·directions 2, batch 3 from the input, "
                        + "hidden_size 5), got [1, 3, 5]",
                () -> rnn.forward(be.zeros(6, 3, 4), RecurrentState.of(be.zeros(1, 3, 5))));
    }

    @Test
    void wrongBatchInState() {
        var lstm = new Lstm(RecurrentOptions.builder(4, 5).bidirectional(true).build());
        var state = new RecurrentState(be.zeros(2, 3, 5), be.zeros(2, 4, 5));
        assertMessage("state.c must have shape [2, 3, 5] (num_layers·directions 2, batch 3 from the input, "
                + "hidden_size 5), got [2, 4, 5]", () -> lstm.forward(be.zeros(6, 3, 4), state));
    }

    @Test
    void cellStateOnlyForLstmAndBothOrNeither() {
        var gru = new Gru(RecurrentOptions.of(4, 5));
        assertMessage("state.c must be null: Gru has no cell state, got [1, 3, 5]",
                () -> gru.forward(be.zeros(6, 3, 4), new RecurrentState(be.zeros(1, 3, 5), be.zeros(1, 3, 5))));
        var lstm = new Lstm(RecurrentOptions.of(4, 5));
        assertMessage("state of Lstm needs both h and c or neither (null for zeros), got h [1, 3, 5] and c null",
                () -> lstm.forward(be.zeros(6, 3, 4), RecurrentState.of(be.zeros(1, 3, 5))));
    }

    /** "Neither" is zeros, as null is (it once reached the pass and failed there with a NullPointerException). */
    @Test
    void aStateWithoutHOrCIsZeros() {
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 0.25f, 2f, 1f, -0.5f}, 3, 1, 2);
        var lstm = new Lstm(RecurrentOptions.builder(2, 3).seed(4).build());
        assertArrayEquals(lstm.forward(x, null).output().toFloatArray(),
                lstm.forward(x, new RecurrentState(null, null)).output().toFloatArray());
        var rnn = new Rnn(RecurrentOptions.builder(2, 3).seed(4).build());
        assertArrayEquals(rnn.forward(x, null, new int[] {2}).output().toFloatArray(),
                rnn.forward(x, RecurrentState.of(null), new int[] {2}).output().toFloatArray());
        Tensor x0 = x.select(0);
        assertArrayEquals(rnn.step(x0, null).output().toFloatArray(), rnn.inferStep(x0, RecurrentState.of(null)).output()
                .toFloatArray());
    }

    @Test
    void nanInInputWhenCheckFiniteIsOn() {
        Tensor x = be.zeros(5, 3, 8);
        x.set(Double.NaN, 2, 1, 3);
        var checked = new Lstm(RecurrentOptions.builder(8, 5).checkFinite(true).build());
        assertMessage("x must be finite (checkFinite), got NaN at [2, 1, 3] of [5, 3, 8]",
                () -> checked.forward(x, null));
        var state = RecurrentState.of(be.zeros(1, 3, 5));
        state.h().set(Double.POSITIVE_INFINITY, 0, 2, 4);
        var gru = new Gru(RecurrentOptions.builder(8, 5).checkFinite(true).build());
        assertMessage("state.h must be finite (checkFinite), got Infinity at [0, 2, 4] of [1, 3, 5]",
                () -> gru.forward(be.zeros(5, 3, 8), state));
        var unchecked = new Lstm(RecurrentOptions.of(8, 5));
        assertDoesNotThrow(() -> unchecked.forward(x, null));
    }

    @Test
    void nanInIncomingGradientWhenCheckFiniteIsOn() {
        var rnn = new Rnn(RecurrentOptions.builder(4, 5).checkFinite(true).build());
        var out = rnn.forward(be.zeros(2, 1, 4), null);
        Tensor dy = be.zeros(2, 1, 5);
        dy.set(Double.NaN, 1, 0, 0);
        assertMessage("dOutput must be finite (checkFinite), got NaN at [1, 0, 0] of [2, 1, 5]",
                () -> rnn.backward(out.saved(), dy, null));
    }

    @Test
    void wrongElementType() {
        var lstm = new Lstm(RecurrentOptions.of(4, 5));
        assertMessage("x must be a cpu float32 tensor like the parameters of Lstm(4, 5), got cpu float64",
                () -> lstm.forward(CpuBackend.float64().zeros(6, 3, 4), null));
    }

    @Test
    void wrongGradientShapesAndForeignSaved() {
        var lstm = new Lstm(RecurrentOptions.builder(4, 5).batchFirst(true).build());
        var out = lstm.forward(be.zeros(3, 6, 4), null);
        assertMessage("dOutput must have shape [3, 6, 5] (the output's), got [6, 3, 5]",
                () -> lstm.backward(out.saved(), be.zeros(6, 3, 5), null));
        assertMessage("dState.h must have shape [1, 3, 5] (num_layers·directions 1, batch 3 from the input, "
                        + "hidden_size 5), got [1, 6, 5]",
                () -> lstm.backward(out.saved(), null, new RecurrentState(be.zeros(1, 6, 5), null)));
        var other = new Lstm(RecurrentOptions.builder(4, 5).batchFirst(true).build());
        assertMessage("saved must come from a forward or step of this layer (Lstm(4, 5, batchFirst=true)), it "
                + "comes from another layer", () -> other.backward(out.saved(), null, null));
    }

    @Test
    void backwardAfterReleaseIsRefused() {
        var lstm = new Lstm(RecurrentOptions.of(4, 5));
        var out = lstm.forward(be.zeros(6, 3, 4), null);
        lstm.backward(out.saved(), null, null);   // one saved may serve several backward calls
        lstm.backward(out.saved(), null, null);
        out.saved().release();
        assertTrue(out.saved().released());
        var e = assertThrows(IllegalStateException.class, () -> lstm.backward(out.saved(), null, null));
        assertEquals("saved was released (RecurrentSaved.release): its traces are gone; run forward again, and "
                + "release a saved only after its last backward", e.getMessage());
        assertEquals(6, out.output().dim(0), "the output stays usable");
        be.release(out.output());   // the CPU backend leaves memory to the collector, but checks the same rules
        var slice = assertThrows(IllegalArgumentException.class, () -> be.release(out.output().select(1)));
        assertTrue(slice.getMessage().startsWith("release takes a whole tensor, not a view of part of one"),
                slice.getMessage());
        var foreign = assertThrows(IllegalArgumentException.class, () -> be.release(null));
        assertEquals("t must not be null", foreign.getMessage());
    }

    @Test
    void stepShapesAndBidirectional() {
        var gru = new Gru(RecurrentOptions.of(4, 5));
        assertMessage("xT must have shape [B, 4] (input_size 4, B ≥ 1), got [1, 3, 4]",
                () -> gru.step(be.zeros(1, 3, 4), null));
        var bi = new Gru(RecurrentOptions.builder(4, 5).bidirectional(true).build());
        var e = assertThrows(IllegalStateException.class, () -> bi.step(be.zeros(3, 4), null));
        assertEquals("step needs a unidirectional layer; Gru(4, 5, bidirectional=true) is bidirectional (its "
                + "reverse direction needs the whole sequence): use forward", e.getMessage());
    }

    @Test
    void gateRowsPastAFlatBufferAreRefusedBeforeAnyAllocation() {
        // in int, 4·2^29 wrapped negative (a bare "integer overflow") and 4·(2^30 + 1) to 4 gate rows
        var e = assertThrows(IllegalArgumentException.class, () -> new Lstm(RecurrentOptions.of(1, 1 << 29)));
        assertEquals("4 gates × hiddenSize 536870912 = 2147483648 rows, more than the 2147483639 elements one flat "
                + "parameter buffer holds: choose a smaller size", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Gru(RecurrentOptions.of(1, 1 << 30)));
        assertTrue(e.getMessage().startsWith("3 gates × hiddenSize 1073741824 = 3221225472 rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RecurrentWeights.layout(RecurrentOptions.builder(3, (1 << 30) + 1).projSize(1).build(), 4));
        assertTrue(e.getMessage().startsWith("4 gates × hiddenSize 1073741825 = 4294967300 rows"), e.getMessage());
    }
}
