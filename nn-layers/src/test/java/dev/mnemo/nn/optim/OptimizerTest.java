package dev.mnemo.nn.optim;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimizers against hand-computed steps and against a plain double-precision transcription of
 * PyTorch's single-tensor algorithms (torch/optim/sgd.py, adam.py, rmsprop.py), over the option
 * cross-product, on float32 and float64. Seed: {@code -Dmnemo.test.seed=…}.
 */
class OptimizerTest {

    static final long SEED = Long.getLong("mnemo.test.seed", 20240611L);
    static final int STEPS = 6;
    static final int N = 37;

    static Backend backend(DType dtype) {
        return dtype == DType.FLOAT64 ? CpuBackend.float64() : CpuBackend.float32();
    }

    // ---- known answers, by hand ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void sgdMomentumByHand(DType dtype) {
        Tensor p = Tensor.zeros(dtype, 1);
        Tensor g = Tensor.zeros(dtype, 1);
        p.fill(1.0);
        var sgd = new Sgd(SgdOptions.builder().lr(0.1).momentum(0.9).build(), p, g);
        g.fill(1.0);
        sgd.step();     // buf = g = 1 (PyTorch starts the buffer at the gradient): p = 1 − 0.1 = 0.9
        assertEquals(0.9, p.getFlat(0), 1e-7);
        assertEquals(1.0, sgd.momentumBuffer(0).getFlat(0));
        sgd.step();     // buf = 0.9·1 + 1 = 1.9: p = 0.9 − 0.19 = 0.71
        assertEquals(0.71, p.getFlat(0), 1e-7);
        assertEquals(2, sgd.stepCount());
    }

    @Test
    void sgdNesterovAndWeightDecayByHand() {
        Tensor p = Tensor.of(new double[]{1.0}, 1);
        Tensor g = Tensor.of(new double[]{1.0}, 1);
        var sgd = new Sgd(SgdOptions.builder().lr(0.1).momentum(0.9).nesterov(true).weightDecay(0.5).build(), p, g);
        sgd.step();     // g = 1 + 0.5·1 = 1.5; buf = 1.5; g = 1.5 + 0.9·1.5 = 2.85; p = 1 − 0.285
        assertEquals(0.715, p.getFlat(0), 1e-15);
    }

    @Test
    void adamFirstStepIsLrTimesSignByHand() {
        // step 1: m̂ = g, v̂ = g², so θ −= lr·g/(|g| + eps)
        Tensor p = Tensor.of(new double[]{1.0, 1.0}, 2);
        Tensor g = Tensor.of(new double[]{2.0, -0.5}, 2);
        new Adam(AdamOptions.of(0.1), p, g).step();
        assertEquals(1 - 0.1 * 2 / (2 + 1e-8), p.getFlat(0), 1e-15);
        assertEquals(1 + 0.1 * 0.5 / (0.5 + 1e-8), p.getFlat(1), 1e-15);
    }

    @Test
    void movingAveragesWithWeightOneTakeTheGradientExactly() {
        // PyTorch's lerp takes a weight of 0.5 and more from the end: with β₁ = 0 (α = 0) the mean is the last
        // gradient exactly. Computed as m + w·(g − m), a gradient of 1 after one of 1e17 left a mean of 0.0
        Tensor p = Tensor.of(new double[]{0.0}, 1);
        Tensor g = Tensor.of(new double[]{1e17}, 1);
        var adam = new Adam(AdamOptions.builder().lr(1e-30).betas(0, 0.999).build(), p, g);
        adam.step();
        g.setFlat(0, 1.0);
        adam.step();
        assertEquals(1.0, adam.expAvg(0).getFlat(0));
        Tensor q = Tensor.of(new double[]{0.0}, 1);
        Tensor h = Tensor.of(new double[]{1e17}, 1);
        var rms = new RmsProp(RmsPropOptions.builder().lr(1e-30).alpha(0).centered(true).build(), q, h);
        rms.step();
        h.setFlat(0, 1.0);
        rms.step();
        assertEquals(1.0, rms.gradAvg(0).getFlat(0));
    }

    @Test
    void adamWDecaysBeforeTheUpdateByHand() {
        Tensor p = Tensor.of(new double[]{2.0}, 1);
        Tensor g = Tensor.of(new double[]{1.0}, 1);
        new Adam(AdamOptions.adamW().lr(0.1).weightDecay(0.5).eps(1e-12).build(), p, g).step();
        assertEquals(2.0 * (1 - 0.05) - 0.1, p.getFlat(0), 1e-12);
    }

    @Test
    void rmsPropFirstStepByHand() {
        // s = 0.01·g², so θ −= lr·g/(0.1·|g| + eps) ≈ θ − 10·lr·sign(g)
        Tensor p = Tensor.of(new double[]{1.0}, 1);
        Tensor g = Tensor.of(new double[]{2.0}, 1);
        new RmsProp(RmsPropOptions.of(0.01), p, g).step();
        assertEquals(1 - 0.01 * 2 / (Math.sqrt(0.01 * 4) + 1e-8), p.getFlat(0), 1e-15);
    }

    /**
     * Centered with α = 0 the variance s − ḡ² is 0 in exact arithmetic; rounding (float32 squares) took it below 0
     * and the root made NaN parameters. It is clamped at 0, so the step is finite.
     */
    @Test
    void centeredRmsPropStaysFiniteWhenTheVarianceRoundsBelowZero() {
        for (DType dtype : DType.values()) {
            SplittableRandom rnd = new SplittableRandom(17);
            Tensor p = Tensor.zeros(dtype, 64);
            Tensor g = Tensor.zeros(dtype, 64);
            for (int i = 0; i < 64; i++) {
                g.setFlat(i, 2 * rnd.nextDouble() - 1);
            }
            var rms = new RmsProp(RmsPropOptions.builder().lr(1e-6).alpha(0).centered(true).build(), p, g);
            for (int step = 0; step < 3; step++) {
                rms.step();
            }
            for (int i = 0; i < 64; i++) {
                assertTrue(Double.isFinite(p.getFlat(i)), dtype + " parameter " + i + ": " + p.getFlat(i));
            }
        }
    }

    // ---- the cross-product against the reference ----

    static Stream<Arguments> sgdCases() {
        List<SgdOptions> cases = new ArrayList<>();
        for (double wd : new double[]{0, 0.05}) {
            cases.add(SgdOptions.builder().lr(0.1).weightDecay(wd).build());
            cases.add(SgdOptions.builder().lr(0.1).momentum(0.9).weightDecay(wd).build());
            cases.add(SgdOptions.builder().lr(0.1).momentum(0.9).dampening(0.3).weightDecay(wd).build());
            cases.add(SgdOptions.builder().lr(0.1).momentum(0.8).nesterov(true).weightDecay(wd).build());
        }
        return crossDtypes(cases);
    }

    static Stream<Arguments> adamCases() {
        List<AdamOptions> cases = new ArrayList<>();
        for (double wd : new double[]{0, 0.1}) {
            for (boolean decoupled : new boolean[]{false, true}) {
                cases.add(AdamOptions.builder().lr(0.01).weightDecay(wd).decoupled(decoupled).build());
                cases.add(AdamOptions.builder().lr(0.05).betas(0.5, 0.75).eps(1e-3).weightDecay(wd)
                        .decoupled(decoupled).build());
            }
        }
        return crossDtypes(cases);
    }

    static Stream<Arguments> rmsPropCases() {
        List<RmsPropOptions> cases = new ArrayList<>();
        for (double wd : new double[]{0, 0.1}) {
            for (boolean centered : new boolean[]{false, true}) {
                for (double momentum : new double[]{0, 0.9}) {
                    cases.add(RmsPropOptions.builder().lr(0.01).alpha(0.9).weightDecay(wd).centered(centered)
                            .momentum(momentum).build());
                }
            }
        }
        return crossDtypes(cases);
    }

    static <T> Stream<Arguments> crossDtypes(List<T> cases) {
        return cases.stream().flatMap(c -> Stream.of(Arguments.of(c, DType.FLOAT32), Arguments.of(c, DType.FLOAT64)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("sgdCases")
    void sgdMatchesReference(SgdOptions o, DType dtype) {
        check(dtype, (p, g) -> new Sgd(o, p, g), new ReferenceSgd(o));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("adamCases")
    void adamMatchesReference(AdamOptions o, DType dtype) {
        check(dtype, (p, g) -> new Adam(o, p, g), new ReferenceAdam(o));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rmsPropCases")
    void rmsPropMatchesReference(RmsPropOptions o, DType dtype) {
        check(dtype, (p, g) -> new RmsProp(o, p, g), new ReferenceRmsProp(o));
    }

    /** A reference optimizer: one step of p in place, in double, given g. */
    interface Reference {
        void step(double[] p, double[] g, int t);
    }

    /**
     * STEPS steps with fresh random gradients (and one lr change half-way, as a scheduler would),
     * float64 to 1e-13 of the reference, float32 to 2e-5 (the reference rounds nothing).
     */
    static void check(DType dtype, BiFunction<Tensor, Tensor, Optimizer> make, Reference ref) {
        var rnd = new SplittableRandom(SEED);
        Tensor p = Tensor.zeros(dtype, N);
        Tensor g = Tensor.zeros(dtype, N);
        for (int i = 0; i < N; i++) {
            p.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        double[] pRef = p.toDoubleArray();
        Optimizer opt = make.apply(p, g);
        for (int t = 1; t <= STEPS; t++) {
            for (int i = 0; i < N; i++) {
                g.setFlat(i, (2 * rnd.nextDouble() - 1) * (i % 5 == 0 ? 1e-3 : 1.0));
            }
            if (t == 4) {
                opt.setLr(opt.lr() / 2);
            }
            ((ReferenceBase) ref).lr = opt.lr();
            ref.step(pRef, g.toDoubleArray(), t);
            opt.step();
        }
        double tol = dtype == DType.FLOAT64 ? 1e-13 : 2e-5;
        double[] got = p.toDoubleArray();
        for (int i = 0; i < N; i++) {
            assertEquals(pRef[i], got[i], tol * Math.max(1, Math.abs(pRef[i])), "element " + i + " after "
                    + STEPS + " steps of " + opt + " " + dtype.label());
        }
        assertEquals(STEPS, opt.stepCount());
    }

    abstract static class ReferenceBase implements Reference {
        double lr;
    }

    /** torch/optim/sgd.py, _single_tensor_sgd. */
    static final class ReferenceSgd extends ReferenceBase {
        final SgdOptions o;
        double[] buf;

        ReferenceSgd(SgdOptions o) {
            this.o = o;
        }

        @Override
        public void step(double[] p, double[] grad, int t) {
            double[] d = grad.clone();
            for (int i = 0; i < p.length; i++) {
                if (o.weightDecay() != 0) {
                    d[i] = d[i] + o.weightDecay() * p[i];
                }
            }
            if (o.momentum() != 0) {
                if (buf == null) {
                    buf = d.clone();
                } else {
                    for (int i = 0; i < p.length; i++) {
                        buf[i] = buf[i] * o.momentum() + (1 - o.dampening()) * d[i];
                    }
                }
                for (int i = 0; i < p.length; i++) {
                    d[i] = o.nesterov() ? d[i] + o.momentum() * buf[i] : buf[i];
                }
            }
            for (int i = 0; i < p.length; i++) {
                p[i] -= lr * d[i];
            }
        }
    }

    /** torch/optim/adam.py, _single_tensor_adam (amsgrad False); AdamW when decoupled. */
    static final class ReferenceAdam extends ReferenceBase {
        final AdamOptions o;
        double[] m;
        double[] v;

        ReferenceAdam(AdamOptions o) {
            this.o = o;
        }

        @Override
        public void step(double[] p, double[] grad, int t) {
            if (m == null) {
                m = new double[p.length];
                v = new double[p.length];
            }
            for (int i = 0; i < p.length; i++) {
                double g = grad[i];
                if (o.weightDecay() != 0) {
                    if (o.decoupled()) {
                        p[i] *= 1 - lr * o.weightDecay();
                    } else {
                        g += o.weightDecay() * p[i];
                    }
                }
                m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g;
                v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g * g;
                double mHat = m[i] / (1 - Math.pow(o.beta1(), t));
                double vHat = v[i] / (1 - Math.pow(o.beta2(), t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + o.eps());
            }
        }
    }

    /** torch/optim/rmsprop.py, _single_tensor_rmsprop. */
    static final class ReferenceRmsProp extends ReferenceBase {
        final RmsPropOptions o;
        double[] sq;
        double[] ga;
        double[] buf;

        ReferenceRmsProp(RmsPropOptions o) {
            this.o = o;
        }

        @Override
        public void step(double[] p, double[] grad, int t) {
            if (sq == null) {
                sq = new double[p.length];
                ga = new double[p.length];
                buf = new double[p.length];
            }
            for (int i = 0; i < p.length; i++) {
                double g = grad[i] + o.weightDecay() * p[i];
                sq[i] = o.alpha() * sq[i] + (1 - o.alpha()) * g * g;
                double avg;
                if (o.centered()) {
                    ga[i] = o.alpha() * ga[i] + (1 - o.alpha()) * g;
                    avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + o.eps();
                } else {
                    avg = Math.sqrt(sq[i]) + o.eps();
                }
                if (o.momentum() > 0) {
                    buf[i] = o.momentum() * buf[i] + g / avg;
                    p[i] -= lr * buf[i];
                } else {
                    p[i] -= lr * g / avg;
                }
            }
        }
    }

    // ---- several buffers, zeroGrad, state, validation ----

    @Test
    void severalBuffersUpdateLikeOneEach() {
        var rnd = new SplittableRandom(SEED + 1);
        Tensor p1 = Tensor.zeros(3, 4);
        Tensor g1 = Tensor.zeros(3, 4);
        Tensor p2 = Tensor.zeros(5);
        Tensor g2 = Tensor.zeros(5);
        for (Tensor t : List.of(p1, g1, p2, g2)) {
            for (int i = 0; i < t.numel(); i++) {
                t.setFlat(i, rnd.nextDouble() - 0.5);
            }
        }
        Tensor q1 = p1.copy();
        Tensor q2 = p2.copy();
        var both = new Adam(AdamOptions.of(0.01), List.of(new ParameterBuffer(p1, g1), new ParameterBuffer(p2, g2)));
        var one = new Adam(AdamOptions.of(0.01), q1, g1);
        var two = new Adam(AdamOptions.of(0.01), q2, g2);
        for (int s = 0; s < 3; s++) {
            both.step();
            one.step();
            two.step();
        }
        assertArrayEquals(q1.toFloatArray(), p1.toFloatArray());
        assertArrayEquals(q2.toFloatArray(), p2.toFloatArray());
        both.zeroGrad();
        assertArrayEquals(new float[12], g1.toFloatArray());
        assertArrayEquals(new float[5], g2.toFloatArray());
    }

    @Test
    void largeBuffersTakeTheParallelPathAndAgree() {
        int n = 100_003;
        Tensor p = Tensor.zeros(n);
        Tensor g = Tensor.zeros(n);
        var rnd = new SplittableRandom(SEED + 2);
        for (int i = 0; i < n; i++) {
            p.setFlat(i, rnd.nextDouble() - 0.5);
            g.setFlat(i, rnd.nextDouble() - 0.5);
        }
        Tensor small = Tensor.zeros(1);
        Tensor smallGrad = Tensor.zeros(1);
        var opt = new RmsProp(RmsPropOptions.builder().momentum(0.5).centered(true).build(), p, g);
        opt.step();
        // element by element, one-element buffers give the same numbers
        for (int i : new int[]{0, 8191, 8192, 50_000, n - 1}) {
            Tensor q = Tensor.zeros(1);
            Tensor qg = Tensor.zeros(1);
            // p[i] before the step is lost; recompute it from the same seed
            small.fill(0);
            smallGrad.fill(0);
            var r = new SplittableRandom(SEED + 2);
            double pi = 0;
            double gi = 0;
            for (int j = 0; j <= i; j++) {
                pi = r.nextDouble() - 0.5;
                gi = r.nextDouble() - 0.5;
            }
            q.fill(pi);
            qg.fill(gi);
            new RmsProp(opt.options(), q, qg).step();
            assertEquals(q.getFlat(0), p.getFlat(i), "element " + i);
        }
    }

    @Test
    void optionsAreValidatedWithRuleAndValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> SgdOptions.of(-1.0));
        assertEquals("lr must be >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdamOptions.of(Double.NaN));
        assertEquals("lr must be finite, got NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdamOptions.builder().betas(0.9, 1.0).build());
        assertEquals("beta2 must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdamOptions.builder().eps(0).build());
        assertEquals("eps must be > 0, got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SgdOptions.builder().nesterov(true).build());
        assertEquals("nesterov needs momentum > 0 and dampening 0, got momentum 0.0, dampening 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SgdOptions.builder().momentum(0.9).dampening(0.1).nesterov(true).build());
        assertEquals("nesterov needs momentum > 0 and dampening 0, got momentum 0.9, dampening 0.1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RmsPropOptions.builder().momentum(-0.5).build());
        assertEquals("momentum must be >= 0, got -0.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RmsPropOptions.builder().weightDecay(-1).build());
        assertEquals("weightDecay must be >= 0, got -1.0", e.getMessage());
        var sgd = new Sgd(SgdOptions.of(0.1), Tensor.zeros(2), Tensor.zeros(2));
        e = assertThrows(IllegalArgumentException.class, () -> sgd.setLr(-0.5));
        assertEquals("lr must be >= 0, got -0.5", e.getMessage());
    }

    @Test
    void badBuffersAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ParameterBuffer(Tensor.zeros(3), Tensor.zeros(4)));
        assertEquals("gradients must have the shape of parameters [3], got [4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ParameterBuffer(Tensor.zeros(3), Tensor.zeros(DType.FLOAT64, 3)));
        assertEquals("gradients must be a cpu float32 tensor like parameters, got cpu float64", e.getMessage());
        Tensor flat = Tensor.zeros(10);
        e = assertThrows(IllegalArgumentException.class, () -> new ParameterBuffer(flat.slice(0, 5), flat.slice(4, 9)));
        assertTrue(e.getMessage().startsWith("parameters and gradients must not overlap"), e.getMessage());
        Tensor g = Tensor.zeros(10);
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(SgdOptions.of(0.1),
                List.of(new ParameterBuffer(flat, g), new ParameterBuffer(flat.slice(2, 3), g.slice(2, 3)))));
        assertEquals("buffers 0 and 1 overlap: each parameter must be updated once", e.getMessage());
        // one gradient shared by two buffers was scaled twice by clipGlobalNorm (norm 5 reported as 7.07)
        Tensor shared = Tensor.zeros(2);
        String sharing = "buffers 0 and 1 share memory between their gradients, or a gradient and a parameter: each "
                + "buffer needs its own";
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(AdamOptions.of(0.1),
                List.of(new ParameterBuffer(Tensor.zeros(2), shared), new ParameterBuffer(Tensor.zeros(2), shared))));
        assertEquals(sharing, e.getMessage());
        Tensor theta = Tensor.zeros(2);
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(SgdOptions.of(0.1),
                List.of(new ParameterBuffer(theta, Tensor.zeros(2)), new ParameterBuffer(Tensor.zeros(2), theta))));
        assertEquals(sharing, e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(AdamOptions.of(0.1), List.of()));
        assertEquals("buffers must not be empty: an optimizer needs parameters", e.getMessage());
    }

    @Test
    void toStringShowsNonDefaults() {
        Tensor p = Tensor.zeros(1);
        Tensor g = Tensor.zeros(1);
        assertEquals("Sgd(lr=0.1, momentum=0.9, nesterov=true)",
                new Sgd(SgdOptions.builder().lr(0.1).momentum(0.9).nesterov(true).build(), p, g).toString());
        assertEquals("Adam()", new Adam(AdamOptions.builder().build(), p, g).toString());
        assertEquals("Adam(weightDecay=0.01, decoupled=true)", new Adam(AdamOptions.adamW().build(), p, g).toString());
        assertEquals("RmsProp(centered=true)", new RmsProp(RmsPropOptions.builder().centered(true).build(), p, g)
                .toString());
        assertNull(new Sgd(SgdOptions.of(0.1), p, g).momentumBuffer(0));
    }
}
