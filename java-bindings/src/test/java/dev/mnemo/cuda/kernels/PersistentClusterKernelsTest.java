package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.PersistentKernels.BwdParams;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentKernels.FwdParams;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cluster variants' plan, launch geometry, struct and validation, against a recording target. */
class PersistentClusterKernelsTest {
    static final DeviceLimits H100 = new DeviceLimits(132, 232448, true, 9, 0);
    static final DeviceLimits A100 = new DeviceLimits(108, 166912, true, 8, 0);

    /** Records what the launcher asks of the device; reports {@code fit} clusters. */
    static final class Recorder implements ClusterTarget, CooperativeTarget {
        final List<String> calls = new ArrayList<>();
        int fit = 1;
        LaunchGeometry geometry;
        int clusterSize;
        MemorySegment params;
        Object[] arguments;

        @Override
        public void allowDynamicSharedMemory(KernelSignature kernel, int sharedBytes) {
            calls.add("allow " + sharedBytes);
        }

        @Override
        public void allowNonPortableClusterSize(KernelSignature kernel) {
            calls.add("non-portable " + kernel.name());
        }

        @Override
        public int maxActiveClusters(KernelSignature kernel, LaunchGeometry geometry, int clusterSize) {
            calls.add("clusters " + kernel.name() + " " + geometry.sharedMemBytes() + " " + clusterSize);
            return fit;
        }

        @Override
        public void launchCluster(KernelSignature kernel, LaunchGeometry geometry, int clusterSize, Object... arguments) {
            calls.add("launch " + kernel.name());
            this.geometry = geometry;
            this.clusterSize = clusterSize;
            this.params = ((MemorySegment) arguments[0]).asReadOnly();
            this.arguments = arguments.clone();
        }

        @Override
        public int maxActiveBlocksPerMultiprocessor(KernelSignature kernel, int blockThreads, int sharedBytes) {
            throw new AssertionError("the cluster path asks no cooperative occupancy");
        }

        @Override
        public void zeroWords(long address, long count) {
            throw new AssertionError("the cluster path has no barrier words");
        }

        @Override
        public void launchCooperative(KernelSignature kernel, LaunchGeometry geometry, Object... arguments) {
            throw new AssertionError("the cluster path is not cooperative");
        }

        @Override
        public void launchPlain(KernelSignature kernel, LaunchGeometry geometry, Object... arguments) {
            throw new AssertionError("the cluster path launches clusters");
        }
    }

    final Recorder target = new Recorder();
    final PersistentKernels persistent = new PersistentKernels(target, target, H100);
    final PersistentClusterKernels kernels = persistent.cluster();

    static FwdParams lstm(long t, long b, long h, int units) {
        long g = 4 * h;
        var at = (java.util.function.BiFunction<Integer, Long, FakeMemory>) (slot, floats) ->
                new FakeMemory(0x1000_0000L + slot * 0x100_0000L, floats * Float.BYTES);
        return new FwdParams(at.apply(0, t * b * g), at.apply(1, g * h), at.apply(2, g), at.apply(3, g),
                at.apply(4, b * h), at.apply(5, b * h), at.apply(6, t * b * h), at.apply(7, t * b * h), null, null,
                t, b, h, units, false, true);
    }

