package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * One step of each cell with constructed weights whose answers are worked out by hand below. Gate
 * pre-activations are chosen as logarithms so that the activations are exact fractions:
 * σ(ln 3) = 3/4, σ(−ln 3) = 1/4, σ(ln 9) = 9/10, σ(0) = 1/2, tanh(ln 2) = 3/5, tanh(ln 3) = 4/5.
 * Each gate gets a different activation, so any permutation of the gate order, any swap of the
 * weight_ih / weight_hh / bias roles, or a unit-major instead of gate-major row layout changes the
 * answer. Run on both CPU element types.
 */
class RecurrentKnownAnswerTest {

    static final double LN2 = Math.log(2);
    static final double LN3 = Math.log(3);
    static final double LN9 = Math.log(9);

    static Stream<Arguments> backends() {
        return Stream.of(Arguments.of(CpuBackend.float32()), Arguments.of(CpuBackend.float64()));
    }

    static double tol(Backend be) {
        return be.dtype() == DType.FLOAT32 ? 1e-6 : 1e-14;
    }

    static void set(RecurrentLayer layer, String name, double... values) {
        Tensor p = layer.parameters().get(name);
        p.copyFrom(Tensor.of(values, p.shape()));
    }

    static Tensor t(Backend be, double[] values, int... shape) {
        return be.copyOf(Tensor.of(values, shape));
    }

    /**
     * LSTM, I = H = B = 1, each gate's pre-activation coming from a different parameter:
     * <pre>
     *   x = 1, h0 = 1, c0 = 0.5
     *   i: bias_ih_i = ln 3                 → i = σ(ln 3)  = 0.75
     *   f: weight_hh_f · h0 = ln 9          → f = σ(ln 9)  = 0.9
     *   g: bias_hh_g = ln 2                 → g = tanh(ln 2) = 0.6
     *   o: weight_ih_o · x = −ln 3          → o = σ(−ln 3) = 0.25
     *   c1 = f·c0 + i·g = 0.45 + 0.45 = 0.9
     *   h1 = o·tanh(0.9) = 0.25 · 0.7162978701990245 = 0.1790744675497561
     * </pre>
     * Backward with L = c1: ∂L/∂c0 = f = 0.9. With L = h1: ∂L/∂c0 = o·(1 − tanh²(c1))·f
     * = 0.25 · 0.48691736... · 0.9 = 0.10955640625837684.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void lstmStepEachGateFromADifferentParameter(Backend be) {
        var lstm = new Lstm(RecurrentOptions.of(1, 1), be);
        set(lstm, "weight_ih_l0", 0, 0, 0, -LN3);
        set(lstm, "weight_hh_l0", 0, LN9, 0, 0);
        set(lstm, "bias_ih_l0", LN3, 0, 0, 0);
        set(lstm, "bias_hh_l0", 0, 0, LN2, 0);
        var state = new RecurrentState(t(be, new double[]{1}, 1, 1, 1), t(be, new double[]{0.5}, 1, 1, 1));
        RecurrentOutput out = lstm.forward(t(be, new double[]{1}, 1, 1, 1), state);
        assertArrayEquals(new double[]{0.9}, out.state().c().toDoubleArray(), tol(be));
        assertArrayEquals(new double[]{0.1790744675497561}, out.state().h().toDoubleArray(), tol(be));
        assertArrayEquals(new double[]{0.1790744675497561}, out.output().toDoubleArray(), tol(be));

        var onlyC = lstm.backward(out.saved(), null,
                new RecurrentState(null, t(be, new double[]{1}, 1, 1, 1)));
        assertArrayEquals(new double[]{0.9}, onlyC.dState().c().toDoubleArray(), tol(be));
        var onlyH = lstm.backward(out.saved(), t(be, new double[]{1}, 1, 1, 1), null);
        assertArrayEquals(new double[]{0.10955640625837684}, onlyH.dState().c().toDoubleArray(), tol(be));
    }

    /**
     * LSTM, I = 1, H = 2, B = 1: rows of weight_ih are gate-major, [i0 i1 f0 f1 g0 g1 o0 o1].
     * <pre>
     *   x = 1, h0 = 0, c0 = [0.5, −1]; pre-activations = weight_ih
     *   i = σ([ln 3, −ln 3]) = [0.75, 0.25]     f = σ([ln 9, 0]) = [0.9, 0.5]
     *   g = tanh([ln 2, ln 3]) = [0.6, 0.8]     o = σ([−ln 3, 0]) = [0.25, 0.5]
     *   c1 = [0.9·0.5 + 0.75·0.6, 0.5·(−1) + 0.25·0.8] = [0.9, −0.3]
     *   h1 = [0.25·tanh(0.9), 0.5·tanh(−0.3)] = [0.1790744675497561, −0.14565630622579545]
     * </pre>
     */
    @ParameterizedTest
    @MethodSource("backends")
    void lstmStepGateMajorLayout(Backend be) {
        var lstm = new Lstm(RecurrentOptions.builder(1, 2).bias(false).build(), be);
        set(lstm, "weight_ih_l0", LN3, -LN3, LN9, 0, LN2, LN3, -LN3, 0);
        set(lstm, "weight_hh_l0", new double[16]);
        var state = new RecurrentState(be.zeros(1, 1, 2), t(be, new double[]{0.5, -1}, 1, 1, 2));
        RecurrentOutput out = lstm.forward(t(be, new double[]{1}, 1, 1, 1), state);
        assertArrayEquals(new double[]{0.9, -0.3}, out.state().c().toDoubleArray(), tol(be));
        assertArrayEquals(new double[]{0.1790744675497561, -0.14565630622579545}, out.output().toDoubleArray(),
                tol(be));
    }

