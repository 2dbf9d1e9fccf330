package dev.mnemo.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A CUDA stream: an ordered queue of copies and launches.
 *
 * <p>{@link #create} makes a stream that synchronizes with the legacy default stream
 * ({@code CU_STREAM_DEFAULT}), so the synchronous copies of {@link DeviceBuffer} see every result
 * of work queued before them; {@link #createNonBlocking} trades that for overlap, and then the
 * caller synchronizes before reading results.
 */
public final class CudaStream implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment handle;
    /** False for {@link #wrap}: the stream belongs to someone else and close() destroys nothing. */
    private final boolean owned;
    private final Lifetime lifetime;

    private CudaStream(CudaContext context, MemorySegment handle, String kind) {
        this(context, handle, kind, true);
    }

    private CudaStream(CudaContext context, MemorySegment handle, String kind, boolean owned) {
        this.context = context;
        this.handle = handle;
        this.owned = owned;
        this.lifetime = new Lifetime(this, "CudaStream(" + kind + ", device " + context.ordinal() + ")");
    }

    /** A stream that synchronizes with the legacy default stream. */
    public static CudaStream create(CudaContext context) {
        context.use();
        return new CudaStream(context, CudaDriver.streamCreate(CudaDriver.CU_STREAM_DEFAULT), "blocking");
    }

    /** A stream that runs concurrently with the legacy default stream. */
    public static CudaStream createNonBlocking(CudaContext context) {
        context.use();
        return new CudaStream(context, CudaDriver.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING), "non-blocking");
    }

    /**
     * A view of a {@code CUstream} that someone else created in {@code context} (e.g. JCuda's
     * {@code cuStreamCreate}): launches, copies and graphs queue on it; {@link #close()} only marks
     * the view closed, never destroys the stream. {@code MemorySegment.NULL} is the legacy default
     * stream.
     */
    public static CudaStream wrap(CudaContext context, MemorySegment handle) {
        java.util.Objects.requireNonNull(handle, "handle");
        context.use();
        return new CudaStream(context, handle, "borrowed", false);
    }

    /** Whether {@link #close()} destroys the stream (false for {@link #wrap}ped streams). */
    public boolean isOwned() {
        return owned;
    }

    /** The context the stream belongs to. */
    public CudaContext context() {
        return context;
    }

    /** The {@code CUstream}; checks that the stream is open and used from the owner thread. */
    public MemorySegment handle() {
        lifetime.ensureOpen();
        context.use();
        return handle;
    }

    /** Waits until everything queued so far has finished. */
    public void synchronize() {
        CudaDriver.streamSynchronize(handle());
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return lifetime.isClosed();
    }

    /** Destroys the stream (idempotent); work already queued still completes. */
    @Override
    public void close() {
        lifetime.closeIn(context, owned, () -> CudaDriver.streamDestroy(handle));
    }

    @Override
    public String toString() {
        return lifetime.description() + (isClosed() ? " (closed)" : "");
    }
}
