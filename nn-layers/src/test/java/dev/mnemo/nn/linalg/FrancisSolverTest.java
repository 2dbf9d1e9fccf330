package dev.mnemo.nn.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Mnemo's values-only Francis QR ({@link FrancisSolver}) against spectra known by construction and against EJML. */
class FrancisSolverTest {

    private static final long SEED = 20261128L;

    private static double distance(RawEigen got, double[] re, double[] im) {
        return SpectrumMatch.maxDistance(got.re(), got.im(), re, im);
    }

    /** Eigenvalues of Q·B·Qᵀ for rotation-scaling blocks: complex pairs and one real value, n = 1 … 256. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 17, 64, 128, 256})
    void aKnownSpectrumIsFoundToRoundoff(int n) {
        Matrices.Known k = Matrices.rotationBlocks(n, new Random(SEED + n));
        RawEigen e = FrancisSolver.INSTANCE.solve(k.a().clone(), n, false);
        double tol = 1e-13 * Math.max(1, Matrices.frobenius(k.a())) * Math.sqrt(n);
        assertTrue(distance(e, k.re(), k.im()) < tol, () -> "n = " + n + ": " + distance(e, k.re(), k.im()));
        for (int i = 0; i < n; i++) {
            if (e.im()[i] > 0) {
                // a pair is stored adjacent, positive imaginary part first, exactly conjugate
                assertEquals(e.re()[i], e.re()[i + 1], 0.0);
                assertEquals(-e.im()[i], e.im()[i + 1], 0.0);
            }
        }
    }

    @Test
    void itLeavesItsInputAlone() {
        double[] a = Matrices.gaussian(20, new Random(SEED));
        double[] copy = a.clone();
        FrancisSolver.INSTANCE.solve(a, 20, false);
        assertEquals(java.util.Arrays.toString(copy), java.util.Arrays.toString(a));
    }

    /** Random Gaussian matrices of many orders (row strides with and without padding): EJML's answer within roundoff. */
    @Test
    void itAgreesWithEjmlOnRandomMatrices() {
        Random r = new Random(SEED + 1);
        for (int n : new int[] {2, 3, 6, 9, 16, 31, 64, 100, 127, 128, 129, 200}) {
            double[] a = Matrices.gaussian(n, r);
            RawEigen ours = FrancisSolver.INSTANCE.solve(a, n, false);
            RawEigen ejml = EjmlSolver.GENERAL.solve(a, n, false);
            double d = SpectrumMatch.maxDistance(ours.re(), ours.im(), ejml.re(), ejml.im());
            assertTrue(d < 1e-11, "n = " + n + ": " + d);
        }
    }

    /**
     * The cyclic shift has every eigenvalue on the unit circle at equal spacing: the standard shifts
     * make no progress on it, and only the exceptional shifts after 10 and 20 idle sweeps get QR going.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 4, 8, 16, 33})
    void theCyclicShiftConvergesThroughExceptionalShifts(int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + (i + 1) % n] = 1.0;
        }
        double[] re = new double[n];
        double[] im = new double[n];
        for (int k = 0; k < n; k++) {
            re[k] = Math.cos(2 * Math.PI * k / n);
            im[k] = Math.sin(2 * Math.PI * k / n);
        }
        RawEigen e = FrancisSolver.INSTANCE.solve(a, n, false);
        assertTrue(distance(e, re, im) < 1e-13 * n, () -> "n = " + n + ": " + distance(e, re, im));
    }

    /** Triangular, diagonal, zero and already split matrices: the diagonal, exactly. */
    @Test
    void reducedMatricesGiveTheirDiagonal() {
        int n = 12;
        Random r = new Random(SEED + 2);
        double[] upper = new double[n * n];
        double[] lower = new double[n * n];
        double[] diag = new double[n];
        for (int i = 0; i < n; i++) {
            diag[i] = r.nextGaussian();
            for (int j = i; j < n; j++) {
                upper[i * n + j] = j == i ? diag[i] : r.nextGaussian();
                lower[j * n + i] = j == i ? diag[i] : r.nextGaussian();
            }
        }
        double[] zeroIm = new double[n];
        assertEquals(0.0, distance(FrancisSolver.INSTANCE.solve(upper, n, false), diag, zeroIm), 0.0);
        double ours = distance(FrancisSolver.INSTANCE.solve(lower, n, false), diag, zeroIm);
        double ejml = distance(EjmlSolver.GENERAL.solve(lower, n, false), diag, zeroIm);
        assertTrue(ours < 1e-12 && ours < 10 * Math.max(ejml, 1e-15), ours + " (EJML: " + ejml + ")");   // non-normal: not exact
        assertEquals(0.0, distance(FrancisSolver.INSTANCE.solve(new double[n * n], n, false), new double[n], zeroIm));
    }

