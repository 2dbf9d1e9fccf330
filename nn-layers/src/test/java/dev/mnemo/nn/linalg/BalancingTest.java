package dev.mnemo.nn.linalg;

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
}
