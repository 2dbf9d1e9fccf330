package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.cuda.PersistentPolicy.Mode;
import org.junit.jupiter.api.Test;

/** The persistent-vs-per-step choice on an H100's numbers, and its override: no GPU needed. */
class PersistentPolicyTest {
    static final DeviceLimits H100 = new DeviceLimits(132, 227 * 1024, true);
    static final DeviceLimits NO_COOP = new DeviceLimits(132, 227 * 1024, false);
    /** An H100's numbers with its compute capability: clusters available. */
    static final DeviceLimits H100_CC = new DeviceLimits(132, 232448, true, 9, 0);
    /** An A100's: compute capability 8.0, cooperative grid kernels only. */
    static final DeviceLimits A100 = new DeviceLimits(108, 166912, true, 8, 0);

    @Test
    void autoTakesThePersistentPathForSmallBatchesThatFit() {
        var p = new PersistentPolicy(Mode.AUTO, H100);
        var c = p.choose(Cell.LSTM, 1000, 1, 256);
        assertTrue(c.persistent(), c.toString());
        assertEquals(2, c.plan().unitsPerBlock());
        assertEquals(128, c.plan().grid());
        assertTrue(p.choose(Cell.GRU, 1, 8, 1024).persistent(), "T = 1 and H = 1024, B = 8 fit");
        assertTrue(p.choose(Cell.RNN_RELU, 5, 32, 37).persistent());
    }

    /**
     * The grid kernel's barrier counts (T − 1)·grid arrivals (T·grid backward) in 32 bits: a sequence long enough
     * to pass it is not a grid plan. auto picked one at T = 40,000,000 on 108 blocks, and the launch refused it.
     */
    @Test
    void aSequenceThatPassesTheGridBarrierCounterIsNotAGridPlan() {
        var p = new PersistentPolicy(Mode.AUTO, A100);
        var fits = p.choose(Cell.RNN_TANH, 39_000_000L, 1, 108);
        assertTrue(fits.persistent(), fits.toString());
        var tooLong = p.choose(Cell.RNN_TANH, 40_000_000L, 1, 108);
        assertFalse(tooLong.persistent(), tooLong.toString());
        assertTrue(tooLong.reason().contains("passes the grid barrier's 32-bit counter"), tooLong.reason());
        assertFalse(p.chooseBackward(Cell.LSTM, 40_000_000L, 1, 108).persistent());
        var e = assertThrows(IllegalStateException.class,
                () -> new PersistentPolicy(Mode.PERSISTENT, A100).choose(Cell.RNN_TANH, 40_000_000L, 1, 108));
        assertTrue(e.getMessage().contains("32-bit counter"), e.getMessage());
    }

    @Test
    void autoKeepsThePerStepPathForLargeBatchesOrWhatDoesNotFit() {
        var p = new PersistentPolicy(Mode.AUTO, H100);
        var big = p.choose(Cell.LSTM, 784, PersistentPolicy.AUTO_MAX_BATCH + 1, 128);
        assertFalse(big.persistent());
        assertNull(big.plan());
        assertTrue(big.reason().contains("batch"), big.reason());
        var wide = p.choose(Cell.LSTM, 100, 8, 2048);
        assertFalse(wide.persistent());
        assertTrue(wide.reason().contains("shared memory"), wide.reason());
        assertFalse(new PersistentPolicy(Mode.AUTO, NO_COOP).choose(Cell.GRU, 10, 1, 64).persistent());
    }

    @Test
    void autoRunsNarrowLayersOnTheClusterKernelAtAnyBatch() {
        var p = new PersistentPolicy(Mode.AUTO, H100_CC);
        var pixel = p.choose(Cell.LSTM, 784, 128, PersistentPolicy.AUTO_CLUSTER_MAX_HIDDEN);
        assertTrue(pixel.persistent() && pixel.cluster(), pixel.toString());
        assertTrue(pixel.reason().contains("hidden 128 <= 128"), pixel.reason());
        var wider = p.choose(Cell.LSTM, 100, 64, PersistentPolicy.AUTO_CLUSTER_MAX_HIDDEN + 1);
        assertFalse(wider.persistent(), wider.toString());
        assertTrue(wider.reason().contains("hidden 129 > 128"), wider.reason());
        // without clusters (an A100) the grid kernel is not taken past the batch limit
        assertFalse(new PersistentPolicy(Mode.AUTO, A100).choose(Cell.LSTM, 784, 128, 128).persistent());
    }

