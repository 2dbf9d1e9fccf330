package dev.mnemo.nn.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Eigen#ofBatch} through the batched on-chip kernel ({@code gpu-batched-hqr}) against EJML
 * (float64) on the same matrices: random, complex pairs of known spectrum, defective, companion.
 * Skipped, with the reason, where no GPU with Mnemo's kernels answers.
 */
@Tag("gpu")
class EigenBatchedGpuTest {

    static final long SEED = Long.getLong("mnemo.test.seed", 20261128L);
    static final EigenOptions CPU = EigenOptions.builder().engine(EigenEngine.CPU).build();

    @BeforeEach
    void assumeGpu() {
        Assumptions.assumeTrue(GpuBatchedSolver.unavailableReason().isEmpty(),
                () -> GpuBatchedSolver.unavailableReason().orElse(""));
    }

    static EigenOptions gpu(EigenPrecision p) {
        return EigenOptions.builder().engine(EigenEngine.GPU).precision(p).build();
    }

    static double tolerance(EigenPrecision p, double[] a) {
        return (p == EigenPrecision.FLOAT32 ? 1e-3 : 1e-9) * Matrices.frobenius(a);
    }

    static int[] orders(int count, int n) {
        int[] ns = new int[count];
        java.util.Arrays.fill(ns, n);
        return ns;
    }

    /** Every result from the kernel (no retry), and within tolerance of EJML's. */
    static void assertAgreesWithEjml(double[][] as, int n, EigenPrecision p) {
        List<EigenResult> gpu = Eigen.decomposeBatch(as, orders(as.length, n), gpu(p));
        for (int i = 0; i < as.length; i++) {
            EigenResult g = gpu.get(i);
            assertEquals("gpu-batched-hqr", g.solver(), "matrix " + i + ": " + g.notes());
            assertEquals(p, g.precision());
            assertTrue(g.notes().isEmpty(), g.notes().toString());
            double d = g.maxDistanceTo(Eigen.of(as[i], n, CPU));
            int at = i;
            assertTrue(d < tolerance(p, as[i]), () -> p + " matrix " + at + ": distance " + d);
        }
    }

    @ParameterizedTest
    @CsvSource({"1000, 16, FLOAT32", "1000, 16, FLOAT64", "50, 64, FLOAT32", "50, 64, FLOAT64", "200, 3, FLOAT32",
            "100, 33, FLOAT64", "40, 1, FLOAT32"})
    void randomBatchesAgreeWithEjml(int count, int n, EigenPrecision p) {
        Random r = new Random(SEED + n);
        double[][] as = new double[count][];
        for (int i = 0; i < count; i++) {
            as[i] = Matrices.gaussian(n, r);
        }
        assertAgreesWithEjml(as, n, p);
    }

    @ParameterizedTest
    @EnumSource(EigenPrecision.class)
    void complexPairsOfKnownSpectrum(EigenPrecision p) {
        Random r = new Random(SEED * 3);
        int n = 24;
        double[][] as = new double[64][];
        Matrices.Known[] known = new Matrices.Known[as.length];
        for (int i = 0; i < as.length; i++) {
            known[i] = Matrices.rotationBlocks(n, r);
            as[i] = known[i].a();
        }
        List<EigenResult> gpu = Eigen.decomposeBatch(as, orders(as.length, n), gpu(p));
        for (int i = 0; i < as.length; i++) {
            assertEquals("gpu-batched-hqr", gpu.get(i).solver());
            assertTrue(gpu.get(i).maxDistanceTo(known[i].re(), known[i].im()) < tolerance(p, as[i]));
        }
    }

