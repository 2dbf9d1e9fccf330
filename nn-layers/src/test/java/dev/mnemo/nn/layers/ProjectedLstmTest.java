package dev.mnemo.nn.layers;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.analysis.SpectrumAnalysis;
import dev.mnemo.nn.init.Initializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LSTM with a projection (PyTorch's {@code proj_size}): {@code h_t = W_hr·(o_t ⊙ tanh(c_t))}, P
 * features in h and the output, H in c. Checked against a plain loop written from the equations, against
 * central differences in float64 over the option cross-product (with and without variable lengths),
 * and for its parameter layout, inference, bad options and the analyses that need square blocks.
 */
@Execution(ExecutionMode.CONCURRENT)
class ProjectedLstmTest {

    private static final int IN = 4;
    private static final int HIDDEN = 5;
    private static final int PROJ = 3;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int layers = 1; layers <= 2; layers++) {
            for (boolean bidir : new boolean[]{false, true}) {
                for (boolean batchFirst : new boolean[]{false, true}) {
                    for (boolean withState : new boolean[]{false, true}) {
                        out.add(Arguments.of(layers, bidir, batchFirst, withState, null));
                    }
                }
            }
        }
        // variable lengths: unsorted, with 1 and T; and none reaching T
        out.add(Arguments.of(2, true, false, true, new int[]{3, 5, 1}));
        out.add(Arguments.of(1, true, true, false, new int[]{2, 4, 4}));
        out.add(Arguments.of(2, false, true, true, new int[]{5, 1, 3}));
        return out.stream();
    }

    private static Lstm layer(int layers, boolean bidir, boolean batchFirst, long seed) {
        return new Lstm(RecurrentOptions.builder(IN, HIDDEN).projSize(PROJ).numLayers(layers).bidirectional(bidir)
                .batchFirst(batchFirst).seed(seed).build(), CpuBackend.float64());
    }

    private static RecurrentState state(Lstm l, int batch, long seed) {
        int ld = l.options().numLayers() * l.options().directions();
        var be = l.backend();
        return new RecurrentState(TestData.uniform(be, seed, 0.5, ld, batch, PROJ),
                TestData.uniform(be, seed + 1, 0.5, ld, batch, HIDDEN));
    }

    @ParameterizedTest(name = "layers={0} bidir={1} batchFirst={2} state={3} lengths={4}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(int layers, boolean bidir, boolean batchFirst, boolean withState,
                                         int[] lengths) {
        long seed = 500L + layers * 16 + (bidir ? 8 : 0) + (batchFirst ? 4 : 0) + (withState ? 2 : 0);
        Lstm l = layer(layers, bidir, batchFirst, seed);
        int steps = 5;
        int batch = 3;
        Tensor x = TestData.uniform(l.backend(), seed + 11, 1.0, batchFirst ? new int[]{batch, steps, IN}
                : new int[]{steps, batch, IN});
        new GradCheck(l, x, withState ? state(l, batch, seed + 12) : null, lengths, seed).run();
    }

    /** One layer, one direction, against the equations written out as a plain double loop. */
    @Test
    void forwardFollowsTheEquations() {
        Lstm l = layer(1, false, false, 3);
        int steps = 6;
        int batch = 2;
        Tensor x = TestData.uniform(l.backend(), 31, 1.0, steps, batch, IN);
        RecurrentState s0 = state(l, batch, 32);
        RecurrentOutput out = l.forward(x, s0);
        Map<String, Tensor> w = l.parameters();
        for (int b = 0; b < batch; b++) {
            double[] h = new double[PROJ];
            double[] c = new double[HIDDEN];
            for (int j = 0; j < PROJ; j++) {
                h[j] = s0.h().get(0, b, j);
            }
            for (int j = 0; j < HIDDEN; j++) {
                c[j] = s0.c().get(0, b, j);
            }
            for (int t = 0; t < steps; t++) {
                double[] m = new double[HIDDEN];
                for (int j = 0; j < HIDDEN; j++) {
                    double[] pre = new double[4];
                    for (int g = 0; g < 4; g++) {
                        int r = g * HIDDEN + j;
                        double v = w.get("bias_ih_l0").get(r) + w.get("bias_hh_l0").get(r);
                        for (int i = 0; i < IN; i++) {
                            v += w.get("weight_ih_l0").get(r, i) * x.get(t, b, i);
                        }
                        for (int i = 0; i < PROJ; i++) {
                            v += w.get("weight_hh_l0").get(r, i) * h[i];
                        }
                        pre[g] = v;
                    }
                    double ig = sigmoid(pre[0]);
                    double fg = sigmoid(pre[1]);
                    double gg = Math.tanh(pre[2]);
                    double og = sigmoid(pre[3]);
                    c[j] = fg * c[j] + ig * gg;
                    m[j] = og * Math.tanh(c[j]);
                }
                for (int i = 0; i < PROJ; i++) {
                    double v = 0;
                    for (int j = 0; j < HIDDEN; j++) {
                        v += w.get("weight_hr_l0").get(i, j) * m[j];
                    }
                    h[i] = v;
                    assertEquals(v, out.output().get(t, b, i), 1e-12, "output t=" + t + " b=" + b + " i=" + i);
                }
            }
            for (int i = 0; i < PROJ; i++) {
                assertEquals(h[i], out.state().h().get(0, b, i), 1e-12, "h_n");
            }
            for (int j = 0; j < HIDDEN; j++) {
                assertEquals(c[j], out.state().c().get(0, b, j), 1e-12, "c_n");
            }
        }
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** PyTorch's names and shapes: weight_hh has P columns, weight_hr is [P, H] after the biases, layer 1 reads dirs·P. */
    @Test
    void parametersHavePyTorchsProjectedLayout() {
        Lstm l = layer(2, true, false, 1);
        Map<String, Tensor> p = l.parameters();
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_hr_l0_reverse", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_hr_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
                "weight_hr_l1_reverse"), List.copyOf(p.keySet()));
        assertArrayEquals(new int[]{4 * HIDDEN, PROJ}, p.get("weight_hh_l0").shape());
        assertArrayEquals(new int[]{PROJ, HIDDEN}, p.get("weight_hr_l1_reverse").shape());
        assertArrayEquals(new int[]{4 * HIDDEN, 2 * PROJ}, p.get("weight_ih_l1").shape());
        RecurrentOutput out = l.forward(TestData.uniform(l.backend(), 5, 1.0, 4, 2, IN), null);
        assertArrayEquals(new int[]{4, 2, 2 * PROJ}, out.output().shape());
        assertArrayEquals(new int[]{4, 2, PROJ}, out.state().h().shape());
        assertArrayEquals(new int[]{4, 2, HIDDEN}, out.state().c().shape());
        assertEquals("Lstm(4, 5, numLayers=2, bidirectional=true, seed=1, projSize=3, backend=cpu float64)",
                l.toString().replace("backend=CpuBackend", "backend=cpu"));
    }

    @Test
    void inferAndStepGiveTheForwardsResults() {
        Lstm l = layer(2, false, false, 9);
        Tensor x = TestData.uniform(l.backend(), 41, 1.0, 6, 3, IN);
        RecurrentState s0 = state(l, 3, 42);
        RecurrentOutput f = l.forward(x, s0);
        RecurrentOutput i = l.infer(x, s0);
        assertEquals(0.0, TestData.maxAbsDiff(f.output(), i.output()));
        assertEquals(0.0, TestData.maxAbsDiff(f.state().h(), i.state().h()));
        assertEquals(0.0, TestData.maxAbsDiff(f.state().c(), i.state().c()));
        RecurrentState s = s0;
        for (int t = 0; t < 6; t++) {
            RecurrentOutput o = l.step(x.select(t), s);
            assertArrayEquals(new int[]{3, PROJ}, o.output().shape());
            assertEquals(0.0, TestData.maxAbsDiff(o.output(), f.output().select(t)), "step " + t);
            s = o.state();
        }
    }

    /** Variable lengths with a projection: every row as if run alone, gradients summed over the rows. */
    @Test
    void packedRowsRunAsIfAlone() {
        Lstm l = layer(2, true, false, 21);
        int steps = 6;
        int[] lengths = {3, 6, 1, 6, 4};
        int batch = lengths.length;
        Tensor x = TestData.uniform(l.backend(), 51, 1.0, steps, batch, IN);
        RecurrentState s0 = state(l, batch, 52);
        Tensor dy = TestData.uniform(l.backend(), 53, 1.0, steps, batch, 2 * PROJ);
        l.zeroGradients();
        RecurrentOutput packed = l.forward(x, s0, lengths);
        RecurrentGradients g = l.backward(packed.saved(), dy, null);
        Tensor packedGradients = l.flatGradients().copy();
        Tensor sum = Tensor.zeros(l.backend().dtype(), (int) packedGradients.numel());
        for (int b = 0; b < batch; b++) {
            int len = lengths[b];
            Tensor xb = rows(x, b, len);
            RecurrentState sb = new RecurrentState(rows(s0.h(), b), rows(s0.c(), b));
            l.zeroGradients();
            RecurrentOutput alone = l.forward(xb, sb);
            RecurrentGradients gb = l.backward(alone.saved(), rows(dy, b, len), null);
            for (int t = 0; t < steps; t++) {
                for (int j = 0; j < 2 * PROJ; j++) {
                    double want = t < len ? alone.output().get(t, 0, j) : 0.0;
                    assertEquals(want, packed.output().get(t, b, j), 1e-12, "output t=" + t + " b=" + b);
                }
                for (int i = 0; i < IN; i++) {
                    double want = t < len ? gb.dx().get(t, 0, i) : 0.0;
                    assertEquals(want, g.dx().get(t, b, i), 1e-12, "dx t=" + t + " b=" + b);
                }
            }
            for (int s = 0; s < 4; s++) {
                for (int j = 0; j < PROJ; j++) {
                    assertEquals(alone.state().h().get(s, 0, j), packed.state().h().get(s, b, j), 1e-12, "h_n");
                    assertEquals(gb.dState().h().get(s, 0, j), g.dState().h().get(s, b, j), 1e-12, "dh0");
                }
                for (int j = 0; j < HIDDEN; j++) {
                    assertEquals(alone.state().c().get(s, 0, j), packed.state().c().get(s, b, j), 1e-12, "c_n");
                    assertEquals(gb.dState().c().get(s, 0, j), g.dState().c().get(s, b, j), 1e-12, "dc0");
                }
            }
            for (long i = 0; i < sum.numel(); i++) {
                sum.setFlat(i, sum.getFlat(i) + l.flatGradients().getFlat(i));
            }
        }
        assertTrue(TestData.maxAbsDiff(packedGradients, sum) < 1e-12, "parameter gradients: the rows' sum");
    }

    /** Steps 0..len−1 of batch row b of a time-major [T, B, F] tensor, as [len, 1, F]. */
    private static Tensor rows(Tensor t, int b, int len) {
        int f = t.dim(2);
        Tensor out = Tensor.zeros(t.dtype(), len, 1, f);
        for (int s = 0; s < len; s++) {
            for (int j = 0; j < f; j++) {
                out.set(t.get(s, b, j), s, 0, j);
            }
        }
        return out;
    }

    /** Row b of a state [L·D, B, F], as [L·D, 1, F]. */
    private static Tensor rows(Tensor state, int b) {
        Tensor out = Tensor.zeros(state.dtype(), state.dim(0), 1, state.dim(2));
        for (int s = 0; s < state.dim(0); s++) {
            for (int j = 0; j < state.dim(2); j++) {
                out.set(state.get(s, b, j), s, 0, j);
            }
        }
        return out;
    }

    @Test
    void badOptionsAndStatesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RecurrentOptions.builder(IN, HIDDEN).projSize(HIDDEN).build());
        assertEquals("projSize must be in [0, hiddenSize 5) (0: no projection), got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecurrentOptions.builder(IN, HIDDEN).projSize(-1).build());
        var opts = RecurrentOptions.builder(IN, HIDDEN).projSize(PROJ).build();
        e = assertThrows(IllegalArgumentException.class, () -> new Gru(opts));
        assertEquals("projSize is an Lstm option and must stay 0 for Gru, got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Rnn(opts));
        assertEquals("projSize is an Lstm option and must stay 0 for Rnn, got 3", e.getMessage());
        Lstm l = layer(1, false, false, 1);
        Tensor x = TestData.uniform(l.backend(), 61, 1.0, 3, 2, IN);
        Tensor wrongH = Tensor.zeros(l.backend().dtype(), 1, 2, HIDDEN);
        Tensor c = Tensor.zeros(l.backend().dtype(), 1, 2, HIDDEN);
        e = assertThrows(IllegalArgumentException.class, () -> l.forward(x, new RecurrentState(wrongH, c)));
        assertTrue(e.getMessage().startsWith("state.h must have shape [1, 2, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("proj_size 3"), e.getMessage());
    }

    /** Spectra and the recurrent initializers need square gate blocks: a projected layer gets a clear error. */
    @Test
    void squareBlockAnalysesSayWhyTheyCannotRun() {
        Lstm l = layer(1, false, false, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> SpectrumAnalysis.of(l));
        assertTrue(e.getMessage().contains("projSize 3, so each block is 5×3"), e.getMessage());
        Tensor before = l.flatParameters().copy();
        assertThrows(IllegalArgumentException.class, () -> Initializers.byName("orthogonal", Map.of()).apply(l));
        assertEquals(0.0, TestData.maxAbsDiff(before, l.flatParameters()), "nothing written before the error");
    }
}
