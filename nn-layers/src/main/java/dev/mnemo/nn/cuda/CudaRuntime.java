package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.Cublas;
import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.CudaException;
import dev.mnemo.cuda.CudaGraph;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.KernelModule;
import dev.mnemo.cuda.kernels.ClipKernels;
import dev.mnemo.cuda.kernels.DropoutKernels;
import dev.mnemo.cuda.kernels.GatherKernels;
import dev.mnemo.cuda.kernels.InputKernels;
import dev.mnemo.cuda.kernels.GruKernels;
import dev.mnemo.cuda.kernels.LossKernels;
import dev.mnemo.cuda.kernels.LstmKernels;
import dev.mnemo.cuda.kernels.MemnetKernels;
import dev.mnemo.cuda.kernels.OptimKernels;
import dev.mnemo.cuda.kernels.RnnKernels;
import dev.mnemo.cuda.kernels.ScatterKernels;
import dev.mnemo.cuda.kernels.TensorKernels;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What every CUDA backend view shares: one context on device 0, one stream on which all work is
 * queued in order (kernels, cuBLAS, copies), the loaded kernel module with a launcher per family,
 * the cuBLAS handle, and reusable device workspaces. Created once, on first use, by
 * {@link CudaBackend}; lives as long as the process.
 *
 * <p>One thread at a time, like its context: the thread that created it, or the one that called
 * {@link #claimForCurrentThread()}.
 */
final class CudaRuntime {

    /** The reusable device scratch buffers; each grows (never shrinks) to the largest request. */
    enum Workspace {
        /** Split column sums; partial sums of squares (clip, MSE). */
        PARTIALS,
        /** Several gradient buffers' partial sums of squares, clipped together on the device. */
        CLIP_PARTIALS,
        /** Cross-entropy per-row losses. */
        LOSS,
        /** Cross-entropy (max, log-sum) per row. */
        STATS,
        /** Cross-entropy targets (int32). */
        TARGETS,
        /** A column of ones (row-vector broadcasts). */
        ONES,
        /** An operand copy when an output aliases an input of a routine that forbids it. */
        COPY,
        /** Split-path partials of the key-value memory read (forward and backward). */
        MEMNET_PARTIALS,
        /** A split read's per-row counters (32-bit, zero between reads: {@link #memnetCounters}). */
        MEMNET_COUNTERS,
        /** A scatter's grouped row indices (int32, {@code ScatterPlan.packed()}). */
        SCATTER_PLAN,
        /** A gather's row indices (int32): four slots, {@link #gatherIndices}. */
        GATHER_ROWS,
        GATHER_ROWS_2,
        GATHER_ROWS_3,
        GATHER_ROWS_4,
        /** A variable-length batch's row lengths for the persistent kernels (int32, {@code CudaSequences}). */
        SEQUENCE_LENGTHS,
        /** The narrow input backward's per-split partial sums ({@code CudaNarrowInput}). */
        NARROW_INPUT_PARTIALS
    }

    final CudaContext context;
    /** The device's properties, queried once. */
    final CudaDevice device;
    final CudaStream stream;
    final CudaModule module;
    final Cublas cublas;
    /** cuBLAS's own workspace, so GEMMs captured in graphs allocate nothing; lives as long as the handle. */
    private final DeviceBuffer cublasWorkspace;
    final TensorKernels tensor;
    final ClipKernels clip;
    final RnnKernels rnn;
    final LstmKernels lstm;
    final GruKernels gru;
    final LossKernels loss;
    final OptimKernels optim;
    final DropoutKernels dropout;
    final ScatterKernels scatter;
    final GatherKernels gather;
    final InputKernels input;

    private final Map<Workspace, DeviceBuffer> workspaces = new EnumMap<>(Workspace.class);
    /** Tensor blocks: taken by {@link #allocate}, given back by {@link #drainReleases}. */
    private final CachingAllocator<DeviceBuffer> allocator;
    /** What {@link #sequenceLengths} last uploaded, and the workspace buffer it went to. */
    private int[] uploadedLengths;
    private DeviceBuffer lengthsBuffer;
    private final GatherIndexSlots gatherIndexSlots = new GatherIndexSlots();
    /** Blocks of unreachable tensors, queued by the cleaner (any thread) for the allocator. */
    private final ConcurrentLinkedQueue<DeviceBuffer> recycled = new ConcurrentLinkedQueue<>();
    /** Other resources (borrowed buffers, graphs) to close on the owner thread. */
    private final ConcurrentLinkedQueue<AutoCloseable> releases = new ConcurrentLinkedQueue<>();
    private long onesFilled;
    /** Whether {@link #capture} is running (allocation is refused then). */
    private boolean capturing;
    private MemnetKernels memnet;
    /** The counters buffer last zeroed by {@link #memnetCounters}. */
    private DeviceBuffer countersZeroed;
    /** Counts workspace reallocations: a recorded graph that holds an old workspace's address is stale. */
    private long workspaceEpoch;
    /**
     * Per workspace, how many times its contents were uploaded anew in place ({@link #gatherIndices},
     * {@link #sequenceLengths}): the address stays, so the epoch does not move, but a graph that read the old
     * contents would replay with the new ones.
     */
    private final Map<Workspace, Long> rewrites = new EnumMap<>(Workspace.class);
    /** While {@link #capture} runs: the uploaded workspaces the region's kernels read, at their rewrite counts. */
    private Map<Workspace, Long> captureReads;

    private CudaRuntime(CudaContext context, CudaDevice device, CudaStream stream, CudaModule module, Cublas cublas,
                        DeviceBuffer cublasWorkspace, boolean caching) {
        this.context = context;
        this.device = device;
        this.stream = stream;
        this.module = module;
        this.cublas = cublas;
        this.cublasWorkspace = cublasWorkspace;
        this.allocator = new CachingAllocator<>(new BufferDevice(), caching);
        this.tensor = new TensorKernels(module, stream);
        this.clip = new ClipKernels(module, stream);
        this.rnn = new RnnKernels(module, stream);
        this.lstm = new LstmKernels(module, stream);
        this.gru = new GruKernels(module, stream);
        this.loss = new LossKernels(module, stream);
        this.optim = new OptimKernels(module, stream);
        this.dropout = new DropoutKernels(module, stream);
        this.scatter = new ScatterKernels(module, stream);
        this.gather = new GatherKernels(module, stream);
        this.input = new InputKernels(module, stream);
    }

    /** Opens device {@code ordinal}: context, stream, kernels, cuBLAS; releases what it made on failure. */
    static CudaRuntime open(int ordinal) {
        boolean caching = AllocatorSetting.configuredCaching();
        CudaContext context = CudaContext.open(ordinal);
        CudaStream stream = null;
        CudaModule module = null;
        Cublas cublas = null;
        DeviceBuffer cublasWorkspace = null;
        try {
            stream = CudaStream.create(context);
            module = KernelModule.loadMnemoKernels(context);
            cublas = Cublas.create(stream);
            CudaDevice device = CudaDevice.query(ordinal);
            cublasWorkspace = DeviceBuffer.allocate(context, cublasWorkspaceBytes(device));
            cublas.setWorkspace(cublasWorkspace);
            return new CudaRuntime(context, device, stream, module, cublas, cublasWorkspace, caching);
        } catch (RuntimeException | Error e) {
            for (AutoCloseable c : new AutoCloseable[] {cublas, cublasWorkspace, module, stream, context}) {
                if (c != null) {
                    try {
                        c.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
    }

    /** cuBLAS's recommendation: 32 MiB of workspace on Hopper and later, 4 MiB before. */
    static long cublasWorkspaceBytes(CudaDevice device) {
        return (device.computeMajor() >= 9 ? 32L : 4L) << 20;
    }

    /** The memnet launchers, looked up on first use (a read is the only user). */
    MemnetKernels memnet() {
        if (memnet == null) {
            memnet = new MemnetKernels(module, stream);
        }
        return memnet;
    }

    int ordinal() {
        return context.ordinal();
    }

    /** Moves the runtime to the calling thread (the previous owner must have stopped using it). */
    void claimForCurrentThread() {
        context.claimForCurrentThread();
    }

    /**
     * A block of at least {@code floats} floats for a tensor, contents undefined, from the caching
     * allocator; released storage goes back to it first. Its tensor's storage hands it back through
     * {@link #recycleLater} once unreachable.
     */
    DeviceBuffer allocate(long floats) {
        requireNotCapturing();
        drainReleases();
        return allocator.take(Math.multiplyExact(floats, (long) Float.BYTES));
    }

    /**
     * A buffer outside the allocator's cache (workspaces, barrier words): freed only by closing it. When
     * the device is out of memory, the allocator's cache and unreachable tensors go first.
     */
    DeviceBuffer allocateOwned(long floats) {
        requireNotCapturing();
        drainReleases();
        return allocator.allocateOutside(Math.multiplyExact(floats, (long) Float.BYTES));
    }

    /**
     * {@code region} captured from this runtime's stream into a CUDA Graph. It may not allocate: a
     * cached block would stay in the graph after its tensor is gone and serve another tensor, so an
     * allocation fails the capture, as {@code cuMemAlloc} itself would. Each uploaded workspace the region
     * reads is noted in {@code reads} at its rewrite count then: the graph is right only while
     * {@link #unchangedSince}{@code (reads)}.
     */
    CudaGraph capture(Runnable region, Map<Workspace, Long> reads) {
        capturing = true;
        captureReads = reads;
        try {
            return CudaGraph.capture(stream, region);
        } finally {
            capturing = false;
            captureReads = null;
        }
    }

    /** Whether none of the workspaces in {@code reads} was uploaded anew since (see {@link #capture}). */
    boolean unchangedSince(Map<Workspace, Long> reads) {
        for (var e : reads.entrySet()) {
            if (rewrites.getOrDefault(e.getKey(), 0L).longValue() != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Workspace {@code w}'s contents were uploaded anew in place. */
    void rewritten(Workspace w) {
        rewrites.merge(w, 1L, Long::sum);
    }

    /** A kernel queued now reads {@code w}'s uploaded contents: noted while capturing (the first count wins). */
    void readsUploaded(Workspace w) {
        if (captureReads != null) {
            captureReads.putIfAbsent(w, rewrites.getOrDefault(w, 0L));
        }
    }

    private void requireNotCapturing() {
        if (capturing) {
            throw new IllegalStateException("cannot allocate device memory while a CUDA Graph is being captured: "
                    + "the graph would keep a block the allocator hands out again; allocate before recording");
        }
    }

    /** Called by a cleaner (any thread): {@code block}, from {@link #allocate}, is free once queued work passes. */
    void recycleLater(DeviceBuffer block) {
        recycled.add(block);
    }

    /**
     * Called by a cleaner (any thread): {@code resource} (a borrowed buffer of unreachable storage,
     * the graph of an unreachable recording) is closed later, on the owner thread.
     */
    void releaseLater(AutoCloseable resource) {
        releases.add(resource);
    }

    /**
     * Gives the queued blocks back to the allocator (no wait: see {@link CachingAllocator}) and
     * closes the other queued resources after the stream has finished the work queued so far (which
     * may still use them). The direct allocator frees blocks at once, so it waits too.
     *
     * @throws IllegalStateException from a thread that does not own the context ({@link CudaContext#use})
     */
    void drainReleases() {
        // the owner thread only, before the allocator's lists are touched: a second thread's allocation
        // once took a cached block unchecked, and beside the owner's two tensors shared one block
        context.use();
        if (recycled.isEmpty() && releases.isEmpty()) {
            return;
        }
        if (!releases.isEmpty() || !allocator.caching()) {
            stream.synchronize();
        }
        for (DeviceBuffer b; (b = recycled.poll()) != null; ) {
            allocator.give(b);
        }
        for (AutoCloseable r; (r = releases.poll()) != null; ) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not release " + r, e);
            }
        }
    }

    /** What the allocator holds now; blocks still queued for it count as in use. */
    CudaMemoryStats memoryStats() {
        return allocator.stats();
    }

    /** What the allocator does when the device is out of memory: collect, then take back unreachable tensors; for tests. */
    void reclaimUnreachableForTests() {
        new BufferDevice().reclaimUnreachable();
    }

    /** Rounds of {@link #reclaimUnreachable}: at least two, at most four. */
    private static final int MIN_RECLAIM_ROUNDS = 2;
    private static final int MAX_RECLAIM_ROUNDS = 4;

    /**
     * Collects until a round finds nothing more, handing each round's findings to the allocator at
     * once. Two rounds at least: a cleaner action that ran in one round may have held the last
     * reference to other device memory, which the next collection finds.
     */
    CudaMemoryStats reclaimUnreachable() {
        context.use();
        for (int round = 1; round <= MAX_RECLAIM_ROUNDS; round++) {
            if (!collectOnce(20L * round) && round >= MIN_RECLAIM_ROUNDS) {
                break;
            }
        }
        return allocator.stats();
    }

    /**
     * One garbage collection, {@code waitMillis} for the cleaner thread to queue what it found, then
     * the queue drained; whether anything had been queued (false also when interrupted).
     */
    private boolean collectOnce(long waitMillis) {
        System.gc();
        try {
            Thread.sleep(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        boolean found = !recycled.isEmpty() || !releases.isEmpty();
        drainReleases();
        return found;
    }

    /** How many blocks of {@code floats}' size class the allocator keeps for reuse; for tests. */
    int cachedBlocksForTests(long floats) {
        return allocator.cachedBlocks(floats * Float.BYTES);
    }

    /** Frees the allocator's cached blocks (after handing it what is queued); live tensors keep theirs. */
    void emptyCache() {
        drainReleases();
        allocator.releaseCached();
    }

    /** The allocator's view of the device: {@code cuMemAlloc}, {@code cuMemFree}, the stream, the garbage collector. */
    private final class BufferDevice implements CachingAllocator.Device<DeviceBuffer> {
        /** Garbage collections tried when out of memory, each followed by a wait for the cleaner. */
        private static final int RECLAIM_ROUNDS = 3;

        @Override
        public DeviceBuffer allocate(long bytes) {
            return DeviceBuffer.allocate(context, bytes);
        }

        @Override
        public void free(DeviceBuffer block) {
            block.close();
        }

        @Override
        public long bytes(DeviceBuffer block) {
            return block.byteSize();
        }

        @Override
        public boolean isOutOfMemory(RuntimeException e) {
            return e instanceof CudaException c && c.isOutOfMemory();
        }

        @Override
        public void synchronize() {
            stream.synchronize();
        }

        @Override
        public void reclaimUnreachable() {
            // The cleaner thread queues an unreachable tensor's block shortly after a collection finds
            // it; the first round that finds something is enough to retry the allocation.
            for (int round = 1; round <= RECLAIM_ROUNDS && !Thread.currentThread().isInterrupted(); round++) {
                if (collectOnce(10L * round)) {
                    return;
                }
            }
        }

        @Override
        public RuntimeException withDetail(RuntimeException e, String detail) {
            return e instanceof CudaException c ? c.withDetail(detail) : e;
        }
    }

    /**
     * Workspace {@code w} with room for at least {@code floats} floats (4-byte elements). Growing
     * waits for the stream (queued work may still use the old buffer) before freeing it. The
     * contents are undefined, except {@link Workspace#ONES}, see {@link #ones}.
     */
    DeviceBuffer workspace(Workspace w, long floats) {
        DeviceBuffer current = workspaces.get(w);
        if (current != null && current.floatCapacity() >= floats) {
            return current;
        }
        long size = Math.max(Math.max(floats, 256), current == null ? 0 : 2 * current.floatCapacity());
        if (current != null) {
            // Out of the map (and recordings told) before the free: if the allocation below fails, the
            // next call allocates afresh instead of handing out a closed buffer.
            stream.synchronize();
            workspaces.remove(w);
            workspaceEpoch++;
            current.close();
        }
        DeviceBuffer grown = allocateOwned(size);
        workspaces.put(w, grown);
        workspaceEpoch++;
        if (w == Workspace.ONES) {
            onesFilled = 0;
        }
        return grown;
    }

    /**
     * The {@link Workspace#MEMNET_COUNTERS} workspace for {@code rows} rows: zeroed (on the stream) whenever it is
     * new, and the split kernels that count on it leave it zero, so every read finds it so.
     */
    DeviceBuffer memnetCounters(long rows) {
        DeviceBuffer counters = workspace(Workspace.MEMNET_COUNTERS, rows);
        if (counters != countersZeroed) {
            counters.memsetD32Async(0, 0, counters.floatCapacity(), stream);
            countersZeroed = counters;
        }
        return counters;
    }

    /**
     * {@code lengths} in the {@link Workspace#SEQUENCE_LENGTHS} workspace, uploaded only when they differ
     * from the last upload. The record lives here, beside the workspace, because the float32 and tf32
     * views share both: kept per view, one view's upload went unseen by the other, which then read its
     * lengths. The copy from the heap is synchronous, so queued kernels still reading the old ones are
     * done before it.
     */
    DeviceBuffer sequenceLengths(int[] lengths) {
        DeviceBuffer buffer = workspace(Workspace.SEQUENCE_LENGTHS, lengths.length);
        if (buffer != lengthsBuffer || !java.util.Arrays.equals(lengths, uploadedLengths)) {
            buffer.copyFromHost(java.lang.foreign.MemorySegment.ofArray(lengths), 0);
            lengthsBuffer = buffer;
            uploadedLengths = lengths.clone();
            rewritten(Workspace.SEQUENCE_LENGTHS);
        }
        readsUploaded(Workspace.SEQUENCE_LENGTHS);
        return buffer;
    }

    /**
     * A gather's row indices on the device, uploaded only when no slot holds them already (see
     * {@link GatherIndexSlots}); shared by the float32 and tf32 views, as the workspaces are.
     */
    DeviceBuffer gatherIndices(int[] rows) {
        return gatherIndexSlots.upload(this, rows);
    }

    /** How many times a workspace has been reallocated (its address changed). */
    long workspaceEpoch() {
        return workspaceEpoch;
    }

    /** At least {@code count} ones. */
    DeviceBuffer ones(long count) {
        DeviceBuffer b = workspace(Workspace.ONES, count);
        if (onesFilled < b.floatCapacity()) {
            tensor.fill(b, b.floatCapacity(), 1f);
            onesFilled = b.floatCapacity();
        }
        return b;
    }
}