    /**
     * GRU, I = H = B = 1, reset applied after the recurrent product:
     * <pre>
     *   x = 1, h0 = 0.5
     *   r: bias_ih_r = ln 3                           → r = 0.75
     *   z: weight_hh_z · h0 = (−2 ln 3)·0.5 = −ln 3   → z = 0.25
     *   hn = weight_hh_n · h0 + bias_hh_n = 2·0.5 + 1 = 2
     *   n = tanh(weight_ih_n·x + bias_ih_n + r·hn) = tanh(0.25 + 0.25 + 0.75·2) = tanh(2) = 0.9640275800758169
     *   h1 = (1 − z)·n + z·h0 = 0.75·0.9640275800758169 + 0.125 = 0.8480206850568627
     * </pre>
     * Reset-before ({@code W_hn (r ⊙ h)}) would give tanh(0.5 + 0.75 + 1) instead; swapping r and z
     * gives (0.25, 0.75); b_in inside r ⊙ (…) gives tanh(0.25 + 0.75·2.25).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void gruStepResetAfterRecurrentProduct(Backend be) {
        var gru = new Gru(RecurrentOptions.of(1, 1), be);
        set(gru, "weight_ih_l0", 0, 0, 0.25);
        set(gru, "weight_hh_l0", 0, -2 * LN3, 2);
        set(gru, "bias_ih_l0", LN3, 0, 0.25);
        set(gru, "bias_hh_l0", 0, 0, 1);
        RecurrentOutput out = gru.forward(t(be, new double[]{1}, 1, 1, 1),
                RecurrentState.of(t(be, new double[]{0.5}, 1, 1, 1)));
        assertArrayEquals(new double[]{0.8480206850568627}, out.output().toDoubleArray(), tol(be));
        assertArrayEquals(new double[]{0.8480206850568627}, out.state().h().toDoubleArray(), tol(be));
    }

    /**
     * GRU, I = 1, H = 2, B = 2 (the second row is the first with x = 0 and h0 = 0 — its own answer):
     * rows gate-major [r0 r1 z0 z1 n0 n1]; weight_hh = 0, bias_hh_n = [2, 2], others 0.
     * <pre>
     *   row 0: x = 1, h0 = 0
     *     r = σ([ln 3, −ln 3]) = [0.75, 0.25]       z = σ([0, ln 9]) = [0.5, 0.9]
     *     hn = [2, 2];  n = tanh([ln 2 − 1.5 + 0.75·2, ln 3 − 0.5 + 0.25·2]) = tanh([ln 2, ln 3]) = [0.6, 0.8]
     *     h1 = (1 − z)·n = [0.3, 0.08]
     *   row 1: x = 0: r = z = 0.5, n = tanh(0.5·2) = tanh(1) = 0.7615941559557649
     *     h1 = 0.5·tanh(1) = 0.38079707797788244 (both units)
     * </pre>
     */
    @ParameterizedTest
    @MethodSource("backends")
    void gruStepGateMajorLayoutTwoRows(Backend be) {
        var gru = new Gru(RecurrentOptions.of(1, 2), be);
        set(gru, "weight_ih_l0", LN3, -LN3, 0, LN9, LN2 - 1.5, LN3 - 0.5);
        set(gru, "weight_hh_l0", new double[12]);
        set(gru, "bias_ih_l0", new double[6]);
        set(gru, "bias_hh_l0", 0, 0, 0, 0, 2, 2);
        RecurrentOutput out = gru.forward(t(be, new double[]{1, 0}, 1, 2, 1), null);
        assertArrayEquals(new double[]{0.3, 0.08, 0.38079707797788244, 0.38079707797788244},
                out.output().toDoubleArray(), tol(be));
    }

    /**
     * RNN, I = 1, H = 2: x = 0.5, h0 = [1, −0.25], weight_ih = [1, −1], weight_hh = [[0.5, 0], [0, 2]],
     * bias_ih = [0.1, 0], bias_hh = [0, 0.2]
     * <pre>
     *   pre = [0.5 + 0.1 + 0.5·1, −0.5 + 2·(−0.25) + 0.2] = [1.1, −0.8]
     *   tanh: [0.8004990217606297, −0.664036770267849]      relu: [1.1, 0]
     * </pre>
     */
    @ParameterizedTest
    @MethodSource("backends")
    void rnnStepTanhAndRelu(Backend be) {
        for (Nonlinearity f : Nonlinearity.values()) {
            var rnn = new Rnn(RecurrentOptions.builder(1, 2).nonlinearity(f).build(), be);
            set(rnn, "weight_ih_l0", 1, -1);
            set(rnn, "weight_hh_l0", 0.5, 0, 0, 2);
            set(rnn, "bias_ih_l0", 0.1, 0);
            set(rnn, "bias_hh_l0", 0, 0.2);
            RecurrentOutput out = rnn.forward(t(be, new double[]{0.5}, 1, 1, 1),
                    RecurrentState.of(t(be, new double[]{1, -0.25}, 1, 1, 2)));
            double[] expected = f == Nonlinearity.TANH ? new double[]{0.8004990217606297, -0.664036770267849}
                    : new double[]{1.1, 0};
            assertArrayEquals(expected, out.output().toDoubleArray(), tol(be), f.label());
        }
    }
}