    @ParameterizedTest(name = "{0} B={1} H={2} backward={3}")
    @CsvSource({
            // cell, B, H, backward, S, J, clusters, Bc, shared bytes (numbers from an independent script of the rule)
            "LSTM, 8, 256, false, 8, 32, 8, 1, 133632",
            "LSTM, 8, 256, true, 8, 32, 8, 1, 139648",
            "LSTM, 1, 256, false, 8, 32, 1, 1, 133632",
            "GRU, 5, 37, false, 1, 37, 5, 1, 17168",
            "GRU, 5, 37, true, 1, 37, 5, 1, 17760",
            "RNN_TANH, 5, 255, false, 5, 51, 5, 1, 54264",
            "RNN_RELU, 1, 1, true, 1, 1, 1, 1, 24",
            // row slice: 256 of GRU's 384 rows (LSTM's 512) in registers, 4·(128·128 + 2·2·128 + 2·384)
            "GRU, 200, 128, false, 1, 128, 100, 2, 70656",
            "GRU, 200, 128, true, 1, 128, 100, 2, 205824",
            // pixel MNIST's LSTM would fit one block a batch row, 4·(256·128 + 2·128 + 512), with 256
            // of its rows in shared memory; its forward takes two-block clusters of two rows instead,
            // the 256-row slice wholly in registers: 4·(0 + 2·2·128 + 2·256); GRU's 4·(2·2·128 + 2·192)
            "LSTM, 128, 128, false, 2, 64, 64, 2, 4096",
            "GRU, 128, 128, false, 2, 64, 64, 2, 3584",
            // at B = 64 two-block clusters hold one row each already: the least work of one row
            "LSTM, 64, 128, false, 2, 64, 64, 1, 2048",
            // its backward splits the slice (columns past 256 shared): one block a batch row too,
            // 4·(128·(512 − 256) + 2·512 + 3·128 + 256); GRU's 4·(128·(384 − 256) + 2·384 + 3·128 + 256)
            "LSTM, 128, 128, true, 1, 128, 128, 1, 137728",
            "GRU, 128, 128, true, 1, 128, 128, 1, 71168",
            "RNN_TANH, 1, 256, false, 4, 64, 1, 1, 67840",
            "GRU, 1, 256, true, 8, 32, 1, 1, 104832",
            "RNN_TANH, 300, 64, false, 1, 64, 100, 3, 18688"})
    void planFollowsTheDocumentedRuleAndTheHeaderFormulas(Cell cell, long b, long h, boolean backward, int size,
                                                          int units, int clusters, int rows, int smem) {
        var outcome = backward ? PersistentClusterPlan.planBackward(cell, b, h, H100)
                : PersistentClusterPlan.plan(cell, b, h, H100);
        assertTrue(outcome.feasible(), outcome::reason);
        var plan = outcome.plan();
        assertEquals(size, plan.clusterSize());
        assertEquals(units, plan.unitsPerBlock());
        assertEquals(clusters, plan.clusters());
        assertEquals(rows, plan.rowsPerCluster());
        assertEquals(smem, plan.sharedMemoryBytes());
        assertEquals(smem, backward ? PersistentClusterPlan.backwardSharedMemoryBytes(cell, units, rows, h)
                : PersistentClusterPlan.sharedMemoryBytes(cell, units, rows, h));
        assertEquals(new LaunchGeometry(clusters * size, 1, 1, 256, 1, 1, smem), plan.geometry());
        assertTrue(plan.toString().contains(clusters + (clusters == 1 ? " cluster × " : " clusters × ") + size
                + " blocks × " + units + " units"), plan::toString);
    }

    @Test
    void theRowSliceKeepsOnlyTheRowsPastTheThreadsInSharedMemory() {
        // MNEMO_PERSISTENT_CLUSTER_ROW_SLICE: LSTM / GRU, H a multiple of 4 up to 128, 129..512 rows
        assertTrue(PersistentClusterPlan.rowSlice(Cell.LSTM, 128, 128));     // 512 rows
        assertTrue(PersistentClusterPlan.rowSlice(Cell.GRU, 43, 44));        // 129 rows
        assertFalse(PersistentClusterPlan.rowSlice(Cell.LSTM, 32, 128));     // 128 rows
        assertFalse(PersistentClusterPlan.rowSlice(Cell.LSTM, 129, 129));    // 516 rows, H not a multiple of 4
        assertFalse(PersistentClusterPlan.rowSlice(Cell.GRU, 64, 132));      // H past 128
        assertFalse(PersistentClusterPlan.rowSlice(Cell.RNN_TANH, 128, 128)); // one gate: never
        // rows past 256 only, and none for 129..256 rows; the tiled launch holds the whole slice
        assertEquals(4L * (256 * 128 + 2 * 128 + 512), PersistentClusterPlan.sharedMemoryBytes(Cell.LSTM, 128, 1, 128));
        assertEquals(4L * (2 * 2 * 64 + 2 * 192), PersistentClusterPlan.sharedMemoryBytes(Cell.GRU, 64, 2, 64));
        assertEquals(4L * (512 * 128 + 2 * 128 + 512), PersistentClusterPlan.tiledSharedMemoryBytes(Cell.LSTM, 128, 1,
                128));
        assertEquals(PersistentClusterPlan.tiledSharedMemoryBytes(Cell.LSTM, 16, 8, 256),
                PersistentClusterPlan.sharedMemoryBytes(Cell.LSTM, 16, 8, 256));
    }

