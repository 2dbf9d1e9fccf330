package dev.mnemo.nn.layers;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options validation, toString, parameter names, shapes, flat-buffer views and initialisation. */
class RecurrentOptionsTest {

    static void assertRejected(String message, Runnable build) {
        var e = assertThrows(IllegalArgumentException.class, build::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void optionsAreValidatedWithRuleThenValue() {
        assertRejected("hiddenSize must be > 0, got 0", () -> RecurrentOptions.of(4, 0));
        assertRejected("inputSize must be > 0, got -1", () -> RecurrentOptions.of(-1, 5));
        assertRejected("numLayers must be > 0, got 0", () -> RecurrentOptions.builder(4, 5).numLayers(0).build());
        assertRejected("dropout must be in [0, 1], got 1.5", () -> RecurrentOptions.builder(4, 5).dropout(1.5).build());
        assertRejected("dropout must be in [0, 1], got NaN",
                () -> RecurrentOptions.builder(4, 5).dropout(Double.NaN).build());
        assertRejected("nonlinearity is an Rnn option and must stay tanh for Lstm, got relu",
                () -> new Lstm(RecurrentOptions.builder(4, 5).nonlinearity(Nonlinearity.RELU).build()));
    }

    @Test
    void toStringShowsNonDefaultOptionsOnly() {
        assertEquals("Lstm(4, 5)", new Lstm(RecurrentOptions.of(4, 5)).toString());
        assertEquals("Rnn(4, 5, numLayers=2, bias=false, bidirectional=true, nonlinearity=relu)",
                new Rnn(RecurrentOptions.builder(4, 5).numLayers(2).bias(false).bidirectional(true)
                        .nonlinearity(Nonlinearity.RELU).build()).toString());
        assertEquals("Gru(3, 7, numLayers=2, batchFirst=true, dropout=0.25, seed=9, backend=cpu float64)",
                new Gru(RecurrentOptions.builder(3, 7).numLayers(2).batchFirst(true).dropout(0.25).seed(9).build(),
                        CpuBackend.float64()).toString());
        var o = RecurrentOptions.builder(3, 7).numLayers(3).checkFinite(true).build();
        assertEquals(o, o.toBuilder().build());
    }

    @Test
    void parameterNamesShapesAndOrderFollowPyTorch() {
        var lstm = new Lstm(RecurrentOptions.builder(4, 5).numLayers(2).bidirectional(true).build());
        assertEquals(List.of(
                "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"),
                List.copyOf(lstm.parameters().keySet()));
        assertArrayEquals(new int[]{20, 4}, lstm.parameters().get("weight_ih_l0").shape());
        assertArrayEquals(new int[]{20, 5}, lstm.parameters().get("weight_hh_l0_reverse").shape());
        assertArrayEquals(new int[]{20, 10}, lstm.parameters().get("weight_ih_l1").shape());
        assertArrayEquals(new int[]{20}, lstm.parameters().get("bias_hh_l1_reverse").shape());
        assertEquals(List.copyOf(lstm.parameters().keySet()), List.copyOf(lstm.gradients().keySet()));
        long total = 2 * (20 * 4 + 20 * 5 + 40) + 2 * (20 * 10 + 20 * 5 + 40);
        assertEquals(total, lstm.flatParameters().numel());

        var gru = new Gru(RecurrentOptions.builder(4, 5).bias(false).build());
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"), List.copyOf(gru.parameters().keySet()));
        assertArrayEquals(new int[]{15, 4}, gru.parameters().get("weight_ih_l0").shape());
    }

    @Test
    void parametersAreContiguousViewsOfOneFlatBuffer() {
        var rnn = new Rnn(RecurrentOptions.builder(3, 2).numLayers(2).build());
        long offset = 0;
        for (var e : rnn.parameters().entrySet()) {
            Tensor p = e.getValue();
            assertTrue(p.sharesStorageWith(rnn.flatParameters()), e.getKey());
            assertEquals(offset, p.offset() - rnn.flatParameters().offset(), e.getKey());
            Tensor g = rnn.gradients().get(e.getKey());
            assertTrue(g.sharesStorageWith(rnn.flatGradients()), e.getKey());
            assertEquals(offset, g.offset() - rnn.flatGradients().offset(), e.getKey());
            offset += p.numel();
        }
        assertEquals(offset, rnn.flatParameters().numel());
        rnn.parameters().get("bias_hh_l1").set(42.0, 1);
        assertEquals(42.0, rnn.flatParameters().getFlat(rnn.flatParameters().numel() - 1));
    }

    @Test
    void initialisationIsSeededUniformWithinOneOverSqrtH() {
        var a = new Gru(RecurrentOptions.builder(4, 16).seed(1).build());
        var b = new Gru(RecurrentOptions.builder(4, 16).seed(1).build());
        var c = new Gru(RecurrentOptions.builder(4, 16).seed(2).build());
        double bound = 1 / Math.sqrt(16);
        double max = 0;
        double sum = 0;
        for (long i = 0; i < a.flatParameters().numel(); i++) {
            double v = a.flatParameters().getFlat(i);
            max = Math.max(max, Math.abs(v));
            sum += v;
            assertEquals(v, b.flatParameters().getFlat(i));
        }
        assertTrue(max <= bound && max > 0.9 * bound, "max |w| " + max + " vs bound " + bound);
        assertTrue(Math.abs(sum / a.flatParameters().numel()) < 0.05 * bound, "mean " + sum);
        assertNotEquals(a.flatParameters().getFlat(0), c.flatParameters().getFlat(0));
    }
}
