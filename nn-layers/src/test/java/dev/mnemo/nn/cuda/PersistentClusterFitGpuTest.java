package dev.mnemo.nn.cuda;

import static dev.mnemo.nn.Backend.RecurrentCell.GRU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code mnemo.recurrent.path=auto} on a part whose GPCs cannot hold the cluster the plan's arithmetic
 * picks: the CUDA backend asks the driver first, so the layer runs on a cluster that fits, or on another
 * path, and matches the float64 CPU reference instead of failing at launch. Needs the emulated driver's
 * GPC model (a real GPU's GPCs are what they are), and compute capability 9.0.
 */
@Tag("gpu")
class PersistentClusterFitGpuTest {
    // Shapes no other test uses: the backend asks the driver once per kernel, shared memory and cluster
    // size and keeps the answer, so a shape that ran before with roomy GPCs would keep its yes.
    static final int STEPS = 6;
    static final int BATCH = 1;

    @Test
    void aRefusedClusterGivesWayToAnotherClusterThatRuns() {
        // GRU H = 224: the rules take 8 blocks of 75 KiB, two an SM; on three SMs a GPC those find no
        // room, and the rules then take 3 blocks of 199 KiB, one an SM
        onGpcsOf(3, 224, (gpu, forward) -> {
            assertEquals(PersistentPolicy.Path.CLUSTER, forward.path(), forward.toString());
            assertTrue(forward.clusterPlan().clusterSize() != 8, forward.toString());
        });
    }

    @Test
    void autoTakesAnotherPathWhereNoGpcHoldsThePlannedCluster() {
        // GRU H = 232: on two SMs a GPC no cluster of it finds room (8 blocks of 81 KiB need 4 SMs, 4 of
        // 161 KiB 4), so the grid kernel runs both ways
        int hidden = 232;
        onGpcsOf(2, hidden, (gpu, forward) -> {
            assertEquals(PersistentPolicy.Path.GRID, forward.path(), forward.toString());
            var backward = PersistentRecurrentGpuTest.withPath("auto", "auto",
                    () -> gpu.recurrentBackwardPath(GRU, STEPS, BATCH, hidden));
            assertEquals(PersistentPolicy.Path.GRID, backward.path(), backward.toString());
            // forced onto the cluster kernel, the same device says why it cannot
            var e = assertThrows(IllegalStateException.class,
                    () -> PersistentRecurrentGpuTest.withPath("persistent", "cluster",
                            () -> gpu.recurrentPath(GRU, STEPS, BATCH, hidden)));
            assertTrue(e.getMessage().contains("cuOccupancyMaxActiveClusters"), e.getMessage());
        });
    }

    /**
     * A GRU of width {@code hidden} whose plan's arithmetic takes an 8-block cluster, on GPCs of
     * {@code sms} SMs: {@code check} sees the forward's choice under {@code auto}, then forward and every
     * gradient are compared with the float64 CPU reference there; the GPCs are roomy again afterwards.
     */
    private static void onGpcsOf(int sms, int hidden, BiConsumer<CudaBackend, PersistentPolicy.Choice> check) {
        CudaAssume.clusters();
        var gpcs = EmulatorGpcs.open();
        Assumptions.assumeTrue(gpcs.isPresent(), "needs the emulated driver's GPC model (mnemo_emu_set_gpc_sms)");
        CudaBackend gpu = CudaBackend.float32();
        var limits = DeviceLimits.of(CudaDevice.query(gpu.runtimeForTests().ordinal()));
        var arithmetic = new PersistentPolicy(PersistentPolicy.Mode.AUTO, limits).choose(Cell.GRU, STEPS, BATCH, hidden);
        assertEquals(PersistentPolicy.Path.CLUSTER, arithmetic.path(), arithmetic.toString());
        assertEquals(8, arithmetic.clusterPlan().clusterSize(), arithmetic.toString());
        gpcs.get().smsPerGpc(sms);
        try {
            check.accept(gpu, PersistentRecurrentGpuTest.withPath("auto", "auto",
                    () -> gpu.recurrentPath(GRU, STEPS, BATCH, hidden)));
            PersistentRecurrentGpuTest.withPath("auto", "auto", () -> {
                RecurrentCudaGpuTest.compare(gpu, Kind.GRU, STEPS, BATCH, 3, hidden, true, 1, false, false, true,
                        0.0, 1e-5, 2.0);
                return null;
            });
        } finally {
            gpcs.get().smsPerGpc(0);
        }
    }
}