    @Test
    void theBackwardSplitKeepsOnlyTheColumnsPast256InSharedMemory() {
        // MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT: one batch row, J <= 128, 257..512 columns G·H, a multiple of 4
        assertTrue(PersistentClusterPlan.backwardSplit(Cell.LSTM, 128, 1, 128));      // 512 columns
        assertTrue(PersistentClusterPlan.backwardSplit(Cell.RNN_TANH, 100, 1, 300));  // 300 columns
        assertFalse(PersistentClusterPlan.backwardSplit(Cell.LSTM, 128, 2, 128));     // two batch rows
        assertFalse(PersistentClusterPlan.backwardSplit(Cell.LSTM, 129, 1, 128));     // more rows than a half-block
        assertFalse(PersistentClusterPlan.backwardSplit(Cell.GRU, 32, 1, 256));       // 768 columns
        assertFalse(PersistentClusterPlan.backwardSplit(Cell.RNN_TANH, 64, 1, 256));  // 256: the register slice's
        assertFalse(PersistentClusterPlan.backwardSplit(Cell.RNN_TANH, 100, 1, 301)); // not a multiple of 4
        assertEquals(4L * (128 * 256 + 2 * 512 + 3 * 128 + 256),
                PersistentClusterPlan.backwardSharedMemoryBytes(Cell.LSTM, 128, 1, 128));
        assertEquals(4L * (512 * 128 + 2 * 512 + 3 * 128),
                PersistentClusterPlan.backwardTiledSharedMemoryBytes(Cell.LSTM, 128, 1, 128));
        assertEquals(PersistentClusterPlan.backwardTiledSharedMemoryBytes(Cell.LSTM, 64, 2, 128),
                PersistentClusterPlan.backwardSharedMemoryBytes(Cell.LSTM, 64, 2, 128));
    }

    @Test
    void headerExampleFormula() {
        // the header's example: LSTM H = 256, B = 8, S = 16, J = 16, one cluster: (4·16·256 + 2·8·256 + 8·4·16)·4
        assertEquals((4 * 16 * 256 + 2 * 8 * 256 + 8 * 4 * 16) * 4,
                PersistentClusterPlan.sharedMemoryBytes(Cell.LSTM, 16, 8, 256));
        assertEquals(4L * (4 * 16 * 256 + 2 * 8 * 4 * 256 + 3 * 8 * 16),
                PersistentClusterPlan.backwardSharedMemoryBytes(Cell.LSTM, 16, 8, 256));
    }

