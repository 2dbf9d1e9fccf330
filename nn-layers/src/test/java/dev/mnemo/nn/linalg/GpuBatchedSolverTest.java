package dev.mnemo.nn.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** When {@link Eigen#ofBatch} picks the batched GPU kernel by default: the rules that need no GPU. */
class GpuBatchedSolverTest {

    static double[][] batch(int count, int n) {
        Random r = new Random(7);
        double[][] as = new double[count][];
        for (int i = 0; i < count; i++) {
            as[i] = Matrices.gaussian(n, r);
        }
        return as;
    }

    static int[] orders(int count, int n) {
        int[] ns = new int[count];
        java.util.Arrays.fill(ns, n);
        return ns;
    }

    @Test
    void neverOnTheCpuEngineNorWithVectors() {
        EigenOptions cpu = EigenOptions.builder().engine(EigenEngine.CPU).build();
        assertNull(GpuBatchedSolver.defaultFor(cpu, batch(100, 16), orders(100, 16)));
        EigenOptions vectors = EigenOptions.builder().engine(EigenEngine.GPU).vectors(true).build();
        assertNull(GpuBatchedSolver.defaultFor(vectors, batch(100, 16), orders(100, 16)));
    }

    @Test
    void autoNeedsABigEnoughBatchOfOneOrderUpTo64() {
        EigenOptions gpu = EigenOptions.builder().engine(EigenEngine.GPU).build();
        EigenOptions auto = EigenOptions.defaults();
        int few = GpuBatchedSolver.MIN_BATCH - 1;
        assertNull(GpuBatchedSolver.defaultFor(auto, batch(few, 8), orders(few, 8)));
        assertNull(GpuBatchedSolver.defaultFor(gpu, batch(40, 65), orders(40, 65)));
        int[] mixed = orders(40, 8);
        double[][] as = batch(40, 8);
        as[3] = Matrices.gaussian(9, new Random(3));
        mixed[3] = 9;
        assertNull(GpuBatchedSolver.defaultFor(gpu, as, mixed));
        // a symmetric matrix stays out of the kernel's share, not the batch out of the kernel
        double[][] withSymmetric = batch(40, 2);
        withSymmetric[5] = new double[] {1, 2, 2, 1};
        int[] share = GpuBatchedSolver.kernelShare(gpu, withSymmetric, orders(40, 2));
        assertEquals(39, share.length);
        assertTrue(java.util.stream.IntStream.of(share).noneMatch(i -> i == 5));
        assertEquals(40, GpuBatchedSolver.kernelShare(gpu.toBuilder().detectSymmetric(false).build(), withSymmetric,
                orders(40, 2)).length);
        // AUTO counts only the share: 32 matrices of which one is symmetric are too few
        double[][] auto32 = batch(GpuBatchedSolver.MIN_BATCH, 2);
        auto32[0] = new double[] {1, 2, 2, 1};
        assertNull(GpuBatchedSolver.defaultFor(auto, auto32, orders(GpuBatchedSolver.MIN_BATCH, 2)));
        // where every rule is met, only a missing GPU or kernel build stands in the way
        GpuBatchedSolver s = GpuBatchedSolver.defaultFor(gpu, batch(40, 16), orders(40, 16));
        assertEquals(GpuBatchedSolver.unavailableReason().isEmpty(), s != null);
    }

    @Test
    void supportsValuesOnlyUpToOrder64AndRefusesVectors() {
        GpuBatchedSolver s = new GpuBatchedSolver(EigenPrecision.FLOAT32);
        EigenOptions values = EigenOptions.defaults();
        assertTrue(!s.supports(65, 10, values) && !s.supports(0, 10, values) && !s.supports(16, 0, values));
        assertTrue(!s.supports(16, 10, values.toBuilder().vectors(true).build()));
        assertEquals(GpuBatchedSolver.unavailableReason().isEmpty(), s.supports(16, 10, values));
        assertThrows(IllegalArgumentException.class, () -> s.solve(new double[4], 2, 1, true));
    }

    @Test
    void withoutAGpuTheBatchRunsOnTheCpu() {
        org.junit.jupiter.api.Assumptions.assumeTrue(GpuBatchedSolver.unavailableReason().isPresent(),
                "a GPU is present: EigenBatchedGpuTest covers this machine");
        double[][] as = batch(40, 6);
        for (EigenResult e : Eigen.decomposeBatch(as, orders(40, 6), EigenOptions.defaults())) {
            assertEquals("cpu-francis-qr", e.solver());
        }
    }

    /**
     * The eigen knobs are read as every Mnemo knob: a bad value is refused naming the property (they were read by
     * Integer.getInteger: " 2" or "abc" silently meant the default, −5 let AUTO send a batch of 1 to the kernel).
     */
    @Test
    void theEigenKnobsRefuseBadValuesByName() {
        assertEquals(2, dev.mnemo.nn.SystemProperty.with(GpuBatchedSolver.MIN_BATCH_PROPERTY, " 2",
                GpuBatchedSolver::minBatch));
        var e = assertThrows(IllegalArgumentException.class, () -> dev.mnemo.nn.SystemProperty.run(
                GpuBatchedSolver.MIN_BATCH_PROPERTY, "-5", GpuBatchedSolver::minBatch));
        assertEquals("-Dmnemo.eigen.gpuMinBatch must be an integer >= 1, got '-5'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> dev.mnemo.nn.SystemProperty.run(
                "mnemo.eigen.gpuMinOrder", "0", EigenOptions::defaults));
        assertEquals("-Dmnemo.eigen.gpuMinOrder must be an integer >= 1, got '0'", e.getMessage());
        assertEquals(64, dev.mnemo.nn.SystemProperty.with("mnemo.eigen.gpuMinOrderSymmetric", " 64",
                () -> EigenOptions.defaults().gpuMinOrderSymmetric()));
    }
}
