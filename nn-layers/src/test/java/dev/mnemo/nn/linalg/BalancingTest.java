package dev.mnemo.nn.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Balancing before the general CPU solver, as LAPACK's dgeev does: a companion matrix (rows and
 * columns of very different norms) gets its roots 35× more accurately, and a matrix balanced already
 * is left as it is (its spectrum keeps its bits; docs/results/reference-crosscheck).
 */
class BalancingTest {

    /** The companion matrix of the polynomial with roots r_k·e^{±iθ_k}, k < n/2, and those roots. */
    private static double[][] companion(int n) {
        double[] poly = {1};   // highest power first
        double[] re = new double[n];
        double[] im = new double[n];
        for (int k = 0; k < n / 2; k++) {
            double r = 0.3 + 0.69 * k / (n / 2 - 1);
            double t = 0.2 + 2.5 * k / (n / 2);
            re[2 * k] = r * Math.cos(t);
            im[2 * k] = r * Math.sin(t);
            re[2 * k + 1] = re[2 * k];
            im[2 * k + 1] = -im[2 * k];
            double[] q = {1, -2 * r * Math.cos(t), r * r};
            double[] next = new double[poly.length + 2];
            for (int i = 0; i < poly.length; i++) {
                for (int j = 0; j < 3; j++) {
                    next[i + j] += poly[i] * q[j];
                }
            }
            poly = next;
        }
        double[] a = new double[n * n];
        for (int j = 0; j < n; j++) {
            a[j] = -poly[j + 1];
        }
        for (int i = 1; i < n; i++) {
            a[i * n + i - 1] = 1;
        }
        return new double[][] {a, re, im};
    }

    @Test
    void aCompanionMatrixGetsItsRootsAsAccuratelyAsLapack() {
        int n = 20;
        double[][] c = companion(n);
        double norm = Math.sqrt(java.util.Arrays.stream(c[0]).map(v -> v * v).sum());
        assertNotNull(Balancing.balancedOrNull(c[0], n), "badly scaled: balanced");
        EigenResult r = Eigen.of(c[0], n, EigenTest.CPU);
        double error = r.maxDistanceTo(c[1], c[2]) / norm;
        // EJML on the matrix as it is: 6.1e-13; balanced first: 1.8e-14 (LAPACK's dgeev: the same size)
        assertTrue(error < 1e-13, "relative error " + error);
    }