    @Test
    void aFixedClusterSizeTakesExactlyThatSizeOrSaysWhyNot() {
        // pixel MNIST's LSTM (B = 128, H = 128): the rule takes 2 blocks (the row slice of 256 rows
        // wholly in registers), a fixed S = 1 one (half of its 512 rows in registers), S = 4 four
        var rule = PersistentClusterPlan.plan(Cell.LSTM, 128, 128, H100).plan();
        assertEquals(2, rule.clusterSize());
        var oneBlock = PersistentClusterPlan.plan(false, Cell.LSTM, 128, 128, H100, PersistentWeights.FP32, 1).plan();
        assertEquals(1, oneBlock.clusterSize());
        assertEquals(1, oneBlock.rowsPerCluster());
        assertEquals(4L * (256 * 128 + 2 * 128 + 512), oneBlock.sharedMemoryBytes());
        var four = PersistentClusterPlan.plan(false, Cell.LSTM, 128, 128, H100, PersistentWeights.FP32, 4);
        assertTrue(four.feasible(), four::reason);
        assertEquals(4, four.plan().clusterSize());
        assertEquals(32, four.plan().unitsPerBlock());
        assertEquals(PersistentClusterPlan.clustersFor(4, 128, 132), four.plan().clusters());
        assertEquals(rule, PersistentClusterPlan.plan(false, Cell.LSTM, 128, 128, H100, PersistentWeights.FP32,
                PersistentClusterPlan.AUTO_SIZE).plan());
        var backward = PersistentClusterPlan.plan(true, Cell.GRU, 1, 256, H100, PersistentWeights.FP32, 4);
        assertEquals(4, backward.plan().clusterSize());
        assertTrue(backward.plan().backward());
        // H = 10 over 4 blocks: J = 3 fills only 4 blocks, so S = 4 exists; S = 6 (J = 2) fills 5
        assertTrue(PersistentClusterPlan.plan(false, Cell.RNN_TANH, 1, 10, H100, PersistentWeights.FP32, 4).feasible());
        var six = PersistentClusterPlan.plan(false, Cell.RNN_TANH, 1, 10, H100, PersistentWeights.FP32, 6);
        assertFalse(six.feasible());
        assertEquals("no cluster of exactly 6 blocks for H 10: J = ceil(H / 6) = 2 units per block fills 5 blocks",
                six.reason());
        var wide = PersistentClusterPlan.plan(false, Cell.RNN_TANH, 1, 3, H100, PersistentWeights.FP32, 4);
        assertEquals("no cluster of exactly 4 blocks for H 3: more blocks than hidden units", wide.reason());
        // LSTM H = 512 on one block: 1 MiB of W_hh does not fit
        var one = PersistentClusterPlan.plan(false, Cell.LSTM, 1, 512, H100, PersistentWeights.FP32, 1);
        assertFalse(one.feasible());
        assertTrue(one.reason().contains("shared memory"), one.reason());
        var e = assertThrows(IllegalArgumentException.class,
                () -> PersistentClusterPlan.plan(false, Cell.LSTM, 1, 64, H100, PersistentWeights.FP32, 17));
        assertEquals("clusterSize must be 0 (auto) or 1..16, got 17", e.getMessage());
    }

    @Test
    void planSaysWhyNot() {
        var old = PersistentClusterPlan.plan(Cell.LSTM, 1, 256, A100);
        assertFalse(old.feasible());
        assertTrue(old.reason().contains("8.0 < 9.0"), old.reason());
        // one copy of W_hh per cluster of at most 16 blocks: LSTM H = 1024 is 1 MiB per block
        var big = PersistentClusterPlan.plan(Cell.LSTM, 1, 1024, H100);
        assertFalse(big.feasible());
        assertTrue(big.reason().contains("shared memory") && big.reason().contains("232448"), big.reason());
        var unknown = PersistentClusterPlan.plan(Cell.GRU, 1, 64, new DeviceLimits(132, 232448, true));
        assertFalse(unknown.feasible(), "limits without a compute capability never plan clusters");
        assertThrows(IllegalArgumentException.class, () -> PersistentClusterPlan.plan(Cell.GRU, 0, 64, H100));
        assertThrows(IllegalArgumentException.class, () -> PersistentClusterPlan.plan(Cell.GRU, 1, 0, H100));
    }

