package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Packed passes through recordings, on the CPU backend in float64 (whose recordings rerun the loop):
 * with graphs on, a packed loop (forward and backward) runs every row and carries the finished ones,
 * which must give the eager packed loop's outputs, final states and gradients (to float64 rounding: the GEMMs see other
 * row counts), in training and inference, both directions, and for other lengths of the same shape
 * through the same recordings. A projected LSTM too: its finished rows' m and g are not 0 in the
 * carried loop, whose g is zeroed at their steps so that dW_hr sums the same terms.
 */
class PackedStepGraphsTest {
    static final Backend F64 = CpuBackend.float64();
    static final int STEPS = 6;
    static final int BATCH = 5;
    /** Unsorted, a row of every length class: full, 1, repeated. */
    static final int[] LENGTHS = {4, 6, 1, 6, 3};
    /** The same shape, other lengths: no row runs the last step. */
    static final int[] OTHER = {2, 5, 5, 1, 3};

    static RecurrentOptions options() {
        return RecurrentOptions.builder(3, 4).numLayers(2).bidirectional(true).seed(17).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"LSTM", "GRU", "RNN", "projected LSTM"})
    void recordedPackedLoopsEqualTheEagerPackedLoop(String kind) {
        Function<RecurrentOptions, RecurrentLayer> make = o -> switch (kind) {
            case "LSTM", "projected LSTM" -> new Lstm(o, F64);
            case "GRU" -> new Gru(o, F64);
            default -> new Rnn(o, F64);
        };
        RecurrentOptions options = kind.startsWith("projected")
                ? RecurrentOptions.builder(3, 4).projSize(3).numLayers(2).bidirectional(true).seed(17).build() : options();
        RecurrentLayer eager = make.apply(options);
        RecurrentLayer graphs = make.apply(options);
        eager.setStepGraphs(false);
        graphs.setStepGraphs(true);
        int slices = options.numLayers() * options.directions();
        int p = options.outputSize();
        int perCall = slices;   // one recording per (layer, direction)
        var rnd = new SplittableRandom(3);
        int calls = 0;
        for (int[] lengths : new int[][] {LENGTHS, OTHER, LENGTHS}) {
            Tensor x = StepGraphsCheck.random(F64, rnd, STEPS, BATCH, 3);
            Tensor h0 = StepGraphsCheck.random(F64, rnd, slices, BATCH, p);
            Tensor c0 = eager instanceof Lstm ? StepGraphsCheck.random(F64, rnd, slices, BATCH, 4) : null;
            RecurrentState state = new RecurrentState(h0, c0);
            Tensor dy = StepGraphsCheck.random(F64, rnd, STEPS, BATCH, 2 * p);
            String at = kind + " lengths " + java.util.Arrays.toString(lengths);

            RecurrentOutput a = eager.forward(x, state, lengths);
            RecurrentOutput b = graphs.forward(x, state, lengths);
            assertClose(a.output(), b.output(), at + ": output");
            assertClose(a.state().h(), b.state().h(), at + ": final h");
            if (c0 != null) {
                assertClose(a.state().c(), b.state().c(), at + ": final c");
            }
            eager.zeroGradients();
            graphs.zeroGradients();
            RecurrentGradients ga = eager.backward(a.saved(), dy, null);
            RecurrentGradients gb = graphs.backward(b.saved(), dy, null);
            assertClose(ga.dx(), gb.dx(), at + ": dx");
            assertClose(ga.dState().h(), gb.dState().h(), at + ": dh0");
            if (c0 != null) {
                assertClose(ga.dState().c(), gb.dState().c(), at + ": dc0");
            }
            assertClose(eager.flatGradients(), graphs.flatGradients(), at + ": weight gradients");

            RecurrentOutput ia = eager.infer(x, state, lengths);
            RecurrentOutput ib = graphs.infer(x, state, lengths);
            assertClose(ia.output(), ib.output(), at + ": inference output");
            assertClose(ia.state().h(), ib.state().h(), at + ": inference final h");
            if (c0 != null) {
                assertClose(ia.state().c(), ib.state().c(), at + ": inference final c");
            }
            calls++;
            // training and inference loops record once for the shape, the backward too; other lengths replay them
            assertEquals(2 * perCall, graphs.stepGraphs().recordings(), at + ": recordings after call " + calls);
            assertEquals(perCall, graphs.stepGraphs().backwardRecordings(), at + ": backward recordings after call "
                    + calls);
        }
    }

    static void assertClose(Tensor expected, Tensor actual, String what) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what);
        double scale = 1;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            int at = i;
            assertTrue(Math.abs(e[i] - a[i]) <= 1e-12 * scale, () -> what + "[" + at + "]: " + a[at] + " against " + e[at]);
        }
    }
}