    /** A Jordan block of size 3 at 0.5 in a random basis: within u^(1/3) of 0.5, as LAPACK is. */
    @Test
    void aDefectiveEigenvalueIsAsCloseAsConditioningAllows() {
        int n = 3;
        double[] j = {0.5, 1, 0, 0, 0.5, 1, 0, 0, 0.5};
        double[] q = Matrices.orthogonal(n, new Random(SEED + 3));
        RawEigen e = FrancisSolver.INSTANCE.solve(Matrices.similar(q, j, n), n, false);
        for (int i = 0; i < n; i++) {
            assertTrue(Math.hypot(e.re()[i] - 0.5, e.im()[i]) < 1e-4, e.re()[i] + " + " + e.im()[i] + "i");
        }
    }

    /** dlanv2's cases on 2×2 blocks: each against the exact pair. */
    @Test
    void twoByTwoBlocksGiveTheExactPair() {
        assertPair(new double[] {2, 5, 0, 3}, 2, 0, 3, 0);                 // already upper triangular
        assertPair(new double[] {2, 0, 7, 3}, 3, 0, 2, 0);                 // lower triangular
        assertPair(new double[] {1, 4, -1, 1}, 1, 2, 1, -2);               // equal diagonal, opposite signs: 1 ± 2i
        assertPair(new double[] {0, 1, -1, 0}, 0, 1, 0, -1);               // rotation by 90°
        assertPair(new double[] {4, 1, 2, 3}, 5, 0, 2, 0);                 // real, distinct
        assertPair(new double[] {1, 1e-20, 1e-20, 1}, 1 + 1e-20, 0, 1 - 1e-20, 0);   // nearly equal reals
        double big = 1e200;
        assertPair(new double[] {big, -2 * big, big, big}, big, Math.sqrt(2) * big, big, -Math.sqrt(2) * big);
        double tiny = 1e-200;
        assertPair(new double[] {tiny, -2 * tiny, tiny, tiny}, tiny, Math.sqrt(2) * tiny, tiny, -Math.sqrt(2) * tiny);
        // complex after the rotation that equalizes the diagonal: trace 3, det 2.5 → 1.5 ± 0.5i
        assertPair(new double[] {2, -1, 0.5, 1}, 1.5, 0.5, 1.5, -0.5);
    }

    private static void assertPair(double[] m, double re1, double im1, double re2, double im2) {
        double[] re = new double[2];
        double[] im = new double[2];
        FrancisDoubleShift.twoByTwo(m[0], m[1], m[2], m[3], re, im, 0);
        double scale = Math.max(Math.hypot(re1, im1), Math.hypot(re2, im2));
        double d = SpectrumMatch.maxDistance(re, im, new double[] {re1, re2}, new double[] {im1, im2});
        assertTrue(d <= 4 * 0x1p-52 * scale, () -> java.util.Arrays.toString(m) + " gave " + re[0] + " + " + im[0]
                + "i, " + re[1] + " + " + im[1] + "i (distance " + d + ")");
        assertTrue(im[0] >= 0 && im[0] == -im[1], "positive imaginary part first, exact conjugates");
    }

    /** The ladder takes it first for general matrices on the CPU, EJML behind it, and its answer passes the checks. */
    @Test
    void eigenOfUsesItOnTheCpuWithEjmlBehindIt() {
        double[] a = Matrices.gaussian(40, new Random(SEED + 4));
        EigenOptions cpu = EigenOptions.builder().engine(EigenEngine.CPU).build();
        EigenResult e = Eigen.of(a, 40, cpu);
        assertEquals("cpu-francis-qr", e.solver());
        assertTrue(e.notes().isEmpty(), e.notes().toString());
        assertEquals(java.util.List.of("cpu-francis-qr", "cpu-ejml", "cpu-ejml-transposed"),
                Eigen.plan(40, false, false, cpu, new java.util.ArrayList<>()).stream()
                        .map(at -> at.solver().label()).toList());
        assertEquals(java.util.List.of("cpu-ejml-symmetric", "cpu-francis-qr", "cpu-ejml", "cpu-ejml-transposed"),
                Eigen.plan(40, true, false, cpu, new java.util.ArrayList<>()).stream()
                        .map(at -> at.solver().label()).toList());
    }
}