    @Test
    void aClusterTheDeviceRefusesGivesWayToTheRulesNextChoice() {
        // LSTM B = 1, H = 384: W_hh fits shared memory from 11 blocks up, and the rule takes 16; a device
        // whose GPCs hold 8 SMs runs none of them, so there is no plan, and the reason says why
        var rule = PersistentClusterPlan.plan(Cell.LSTM, 1, 384, H100).plan();
        assertEquals(16, rule.clusterSize());
        var fitting = new java.util.ArrayList<Integer>();
        for (int size = 1; size <= PersistentClusterPlan.MAX_CLUSTER_SIZE; size++) {
            if (PersistentClusterPlan.plan(false, Cell.LSTM, 1, 384, H100, PersistentWeights.FP32, size).feasible()) {
                fitting.add(size);
            }
        }
        assertTrue(fitting.stream().allMatch(size -> size > 8), fitting::toString);
        var asked = new java.util.ArrayList<Integer>();
        ClusterFit eightSms = plan -> {
            asked.add(plan.clusterSize());
            return plan.clusterSize() <= 8;
        };
        var small = PersistentClusterPlan.plan(false, Cell.LSTM, 1, 384, H100, PersistentWeights.FP32,
                PersistentClusterPlan.AUTO_SIZE, eightSms);
        assertFalse(small.feasible());
        assertTrue(small.reason().contains("cuOccupancyMaxActiveClusters") && small.reason().contains("S 16 with "
                + rule.sharedMemoryBytes() + " bytes"), small.reason());
        assertEquals(16, asked.get(0), "the rule's choice is asked first");
        assertEquals(fitting, asked.stream().sorted().toList(), "each size the shared memory allows asked once");
        // GRU B = 1, H = 256: the rule takes S 8 (balanced, portable); refused, it takes the next by rule 3
        var gru = PersistentClusterPlan.plan(Cell.GRU, 1, 256, H100).plan();
        ClusterFit fourSms = plan -> plan.clusterSize() <= 4;
        var gruSmall = PersistentClusterPlan.plan(false, Cell.GRU, 1, 256, H100, PersistentWeights.FP32,
                PersistentClusterPlan.AUTO_SIZE, fourSms);
        assertTrue(gruSmall.feasible(), gruSmall::reason);
        assertTrue(gru.clusterSize() > 4, gru::toString);
        assertEquals(4, gruSmall.plan().clusterSize(), gruSmall.plan()::toString);
        // a fit that takes everything changes nothing
        assertEquals(gru, PersistentClusterPlan.plan(false, Cell.GRU, 1, 256, H100, PersistentWeights.FP32,
                PersistentClusterPlan.AUTO_SIZE, ClusterFit.ANY).plan());
    }

    @Test
    void runsAsksTheDeviceOnceForThePlansKernelSharedMemoryAndSize() {
        var plan = PersistentClusterPlan.plan(Cell.GRU, 5, 128, H100).plan();
        assertTrue(kernels.runs(plan));
        String kernel = PersistentClusterKernels.GRU_FWD.name();
        assertEquals(List.of("allow " + plan.sharedMemoryBytes(),
                "clusters " + kernel + " " + plan.sharedMemoryBytes() + " " + plan.clusterSize()), target.calls);
        assertTrue(kernels.runs(plan));
        assertEquals(1, target.calls.stream().filter(c -> c.startsWith("clusters")).count(), "cached");
        var backward = PersistentClusterPlan.planBackward(Cell.LSTM, 1, 600, H100, PersistentWeights.BF16).plan();
        target.fit = 0;
        assertFalse(kernels.runs(backward));
        assertTrue(target.calls.contains("non-portable " + PersistentClusterKernels.LSTM_BWD_BF16W.name())
                        || backward.clusterSize() <= PersistentClusterPlan.PORTABLE_CLUSTER_SIZE,
                target.calls::toString);
        assertTrue(target.calls.contains("clusters " + PersistentClusterKernels.LSTM_BWD_BF16W.name() + " "
                + backward.sharedMemoryBytes() + " " + backward.clusterSize()), target.calls::toString);
    }

    @Test
    void clustersSpreadTheBatchWithoutEmptyClusters() {
        assertEquals(8, PersistentClusterPlan.clustersFor(16, 8, 132));
        assertEquals(8, PersistentClusterPlan.clustersFor(16, 100, 132)); // 132 / 16
        assertEquals(2, PersistentClusterPlan.clustersFor(16, 5, 44)); // 44 / 16 = 2 clusters, Bc 3
        assertEquals(1, PersistentClusterPlan.clustersFor(16, 5, 4)); // fewer SMs than a cluster: one
        // 4 clusters would give Bc = 2 and an empty fourth cluster: 3 are launched, Bc stays 2
        assertEquals(3, PersistentClusterPlan.clustersFor(1, 5, 4));
    }