    @ParameterizedTest
    @EnumSource(EigenPrecision.class)
    void defectiveAndCompanionMatrices(EigenPrecision p) {
        int n = 6;
        double[] jordan = new double[n * n]; // J6(0.5): one eigenvalue, one eigenvector
        for (int i = 0; i < n; i++) {
            jordan[i * n + i] = 0.5;
            if (i + 1 < n) {
                jordan[i * n + i + 1] = 1;
            }
        }
        double[] hidden = Matrices.similar(Matrices.orthogonal(n, new Random(SEED)), jordan, n);
        // x⁶ − 1: the sixth roots of unity
        double[] companion = new double[n * n];
        companion[n - 1] = 1;
        for (int i = 1; i < n; i++) {
            companion[i * n + i - 1] = 1;
        }
        double[][] as = new double[40][];
        for (int i = 0; i < as.length; i++) {
            as[i] = i % 2 == 0 ? hidden : companion;
        }
        List<EigenResult> gpu = Eigen.decomposeBatch(as, orders(as.length, n), gpu(p));
        double u = p.unitRoundoff();
        for (int i = 0; i < as.length; i++) {
            EigenResult e = gpu.get(i);
            assertEquals("gpu-batched-hqr", e.solver(), e.notes().toString());
            double[] re = e.re();
            double[] im = e.im();
            for (int k = 0; k < n; k++) {
                if (i % 2 == 0) { // a defective eigenvalue is perturbed by about (u·‖A‖)^(1/6)
                    assertTrue(Math.hypot(re[k] - 0.5, im[k]) < 8 * Math.pow(u * 3, 1.0 / n), "λ = " + re[k]);
                } else {
                    assertEquals(1, Math.hypot(re[k], im[k]), 1e3 * u);
                }
            }
        }
    }
    /**
     * Similarities graded by 10^step a row (16×16: elements from 10^−15·step to 10^15·step) are balanced before
     * the kernel, as the CPU solvers and dgeev balance: the kernel's values are the balanced CPU solver's.
     * Unbalanced they came back off by 1e6 (float64, step 1) to 1e47 (step 4) times the spectral radius,
     * passing every check measured against ‖A‖_F (the checks now measure against the balanced norm).
     */
    @ParameterizedTest
    @CsvSource({"1, FLOAT32", "1, FLOAT64", "4, FLOAT32", "4, FLOAT64"})
    void gradedMatricesAreBalancedForTheKernel(int step, EigenPrecision p) {
        int n = 16;
        Random r = new Random(SEED + 7 * step);
        double[][] as = new double[8][];
        for (int k = 0; k < as.length; k++) {
            as[k] = Matrices.graded(Matrices.gaussian(n, r), n, step);
        }
        List<EigenResult> gpu = Eigen.decomposeBatch(as, orders(as.length, n), gpu(p));
        for (int k = 0; k < as.length; k++) {
            EigenResult g = gpu.get(k);
            assertEquals("gpu-batched-hqr", g.solver(), "matrix " + k + ": " + g.notes());
            EigenResult c = Eigen.of(as[k], n, CPU);
            double d = g.maxDistanceTo(c) / c.spectralRadius();
            assertTrue(d < (p == EigenPrecision.FLOAT32 ? 1e-4 : 1e-12), p + " matrix " + k + ": relative distance " + d);
        }
    }
    /**
     * A batch with symmetric matrices among the rest (an IRNN's identity, a zero block): those take the symmetric
     * solvers and the rest the kernel, in input order. Before, one symmetric matrix sent the whole batch the
     * one-matrix way.
     */
    @ParameterizedTest
    @EnumSource(EigenPrecision.class)
    void symmetricMatricesLeaveTheKernelAndTheRestStay(EigenPrecision p) {
        int n = 16;
        Random r = new Random(SEED * 5);
        double[][] as = new double[40][];
        for (int i = 0; i < as.length; i++) {
            as[i] = Matrices.gaussian(n, r);
        }
        double[] identity = new double[n * n];
        for (int i = 0; i < n; i++) {
            identity[i * n + i] = 1;
        }
        as[3] = identity;
        as[17] = new double[n * n];
        List<EigenResult> results = Eigen.decomposeBatch(as, orders(as.length, n), gpu(p));
        for (int i = 0; i < as.length; i++) {
            EigenResult e = results.get(i);
            assertTrue(e.notes().isEmpty(), "matrix " + i + ": " + e.notes());
            if (i == 3 || i == 17) {
                assertTrue(e.symmetric(), "matrix " + i + " took " + e.solver());
            } else {
                assertEquals("gpu-batched-hqr", e.solver(), "matrix " + i);
            }
            double d = e.maxDistanceTo(Eigen.of(as[i], n, CPU));
            assertTrue(d < tolerance(p, as[i]) + 1e-12, p + " matrix " + i + ": distance " + d);
        }
    }
    /**
     * float32 batches of matrices of order 1e±20 and 1e±40 go through the kernel at the first attempt: scaled
     * into sgeev's range 2^±39 first. Unscaled, the squares of order 1e20 overflowed in the kernel (NaN, then a
     * retry alone), and elements of order 1e40 rounded to ∞.
     */
    @ParameterizedTest
    @CsvSource({"1e20", "1e40", "1e-20", "1e-40"})
    void float32BatchesOfHugeOrTinyMatricesAreScaledIntoFloatRange(double scale) {
        int n = 16;
        Random r = new Random(SEED + 13);
        double[][] as = new double[40][];
        for (int k = 0; k < as.length; k++) {
            as[k] = Matrices.gaussian(n, r);
            for (int i = 0; i < as[k].length; i++) {
                as[k][i] *= scale;
            }
        }
        List<EigenResult> gpu = Eigen.decomposeBatch(as, orders(as.length, n), gpu(EigenPrecision.FLOAT32));
        for (int k = 0; k < as.length; k++) {
            EigenResult g = gpu.get(k);
            assertEquals("gpu-batched-hqr", g.solver(), "matrix " + k + ": " + g.notes());
            EigenResult c = Eigen.of(as[k], n, CPU);
            double d = g.maxDistanceTo(c) / c.spectralRadius();
            assertTrue(d < 1e-4, "matrix " + k + ": relative distance " + d);
        }
    }
}