    @Test
    void autoRunsAWiderLayerOnTheClusterKernelWhenEachClusterHoldsOneRow() {
        var p = new PersistentPolicy(Mode.AUTO, H100_CC);
        // RNN H = 256 at B = 64 (the anchors' small): 64 clusters of 2 blocks, one row each
        var rnn = p.choose(Cell.RNN_TANH, 100, 64, 256);
        assertTrue(rnn.persistent() && rnn.cluster(), rnn.toString());
        assertEquals(1, rnn.clusterPlan().rowsPerCluster());
        assertTrue(rnn.reason().contains("one batch row per cluster"), rnn.reason());
        assertTrue(p.chooseBackward(Cell.RNN_TANH, 100, 64, 256).cluster());
        // LSTM at the same shape: 16 clusters of 8 blocks, 4 rows each, stays per-step
        var lstm = p.choose(Cell.LSTM, 100, 64, 256);
        assertFalse(lstm.persistent(), lstm.toString());
        assertTrue(lstm.reason().contains("4 batch rows per cluster"), lstm.reason());
        // past 66 rows the RNN's two-block clusters hold two rows each
        assertFalse(p.choose(Cell.RNN_TANH, 100, 67, 256).persistent());
    }

    @Test
    void overridesForceEitherPath() {
        assertFalse(new PersistentPolicy(Mode.PER_STEP, H100).choose(Cell.LSTM, 1000, 1, 256).persistent());
        var forced = new PersistentPolicy(Mode.PERSISTENT, H100).choose(Cell.LSTM, 784, 128, 128);
        assertTrue(forced.persistent(), "persistent ignores the auto batch limit");
        var e = assertThrows(IllegalStateException.class,
                () -> new PersistentPolicy(Mode.PERSISTENT, NO_COOP).choose(Cell.LSTM, 10, 1, 64));
        assertTrue(e.getMessage().contains("cooperative"), e.getMessage());
    }

    @Test
    void modesParseFromTheProperty() {
        assertEquals(Mode.AUTO, Mode.parse("auto"));
        assertEquals(Mode.PERSISTENT, Mode.parse(" Persistent "));
        assertEquals(Mode.PER_STEP, Mode.parse("per-step"));
        assertEquals("per-step", Mode.PER_STEP.toString());
        assertThrows(IllegalArgumentException.class, () -> Mode.parse("fast"));
        SystemProperty.run(PersistentPolicy.PROPERTY, null, () -> {
            assertEquals(PersistentPolicy.DEFAULT, Mode.configured());
            assertEquals(Mode.AUTO, PersistentPolicy.DEFAULT, "auto since the kernels' GPU run");
            System.setProperty(PersistentPolicy.PROPERTY, "auto");
            assertEquals(Mode.AUTO, Mode.configured());
            System.setProperty(PersistentPolicy.PROPERTY, "per-step");
            assertEquals(Mode.PER_STEP, Mode.configured());
        });
    }

    @Test
    void describeNamesModeDeviceAndAnExample() {
        String d = new PersistentPolicy(Mode.AUTO, H100).describe();
        assertTrue(d.contains("auto") && d.contains("132 SMs") && d.contains("227 KiB") && d.contains("persistent"), d);
        String n = new PersistentPolicy(Mode.PERSISTENT, NO_COOP).describe();
        assertTrue(n.contains("unavailable"), n);
    }

    @Test
    void everyBackendCellHasAKernelCell() {
        assertEquals(Cell.RNN_TANH, PersistentPolicy.cellOf(Backend.RecurrentCell.RNN_TANH));
        assertEquals(Cell.RNN_RELU, PersistentPolicy.cellOf(Backend.RecurrentCell.RNN_RELU));
        assertEquals(Cell.LSTM, PersistentPolicy.cellOf(Backend.RecurrentCell.LSTM));
        assertEquals(Cell.GRU, PersistentPolicy.cellOf(Backend.RecurrentCell.GRU));
    }

