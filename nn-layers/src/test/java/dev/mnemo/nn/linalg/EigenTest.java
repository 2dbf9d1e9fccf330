package dev.mnemo.nn.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.DType;
import dev.mnemo.nn.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CPU eigendecompositions against invariants, residuals and known answers. */
class EigenTest {

    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);
    static final EigenOptions CPU = EigenOptions.builder().engine(EigenEngine.CPU).build();
    static final EigenOptions CPU_VECTORS = CPU.toBuilder().vectors(true).checkResidual(true).build();

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 64, 256})
    void randomMatricesPassInvariantsWithRoomToSpare(int n) {
        double[] a = Matrices.gaussian(n, new Random(SEED + n));
        EigenResult e = Eigen.of(a, n, n <= 64 ? CPU_VECTORS : CPU);
        EigenChecks c = e.checks();
        assertTrue(c.passed());
        assertTrue(e.notes().isEmpty(), () -> e.notes().toString());
        assertEquals(n == 1 ? "cpu-ejml-symmetric" : "cpu-francis-qr", e.solver());
        assertEquals(EigenPrecision.FLOAT64, e.precision());
        // a correct solver sits far inside the bounds
        assertTrue(c.traceError() <= c.traceTolerance() / 10, () -> c.toString());
        assertTrue(c.squareTraceError() <= c.squareTraceTolerance() / 10, () -> c.toString());
        if (n <= 64) {
            assertTrue(e.hasVectors());
            assertTrue(c.residualChecked());
            assertTrue(c.residual() <= c.residualTolerance() / 10, () -> c.toString());
            assertTrue(residual(a, n, e) < 1e-12 * n, () -> "residual " + residual(a, n, e));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 64, 256})
    void rotationBlocksGiveTheirKnownComplexPairs(int n) {
        Matrices.Known k = Matrices.rotationBlocks(n, new Random(SEED * 31 + n));
        EigenResult e = Eigen.of(k.a(), n, n <= 64 ? CPU_VECTORS : CPU);
        assertTrue(e.maxDistanceTo(k.re(), k.im()) < 1e-10, () -> "distance " + e.maxDistanceTo(k.re(), k.im()));
        assertOrdered(e);
    }

    @Test
    void aJordanBlockIsDefectiveAndStillChecked() {
        // J_4(2): eigenvalue 2 of multiplicity 4 with one eigenvector e_0; perturbations of order u^(1/4)
        int n = 4;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = 2.0;
            if (i + 1 < n) {
                a[i * n + i + 1] = 1.0;
            }
        }
        EigenResult e = Eigen.of(a, n, CPU_VECTORS);
        for (int k = 0; k < n; k++) {
            assertEquals(2.0, e.re(k), 1e-3);
            assertEquals(0.0, e.im(k), 1e-3);
        }
        assertEquals(8.0, sum(e.re()), 1e-12);
        // every computed vector is (nearly) e_0
        double[] vr = e.vectorsRe();
        for (int j = 0; j < n; j++) {
            assertEquals(1.0, vr[j], 1e-3);
        }
    }

    @Test
    void aRotationHasEigenvaluesOnTheUnitCircle() {
        double t = 0.7;
        double[] a = {Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)};
        EigenResult e = Eigen.of(Tensor.of(a, 2, 2), CPU_VECTORS);
        assertEquals(Math.cos(t), e.re(0), 1e-15);
        assertEquals(Math.sin(t), e.im(0), 1e-15); // +Im first
        assertEquals(-Math.sin(t), e.im(1), 1e-15);
        // v = (1, −i)/√2 for e^{iθ}, normalised with the largest component real positive
        double[] vr = e.vectorsRe();
        double[] vi = e.vectorsIm();
        assertEquals(1.0, Math.hypot(vr[0], vi[0]) * Math.sqrt(2), 1e-12);
        assertEquals(1.0, Math.hypot(vr[2], vi[2]) * Math.sqrt(2), 1e-12);
        assertEquals(-vi[0], vi[1], 1e-15); // conjugate vectors
    }

    @Test
    void theOrderIsMagnitudeThenArgumentThenPositiveImaginaryFirst() {
        // exact values, shuffled: 0.5, −1, ±i, 1, 2e^{±iπ/3} (|λ| of ±i and of 1 tie exactly)
        double c = 1.0;
        double s3 = Math.sqrt(3.0);
        double[] re = {0.5, 0, -1, c, 0, 1, c};
        double[] im = {0, -1, 0, -s3, 1, 0, s3};
        EigenResult e = EigenResult.of(RawEigen.values(re, im), false, "test", EigenPrecision.FLOAT64, null,
                List.of());
        assertArrayEquals(new double[]{c, c, 1, 0, 0, -1, 0.5}, e.re(), 0);
        assertArrayEquals(new double[]{s3, -s3, 0, 1, -1, 0, 0}, e.im(), 0);
        assertEquals(2.0, e.spectralRadius(), 1e-15);
        assertOrdered(e);
    }

    @Test
    void aSymmetricMatrixTakesTheSymmetricPath() {
        int n = 64;
        Random r = new Random(SEED + 5);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = r.nextGaussian();
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
        }
        EigenResult sym = Eigen.of(a, n, CPU_VECTORS);
        assertEquals("cpu-ejml-symmetric", sym.solver());
        assertTrue(sym.symmetric());
        for (int k = 0; k < n; k++) {
            assertEquals(0.0, sym.im(k));
        }
        EigenResult general = Eigen.of(a, n, CPU.toBuilder().detectSymmetric(false).build());
        assertEquals("cpu-francis-qr", general.solver());
        assertTrue(sym.maxDistanceTo(general) < 1e-10);
        assertTrue(residual(a, n, sym) < 1e-12 * n);
    }

    @Test
    void aFloat32TensorIsReadAsItsDoubleValue() {
        Tensor t = Tensor.zeros(DType.FLOAT32, 3, 3);
        t.set(0.1, 0, 0);
        t.set(0.2, 1, 1);
        t.set(0.3, 2, 2);
        t.set(5.0, 0, 2);
        EigenResult e = Eigen.of(t);
        assertEquals((double) 0.3f, e.re(0), 1e-16);
        assertEquals((double) 0.2f, e.re(1), 1e-16);
        assertEquals((double) 0.1f, e.re(2), 1e-16);
    }

    @Test
    void batchEqualsLoop() {
        Random r = new Random(SEED + 9);
        int count = 40;
        int n = 16;
        double[] stacked = new double[count * n * n];
        List<Tensor> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double[] a = Matrices.gaussian(n, r);
            System.arraycopy(a, 0, stacked, i * n * n, n * n);
            list.add(Tensor.of(a, n, n));
        }
        List<EigenResult> fromList = Eigen.ofBatch(list, CPU_VECTORS);
        List<EigenResult> fromStack = Eigen.ofBatch(Tensor.of(stacked, count, n, n), CPU_VECTORS);
        for (int i = 0; i < count; i++) {
            EigenResult one = Eigen.of(list.get(i), CPU_VECTORS);
            assertArrayEquals(one.re(), fromList.get(i).re(), 0);
            assertArrayEquals(one.im(), fromList.get(i).im(), 0);
            assertArrayEquals(one.vectorsRe(), fromList.get(i).vectorsRe(), 0);
            assertArrayEquals(one.re(), fromStack.get(i).re(), 0);
            assertArrayEquals(one.im(), fromStack.get(i).im(), 0);
        }
    }

    @Test
    void aBatchMayMixOrders() {
        List<Tensor> list = List.of(Tensor.of(new double[]{3}, 1, 1), Tensor.of(new double[]{0, 1, 1, 0}, 2, 2));
        List<EigenResult> out = Eigen.ofBatch(list, CPU);
        assertEquals(3.0, out.get(0).re(0));
        assertArrayEquals(new double[]{1, -1}, out.get(1).re(), 1e-15);
    }

    /** How {@link Lying} corrupts EJML's correct answer. */
    enum Lie { SHIFT_A_REAL_EIGENVALUE, BREAK_PAIRS, BEND_A_VECTOR, NAN_IN_A_VECTOR }

    /** A solver that returns EJML's answer corrupted: the checks must catch it. */
    record Lying(Lie lie, double amount) implements Solver {
        @Override
        public String label() {
            return "lying";
        }

        @Override
        public EigenPrecision precision() {
            return EigenPrecision.FLOAT32; // a generous tolerance, still caught
        }

        @Override
        public boolean symmetric() {
            return false;
        }

        @Override
        public RawEigen solve(double[] a, int n, boolean vectors) {
            RawEigen good = EjmlSolver.GENERAL.solve(a, n, vectors);
            double[] re = good.re().clone();
            double[] im = good.im().clone();
            double[] vr = vectors ? good.vectorsRe().clone() : null;
            switch (lie) {
                case SHIFT_A_REAL_EIGENVALUE -> {
                    int k = 0;
                    while (im[k] != 0) {
                        k++;
                    }
                    re[k] += amount;
                }
                case BREAK_PAIRS -> {
                    for (int k = 0; k < n; k++) {
                        im[k] = Math.abs(im[k]);
                    }
                }
                case BEND_A_VECTOR -> vr[0] += amount;
                case NAN_IN_A_VECTOR -> vr[n + 1] = Double.NaN;
            }
            return new RawEigen(re, im, vr, vectors ? good.vectorsIm() : null);
        }
    }

    @Test
    void aCorruptedSpectrumIsCaughtRetriedAndReported() {
        int n = 64;
        double[] a = Matrices.gaussian(n, new Random(SEED + 11));
        EigenResult right = Eigen.of(a, n, CPU);
        EigenResult e = Eigen.decompose(a.clone(), n, CPU, List.of(new Lying(Lie.SHIFT_A_REAL_EIGENVALUE, 0.5)));
        assertEquals("cpu-francis-qr", e.solver());
        assertTrue(e.retried());
        assertEquals(2, e.notes().size(), () -> e.notes().toString());
        assertTrue(e.notes().get(0).startsWith("attempt 1 (lying float32, values only) failed: trace check"),
                e.notes().get(0));
        assertTrue(e.notes().get(1).startsWith("attempt 2 (cpu-francis-qr float64, values only) passed"), e.notes().get(1));
        assertArrayEquals(right.re(), e.re(), 0);

        // a NaN in a vector passed every check when only the values were checked for finiteness
        EigenResult vectors = Eigen.decompose(a.clone(), n, CPU.toBuilder().vectors(true).build(),
                List.of(new Lying(Lie.NAN_IN_A_VECTOR, 0)));
        assertTrue(vectors.notes().get(0).contains("eigenvector 1 is not finite: element 1 is NaN"),
                vectors.notes().get(0));
        assertEquals("cpu-francis-qr", vectors.solver());

        EigenResult pairs = Eigen.decompose(a.clone(), n, CPU, List.of(new Lying(Lie.BREAK_PAIRS, 0)));
        assertTrue(pairs.notes().get(0).contains("not closed under conjugation"), pairs.notes().get(0));
        assertEquals("cpu-francis-qr", pairs.solver());
    }

    @Test
    void aBentEigenvectorIsCaughtByTheResidual() {
        int n = 32;
        double[] a = Matrices.gaussian(n, new Random(SEED + 12));
        // the eigenvalues are right, one eigenvector is not
        EigenResult e = Eigen.decompose(a.clone(), n, CPU_VECTORS, List.of(new Lying(Lie.BEND_A_VECTOR, 0.1)));
        assertTrue(e.notes().get(0).contains("residual check"), e.notes().get(0));
        assertEquals("cpu-francis-qr", e.solver());
    }

    /**
     * Inverse iteration once started only from the all-ones vector, which here has no component along
     * λ = 1's eigenvector (1, 0, 1)/√2: it returned an unrelated vector (residual 0.84), silently.
     */
    @Test
    void everyEigenvectorSatisfiesAvEqualsLambdaV() {
        double[] a = {0, 1, 1, 0, 0, 0, 1, -1, 0};
        EigenResult e = Eigen.of(a, 3, CPU.toBuilder().vectors(true).build());
        assertTrue(e.notes().isEmpty(), e.notes().toString());
        double[] vr = e.vectorsRe();
        for (int k = 0; k < 3; k++) {
            assertEquals(0.0, e.im(k), 1e-12, "real spectrum 1, −1, 0");
            double residual = 0;
            for (int i = 0; i < 3; i++) {
                double av = 0;
                for (int j = 0; j < 3; j++) {
                    av += a[i * 3 + j] * vr[j * 3 + k];
                }
                residual = Math.max(residual, Math.abs(av - e.re(k) * vr[i * 3 + k]));
            }
            assertTrue(residual < 1e-12, "eigenvector " + k + " (λ = " + e.re(k) + "): residual " + residual);
        }
    }

    /** One matrix of a batch, as a test's batched solver answers it. */
    interface PerMatrix {
        RawEigen solve(double[] one, int n, int index, boolean vectors);
    }

    /** A float64 batched solver named {@code label} that takes any batch and answers each matrix with {@code each}. */
    static BatchedEigenSolver perMatrix(String label, PerMatrix each) {
        return new BatchedEigenSolver() {
            @Override
            public String label() {
                return label;
            }

            @Override
            public EigenPrecision precision() {
                return EigenPrecision.FLOAT64;
            }

            @Override
            public boolean supports(int n, int count, EigenOptions options) {
                return true;
            }

            @Override
            public List<RawEigen> solve(double[] packed, int n, int count, boolean vectors) {
                List<RawEigen> out = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    double[] one = new double[n * n];
                    System.arraycopy(packed, i * n * n, one, 0, n * n);
                    out.add(each.solve(one, n, i, vectors));
                }
                return out;
            }
        };
    }

    /** A batched solver that drops requested vectors fails that matrix's call, which is then retried alone. */
    @Test
    void aBatchedSolverWithoutRequestedVectorsIsRetried() {
        double[] a = Matrices.gaussian(6, new Random(SEED));
        BatchedEigenSolver valuesOnly = perMatrix("values-only", (one, n, i, vectors) -> {
            RawEigen full = new Lying(Lie.SHIFT_A_REAL_EIGENVALUE, 0.0).solve(one, n, false);
            return new RawEigen(full.re(), full.im(), null, null);
        });
        EigenResult e = Eigen.ofBatch(List.of(Tensor.of(a, 6, 6)),
                CPU.toBuilder().vectors(true).batchedSolver(valuesOnly).build()).getFirst();
        assertTrue(e.hasVectors());
        assertTrue(e.notes().get(0).equals("batched values-only float64 failed: returned no eigenvectors; retrying alone"),
                e.notes().toString());
        assertTrue(e.retried(), "an earlier attempt failed and this result comes from a retry");
    }

    /**
     * A batch whose packed size passes the limit (a Java array's, 2^31 − 9 doubles, for 524,288 matrices of order
     * 64) goes in several batched calls, each within it; every matrix is still answered by the batched solver.
     */
    @Test
    void aBatchOverThePackedLimitGoesInSeveralCalls() {
        double[][] as = new double[5][];
        for (int i = 0; i < as.length; i++) {
            as[i] = Matrices.gaussian(4, new Random(SEED + i));
        }
        List<Integer> calls = new ArrayList<>();
        BatchedEigenSolver counting = perMatrix("counting", (one, n, i, vectors) -> {
            if (i == 0) {
                synchronized (calls) {
                    calls.add(0);
                }
            }
            return new Lying(Lie.SHIFT_A_REAL_EIGENVALUE, 0.0).solve(one, n, vectors);
        });
        List<EigenResult> out = Eigen.decomposeBatch(as, new int[]{4, 4, 4, 4, 4},
                CPU.toBuilder().batchedSolver(counting).build(), 2 * 16 + 15);
        assertEquals(3, calls.size(), "5 matrices of 16 doubles, at most 47 doubles a call: 2 + 2 + 1");
        for (int i = 0; i < as.length; i++) {
            assertEquals("counting", out.get(i).solver(), "matrix " + i);
            double trace = 0;
            for (int k = 0; k < 4; k++) {
                trace += as[i][k * 4 + k];
            }
            double sum = 0;
            for (int k = 0; k < 4; k++) {
                sum += out.get(i).re(k);
            }
            assertEquals(trace, sum, 1e-12, "matrix " + i + "'s own eigenvalues");
        }
    }

    @Test
    void aBatchedSolverIsCheckedPerMatrix() {
        double[] a = Matrices.gaussian(8, new Random(SEED));
        BatchedEigenSolver liar = perMatrix("liar", (one, n, i, vectors) ->
                new Lying(Lie.SHIFT_A_REAL_EIGENVALUE, i == 1 ? 1.0 : 0.0).solve(one, n, vectors));
        List<EigenResult> out = Eigen.ofBatch(List.of(Tensor.of(a, 8, 8), Tensor.of(a, 8, 8)),
                CPU.toBuilder().batchedSolver(liar).build());
        assertEquals("liar", out.get(0).solver());
        assertTrue(out.get(0).notes().isEmpty());
        assertEquals("cpu-francis-qr", out.get(1).solver());
        assertTrue(out.get(1).notes().get(0).startsWith("batched liar float64 failed: trace check"),
                out.get(1).notes().toString());
        assertTrue(out.get(1).notes().get(1).contains("passed"));
    }

    @Test
    void noSilentlyWrongSpectrumEvenWhenAllAttemptsLie() {
        double[] a = Matrices.gaussian(8, new Random(SEED));
        EigenException ex = assertThrows(EigenException.class, () -> Eigen.decomposeWith(a, 8, CPU,
                List.of(new Lying(Lie.SHIFT_A_REAL_EIGENVALUE, 1), new Lying(Lie.BREAK_PAIRS, 0))));
        assertEquals(2, ex.notes().size());
        assertTrue(ex.getMessage().contains("no eigendecomposition of the 8×8 matrix passed the checks"), ex.getMessage());
    }

    @Test
    void askingForTheGpuWithoutOneComputesOnTheCpuAndSaysSo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Eigen.gpuUnavailableReason().isPresent(), "a GPU is present");
        EigenResult e = Eigen.of(Matrices.gaussian(8, new Random(1)), 8,
                EigenOptions.builder().engine(EigenEngine.GPU).build());
        assertEquals("cpu-francis-qr", e.solver());
        assertTrue(e.notes().get(0).startsWith("GPU requested but unavailable"), e.notes().toString());
        assertFalse(e.retried());
        assertEquals(EigenEngine.CPU, Eigen.engineFor(1024, false, EigenOptions.defaults()));
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        assertMessage("square must be square [n, n], got [3, 4]", () -> Eigen.of(Tensor.zeros(3, 4)));
        assertMessage("square must be a square matrix [n, n], got rank 3", () -> Eigen.of(Tensor.zeros(2, 2, 2)));
        assertMessage("square must be a square matrix [n, n], got null", () -> Eigen.of(null));
        assertMessage("square must have n >= 1, got [0, 0]", () -> Eigen.of(Tensor.zeros(0, 0)));
        Tensor nan = Tensor.zeros(3, 3);
        nan.set(Double.NaN, 1, 2);
        assertMessage("square must be finite, got NaN at [1, 2]", () -> Eigen.of(nan));
        Tensor inf = Tensor.zeros(3, 3);
        inf.set(Double.NEGATIVE_INFINITY, 2, 0);
        assertMessage("square must be finite, got -Infinity at [2, 0]", () -> Eigen.of(inf));
        assertMessage("a must hold n·n = 9 elements for n = 3, got 8", () -> Eigen.of(new double[8], 3, CPU));
        assertMessage("n must be >= 1, got 0", () -> Eigen.of(new double[0], 0, CPU));
        assertMessage("matrices[1] must be square [n, n], got [2, 3]",
                () -> Eigen.ofBatch(List.of(Tensor.zeros(2, 2), Tensor.zeros(2, 3)), CPU));
        List<Tensor> manyBad = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // checked in parallel; the first bad one is still the one named
            manyBad.add(i % 100 == 57 ? Tensor.zeros(3, 2) : Tensor.zeros(2, 2));
        }
        assertMessage("matrices[57] must be square [n, n], got [3, 2]", () -> Eigen.ofBatch(manyBad, CPU));
        assertMessage("stacked must have shape [count, n, n], got Tensor[2, 2, 3] float32 cpu",
                () -> Eigen.ofBatch(Tensor.zeros(2, 2, 3), CPU));
        assertMessage("gpuMinOrder must be >= 1, got 0", () -> EigenOptions.builder().gpuMinOrder(0).build());
    }

    @Test
    void valuesOnlyHasNoVectors() {
        EigenResult e = Eigen.of(Tensor.of(new double[]{1, 2, 3, 4}, 2, 2));
        assertFalse(e.hasVectors());
        IllegalStateException ex = assertThrows(IllegalStateException.class, e::vectorsRe);
        assertTrue(ex.getMessage().contains("vectors(true)"));
        assertTrue(e.toString().startsWith("EigenResult(n=2, radius=5.37228"), e.toString());
        assertEquals("EigenOptions(vectors=true, engine=CPU)", EigenOptions.builder().vectors(true)
                .engine(EigenEngine.CPU).build().toString());
    }

    // ---- helpers ----

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(expected), () -> "message: " + e.getMessage());
    }

    static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    /** The documented order holds. */
    static void assertOrdered(EigenResult e) {
        for (int k = 0; k + 1 < e.n(); k++) {
            assertTrue(e.abs(k) >= e.abs(k + 1));
            if (e.abs(k) == e.abs(k + 1)) {
                assertTrue(Math.abs(e.arg(k)) <= Math.abs(e.arg(k + 1)));
            }
            if (e.im(k) > 0) {
                assertEquals(e.re(k), e.re(k + 1), 0);
                assertEquals(-e.im(k), e.im(k + 1), 0);
            }
        }
    }

    /** ‖A·V − V·Λ‖_F / ‖A‖_F of a result with vectors. */
    static double residual(double[] a, int n, EigenResult e) {
        return Invariants.residual(a, n, new RawEigen(e.re(), e.im(), e.vectorsRe(), e.vectorsIm()),
                Matrices.frobenius(a));
    }

    /**
     * A repeated complex pair keeps each pair adjacent, +Im first, with conjugate vectors: the sort's last
     * tie-break put every +Im member first (λ, λ, λ̄, λ̄), on every solver, and a dense similar matrix of two equal
     * rotations split its pairs in a tenth to a quarter of seeds.
     */
    @Test
    void aRepeatedComplexPairStaysPaired() {
        double[] twoRotations = {0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0};
        EigenResult e = Eigen.of(twoRotations, 4, EigenOptions.builder().vectors(true).build());
        assertPaired(e, "two exact rotations by π/2");
        double c = Math.cos(0.7);
        double sn = Math.sin(0.7);
        for (int n : new int[] {4, 6}) {
            double[] b = new double[n * n];
            for (int k = 0; k + 1 < n; k += 2) {   // R(0.7) twice (and a real 0.5 for n = 6)
                int at = k == 4 ? -1 : k;
                if (at < 0) {
                    b[k * n + k] = 0.5;
                    b[(k + 1) * n + k + 1] = -0.5;
                    continue;
                }
                b[at * n + at] = c;
                b[at * n + at + 1] = -sn;
                b[(at + 1) * n + at] = sn;
                b[(at + 1) * n + at + 1] = c;
            }
            for (int seed = 0; seed < 60; seed++) {
                double[] a = Matrices.similar(Matrices.orthogonal(n, new Random(seed)), b, n);
                assertPaired(Eigen.of(a, n, EigenOptions.builder().vectors(true).build()), "n " + n + " seed " + seed);
            }
        }
    }

    private static void assertPaired(EigenResult e, String what) {
        int n = e.n();
        double[] vr = e.vectorsRe();
        double[] vi = e.vectorsIm();
        for (int k = 0; k < n; k++) {
            if (e.im(k) > 0) {
                assertTrue(k + 1 < n && e.im(k + 1) < 0, what + ": λ" + k + " = " + e.re(k) + "+" + e.im(k)
                        + "i is not followed by its conjugate");
                assertEquals(e.re(k), e.re(k + 1), 1e-12, what);
                assertEquals(-e.im(k), e.im(k + 1), 1e-12, what);
                for (int i = 0; i < n; i++) {
                    assertEquals(vr[i * n + k], vr[i * n + k + 1], 1e-9, what + ": conjugate vectors, row " + i);
                    assertEquals(-vi[i * n + k], vi[i * n + k + 1], 1e-9, what + ": conjugate vectors, row " + i);
                }
                k++;
            }
        }
    }
}