    @Test
    void forwardLaunchesClustersWithTheStructAndNoBarrier() {
        FwdParams p = lstm(100, 8, 256, 32);
        kernels.forward(Cell.LSTM, p);
        assertEquals(List.of("allow 133632", "clusters mnemo_persistent_cluster_lstm_fwd_f32 133632 8",
                "launch mnemo_persistent_cluster_lstm_fwd_f32"), target.calls);
        assertEquals(new LaunchGeometry(64, 1, 1, 256, 1, 1, 133632), target.geometry);
        assertEquals(8, target.clusterSize);
        var l = PersistentKernels.FWD_PARAMS_LAYOUT;
        assertEquals(p.gates().address(), ParamsStructs.getLong(target.params, l, "gates"));
        assertEquals(p.c().address(), ParamsStructs.getLong(target.params, l, "c"));
        assertEquals(0L, ParamsStructs.getLong(target.params, l, "barrier"));
        assertEquals(8L, ParamsStructs.getLong(target.params, l, "batch"));
        assertEquals(32, ParamsStructs.getInt(target.params, l, "unitsPerBlock"));
        assertEquals(1, ParamsStructs.getInt(target.params, l, "saveGates"));
        // explicit clusters: B = 8 in 3 clusters (Bc 3, the last one 2 rows)
        kernels.forward(Cell.LSTM, p, 3);
        assertEquals(new LaunchGeometry(24, 1, 1, 256, 1, 1,
                (int) PersistentClusterPlan.sharedMemoryBytes(Cell.LSTM, 32, 3, 256)), target.geometry);
        // occupancy is asked once per (kernel, shared memory, S)
        kernels.forward(Cell.LSTM, p);
        assertEquals(2, target.calls.stream().filter(c -> c.startsWith("clusters")).count());
    }

    @Test
    void clustersAboveEightAreAllowedNonPortableSizes() {
        // GRU H = 128, J = 8: S = 16
        long t = 3, b = 5, h = 128, g = 3 * h;
        FwdParams p = new FwdParams(new FakeMemory(0x1000_0000L, t * b * g * 4), new FakeMemory(0x2000_0000L, g * h * 4),
                null, null, new FakeMemory(0x3000_0000L, b * h * 4), null, new FakeMemory(0x4000_0000L, t * b * h * 4),
                null, null, null, t, b, h, 8, true, true);
        kernels.forward(Cell.GRU, p, 2);
        assertTrue(target.calls.contains("non-portable mnemo_persistent_cluster_gru_fwd_f32"), target.calls::toString);
        assertEquals(16, target.clusterSize);
        assertEquals(32, target.geometry.gridX());
        assertEquals(1, ParamsStructs.getInt(target.params, PersistentKernels.FWD_PARAMS_LAYOUT, "reverse"));
    }

