package dev.mnemo.nn.layers;

import dev.mnemo.nn.DType;
import dev.mnemo.nn.FiniteDifferences;
import dev.mnemo.nn.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Central-difference gradient check of a float64 recurrent layer (PyTorch's {@code gradcheck}).
 *
 * <p>The scalar is {@code L = Σ output ⊙ R + Σ h_n ⊙ R_h (+ Σ c_n ⊙ R_c)} with fixed random R, so
 * backward receives {@code dOutput = R}, {@code dState = (R_h, R_c)}. Every element of x, of the initial
 * state (given explicitly, zeros when the case has none: the layer's null-state path is the same
 * function) and of the flat parameter buffer is perturbed by ±eps ({@link FiniteDifferences}).
 *
 * <p>With {@code lengths} the layer runs a variable-length batch
 * ({@link RecurrentLayer#forward(Tensor, RecurrentState, int[])}): R is nonzero at the padded steps too,
 * so the check also covers that backward ignores ∂L/∂output there and gives ∂L/∂x = 0 there (the
 * output at those steps is constant 0, and x there is never read).
 */
final class GradCheck {

    private final RecurrentLayer layer;
    private final Tensor x;
    private final RecurrentState state;   // null: forward gets null, FD uses explicit zeros
    private final int[] lengths;          // null: every row runs all steps
    private final Tensor rOut;
    private final Tensor rH;
    private final Tensor rC;
    private final long dropoutSeed = 99;

    GradCheck(RecurrentLayer layer, Tensor x, RecurrentState state, long seed) {
        this(layer, x, state, null, seed);
    }

    GradCheck(RecurrentLayer layer, Tensor x, RecurrentState state, int[] lengths, long seed) {
        if (layer.backend().dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("gradient checks run in float64");
        }
        this.layer = layer;
        this.x = x;
        this.state = state;
        this.lengths = lengths;
        var o = layer.options();
        var probe = forward(x, state);
        this.rOut = TestData.uniform(layer.backend(), seed + 1, 1.0, probe.output().shape());
        this.rH = TestData.uniform(layer.backend(), seed + 2, 1.0, probe.state().h().shape());
        this.rC = probe.state().c() == null ? null : TestData.uniform(layer.backend(), seed + 3, 1.0,
                probe.state().c().shape());
        assertEquals(o, layer.options());
    }

    private RecurrentOutput forward(Tensor input, RecurrentState s) {
        layer.seedDropout(dropoutSeed);   // the same dropout mask for every evaluation
        return layer.forward(input, s, lengths);
    }

    private double loss(RecurrentState s) {
        RecurrentOutput out = forward(x, s);
        double l = TestData.dot(out.output(), rOut) + TestData.dot(out.state().h(), rH);
        return rC == null ? l : l + TestData.dot(out.state().c(), rC);
    }

    /** Runs the check; fails with every mismatching tensor named (first bad index, values). */
    void run() {
        layer.zeroGradients();
        RecurrentOutput out = forward(x, state);
        RecurrentGradients g = layer.backward(out.saved(), rOut, new RecurrentState(rH, rC));
        RecurrentState explicit = state;
        if (explicit == null) {
            var h0 = layer.backend().zeros(rH.shape());
            explicit = new RecurrentState(h0, rC == null ? null : layer.backend().zeros(rC.shape()));
        }
        List<String> failures = new ArrayList<>();
        final RecurrentState st = explicit;
        check("x", x, g.dx(), st, failures);
        check("h0", st.h(), g.dState().h(), st, failures);
        if (rC != null) {
            check("c0", st.c(), g.dState().c(), st, failures);
        }
        for (var e : layer.parameters().entrySet()) {
            check(e.getKey(), e.getValue(), layer.gradients().get(e.getKey()), st, failures);
        }
        if (!failures.isEmpty()) {
            fail(layer + (lengths == null ? "" : " lengths " + Arrays.toString(lengths)) + " seed "
                    + TestData.BASE_SEED + ": gradient mismatch\n" + String.join("\n", failures));
        }
    }

    private void check(String name, Tensor target, Tensor analytic, RecurrentState s, List<String> failures) {
        String failure = FiniteDifferences.compare(name, target, analytic, () -> loss(s));
        if (failure != null) {
            failures.add(failure);
        }
    }
}