    @Test
    void theBackwardHasItsOwnSharedMemoryLimit() {
        var p = new PersistentPolicy(Mode.AUTO, H100);
        assertTrue(p.chooseBackward(Cell.LSTM, 1000, 1, 256).persistent());
        assertTrue(p.choose(Cell.LSTM, 12, 8, 1024).persistent());
        var bwd = p.chooseBackward(Cell.LSTM, 12, 8, 1024);
        assertFalse(bwd.persistent(), "a step of dRh (8·4·1024 floats) on top of the W_hh columns does not fit");
        var e = assertThrows(IllegalStateException.class,
                () -> new PersistentPolicy(Mode.PERSISTENT, H100).chooseBackward(Cell.LSTM, 12, 8, 1024));
        assertTrue(e.getMessage().contains("backward"), e.getMessage());
        assertFalse(new PersistentPolicy(Mode.PER_STEP, H100).chooseBackward(Cell.GRU, 10, 1, 64).persistent());
    }

    @Test
    void onHopperAutoPrefersTheClusterVariant() {
        var p = new PersistentPolicy(Mode.AUTO, H100_CC);
        var c = p.choose(Cell.LSTM, 1000, 8, 256);
        assertEquals(PersistentPolicy.Path.CLUSTER, c.path(), c.toString());
        assertTrue(c.persistent() && c.cluster());
        assertNull(c.plan());
        // S = 8: the only balanced portable size whose W_hh slice fits (S = 4 would hold 4·64·256 floats);
        // B = 8 over 132 / 8 SMs' worth
        assertEquals(8, c.clusterPlan().clusterSize());
        assertEquals(32, c.unitsPerBlock());
        assertEquals(8, c.clusterPlan().clusters());
        assertEquals(1, c.clusterPlan().rowsPerCluster());
        assertEquals(4 * (4 * 32 * 256 + 2 * 256 + 4 * 32), c.clusterPlan().sharedMemoryBytes());
        assertTrue(c.toString().startsWith("persistent-cluster (") && c.toString().contains("8 clusters × 8 blocks"),
                c.toString());
        var b = p.chooseBackward(Cell.GRU, 10, 5, 37);
        assertEquals(PersistentPolicy.Path.CLUSTER, b.path(), b.toString());
        assertEquals(5, b.clusterPlan().clusters(), "B = 5 runs as 5 independent clusters");
    }

    @Test
    void onHopperWhatNoClusterHoldsFallsBackToTheGridVariant() {
        var p = new PersistentPolicy(Mode.AUTO, H100_CC);
        // one W_hh copy per cluster of <= 16 blocks: LSTM H = 1024 needs 1 MiB per block; the grid spreads it over 128
        var c = p.choose(Cell.LSTM, 12, 8, 1024);
        assertEquals(PersistentPolicy.Path.GRID, c.path(), c.toString());
        assertEquals(8, c.unitsPerBlock());
        assertTrue(c.toString().startsWith("persistent ("), c.toString());
        var none = p.choose(Cell.LSTM, 12, 8, 4096);
        assertFalse(none.persistent());
        assertTrue(none.reason().contains("cluster: ") && none.reason().contains("grid: "), none.reason());
    }

    @Test
    void aClusterTheDeviceCannotHoldGivesWayToASmallerOneThenToTheGridKernel() {
        // GRU B = 1, H = 256: the rule's S 8; on a device whose GPCs hold 4 SMs, S 4; with no cluster at all
        // the grid kernel, and under variant=cluster persistent an error that says why
        var h100 = new PersistentPolicy(Mode.AUTO, H100_CC);
        assertEquals(8, h100.choose(Cell.GRU, 100, 1, 256).clusterPlan().clusterSize());
        var fourSms = h100.fitting(plan -> plan.clusterSize() <= 4).choose(Cell.GRU, 100, 1, 256);
        assertEquals(PersistentPolicy.Path.CLUSTER, fourSms.path(), fourSms.toString());
        assertEquals(4, fourSms.clusterPlan().clusterSize());
        var none = h100.fitting(plan -> false);
        var grid = none.choose(Cell.GRU, 100, 1, 256);
        assertEquals(PersistentPolicy.Path.GRID, grid.path(), grid.toString());
        assertEquals(PersistentPolicy.Path.GRID, none.chooseBackward(Cell.GRU, 100, 1, 256).path());
        var e = assertThrows(IllegalStateException.class, () -> new PersistentPolicy(Mode.PERSISTENT,
                PersistentVariant.CLUSTER, H100_CC).fitting(plan -> false).choose(Cell.GRU, 100, 1, 256));
        assertTrue(e.getMessage().contains("cuOccupancyMaxActiveClusters"), e.getMessage());
        // mode and variant stay those of the policy it came from; describe's example follows the fit
        assertEquals(Mode.AUTO, none.mode());
        assertEquals(PersistentVariant.AUTO, none.variant());
        assertTrue(none.describe().contains("(e.g. LSTM B=1 H=256: persistent ("), none.describe());
        assertTrue(h100.describe().contains("(e.g. LSTM B=1 H=256: persistent-cluster ("), h100.describe());
    }

