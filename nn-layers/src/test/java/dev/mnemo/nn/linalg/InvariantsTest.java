package dev.mnemo.nn.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The conjugate-pair check: the O(n) matching of adjacent (Im &gt; 0, Im &lt; 0) pairs, and the full
 * matching it falls back to when the pairs are not adjacent or do not match.
 */
class InvariantsTest {
    static final double FLOAT64_U = 0x1p-53;

    @Test
    void adjacentPairsAreMatchedInOrder() {
        assertEquals(0, Invariants.adjacentConjugateDistance(new double[] {1, 2, 2, 3}, new double[] {0, 1, -1, 0}));
        assertEquals(0.1, Invariants.adjacentConjugateDistance(new double[] {2, 2}, new double[] {1, -1.1}), 1e-12);
        assertEquals(0, Invariants.adjacentConjugateDistance(new double[] {5, 6}, new double[] {0, 0}));
        assertTrue(Double.isNaN(Invariants.adjacentConjugateDistance(new double[] {2, 2}, new double[] {-1, 1})),
                "a pair must start with Im > 0");
        assertTrue(Double.isNaN(Invariants.adjacentConjugateDistance(new double[] {2, 3, 2}, new double[] {1, 0, -1})),
                "a real eigenvalue between partners");
        assertTrue(Double.isNaN(Invariants.adjacentConjugateDistance(new double[] {2}, new double[] {1})));
    }