    /**
     * The reference cross-check's companion matrix {@code eig_companion_024} (numpy seed 20261128): a
     * degree-20 polynomial with a close root pair near 0.815 ± 0.118i. Balanced on off-diagonal norms
     * only, its roots came out 6.2e-10·‖A‖_F from the exact ones, 28× LAPACK's 2.2e-11; on whole
     * rows and columns, as dgebal measures them, 6.2e-11.
     */
    @Test
    void aCompanionMatrixWithAClosePairIsBalancedAsDgebalDoes() {
        double[] row = {5.608320304914117, -14.221440946186789, 20.69738747216353, -16.714921854269452,
            2.063841210626869, 13.010911657563788, -18.08956779879197, 12.848108593075573, -4.94656250284492,
            0.4173555351184116, 0.5567236780606716, -0.29648558154530114, 0.08728978746676386, -0.02985954655544272,
            0.009799127170662544, -0.0008723463378616243, -0.0004914843178788682, 0.00011977766743771976,
            1.286782374153207e-06, -1.71810342460408e-06};
        double[] re = {0.8151629934298766, 0.5876699585665669, 0.5836572258682974, -0.14180161699173227,
            0.2784388292848008, 0.8151629934298766, 0.5876699585665669, 0.5836572258682974, -0.14180161699173227,
            0.2784388292848008, 0.6010237380473875, -0.410409466602643, 0.8151107282437138, -0.11450467788683372,
            -0.9491791205604081, 0.3172644644217806, 0.30849440541187634, 0.4871376555666407, -0.18195115627108116,
            0.4890789542280658};
        double[] im = {0.11833913053480406, 0.2048481801337655, 0.6066503196473605, 0.29780540737848166,
            0.9149041124192396, -0.11833913053480406, -0.2048481801337655, -0.6066503196473605, -0.29780540737848166,
            -0.9149041124192396, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        int n = row.length;
        double[] a = new double[n * n];
        System.arraycopy(row, 0, a, 0, n);
        for (int i = 1; i < n; i++) {
            a[i * n + i - 1] = 1;
        }
        double norm = Math.sqrt(java.util.Arrays.stream(a).map(v -> v * v).sum());
        double error = Eigen.of(a, n, EigenTest.CPU).maxDistanceTo(re, im) / norm;
        assertTrue(error < 1e-10, "relative error " + error + " (LAPACK's dgeev: 2.2e-11)");
    }

    @Test
    void aMatrixBalancedAlreadyIsLeftAsItIs() {
        Random rnd = new Random(4);
        for (int n : new int[] {1, 2, 16, 64}) {
            double[] a = new double[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextGaussian();
            }
            assertNull(Balancing.balancedOrNull(a, n), "a Gaussian matrix of order " + n);
        }
        assertNull(Balancing.balancedOrNull(new double[] {1, 0, 0, 2}, 2), "diagonal: nothing to balance");
    }
    /**
     * A similarity graded from 1e−184 to 1e184 has B's eigenvalues. The scaling of a huge matrix used to put
     * its largest element at 1 and so its smallest below 2^−1074, losing B's spectrum (off by 1e159 at 10^8 a
     * row); it now scales only as far down as keeps the smallest normal ({@link Invariants#scaleExponent}),
     * and the balancing recovers B (2e−14; B's own |λ| up to 5.3).
     */
    @Test
    void aMatrixGradedOver368DecadesHasItsSimilarMatricesSpectrum() {
        int n = 24;
        double[] b = Matrices.gaussian(n, new Random(5));
        EigenResult reference = Eigen.of(b, n, EigenTest.CPU);
        for (int step : new int[] {2, 6, 8}) {
            EigenResult r = Eigen.of(Matrices.graded(b, n, step), n, EigenTest.CPU);
            double error = r.maxDistanceTo(reference);
            assertTrue(error < 1e-12, "graded by 10^" + step + " a row: off by " + error);
        }
    }

    /**
     * Rows and columns of elements near 1e−200 are balanced too: their norms' squares vanished below 1e−154
     * (and overflowed past 1e154), and balancing skipped them as zero; the norms are now scaled first, as
     * dnrm2 does.
     */
    @Test
    void tinyRowsAndColumnsAreBalanced() {
        int n = 6;
        double[] b = Matrices.gaussian(n, new Random(6));
        double[] g = Matrices.graded(b, n, 3);
        for (int i = 0; i < g.length; i++) {
            g[i] *= 1e-200;
        }
        double[] balanced = Balancing.balancedOrNull(g, n);
        assertNotNull(balanced, "graded by 10^3 a row: balanced");
        double largest = 0;
        double smallest = Double.POSITIVE_INFINITY;
        for (double v : balanced) {
            largest = Math.max(largest, Math.abs(v));
            smallest = Math.min(smallest, Math.abs(v));
        }
        // B's own elements span about 3 decades; the grading added 30 more, which the balancing takes out
        assertTrue(largest / smallest < 1e6, "balanced elements from " + smallest + " to " + largest);
    }
    /**
     * The eigenvectors of a 16×16 similarity G = D₀·B·D₀⁻¹ graded by 10 to 10⁴ a row are B's, carried back
     * (D₀⁻¹v is an eigenvector of B to rounding), as LAPACK's dgeev returns them. Computed on G itself they
     * were off by 0.37 to 0.42·‖B‖ in that sense while passing the residual check against ‖G‖; the check now
     * measures in the balanced basis and fails them.
     */
    @Test
    void eigenvectorsOfAGradedMatrixAreComputedBalanced() {
        int n = 16;
        for (int step : new int[] {1, 2, 4}) {
            double[] b = Matrices.gaussian(n, new Random(8));
            double[] g = Matrices.graded(b, n, step);
            EigenResult e = Eigen.of(g, n, EigenTest.CPU_VECTORS);
            double worst = 0;
            for (int j = 0; j < n; j++) {
                double[] wr = new double[n];
                double[] wi = new double[n];
                for (int i = 0; i < n; i++) {
                    double d = Math.pow(10, -step * i);
                    wr[i] = e.vectorsRe()[i * n + j] * d;
                    wi[i] = e.vectorsIm()[i * n + j] * d;
                }
                double num = 0;
                double den = 0;
                for (int i = 0; i < n; i++) {
                    double sr = -(e.re(j) * wr[i] - e.im(j) * wi[i]);
                    double si = -(e.re(j) * wi[i] + e.im(j) * wr[i]);
                    for (int k = 0; k < n; k++) {
                        sr += b[i * n + k] * wr[k];
                        si += b[i * n + k] * wi[k];
                    }
                    num += sr * sr + si * si;
                    den += wr[i] * wr[i] + wi[i] * wi[i];
                }
                worst = Math.max(worst, Math.sqrt(num / den) / Matrices.frobenius(b));
            }
            assertTrue(worst < 1e-12, "graded by 10^" + step + ": residual in B's basis " + worst);

            // the vectors of G itself, unbalanced, fail the check
            double[][] unbalanced = InverseIteration.eigenvectors(g, n, e.re(), e.im());
            EigenChecks c = Invariants.check(new RawEigen(e.re(), e.im(), unbalanced[0], unbalanced[1]),
                    Invariants.Facts.of(g, n), 0x1p-53, g, true);
            assertTrue(!c.passed() && c.failure().contains("(A balanced"), "graded by 10^" + step + ": " + c.failure());
        }
    }

    @Test
    void isolatedEigenvaluesAreNotScaled() {
        // upper triangular, graded: every eigenvalue is isolated. Scaled anyway, the vector of 1e-8 came back
        // off by 6e-9 (v = D·w built from w's tiny components); LAPACK's dgeev, which isolates first, by 2e-16
        double[] a = {1, 1, 1, 0, 1e-4, 1, 0, 0, 1e-8};
        assertArrayEquals(new boolean[] {false, false, false}, Isolation.of(a, 3).active());
        assertNull(Balancing.balance(a, 3), "nothing left to scale");
        EigenResult r = Eigen.of(a, 3, EigenTest.CPU.toBuilder().vectors(true).build());
        double residual = Invariants.residual(a, 3, new RawEigen(r.re(), r.im(), r.vectorsRe(), r.vectorsIm()),
                Matrices.frobenius(a));
        assertTrue(residual < 1e-15, "‖AV − VΛ‖/‖A‖ = " + residual);
    }

    @Test
    void onlyTheIndicesLeftAreScaled() {
        // index 0's row is zero off the diagonal and index 3's column is: their eigenvalues (5 and 7) are
        // isolated; the graded 2×2 block of indices 1 and 2 is still balanced
        double[] a = {
                5, 0, 0, 0,
                3, 1, 1e6, 0,
                4, 1e-6, 1, 0,
                0, 2, 8, 7};
        Isolation isolation = Isolation.of(a, 4);
        assertArrayEquals(new boolean[] {false, true, true, false}, isolation.active());
        assertArrayEquals(new int[] {3, 1, 2, 0}, isolation.order(), "by column first, by row last");
        Balancing.Balanced b = Balancing.balance(a, 4);
        assertNotNull(b, "the graded block is scaled");
        assertEquals(0, b.exponent()[0]);
        assertEquals(0, b.exponent()[3]);
        assertTrue(Math.abs(b.exponent()[1] - b.exponent()[2]) >= 16, java.util.Arrays.toString(b.exponent()));
        // in the isolated order the scaled matrix is block upper triangular: 7 and 5 deflate exactly (in A's
        // order the scaled coupling made 7 come back as 7 + 2e-8)
        EigenResult r = Eigen.of(a, 4, EigenTest.CPU);
        assertEquals(0, r.maxDistanceTo(new double[] {7, 5, 2, 0}, new double[4]), 1e-14);
        EigenResult v = Eigen.of(a, 4, EigenTest.CPU.toBuilder().vectors(true).build());
        double residual = Invariants.residual(a, 4, new RawEigen(v.re(), v.im(), v.vectorsRe(), v.vectorsIm()),
                Matrices.frobenius(a));
        assertTrue(residual < 1e-15, "‖AV − VΛ‖/‖A‖ = " + residual);
    }

    @Test
    void aDenseMatrixHasNothingIsolated() {
        double[] a = new double[36];
        Random random = new Random(3);
        for (int k = 0; k < a.length; k++) {
            a[k] = random.nextGaussian();
        }
        boolean[] all = new boolean[6];
        java.util.Arrays.fill(all, true);
        assertArrayEquals(all, Isolation.of(a, 6).active());
    }
}