    @Test
    void onAnA100OnlyTheGridVariantRuns() {
        var c = new PersistentPolicy(Mode.AUTO, A100).choose(Cell.GRU, 100, 1, 256);
        assertEquals(PersistentPolicy.Path.GRID, c.path(), c.toString());
        assertNull(c.clusterPlan());
        var forced = new PersistentPolicy(Mode.AUTO, PersistentVariant.CLUSTER, A100).choose(Cell.GRU, 100, 1, 256);
        assertFalse(forced.persistent());
        assertTrue(forced.reason().contains(PersistentVariant.PROPERTY + "=cluster") && forced.reason().contains("8.0"),
                forced.reason());
        var e = assertThrows(IllegalStateException.class, () -> new PersistentPolicy(Mode.PERSISTENT,
                PersistentVariant.CLUSTER, A100).choose(Cell.GRU, 100, 1, 256));
        assertTrue(e.getMessage().contains("compute capability 8.0 < 9.0"), e.getMessage());
    }

    @Test
    void theVariantPropertyForcesEitherKernel() {
        var grid = new PersistentPolicy(Mode.PERSISTENT, PersistentVariant.GRID, H100_CC).choose(Cell.LSTM, 10, 1, 256);
        assertEquals(PersistentPolicy.Path.GRID, grid.path(), grid.toString());
        assertTrue(grid.reason().contains(PersistentVariant.PROPERTY + "=grid"), grid.reason());
        var cluster = new PersistentPolicy(Mode.PERSISTENT, PersistentVariant.CLUSTER, H100_CC)
                .chooseBackward(Cell.LSTM, 10, 1, 256);
        assertEquals(PersistentPolicy.Path.CLUSTER, cluster.path(), cluster.toString());
        assertTrue(cluster.clusterPlan().backward());
        var e = assertThrows(IllegalStateException.class, () -> new PersistentPolicy(Mode.PERSISTENT,
                PersistentVariant.CLUSTER, H100_CC).choose(Cell.LSTM, 10, 8, 1024));
        assertTrue(e.getMessage().contains("shared memory"), e.getMessage());
        assertEquals(PersistentVariant.AUTO, PersistentVariant.parse(" Auto"));
        assertEquals(PersistentVariant.CLUSTER, PersistentVariant.parse("cluster"));
        assertEquals(PersistentVariant.GRID, PersistentVariant.parse("GRID"));
        var bad = assertThrows(IllegalArgumentException.class, () -> PersistentVariant.parse("fastest"));
        assertTrue(bad.getMessage().contains(PersistentVariant.PROPERTY), bad.getMessage());
        SystemProperty.run(PersistentVariant.PROPERTY, null, () -> {
            assertEquals(PersistentVariant.AUTO, PersistentVariant.configured());
            System.setProperty(PersistentVariant.PROPERTY, "grid");
            assertEquals(PersistentVariant.GRID, PersistentVariant.configured());
        });
    }

    @Test
    void describeNamesTheVariantsAndTheClusterGeometry() {
        String d = new PersistentPolicy(Mode.AUTO, H100_CC).describe();
        assertTrue(d.contains("variant auto") && d.contains("compute capability 9.0")
                && d.contains("cluster kernels available") && d.contains("persistent-cluster LSTM"), d);
        String a = new PersistentPolicy(Mode.AUTO, A100).describe();
        assertTrue(a.contains("cluster kernels unavailable") && a.contains("persistent (auto"), a);
    }
}