    @Test
    void badShapesAndDevicesAreRefusedBeforeAnyLaunch() {
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, lstm(4, 2, 256, 8)));
        assertTrue(e.getMessage().contains("cluster size") && e.getMessage().contains("32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, lstm(4, 2, 256, 32), 3));
        assertTrue(e.getMessage().contains("clusters must be <= batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, lstm(4, 2, 256, 32), 0));
        assertTrue(e.getMessage().contains("clusters"), e.getMessage());
        // LSTM H = 512, J = 32: S = 16 is fine, 4·(4·32·512 + ...) bytes are not
        e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, lstm(4, 1, 512, 32)));
        assertTrue(e.getMessage().contains("opt-in"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, lstm(0, 1, 256, 32)));
        FwdParams ok = lstm(5, 2, 64, 8);
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(ok.gates(),
                ok.wHh(), ok.bIh(), ok.bHh(), ok.h0(), null, ok.h(), ok.c(), null, null, 5, 2, 64, 8, false, true)),
                "LSTM needs c0");
        assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, new FwdParams(ok.gates(),
                ok.wHh(), ok.bIh(), ok.bHh(), ok.h0(), ok.c0(), ok.gates(), ok.c(), null, null, 5, 2, 64, 8, false,
                true)), "h overlaps gates");
        target.fit = 0;
        e = assertThrows(IllegalArgumentException.class, () -> kernels.forward(Cell.LSTM, ok));
        assertTrue(e.getMessage().contains("cuOccupancyMaxActiveClusters = 0"), e.getMessage());
        assertTrue(target.calls.stream().noneMatch(c -> c.startsWith("launch")));
        var a100 = new PersistentKernels(target, target, A100).cluster();
        var s = assertThrows(IllegalStateException.class, () -> a100.forward(Cell.LSTM, ok));
        assertTrue(s.getMessage().contains("9.0"), s.getMessage());
        assertThrows(IllegalStateException.class, () -> new PersistentKernels(target, H100).cluster());
    }

    @Test
    void backwardLaunchesTheClusterBackwardWithItsSharedMemory() {
        long t = 100, b = 8, h = 256, g = 4 * h;
        var at = (java.util.function.BiFunction<Integer, Long, FakeMemory>) (slot, floats) ->
                new FakeMemory(0x1000_0000L + slot * 0x100_0000L, floats * Float.BYTES);
        var p = new BwdParams(at.apply(0, t * b * g), at.apply(1, g * h), null, at.apply(2, b * h),
                at.apply(3, t * b * h), at.apply(4, t * b * h), null, at.apply(5, t * b * h), at.apply(6, b * h),
                at.apply(7, b * h), at.apply(8, t * b * g), null, null, t, b, h, 32, false);
        kernels.backward(Cell.LSTM, p);
        assertEquals("launch mnemo_persistent_cluster_lstm_bwd_f32", target.calls.getLast());
        assertEquals(new LaunchGeometry(64, 1, 1, 256, 1, 1, 139648), target.geometry);
        var l = PersistentKernels.BWD_PARAMS_LAYOUT;
        assertEquals(p.dWx().address(), ParamsStructs.getLong(target.params, l, "dWx"));
        assertEquals(0L, ParamsStructs.getLong(target.params, l, "barrier"));
        assertThrows(IllegalArgumentException.class, () -> kernels.backward(Cell.GRU, p), "GRU needs h0, hn, dRh");
        // raw struct: clusters from the plan's rule, barrier not required
        MemorySegment s = ParamsStructs.allocate(l);
        p.writeTo(s);
        persistent.clusterLstmBwd(s);
        assertEquals(64, target.geometry.gridX());
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterGruBwd(s), "raw GRU: h0, hn, dRh are 0");
        persistent.clusterRnnBwdTanh(s);
        assertEquals("launch mnemo_persistent_cluster_rnn_bwd_tanh_f32", target.calls.getLast());
        ParamsStructs.putInt(s, l, "tuning", PersistentKernels.TUNE_ALL);
        persistent.clusterLstmBwd(s);
        ParamsStructs.putInt(s, l, "tuning", PersistentKernels.TUNE_ALL + 1);
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterLstmBwd(s), "an undefined tuning bit");
        ParamsStructs.putInt(s, l, "tuning", 0);
        ParamsStructs.putInt(s, l, "reserved", 1);
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterLstmBwd(s), "reserved must be 0");

        // pixel MNIST's LSTM backward, one row a block: the split slice's shared memory, and with the
        // split switched off the whole slice, which no block holds
        long h1 = 128, g1 = 4 * h1;
        var one = new BwdParams(at.apply(0, t * g1), at.apply(1, g1 * h1), null, at.apply(2, h1), at.apply(3, t * h1),
                at.apply(4, t * h1), null, at.apply(5, t * h1), at.apply(6, h1), at.apply(7, h1), at.apply(8, t * g1),
                null, null, t, 1, h1, 128, false);
        MemorySegment r = ParamsStructs.allocate(l);
        one.writeTo(r);
        persistent.clusterLstmBwd(r);
        assertEquals(new LaunchGeometry(1, 1, 1, 256, 1, 1, 4 * (128 * 256 + 2 * 512 + 3 * 128 + 256)), target.geometry);
        ParamsStructs.putInt(r, l, "tuning", PersistentKernels.TUNE_NO_BWD_SPLIT);
        var tiled = assertThrows(IllegalArgumentException.class, () -> persistent.clusterLstmBwd(r));
        assertTrue(tiled.getMessage().contains("= " + 4 * (512 * 128 + 2 * 512 + 3 * 128) + " bytes"), tiled.getMessage());
    }

    @Test
    void rawForwardChecksScalarsAndPointers() {
        MemorySegment s = ParamsStructs.allocate(PersistentKernels.FWD_PARAMS_LAYOUT);
        lstm(4, 1, 256, 32).writeTo(s);
        persistent.clusterLstmFwd(s);
        assertEquals("launch mnemo_persistent_cluster_lstm_fwd_f32", target.calls.getLast());
        assertEquals(new LaunchGeometry(8, 1, 1, 256, 1, 1, 133632), target.geometry);
        var l = PersistentKernels.FWD_PARAMS_LAYOUT;
        ParamsStructs.putInt(s, l, "tuning", PersistentKernels.TUNE_ALL + 1);
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterLstmFwd(s), "a tuning bit the header does not define");
        ParamsStructs.putInt(s, l, "tuning", PersistentKernels.TUNE_ALL);
        persistent.clusterLstmFwd(s);
        ParamsStructs.putInt(s, l, "tuning", 0);
        ParamsStructs.putLong(s, l, "c0", 0);
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterLstmFwd(s), "LSTM needs c0");
        persistent.clusterGruFwd(s);
        assertEquals("launch mnemo_persistent_cluster_gru_fwd_f32", target.calls.getLast());
        persistent.clusterRnnFwdRelu(s);
        persistent.clusterRnnFwdTanh(s);
        assertEquals("launch mnemo_persistent_cluster_rnn_fwd_tanh_f32", target.calls.getLast());
        ParamsStructs.putInt(s, l, "saveGates", 2);
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterRnnFwdTanh(s));
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterRnnFwdTanh(MemorySegment.ofArray(new byte[8])));
    }

    /** The _x1 twin: the same launch as the forward's, with x and W_ih's column after the struct. */
    @Test
    void aProjectedForwardIsTheTwinsLaunchWithTwoMoreArguments() {
        FwdParams p = lstm(100, 8, 256, 32);
        DeviceMemory x = PersistentKernelsTest.at(20, 100 * 8);
        DeviceMemory w = PersistentKernelsTest.at(21, 4 * 256);
        kernels.forward(Cell.LSTM, p);
        LaunchGeometry twin = target.geometry;
        kernels.forwardProjected(Cell.LSTM, p, x, w);
        assertEquals("launch mnemo_persistent_cluster_lstm_fwd_x1_f32", target.calls.getLast());
        assertEquals(twin, target.geometry);
        assertEquals(3, target.arguments.length);
        assertEquals(x, target.arguments[1]);
        assertEquals(w, target.arguments[2]);
        var e = assertThrows(IllegalArgumentException.class, () -> kernels.forwardProjected(Cell.LSTM, p,
                PersistentKernelsTest.at(20, 100 * 8 - 1), w));
        assertEquals("x must hold >= 800 floats (T·B: one input feature), got 799", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> kernels.forwardProjected(Cell.LSTM, p, x, null));
        assertEquals("wIh must not be null", e.getMessage());
        MemorySegment s = ParamsStructs.allocate(PersistentKernels.FWD_PARAMS_LAYOUT);
        lstm(4, 1, 256, 32).writeTo(s);
        persistent.clusterGruFwdX1(s, x, w);
        assertEquals("launch mnemo_persistent_cluster_gru_fwd_x1_f32", target.calls.getLast());
        persistent.clusterRnnFwdTanhX1(s, x, w);
        persistent.clusterRnnFwdReluX1(s, x, w);
        persistent.clusterLstmFwdX1(s, x, w);
        assertEquals("launch mnemo_persistent_cluster_lstm_fwd_x1_f32", target.calls.getLast());
        assertThrows(IllegalArgumentException.class, () -> persistent.clusterLstmFwdX1(s, x,
                PersistentKernelsTest.at(21, 4 * 256 - 1)), "W_ih's column is G·H");
    }
}
