package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;

/**
 * The geometry of one launch of a cluster variant of the persistent kernels (sm_90+): clusters of
 * S = ceil(H / J) blocks, each cluster holding one copy of W_hh (block rank r owns units r·J ..),
 * {@code clusters} independent clusters splitting the batch into rows of Bc = ceil(B / clusters).
 *
 * <p>{@link #plan}'s rule, tuned on an H200 ({@code mnemo_harness persistent_sweep}, every S at B 1, 8 and
 * 128): for each candidate S in 1..16 (as S = ceil(H / J) with J = ceil(H / S), duplicates skipped, S no
 * more than the SMs) it takes clusters = max(1, min(B, SMs / S)) (the batch spread over as many clusters
 * as fill the SMs once), then drops clusters that would get no rows (clusters = ceil(B / Bc), which
 * keeps Bc); a candidate is feasible when its block's shared memory fits the device's opt-in limit.
 * <ol>
 *   <li>Balanced portable clusters first: when any feasible S of at most {@value #PORTABLE_CLUSTER_SIZE}
 *       splits H evenly (S·J = H), only those compete. Uneven splits (H 256 on 7 blocks) and the
 *       non-portable sizes ran up to 1.2× slower per step than S = 8.</li>
 *   <li>Fewest batch rows per cluster: rows cost more than units. At B = 128, H = 128 every S does
 *       the same multiply-adds per block, and one-block clusters of one row each ran the GRU 2.1×
 *       faster per step than sixteen-block clusters of sixteen rows.</li>
 *   <li>Among those, the smallest S whose per-block work G·J·H·Bc is at most
 *       {@value #TARGET_WORK_PER_BLOCK} multiply-adds per step (small clusters meet at cheaper
 *       barriers), else the least work, the smaller S on a tie.</li>
 *   <li>Except in the float32 forward, when that plan's {@link #rowSlice row slice} keeps rows in
 *       shared memory at one batch row per cluster: a plan of at most two rows per cluster whose row
 *       slice is wholly in registers goes first (the smallest such S). At B = 128, H = 128 two-block
 *       clusters of two rows ran the LSTM forward 1.26× and the GRU's 1.24× faster per step than
 *       one-block clusters of one row, whose slice reads 256 (LSTM) or 128 (GRU) rows from shared
 *       memory every step (H200, run 8's sweep). The backward keeps rule 3: there one block was 1.6×
 *       (LSTM) and 1.7× (GRU) faster.</li>
 * </ol>
 * With {@link PersistentWeights#BF16} the same rule runs on the bf16 kernels' smaller shared memory
 * ({@link #sharedBytes(boolean, Cell, long, long, long, PersistentWeights)}), so wider W_hh find a plan.
 *
 * @param cell the cell
 * @param weights how the block's W_hh slice is held (float32, or bfloat16 for the opt-in kernels)
 * @param backward whether this is the backward's plan (its own shared memory formula)
 * @param batch B
 * @param hidden H
 * @param unitsPerBlock J
 * @param clusterSize S = ceil(H / J), 1..{@value #MAX_CLUSTER_SIZE}
 * @param clusters independent clusters, 1..B
 * @param rowsPerCluster Bc = ceil(B / clusters)
 * @param sharedMemoryBytes dynamic shared memory per block
 */
