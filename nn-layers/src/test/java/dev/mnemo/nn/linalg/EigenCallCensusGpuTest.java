package dev.mnemo.nn.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.EmulatorCallCensus;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a warmed-up GPU eigen call asks of the driver (the emulated driver's census; skipped on a real
 * GPU): no device allocation or free per call (a {@code cuMemFree} also waits for the device), one
 * cuSOLVER call for a single matrix, one kernel launch for a batch.
 */
@Tag("gpu")
class EigenCallCensusGpuTest {
    EmulatorCallCensus census;

    @BeforeEach
    void assumeEmulator() {
        Assumptions.assumeTrue(Eigen.gpuUnavailableReason().isEmpty(), () -> Eigen.gpuUnavailableReason().orElse(""));
        census = EmulatorCallCensus.assumeOpen();
    }

    static double[] random(int n) {
        var rnd = new SplittableRandom(3);
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextDouble() - 0.5;
        }
        return a;
    }

    @Test
    void aSingleMatrixIsOneSolverCallWithoutAllocation() {
        int n = 40;
        double[] a = random(n);
        var options = EigenOptions.builder().engine(EigenEngine.GPU).build();
        Eigen.of(a, n, options);
        census.reset();
        Eigen.of(a, n, options);
        Map<String, Long> counts = census.counts();
        assertEquals(1L, counts.getOrDefault("cusolverDnXgeev", 0L), counts.toString());
        assertEquals(0L, counts.getOrDefault("cuMemAlloc_v2", 0L), counts.toString());
        assertEquals(0L, counts.getOrDefault("cuMemFree_v2", 0L), counts.toString());
    }

    @Test
    void aBatchIsOneLaunchWithoutAllocation() {
        int n = 40;
        int count = 50;
        double[] a = random(n);
        Tensor stacked = Tensor.zeros(count, n, n);
        for (int b = 0; b < count; b++) {
            for (int i = 0; i < n * n; i++) {
                stacked.setFlat((long) b * n * n + i, a[i]);
            }
        }
        var options = EigenOptions.builder().gpuMinOrder(1).build();
        Eigen.ofBatch(stacked, options);
        census.reset();
        Eigen.ofBatch(stacked, options);
        Map<String, Long> counts = census.counts();
        long launches = counts.entrySet().stream().filter(e -> e.getKey().startsWith("launch:"))
                .mapToLong(Map.Entry::getValue).sum();
        assertEquals(1L, launches, counts.toString());
        assertEquals(0L, counts.getOrDefault("cuMemAlloc_v2", 0L), counts.toString());
        assertEquals(0L, counts.getOrDefault("cuMemFree_v2", 0L), counts.toString());
    }
}
