package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MemNet#step} (ring-buffer memory), {@link MemNetOutput#finalState()} and
 * {@link MemNet#generate} against the teacher-forced {@link MemNet#forward} (window memory), which
 * {@link MemNetReferenceTest} pins to the authors' formulation. The two memories differ only in the
 * order the softmax sums its slots, so float64 results agree to rounding.
 */
class MemNetStreamingTest {

    static final double TOL = 1e-12;
    final Backend be = CpuBackend.float64();

    MemNet layer(int in, int out, int slots, boolean masked) {
        var options = MemNetOptions.builder(in, out).keySize(4).valueSize(3).slots(slots).maskEmptySlots(masked)
                .dropout(0.3).seed(TestData.BASE_SEED).build();
        MemNet layer = new MemNet(options, be);
        be.copy(TestData.uniform(be, 11, 0.5, (int) layer.flatParameters().numel()), layer.flatParameters());
        return layer;
    }

    @ParameterizedTest(name = "T={0} M={1} masked={2}")
    @CsvSource({"11, 4, false", "11, 4, true", "3, 6, false", "5, 1, true", "8, 8, false"})
    void stepsReproduceTheSequenceForward(int steps, int slots, boolean masked) {
        MemNet layer = layer(3, 2, slots, masked);
        Tensor x = TestData.uniform(be, 1, 1.0, steps, 2, 3);
        layer.setTraining(false);
        Tensor y = layer.forward(x).output();
        layer.setTraining(true);        // step never applies dropout, whatever the mode
        MemNetState state = layer.initialState(2);
        for (int t = 0; t < steps; t++) {
            Tensor yt = layer.step(x.select(t), state);
            assertTrue(TestData.maxAbsDiff(yt, y.select(t)) < TOL, "step " + t);
            assertEquals(t + 1, state.steps());
            assertEquals(Math.min(t + 1, slots), state.filled());
        }
    }

    /** A forward over a prefix, then steps from its final state, equals one forward over everything. */
    @ParameterizedTest(name = "prefix={0} M={1}")
    @CsvSource({"6, 4", "2, 4", "4, 4", "1, 1"})
    void finalStateContinuesTheStream(int prefix, int slots) {
        MemNet layer = layer(3, 2, slots, false);
        layer.setTraining(false);
        Tensor x = TestData.uniform(be, 2, 1.0, 10, 2, 3);
        Tensor y = layer.forward(x).output();
        MemNetState state = layer.forward(x.slice(0, prefix)).finalState();
        assertEquals(prefix, state.steps());
        MemNetState stepped = layer.initialState(2);
        for (int t = 0; t < prefix; t++) {
            layer.step(x.select(t), stepped);
        }
        assertTrue(TestData.maxAbsDiff(state.keys(), stepped.keys()) < TOL, "ring keys");
        assertTrue(TestData.maxAbsDiff(state.values(), stepped.values()) < TOL, "ring values");
        assertTrue(TestData.maxAbsDiff(state.h(), stepped.h()) < TOL, "h");
        assertTrue(TestData.maxAbsDiff(state.c(), stepped.c()) < TOL, "c");
        for (int t = prefix; t < 10; t++) {
            assertTrue(TestData.maxAbsDiff(layer.step(x.select(t), state), y.select(t)) < TOL, "step " + t);
        }
    }

    /** generate's predictions, fed back as inputs of a teacher-forced pass, are that pass's outputs. */
    @ParameterizedTest(name = "prefix={0} n={1} M={2} masked={3}")
    @CsvSource({"3, 7, 4, false", "3, 7, 4, true", "1, 1, 2, false", "5, 2, 8, false"})
    void generateFeedsOutputsBack(int prefix, int n, int slots, boolean masked) {
        MemNet layer = layer(2, 2, slots, masked);
        Tensor p = TestData.uniform(be, 3, 1.0, prefix, 2, 2);
        Tensor predictions = layer.generate(p, n);
        assertTrue(predictions.hasShape(n, 2, 2));
        Tensor full = be.zeros(prefix + n - 1, 2, 2);
        be.copy(p, full.slice(0, prefix));
        if (n > 1) {
            be.copy(predictions.slice(0, n - 1), full.slice(prefix, prefix + n - 1));
        }
        layer.setTraining(false);
        Tensor y = layer.forward(full).output();
        assertTrue(TestData.maxAbsDiff(y.slice(prefix - 1, prefix + n - 1), predictions) < TOL);
    }

    @Test
    void generateWithBatchFirst() {
        var options = MemNetOptions.builder(2, 2).keySize(3).valueSize(2).slots(3).batchFirst(true).build();
        MemNet bf = new MemNet(options, be);
        MemNet tm = new MemNet(options.toBuilder().batchFirst(false).build(), be);
        Tensor p = TestData.uniform(be, 4, 1.0, 4, 2, 2);     // time-major
        Tensor pb = be.zeros(2, 4, 2);
        be.transpose01(p, pb);
        Tensor g = tm.generate(p, 5);
        Tensor gb = bf.generate(pb, 5);
        assertTrue(gb.hasShape(2, 5, 2));
        Tensor gt = be.zeros(5, 2, 2);
        be.transpose01(gb, gt);
        assertEquals(0.0, TestData.maxAbsDiff(g, gt));
    }

    @Test
    void copiedStatesAreIndependent() {
        MemNet layer = layer(3, 2, 3, false);
        Tensor x = TestData.uniform(be, 5, 1.0, 4, 2, 3);
        MemNetState a = layer.initialState(2);
        layer.step(x.select(0), a);
        MemNetState b = a.copy();
        Tensor ya = layer.step(x.select(1), a);
        Tensor yb = layer.step(x.select(1), b);
        assertEquals(0.0, TestData.maxAbsDiff(ya, yb));
        layer.step(x.select(2), a);
        assertEquals(3, a.steps());
        assertEquals(2, b.steps());
        assertTrue(TestData.maxAbsDiff(a.keys(), b.keys()) > 0, "stepping a must not change b");
    }

    /** The initial state is h0, c0 broadcast over the batch and an empty memory. */
    @Test
    void initialStateBroadcastsTheLearnedVectors() {
        MemNet layer = layer(3, 2, 3, false);
        MemNetState s = layer.initialState(4);
        for (int b = 0; b < 4; b++) {
            for (int j = 0; j < 11; j++) {
                assertEquals(layer.parameters().get("h0").get(j), s.h().get(b, j));
            }
            for (int j = 0; j < 3; j++) {
                assertEquals(layer.parameters().get("c0").get(j), s.c().get(b, j));
            }
        }
        assertEquals(0, s.filled());
        assertEquals(0.0, TestData.dot(s.keys(), s.keys()) + TestData.dot(s.values(), s.values()));
    }
}