public record PersistentClusterPlan(Cell cell, PersistentWeights weights, boolean backward, long batch, long hidden,
                                    int unitsPerBlock, int clusterSize, int clusters, int rowsPerCluster,
                                    int sharedMemoryBytes) {
    /** The largest cluster an H100 runs (after allowing non-portable sizes). */
    public static final int MAX_CLUSTER_SIZE = 16;
    /** {@code clusterSize} of {@link #plan(boolean, Cell, long, long, DeviceLimits, PersistentWeights, int)}: the rule picks S. */
    public static final int AUTO_SIZE = 0;
    /** The largest cluster every sm_90+ device runs without the non-portable attribute. */
    public static final int PORTABLE_CLUSTER_SIZE = 8;
    /**
     * Per-block multiply-adds per step under which the plan stops growing the cluster: RNN H = 256 at
     * B = 1 ran 1.2× (forward) and 1.5× (backward) faster per step at S = 4 (16384) than at S = 2 (32768).
     */
    public static final long TARGET_WORK_PER_BLOCK = 16384;

    /** Blocks launched: clusters·S. */
    public int grid() {
        return clusters * clusterSize;
    }

    /** Block {@link PersistentKernels#BLOCK_THREADS}, grid clusters·S, this shared memory. */
    public LaunchGeometry geometry() {
        return new LaunchGeometry(grid(), 1, 1, PersistentKernels.BLOCK_THREADS, 1, 1, sharedMemoryBytes);
    }

    /** G·J·H·Bc: the recurrent multiply-adds one block does per step. */
    public long workPerBlock() {
        return (long) cell.gates() * unitsPerBlock * hidden * rowsPerCluster;
    }

    @Override
    public String toString() {
        return "persistent-cluster " + cell + (backward ? " backward" : "") + ": " + clusters + (clusters == 1 ? " cluster × " : " clusters × ")
                + clusterSize + " blocks × " + unitsPerBlock + " units, " + rowsPerCluster + " batch row"
                + (rowsPerCluster == 1 ? "" : "s") + " per cluster, " + sharedMemoryBytes / 1024 + " KiB shared each"
                + (weights == PersistentWeights.BF16 ? ", bf16 W_hh" : "");
    }

    /**
     * {@code MNEMO_PERSISTENT_CLUSTER_ROW_SLICE(G, J, H)}: whether the float32 forward holds its slice
     * one row per thread, the rows past the {@value PersistentKernels#BLOCK_THREADS} threads in shared
     * memory: LSTM and GRU, H a multiple of 4 up to 128, 129..512 slice rows G·J.
     */
    public static boolean rowSlice(Cell cell, long unitsPerBlock, long hidden) {
        long rows = cell.gates() * unitsPerBlock;
        return cell.gates() > 1 && hidden <= 128 && hidden % 4 == 0 && rows > PersistentKernels.BLOCK_THREADS / 2
                && rows <= 2L * PersistentKernels.BLOCK_THREADS;
    }

    /** {@code MNEMO_PERSISTENT_CLUSTER_SMEM_SLICE_ROWS(G, J, H)}: the forward slice's rows in shared memory. */
    static long sharedSliceRows(Cell cell, long unitsPerBlock, long hidden) {
        long rows = Math.multiplyExact((long) cell.gates(), unitsPerBlock);
        return rowSlice(cell, unitsPerBlock, hidden) ? Math.max(0, rows - PersistentKernels.BLOCK_THREADS) : rows;
    }

    /**
     * {@code MNEMO_PERSISTENT_CLUSTER_SMEM_BYTES(G, J, Bc, H)}: 4·(R·H + 2·Bc·H + Bc·G·J), R the slice
     * rows kept in shared memory ({@link #rowSlice}: the rows past 256, else all G·J).
     */
    public static long sharedMemoryBytes(Cell cell, long unitsPerBlock, long rowsPerCluster, long hidden) {
        return forwardBytes(sharedSliceRows(cell, unitsPerBlock, hidden), cell, unitsPerBlock, rowsPerCluster, hidden);
    }

    /**
     * {@code MNEMO_PERSISTENT_CLUSTER_TILED_SMEM_BYTES(G, J, Bc, H)}: 4·(G·J·H + 2·Bc·H + Bc·G·J), the
     * forward with {@link PersistentKernels#TUNE_NO_ROW_SLICE} (the whole slice in shared memory).
     */
    public static long tiledSharedMemoryBytes(Cell cell, long unitsPerBlock, long rowsPerCluster, long hidden) {
        return forwardBytes(Math.multiplyExact((long) cell.gates(), unitsPerBlock), cell, unitsPerBlock, rowsPerCluster,
                hidden);
    }

    private static long forwardBytes(long sliceRows, Cell cell, long unitsPerBlock, long rowsPerCluster, long hidden) {
        long g = cell.gates();
        return Math.multiplyExact(4L, Math.addExact(Math.addExact(
                Math.multiplyExact(sliceRows, hidden),
                Math.multiplyExact(Math.multiplyExact(2L, rowsPerCluster), hidden)),
                Math.multiplyExact(Math.multiplyExact(rowsPerCluster, g), unitsPerBlock)));
    }

    /**
     * {@code MNEMO_PERSISTENT_CLUSTER_BWD_SPLIT(G, J, Bc, H)}: whether the float32 backward splits its
     * slice between registers (columns 0..255) and shared memory (the rest): one batch row per cluster,
     * J ≤ 128, 257..512 columns G·H, a multiple of 4 (pixel MNIST's LSTM and GRU).
     */
    public static boolean backwardSplit(Cell cell, long unitsPerBlock, long rowsPerCluster, long hidden) {
        long width = cell.gates() * hidden;
        return rowsPerCluster == 1 && unitsPerBlock <= PersistentKernels.BLOCK_THREADS / 2 && width > 256
                && width <= 512 && width % 4 == 0;
    }

    /**
     * {@code MNEMO_PERSISTENT_CLUSTER_BWD_SMEM_BYTES(G, J, Bc, H)}: 4·(G·J·H + 2·Bc·G·H + 3·Bc·J), or with
     * the {@link #backwardSplit split} 4·(J·(G·H − 256) + 2·Bc·G·H + 3·Bc·J + 256).
     */
    public static long backwardSharedMemoryBytes(Cell cell, long unitsPerBlock, long rowsPerCluster, long hidden) {
        if (!backwardSplit(cell, unitsPerBlock, rowsPerCluster, hidden)) {
            return backwardTiledSharedMemoryBytes(cell, unitsPerBlock, rowsPerCluster, hidden);
        }
        long g = cell.gates();
        return Math.multiplyExact(4L, Math.addExact(Math.addExact(Math.addExact(
                Math.multiplyExact(unitsPerBlock, g * hidden - 256),
                Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(2L, rowsPerCluster), g), hidden)),
                Math.multiplyExact(Math.multiplyExact(3L, rowsPerCluster), unitsPerBlock)), 256L));
    }

    /**
     * {@code MNEMO_PERSISTENT_CLUSTER_BWD_TILED_SMEM_BYTES(G, J, Bc, H)}: 4·(G·J·H + 2·Bc·G·H + 3·Bc·J), the
     * whole slice in shared memory (no split, or {@link PersistentKernels#TUNE_NO_BWD_SPLIT}).
     */
    public static long backwardTiledSharedMemoryBytes(Cell cell, long unitsPerBlock, long rowsPerCluster,
                                                      long hidden) {
        long g = cell.gates();
        return Math.multiplyExact(4L, Math.addExact(Math.addExact(
                Math.multiplyExact(Math.multiplyExact(g, unitsPerBlock), hidden),
                Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(2L, rowsPerCluster), g), hidden)),
                Math.multiplyExact(Math.multiplyExact(3L, rowsPerCluster), unitsPerBlock)));
    }

    static long sharedBytes(boolean backward, Cell cell, long units, long rows, long hidden) {
        return backward ? backwardSharedMemoryBytes(cell, units, rows, hidden) : sharedMemoryBytes(cell, units, rows, hidden);
    }

    /**
     * {@code MNEMO_PERSISTENT_CLUSTER_BF16W_SMEM_BYTES(G, J, Bc, H)}: 4·(G·J·ceil(H/2) + 2·Bc·H + Bc·G·J),
     * each of the slice's G·J rows of H bf16 packed two to a 32-bit word.
     */
    public static long bf16SharedMemoryBytes(Cell cell, long unitsPerBlock, long rowsPerCluster, long hidden) {
        long g = cell.gates();
        return Math.multiplyExact(4L, Math.addExact(Math.addExact(
                Math.multiplyExact(Math.multiplyExact(g, unitsPerBlock), words(hidden)),
                Math.multiplyExact(Math.multiplyExact(2L, rowsPerCluster), hidden)),
                Math.multiplyExact(Math.multiplyExact(rowsPerCluster, g), unitsPerBlock)));
    }

    /**
     * {@code MNEMO_PERSISTENT_CLUSTER_BF16W_BWD_SMEM_BYTES(G, J, Bc, H)}:
     * 4·(J·ceil(G·H/2) + 2·Bc·G·H + 3·Bc·J), each of the slice's J rows of G·H bf16 packed two to a 32-bit word.
     */
    public static long bf16BackwardSharedMemoryBytes(Cell cell, long unitsPerBlock, long rowsPerCluster, long hidden) {
        long g = cell.gates();
        return Math.multiplyExact(4L, Math.addExact(Math.addExact(
                Math.multiplyExact(unitsPerBlock, words(Math.multiplyExact(g, hidden))),
                Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(2L, rowsPerCluster), g), hidden)),
                Math.multiplyExact(Math.multiplyExact(3L, rowsPerCluster), unitsPerBlock)));
    }

    /** 32-bit words holding {@code width} bf16 two to a word: ceil(width / 2). */
    private static long words(long width) {
        return width / 2 + (width & 1);
    }

    /** The dynamic shared memory per block of the kernel that {@code backward} and {@code weights} name. */
    public static long sharedBytes(boolean backward, Cell cell, long units, long rows, long hidden,
                                   PersistentWeights weights) {
        if (weights == PersistentWeights.FP32) {
            return sharedBytes(backward, cell, units, rows, hidden);
        }
        return backward ? bf16BackwardSharedMemoryBytes(cell, units, rows, hidden)
                : bf16SharedMemoryBytes(cell, units, rows, hidden);
    }

    /** The header's shared-memory formula of that kernel, for messages. */
    static String sharedBytesFormula(boolean backward, PersistentWeights weights) {
        if (weights == PersistentWeights.BF16) {
            return backward ? "4·(J·ceil(G·H/2) + 2·Bc·G·H + 3·Bc·J)"
                    : "4·(G·J·ceil(H/2) + 2·Bc·H + Bc·G·J)";
        }
        return backward ? "4·(G·J·H + 2·Bc·G·H + 3·Bc·J), or 4·(J·(G·H − 256) + 2·Bc·G·H + 3·Bc·J + 256) for one batch "
                + "row per cluster, J <= 128 and 257..512 columns G·H"
                : "4·(R·H + 2·Bc·H + Bc·G·J), R = G·J, or G·J − 256 (at least 0) for LSTM and GRU slices of 129..512 "
                + "rows with H a multiple of 4 up to 128";
    }

    /**
     * The plan's cluster count for S on a device of {@code multiprocessors} SMs: max(1, min(B, SMs / S)),
     * then ceil(B / Bc) so that no cluster is left without rows (Bc = ceil(B / clusters) is unchanged).
     */
    public static int clustersFor(int clusterSize, long batch, int multiprocessors) {
        long clusters = Math.max(1, Math.min(batch, multiprocessors / Math.max(1, clusterSize)));
        long rows = LaunchChecks.blocksFor(batch, (int) clusters);
        return (int) LaunchChecks.blocksFor(batch, (int) rows);
    }

    /** The float32-weight forward's plan for (cell, B, H) on a device, or why there is none. */
    public static Outcome plan(Cell cell, long batch, long hidden, DeviceLimits limits) {
        return plan(false, cell, batch, hidden, limits, PersistentWeights.FP32, AUTO_SIZE);
    }

    /** As {@link #plan}, with the backward's shared memory (two steps of dRh per block). */
    public static Outcome planBackward(Cell cell, long batch, long hidden, DeviceLimits limits) {
        return plan(true, cell, batch, hidden, limits, PersistentWeights.FP32, AUTO_SIZE);
    }

    /** The forward's plan for kernels holding W_hh as {@code weights}. */
    public static Outcome plan(Cell cell, long batch, long hidden, DeviceLimits limits, PersistentWeights weights) {
        return plan(false, cell, batch, hidden, limits, weights, AUTO_SIZE);
    }

    /** The backward's plan for kernels holding W_hh as {@code weights}. */
    public static Outcome planBackward(Cell cell, long batch, long hidden, DeviceLimits limits,
                                       PersistentWeights weights) {
        return plan(true, cell, batch, hidden, limits, weights, AUTO_SIZE);
    }

    /**
     * {@code clusterSize}, checked: {@link #AUTO_SIZE} or 1..{@value #MAX_CLUSTER_SIZE}.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static int requireClusterSize(int clusterSize) {
        if (clusterSize != AUTO_SIZE && (clusterSize < 1 || clusterSize > MAX_CLUSTER_SIZE)) {
            throw new IllegalArgumentException("clusterSize must be " + AUTO_SIZE + " (auto) or 1.." + MAX_CLUSTER_SIZE
                    + ", got " + clusterSize);
        }
        return clusterSize;
    }

    /**
     * The plan with the cluster size fixed, for tuning on a device: {@code clusterSize} S in
     * 1..{@value #MAX_CLUSTER_SIZE} takes exactly S blocks (J = ceil(H / S); clusters and Bc as the rule
     * sets them), or none when that J makes fewer blocks (ceil(H / J) &lt; S), S exceeds the SMs, or its
     * shared memory does not fit; {@link #AUTO_SIZE} applies the rule of the class comment.
     *
     * @throws IllegalArgumentException when {@code clusterSize} is neither {@link #AUTO_SIZE} nor 1..16
     */
    public static Outcome plan(boolean backward, Cell cell, long batch, long hidden, DeviceLimits limits,
                               PersistentWeights weights, int clusterSize) {
        return plan(backward, cell, batch, hidden, limits, weights, clusterSize, ClusterFit.ANY);
    }

    /**
     * As {@link #plan(boolean, Cell, long, long, DeviceLimits, PersistentWeights, int)}, asking {@code fit}
     * whether the device runs the rule's choice: a refused plan leaves the candidates and the rule
     * chooses again among the rest (so the device is asked about as few sizes as possible, usually
     * one); none when it refuses them all, saying which.
     */
    public static Outcome plan(boolean backward, Cell cell, long batch, long hidden, DeviceLimits limits,
                               PersistentWeights weights, int clusterSize, ClusterFit fit) {
        java.util.Objects.requireNonNull(weights, "weights");
        java.util.Objects.requireNonNull(fit, "fit");
        requireClusterSize(clusterSize);
        LaunchChecks.atLeastOne("batch", batch);
        LaunchChecks.atLeastOne("hidden", hidden);
        if (!limits.clusters()) {
            return Outcome.none("compute capability " + limits.computeCapability()
                    + " < 9.0: no thread-block clusters");
        }
        if (limits.multiprocessors() < 1) {
            return Outcome.none("the device reports " + limits.multiprocessors() + " SMs");
        }
        if (batch > Integer.MAX_VALUE || hidden > Integer.MAX_VALUE) {
            return Outcome.none("batch and hidden must fit in 32 bits, got " + batch + ", " + hidden);
        }
        var feasible = new java.util.ArrayList<PersistentClusterPlan>();
        long leastShared = Long.MAX_VALUE;
        int previous = -1;
        for (int candidate = 1; candidate <= Math.min(MAX_CLUSTER_SIZE, hidden); candidate++) {
            long units = LaunchChecks.blocksFor(hidden, candidate);
            int size = (int) LaunchChecks.blocksFor(hidden, (int) units);
            if (size == previous || size > limits.multiprocessors()
                    || (clusterSize != AUTO_SIZE && size != clusterSize)) {
                continue;
            }
            previous = size;
            int clusters = clustersFor(size, batch, limits.multiprocessors());
            long rows = LaunchChecks.blocksFor(batch, clusters);
            long smem;
            try {
                smem = sharedBytes(backward, cell, units, rows, hidden, weights);
            } catch (ArithmeticException e) {
                continue;
            }
            leastShared = Math.min(leastShared, smem);
            if (smem <= limits.sharedMemoryPerBlockOptin()) {
                feasible.add(new PersistentClusterPlan(cell, weights, backward, batch, hidden, (int) units, size,
                        clusters, (int) rows, (int) smem));
            }
        }
        var refused = new java.util.ArrayList<PersistentClusterPlan>();
        while (!feasible.isEmpty()) {
            var chosen = choose(feasible);
            if (fit.runs(chosen)) {
                return Outcome.of(chosen);
            }
            feasible.remove(chosen);
            refused.add(chosen);
        }
        if (!refused.isEmpty()) {
            return Outcome.none("the device runs no cluster of the sizes that fit its shared memory ("
                    + refused.stream().map(p -> "S " + p.clusterSize() + " with " + p.sharedMemoryBytes() + " bytes")
                    .collect(java.util.stream.Collectors.joining(", "))
                    + " per block; cuOccupancyMaxActiveClusters finds room for none, as where a GPC holds fewer"
                    + " SMs than the cluster's blocks need)");
        }
        if (clusterSize != AUTO_SIZE && leastShared == Long.MAX_VALUE) {
            long units = LaunchChecks.blocksFor(hidden, clusterSize);
            return Outcome.none("no cluster of exactly " + clusterSize + " blocks for H " + hidden + ": "
                    + (clusterSize > hidden ? "more blocks than hidden units"
                    : clusterSize > limits.multiprocessors() ? "the device has " + limits.multiprocessors() + " SMs"
                    : "J = ceil(H / " + clusterSize + ") = " + units + " units per block fills "
                    + LaunchChecks.blocksFor(hidden, (int) units) + " blocks"));
        }
        return Outcome.none("a block of the cluster " + (backward ? "backward" : "forward")
                + (weights == PersistentWeights.BF16 ? " with bf16 W_hh" : "") + " needs at least "
                + (leastShared == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(leastShared))
                + " bytes of shared memory (" + sharedBytesFormula(backward, weights)
                + " at up to " + MAX_CLUSTER_SIZE + " blocks per cluster, G " + cell.gates() + ", B " + batch + ", H "
                + hidden + "), the device allows " + limits.sharedMemoryPerBlockOptin());
    }

    /** The rule of the class comment over feasible candidates listed by growing S. */
    private static PersistentClusterPlan choose(java.util.List<PersistentClusterPlan> feasible) {
        var balanced = feasible.stream().filter(PersistentClusterPlan::balancedAndPortable).toList();
        var pool = balanced.isEmpty() ? feasible : balanced;
        var chosen = chooseByRows(pool);
        if (chosen.spillsRowSlice() && chosen.rowsPerCluster() == 1) {
            for (var plan : pool) {
                if (plan.rowSliceInRegisters() && plan.rowsPerCluster() <= 2) {
                    return plan;
                }
            }
        }
        return chosen;
    }

    /** Rules 2 and 3 of the class comment over rule 1's pool. */
    private static PersistentClusterPlan chooseByRows(java.util.List<PersistentClusterPlan> pool) {
        int fewestRows = pool.stream().mapToInt(PersistentClusterPlan::rowsPerCluster).min().orElseThrow();
        var fewest = pool.stream().filter(p -> p.rowsPerCluster() == fewestRows).toList();
        for (var plan : fewest) {
            if (plan.workPerBlock() <= TARGET_WORK_PER_BLOCK) {
                return plan;
            }
        }
        var least = fewest.get(0);
        for (var plan : fewest) {
            if (plan.workPerBlock() < least.workPerBlock()) {
                least = plan;
            }
        }
        return least;
    }

    /** A float32 forward whose row slice keeps some rows in shared memory (past the block's threads). */
    private boolean spillsRowSlice() {
        return rowSliceForward() && sharedSliceRows(cell, unitsPerBlock, hidden) > 0;
    }

    /** A float32 forward whose row slice is wholly in registers, one row per thread. */
    private boolean rowSliceInRegisters() {
        return rowSliceForward() && sharedSliceRows(cell, unitsPerBlock, hidden) == 0;
    }

    private boolean rowSliceForward() {
        return !backward && weights == PersistentWeights.FP32 && rowSlice(cell, unitsPerBlock, hidden);
    }

    /** S·J = H (every block the same units) and S at most {@value #PORTABLE_CLUSTER_SIZE}. */
    private boolean balancedAndPortable() {
        return (long) clusterSize * unitsPerBlock == hidden && clusterSize <= PORTABLE_CLUSTER_SIZE;
    }

    /** A plan, or why there is none. */
    public record Outcome(PersistentClusterPlan plan, String reason) {
        static Outcome of(PersistentClusterPlan plan) {
            return new Outcome(plan, null);
        }

        static Outcome none(String reason) {
            return new Outcome(null, reason);
        }

        /** Whether a plan exists. */
        public boolean feasible() {
            return plan != null;
        }
    }
}
