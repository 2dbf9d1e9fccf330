package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Identities that must hold exactly (up to float rounding): the reverse direction is the forward
 * direction on reversed time, repeated {@code step} is {@code forward}, batchFirst is a transpose, a null
 * state is zeros; and the float32 path agrees with the float64 reference.
 */
class RecurrentEquivalenceTest {

    static final int T = 6;
    static final int B = 3;
    static final int I = 4;
    static final int H = 5;
    static final double TOL = 1e-6;   // float32, same operations in a different order at most

    static Tensor reverseTime(Backend be, Tensor x) {
        Tensor r = be.zeros(x.shape());
        for (int t = 0; t < x.dim(0); t++) {
            be.copy(x.select(t), r.select(x.dim(0) - 1 - t));
        }
        return r;
    }

    static Tensor transpose01(Backend be, Tensor x) {
        Tensor r = be.zeros(x.dim(1), x.dim(0), x.dim(2));
        be.transpose01(x, r);
        return r;
    }

    static Tensor columns(Backend be, Tensor x, int from, int width) {
        Tensor r = be.zeros(x.dim(0), x.dim(1), width);
        be.copyColumns(x.reshape(-1, x.dim(2)), from, r.reshape(-1, width), 0, width);
        return r;
    }

    static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
        assertEquals(Tensor.shapeString(expected.shape()), Tensor.shapeString(actual.shape()), what + " shape");
        double err = TestData.maxAbsDiff(expected, actual);
        assertTrue(err <= tol, what + ": max |difference| " + err + " > " + tol);
    }

    static RecurrentState randomState(Backend be, Cell cell, int entries, long seed) {
        return new RecurrentState(TestData.uniform(be, seed, 0.5, entries, B, H),
                cell.hasCellState() ? TestData.uniform(be, seed + 1, 0.5, entries, B, H) : null);
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void reverseDirectionIsForwardDirectionOnReversedTime(Cell cell) {
        Backend be = Backend.cpu();
        var bi = cell.create(cell.options(I, H).bidirectional(true).seed(5).build(), be);
        var uni = cell.create(cell.options(I, H).seed(6).build(), be);
        for (String name : uni.parameters().keySet()) {
            uni.parameters().get(name).copyFrom(bi.parameters().get(name + "_reverse"));
        }
        Tensor x = TestData.uniform(be, 21, 1.0, T, B, I);
        RecurrentState s = randomState(be, cell, 2, 22);
        RecurrentOutput yb = bi.forward(x, s);
        RecurrentState sRev = new RecurrentState(s.h().slice(1, 2),
                s.c() == null ? null : s.c().slice(1, 2));
        RecurrentOutput yu = uni.forward(reverseTime(be, x), sRev);
        assertClose(reverseTime(be, yu.output()), columns(be, yb.output(), H, H), TOL, "reverse output");
        assertClose(yu.state().h(), yb.state().h().slice(1, 2), TOL, "reverse h_n");
        if (cell.hasCellState()) {
            assertClose(yu.state().c(), yb.state().c().slice(1, 2), TOL, "reverse c_n");
        }

        // and the same for the gradients: dx, dh0 of the reverse direction, the _reverse weights
        Tensor dy = TestData.uniform(be, 23, 1.0, T, B, 2 * H);
        Tensor dyRev = columns(be, dy, H, H);
        Tensor dyFwdZero = be.zeros(T, B, 2 * H);
        be.copyColumns(dyRev.reshape(-1, H), 0, dyFwdZero.reshape(-1, 2 * H), H, H);
        bi.zeroGradients();
        var gb = bi.backward(yb.saved(), dyFwdZero, null);
        var gu = uni.backward(yu.saved(), reverseTime(be, dyRev), null);
        assertClose(reverseTime(be, gu.dx()), gb.dx(), TOL, "reverse dx");
        assertClose(gu.dState().h(), gb.dState().h().slice(1, 2), TOL, "reverse dh0");
        for (String name : uni.parameters().keySet()) {
            assertClose(uni.gradients().get(name), bi.gradients().get(name + "_reverse"), 1e-5, name + "_reverse");
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void repeatedStepEqualsForwardIncludingBackward(Cell cell) {
        Backend be = Backend.cpu();
        var opts = cell.options(I, H).numLayers(2).seed(7).build();
        var seq = cell.create(opts, be);
        var stp = cell.create(opts, be);
        Tensor x = TestData.uniform(be, 31, 1.0, T, B, I);
        Tensor dy = TestData.uniform(be, 32, 1.0, T, B, H);
        RecurrentState s0 = randomState(be, cell, 2, 33);

        RecurrentOutput full = seq.forward(x, s0);
        RecurrentGradients gFull = seq.backward(full.saved(), dy, null);

        RecurrentSaved[] saved = new RecurrentSaved[T];
        RecurrentState s = s0;
        for (int t = 0; t < T; t++) {
            RecurrentOutput o = stp.step(x.select(t), s);
            assertClose(full.output().select(t), o.output(), TOL, "output at step " + t);
            saved[t] = o.saved();
            s = o.state();
        }
        assertClose(full.state().h(), s.h(), TOL, "h_n");
        if (cell.hasCellState()) {
            assertClose(full.state().c(), s.c(), TOL, "c_n");
        }
        RecurrentState dState = null;
        for (int t = T - 1; t >= 0; t--) {
            RecurrentGradients g = stp.backward(saved[t], dy.select(t), dState);
            assertClose(gFull.dx().select(t), g.dx(), TOL, "dx at step " + t);
            dState = g.dState();
        }
        assertClose(gFull.dState().h(), dState.h(), TOL, "dh0");
        assertClose(seq.flatGradients(), stp.flatGradients(), 1e-5, "parameter gradients");
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void batchFirstIsTheTransposedLayout(Cell cell) {
        Backend be = Backend.cpu();
        var tm = cell.create(cell.options(I, H).bidirectional(true).numLayers(2).seed(8).build(), be);
        var bf = cell.create(cell.options(I, H).bidirectional(true).numLayers(2).seed(8).batchFirst(true).build(), be);
        Tensor x = TestData.uniform(be, 41, 1.0, T, B, I);
        Tensor dy = TestData.uniform(be, 42, 1.0, T, B, 2 * H);
        RecurrentOutput a = tm.forward(x, null);
        RecurrentOutput b = bf.forward(transpose01(be, x), null);
        assertClose(transpose01(be, a.output()), b.output(), 0, "output");
        assertClose(a.state().h(), b.state().h(), 0, "h_n");
        RecurrentGradients ga = tm.backward(a.saved(), dy, null);
        RecurrentGradients gb = bf.backward(b.saved(), transpose01(be, dy), null);
        assertClose(transpose01(be, ga.dx()), gb.dx(), 0, "dx");
        assertClose(tm.flatGradients(), bf.flatGradients(), 0, "parameter gradients");
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void nullStateIsZeros(Cell cell) {
        Backend be = Backend.cpu();
        var layer = cell.create(cell.options(I, H).numLayers(2).bidirectional(true).build(), be);
        Tensor x = TestData.uniform(be, 51, 1.0, T, B, I);
        var zeros = new RecurrentState(be.zeros(4, B, H), cell.hasCellState() ? be.zeros(4, B, H) : null);
        assertClose(layer.forward(x, zeros).output(), layer.forward(x, null).output(), 0, "output");
    }

    /**
     * The float32 path (tuned SGEMM, float storage) against the float64 reference on the same weights
     * and inputs: outputs and every gradient within 1e-5 relative to the largest magnitude.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void float32AgreesWithFloat64(Cell cell) {
        var opts = cell.options(I, H).numLayers(2).bidirectional(true).seed(9).build();
        var f32 = cell.create(opts, CpuBackend.float32());
        var f64 = cell.create(opts, CpuBackend.float64());
        f64.flatParameters().copyFrom(f32.flatParameters());
        Tensor x32 = TestData.uniform(CpuBackend.float32(), 61, 1.0, 7, 6, I);
        Tensor dy32 = TestData.uniform(CpuBackend.float32(), 62, 1.0, 7, 6, 2 * H);
        RecurrentState s32 = new RecurrentState(TestData.uniform(CpuBackend.float32(), 63, 0.5, 4, 6, H),
                cell.hasCellState() ? TestData.uniform(CpuBackend.float32(), 64, 0.5, 4, 6, H) : null);
        Backend d = CpuBackend.float64();
        RecurrentState s64 = new RecurrentState(d.copyOf(s32.h()), s32.c() == null ? null : d.copyOf(s32.c()));

        RecurrentOutput o32 = f32.forward(x32, s32);
        RecurrentOutput o64 = f64.forward(d.copyOf(x32), s64);
        RecurrentGradients g32 = f32.backward(o32.saved(), dy32, null);
        RecurrentGradients g64 = f64.backward(o64.saved(), d.copyOf(dy32), null);
        assertRel(o64.output(), o32.output(), "output");
        assertRel(o64.state().h(), o32.state().h(), "h_n");
        assertRel(g64.dx(), g32.dx(), "dx");
        assertRel(g64.dState().h(), g32.dState().h(), "dh0");
        for (String name : f32.gradients().keySet()) {
            assertRel(f64.gradients().get(name), f32.gradients().get(name), name);
        }
    }

    static void assertRel(Tensor ref, Tensor actual, String what) {
        double err = TestData.relMaxError(actual, ref);
        assertTrue(err < 1e-5, what + ": float32 vs float64 relative error " + err);
    }

    @Test
    void backwardAccumulatesIntoTheGradientBuffer() {
        Backend be = Backend.cpu();
        var lstm = new Lstm(RecurrentOptions.of(I, H), be);
        Tensor x = TestData.uniform(be, 71, 1.0, T, B, I);
        Tensor dy = TestData.uniform(be, 72, 1.0, T, B, H);
        RecurrentOutput o = lstm.forward(x, null);
        lstm.backward(o.saved(), dy, null);
        Tensor once = lstm.flatGradients().copy();
        lstm.backward(o.saved(), dy, null);
        for (long i = 0; i < once.numel(); i++) {
            assertEquals(2 * once.getFlat(i), lstm.flatGradients().getFlat(i), 1e-6);
        }
        lstm.zeroGradients();
        assertEquals(0.0, TestData.maxAbsDiff(lstm.flatGradients(), be.zeros((int) once.numel())));
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void dropoutActsBetweenLayersInTrainingOnly(Cell cell) {
        Backend be = Backend.cpu();
        var plain = cell.create(cell.options(I, H).numLayers(2).seed(3).build(), be);
        var drop = cell.create(cell.options(I, H).numLayers(2).seed(3).dropout(0.5).build(), be);
        Tensor x = TestData.uniform(be, 81, 1.0, T, B, I);
        Tensor reference = plain.forward(x, null).output();

        drop.setTraining(false);
        assertClose(reference, drop.forward(x, null).output(), 0, "eval mode output");
        drop.setTraining(true);
        drop.seedDropout(17);
        Tensor first = drop.forward(x, null).output();
        Tensor second = drop.forward(x, null).output();
        drop.seedDropout(17);
        Tensor again = drop.forward(x, null).output();
        assertNotEquals(0.0, TestData.maxAbsDiff(reference, first), "training mode drops");
        assertNotEquals(0.0, TestData.maxAbsDiff(first, second), "the dropout stream advances");
        assertClose(first, again, 0, "reseeded dropout repeats");
    }

    /** Dropout's backward (the mask on the gradient) in the float64 gradient check. */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void dropoutGradientsMatchFiniteDifferences(Cell cell) {
        Backend be = CpuBackend.float64();
        var layer = cell.create(cell.options(I, H).numLayers(2).bidirectional(true).dropout(0.4).seed(4).build(), be);
        new GradCheck(layer, TestData.uniform(be, 91, 1.0, 5, 2, I), null, 90).run();
    }

    /**
     * Dropout 1 (PyTorch allows it): the second layer sees zeros in training, so the first layer and x get no
     * gradient at all (0, not the NaN of 0·∞), and the gradient check still holds.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void dropoutOneZeroesWhatReachesTheNextLayer(Cell cell) {
        Backend be = CpuBackend.float64();
        var layer = cell.create(cell.options(I, H).numLayers(2).dropout(1.0).seed(4).build(), be);
        Tensor x = TestData.uniform(be, 92, 1.0, 5, 2, I);
        layer.zeroGradients();
        var out = layer.forward(x, null);
        Tensor dx = layer.backward(out.saved(), TestData.uniform(be, 93, 1.0, 5, 2, H), null).dx();
        assertEquals(0.0, maxAbs(dx), "no gradient reaches x");
        for (var e : layer.gradients().entrySet()) {
            double max = maxAbs(e.getValue());
            // the first layer's parameters, and the second's input weights (its input is all zeros)
            boolean cut = e.getKey().endsWith("_l0") || e.getKey().equals("weight_ih_l1");
            assertTrue(cut ? max == 0 : Double.isFinite(max) && max > 0, e.getKey() + ": max |gradient| " + max);
        }
        new GradCheck(layer, x, null, 94).run();
    }

    private static double maxAbs(Tensor t) {
        double max = 0;
        for (double v : t.toDoubleArray()) {
            max = Double.isNaN(v) ? v : Math.max(max, Math.abs(v));
        }
        return max;
    }
}