    @Test
    void aRightSpectrumPassesWhetherOrNotItsPairsAreAdjacent() {
        int n = 16;
        double[] a = Matrices.gaussian(n, new Random(3));
        EigenResult right = Eigen.of(a, n, EigenTest.CPU);
        var facts = Invariants.Facts.of(a, n);
        EigenChecks adjacent = Invariants.check(RawEigen.values(right.re(), right.im()), facts, FLOAT64_U, a, false);
        assertTrue(adjacent.passed(), adjacent.failure());
        // every Im < 0 moved to the end: no adjacent pairs, so the full matching decides
        double[] re = new double[n];
        double[] im = new double[n];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                if ((right.im(i) < 0) == (pass == 1)) {
                    re[k] = right.re(i);
                    im[k++] = right.im(i);
                }
            }
        }
        assertTrue(Double.isNaN(Invariants.adjacentConjugateDistance(re, im)), "the test needs complex pairs");
        EigenChecks split = Invariants.check(RawEigen.values(re, im), facts, FLOAT64_U, a, false);
        assertTrue(split.passed(), split.failure());
        assertEquals(adjacent.conjugateError(), split.conjugateError(), 1e-12);
    }

    @Test
    void aPartnerThatIsNotTheConjugateFails() {
        int n = 16;
        double[] a = Matrices.gaussian(n, new Random(3));
        EigenResult right = Eigen.of(a, n, EigenTest.CPU);
        double[] re = right.re().clone();
        double[] im = right.im().clone();
        int second = -1;
        for (int i = 0; i < n && second < 0; i++) {
            if (im[i] < 0) {
                second = i;
            }
        }
        im[second] -= 0.3;
        EigenChecks c = Invariants.check(RawEigen.values(re, im), Invariants.Facts.of(a, n), FLOAT64_U, a, false);
        assertFalse(c.passed());
        assertTrue(c.failure().startsWith("conjugate pairs do not match"), c.failure());
    }

    @Test
    void factsAreTheTraceTheTraceOfTheSquareAndTheFrobeniusNorm() {
        // A = [[1, 2, 0], [3, 4, -1], [0, 5, 2]]: A² has diagonal 7, 17, −1
        double[] a = {1, 2, 0, 3, 4, -1, 0, 5, 2};
        var f = Invariants.Facts.of(a, 3);
        assertEquals(7, f.trace(), 0);
        assertEquals(23, f.traceOfSquare(), 0);
        assertEquals(Math.sqrt(60), f.frobenius(), 1e-15);
        var one = Invariants.Facts.of(new double[] {-2}, 1);
        assertEquals(-2, one.trace(), 0);
        assertEquals(4, one.traceOfSquare(), 0);
        assertEquals(2, one.frobenius(), 0);
    }

    @Test
    void factsOfLargeMatricesCoverEveryTilePair() {
        // n = 300: partial edge tiles and the parallel rows of tiles. With integer entries every sum
        // is exact, and tr A² = ±‖A‖²_F for a symmetric / skew-symmetric A only if each a_ij·a_ji of
        // every off-diagonal tile pair is counted exactly once per (i, j).
        int n = 300;
        double[] sym = new double[n * n];
        double[] skew = new double[n * n];
        long squares = 0;
        long skewSquares = 0;
        long trace = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                int v = (i * 7 + j * 13) % 11 - 5;
                sym[i * n + j] = v;
                sym[j * n + i] = v;
                squares += (i == j ? 1 : 2) * (long) v * v;
                if (i == j) {
                    trace += v;
                } else {
                    skew[i * n + j] = v;
                    skew[j * n + i] = -v;
                    skewSquares += 2L * v * v;
                }
            }
        }
        var s = Invariants.Facts.of(sym, n);
        assertEquals(trace, s.trace(), 0);
        assertEquals(squares, s.traceOfSquare(), 0);
        assertEquals(Math.sqrt(squares), s.frobenius(), 1e-12);
        var k = Invariants.Facts.of(skew, n);
        assertEquals(0, k.trace(), 0);
        assertEquals(-skewSquares, k.traceOfSquare(), 0);
        assertEquals(Math.sqrt(skewSquares), k.frobenius(), 1e-12);
    }

    /**
     * Matrices of order 1e155 and 1e-160 (float64): their squares overflow or vanish, so unscaled
     * checks had an infinite or zero tolerance and refused every spectrum. Checked on A / 2^k, the
     * spectrum passes first time, and the reported errors are in A's units.
     */
    @Test
    void hugeAndTinyMatricesPassTheirChecksFirstTime() {
        int n = 12;
        double[] base = Matrices.gaussian(n, new Random(5));
        EigenResult reference = Eigen.of(base, n, EigenTest.CPU_VECTORS);
        for (double factor : new double[] {1e155, 1e-160, 1e300, 0x1p-1050}) {
            double[] a = base.clone();
            for (int i = 0; i < a.length; i++) {
                a[i] *= factor;
            }
            EigenResult r = Eigen.of(a, n, EigenTest.CPU_VECTORS);
            assertFalse(r.retried(), () -> factor + ": " + r.notes());
            assertTrue(r.checks().residualChecked());
            // a subnormal input keeps only the bits above 2^-1074: its spectrum moves by some of those steps
            double tol = Math.max(1e-9, 64 * Double.MIN_VALUE / factor) * reference.spectralRadius();
            for (int k = 0; k < n; k++) {
                assertEquals(reference.re(k), r.re(k) / factor, tol);
                assertEquals(reference.im(k), r.im(k) / factor, tol);
            }
            double tolerance = r.checks().traceTolerance();   // in A's units: below 2^-1074 for the subnormal one
            assertTrue(factor < Double.MIN_NORMAL || tolerance > 1e-14 * factor && tolerance < 1e-10 * factor,
                    () -> factor + ": " + tolerance);
        }
        // the batched call scales each matrix as a single call does: none needs a retry
        double[][] batch = {base.clone(), base.clone(), base.clone()};
        for (int i = 0; i < batch[1].length; i++) {
            batch[1][i] *= 1e200;
            batch[2][i] *= 0x1p-1040;
        }
        List<EigenResult> results = Eigen.decomposeBatch(batch, new int[] {n, n, n}, EigenTest.CPU);
        double[] factors = {1, 1e200, 0x1p-1040};
        for (int m = 0; m < 3; m++) {
            EigenResult r = results.get(m);
            assertFalse(r.retried(), r.notes()::toString);
            double tol = Math.max(1e-9, 64 * Double.MIN_VALUE / factors[m]) * reference.spectralRadius();
            for (int k = 0; k < n; k++) {
                assertEquals(reference.re(k), r.re(k) / factors[m], tol);
            }
        }
    }

    /**
     * Within dgeev's range nothing is scaled, as in LAPACK; outside it, by the largest element's exponent, or,
     * for a huge matrix, less where its smallest element would otherwise leave the normal range.
     */
    @Test
    void onlyMatricesOutsideLapacksRangeAreScaled() {
        assertEquals(0, Invariants.scaleExponent(new double[] {1e130, 0, 0, 1e-300}, 2));
        assertEquals(514, Invariants.scaleExponent(new double[] {1e155}, 1), "1e155 is in [2^514, 2^515)");
        assertEquals(-1050, Invariants.scaleExponent(new double[] {0x1.8p-1050}, 1), "a subnormal's own exponent");
        // a huge matrix whose smallest element would leave the normal range: scaled down less
        assertEquals(411, Invariants.scaleExponent(new double[] {0x1p611, 0, 0, 0x1p-611}, 2),
                "the smallest at 2^-1022, the largest at 2^200");
        assertEquals(153, Invariants.scaleExponent(new double[] {0x1p611, 0, 0, 0x1p-900}, 2),
                "at least into dgeev's range: the largest at 2^458");
        // for float32 solvers, sgeev's range 2^±39 and float's normal floor 2^-126
        assertEquals(0, Invariants.scaleExponent(new double[] {1e11}, 1, EigenPrecision.FLOAT32));
        assertEquals(66, Invariants.scaleExponent(new double[] {1e20}, 1, EigenPrecision.FLOAT32), "1e20 in [2^66, 2^67)");
        assertEquals(0, Invariants.scaleExponent(new double[] {1e20}, 1, EigenPrecision.FLOAT64));
        assertEquals(-67, Invariants.scaleExponent(new double[] {1e-20}, 1, EigenPrecision.FLOAT32));
        assertEquals(26, Invariants.scaleExponent(new double[] {0x1p65, 0, 0, 0x1p-100}, 2, EigenPrecision.FLOAT32),
                "the smallest kept at 2^-126, the largest then at 2^39");
    }

    /** A wrong spectrum of a huge matrix still fails, and the message says in which units. */
    @Test
    void aWrongSpectrumOfAHugeMatrixFails() {
        int n = 8;
        double[] a = Matrices.gaussian(n, new Random(9));
        EigenResult right = Eigen.of(a, n, EigenTest.CPU);
        double[] re = right.re().clone();
        re[0] += 1e-3 * right.spectralRadius();
        for (int i = 0; i < a.length; i++) {
            a[i] *= 1e200;
        }
        for (int k = 0; k < n; k++) {
            re[k] *= 1e200;
        }
        double[] im = right.im().clone();
        for (int k = 0; k < n; k++) {
            im[k] *= 1e200;
        }
        EigenChecks c = Invariants.check(RawEigen.values(re, im), Invariants.Facts.of(a, n), FLOAT64_U, a, false);
        assertFalse(c.passed());
        assertTrue(c.failure().startsWith("trace check") && c.failure().contains("checked on A·2^-"), c.failure());
        assertTrue(c.traceError() > 1e190 && Double.isFinite(c.traceError()), () -> "" + c.traceError());
    }

    /**
     * The greedy match pairs closest points first at any scale: its sort key was a float, so beyond
     * float's range every distance tied and points were paired in index order (2e200 reported for
     * spectra 1e187 apart).
     */
    @Test
    void spectraOfHugeAndTinyMatricesMatchAtTheirOwnScale() {
        for (double s : new double[] {1, 1e200, 1e-200}) {
            double[] re = {s, 3 * s};
            double[] other = {3.0000000000001 * s, 1.0000000000001 * s};   // the other order
            double d = SpectrumMatch.maxDistance(re, new double[2], other, new double[2]);
            assertEquals(1e-13 * s, d, 1e-15 * s, "scale " + s);
            EigenResult r = Eigen.of(new double[] {s, 0, 0, 3 * s}, 2, EigenTest.CPU);
            assertEquals(1e-13 * s, r.maxDistanceTo(other, new double[2]), 1e-15 * s, "scale " + s);
        }
    }
    /**
     * A wrong spectrum of a badly scaled matrix fails: two eigenvalues of a 16×16 similarity graded by 10 a
     * row moved by ±1e6 (the trace kept but for rounding) pass every check against ‖A‖_F ≈ 1e15 (trace
     * tolerance 0.03, tr² 3e16, norm bound 1e15), and fail against the balanced ‖D⁻¹AD‖_F, the scale of the
     * spectrum (trace tolerance 1e−13).
     */
    @Test
    void aWrongSpectrumOfABadlyScaledMatrixFailsAgainstItsBalancedNorm() {
        int n = 16;
        double[] a = Matrices.graded(Matrices.gaussian(n, new Random(11)), n, 1);
        EigenResult right = Eigen.of(a, n, EigenTest.CPU);
        var facts = Invariants.Facts.of(a, n);
        assertTrue(facts.spectralScale() < 1e-10 * facts.frobenius(),
                facts.spectralScale() + " against ‖A‖_F " + facts.frobenius());
        assertTrue(Invariants.check(RawEigen.values(right.re(), right.im()), facts, FLOAT64_U, a, false).passed());
        double[] re = right.re().clone();
        double[] im = right.im();
        int first = -1;
        int second = -1;
        for (int k = 0; k < n; k++) {   // two real eigenvalues
            if (im[k] == 0) {
                if (first < 0) {
                    first = k;
                } else if (second < 0) {
                    second = k;
                }
            }
        }
        re[first] += 1e6;
        re[second] -= 1e6;
        EigenChecks c = Invariants.check(RawEigen.values(re, im), facts, FLOAT64_U, a, false);
        assertFalse(c.passed());
        assertTrue(c.traceTolerance() < 1e-10, "tolerance " + c.traceTolerance());
    }
}
