package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.Cublas;
import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.KernelModule;
import dev.mnemo.cuda.kernels.ClipKernels;
import dev.mnemo.cuda.kernels.DropoutKernels;
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
        /** Gate outputs when the caller's gates alias the input projection. */
        GATES,
        /** Split column sums; partial sums of squares (clip, MSE). */
        PARTIALS,
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
        /** A scatter's grouped row indices (int32, {@code ScatterPlan.packed()}). */
        SCATTER_PLAN
    }

    final CudaContext context;
    final CudaStream stream;
    final CudaModule module;
    final Cublas cublas;
    final TensorKernels tensor;
    final ClipKernels clip;
    final RnnKernels rnn;
    final LstmKernels lstm;
    final GruKernels gru;
    final LossKernels loss;
    final OptimKernels optim;
    final DropoutKernels dropout;
    final ScatterKernels scatter;

    private final Map<Workspace, DeviceBuffer> workspaces = new EnumMap<>(Workspace.class);
    private final ConcurrentLinkedQueue<AutoCloseable> releases = new ConcurrentLinkedQueue<>();
    private long onesFilled;
    private MemnetKernels memnet;
    /** Counts workspace reallocations: a recorded graph that holds an old workspace's address is stale. */
    private long workspaceEpoch;

    private CudaRuntime(CudaContext context, CudaStream stream, CudaModule module, Cublas cublas) {
        this.context = context;
        this.stream = stream;
        this.module = module;
        this.cublas = cublas;
        this.tensor = new TensorKernels(module, stream);
        this.clip = new ClipKernels(module, stream);
        this.rnn = new RnnKernels(module, stream);
        this.lstm = new LstmKernels(module, stream);
        this.gru = new GruKernels(module, stream);
        this.loss = new LossKernels(module, stream);
        this.optim = new OptimKernels(module, stream);
        this.dropout = new DropoutKernels(module, stream);
        this.scatter = new ScatterKernels(module, stream);
    }

    /** Opens device {@code ordinal}: context, stream, kernels, cuBLAS; releases what it made on failure. */
    static CudaRuntime open(int ordinal) {
        CudaContext context = CudaContext.open(ordinal);
        CudaStream stream = null;
        CudaModule module = null;
        Cublas cublas = null;
        try {
            stream = CudaStream.create(context);
            module = KernelModule.loadMnemoKernels(context);
            cublas = Cublas.create(stream);
            return new CudaRuntime(context, stream, module, cublas);
        } catch (RuntimeException | Error e) {
            for (AutoCloseable c : new AutoCloseable[] {cublas, module, stream, context}) {
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

    /** A new buffer of {@code floats} floats, contents undefined; frees released storage first. */
    DeviceBuffer allocate(long floats) {
        drainReleases();
        return DeviceBuffer.allocateFloats(context, floats);
    }

    /**
     * Called by a cleaner (any thread): {@code resource} (a buffer of unreachable storage, the graph
     * of an unreachable recording) is closed later, on the owner thread.
     */
    void releaseLater(AutoCloseable resource) {
        releases.add(resource);
    }

    /**
     * Closes what {@link #releaseLater} queued, after the stream has finished the work queued so
     * far (which may still use it).
     */
    void drainReleases() {
        if (releases.isEmpty()) {
            return;
        }
        stream.synchronize();
        for (AutoCloseable r; (r = releases.poll()) != null; ) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not release " + r, e);
            }
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
            stream.synchronize();
            current.close();
        }
        DeviceBuffer grown = allocate(size);
        workspaces.put(w, grown);
        workspaceEpoch++;
        if (w == Workspace.ONES) {
            onesFilled = 0;
        }
        return grown;
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
