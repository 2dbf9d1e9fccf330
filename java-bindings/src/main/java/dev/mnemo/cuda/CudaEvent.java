package dev.mnemo.cuda;

import java.lang.foreign.MemorySegment;

/** A CUDA event with timing, to order streams and measure GPU time between two points of a stream. */
public final class CudaEvent implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment handle;
    private final Lifetime lifetime;

    private CudaEvent(CudaContext context, MemorySegment handle) {
        this.context = context;
        this.handle = handle;
        this.lifetime = new Lifetime(this, "CudaEvent(device " + context.ordinal() + ")");
    }

    /** An event that records timing ({@code CU_EVENT_DEFAULT}). */
    public static CudaEvent create(CudaContext context) {
        context.use();
        return new CudaEvent(context, CudaDriver.eventCreate(CudaDriver.CU_EVENT_DEFAULT));
    }

    /** The {@code CUevent}; checks that it is open and used from the owner thread. */
    public MemorySegment handle() {
        lifetime.ensureOpen();
        context.use();
        return handle;
    }

    /**
     * Records the event at the current end of {@code stream}, a stream of the event's context.
     *
     * @throws IllegalArgumentException for a stream of another context (the driver's
     *         {@code CUDA_ERROR_INVALID_HANDLE}, or nothing at all on an emulator)
     */
    public void record(CudaStream stream) {
        context.requireSame(stream.context(), "record " + lifetime.description() + " on");
        CudaDriver.eventRecord(handle(), stream.handle());
    }

    /** Waits until the recorded point has been reached. */
    public void synchronize() {
        CudaDriver.eventSynchronize(handle());
    }

    /**
     * Milliseconds of GPU time from {@code start} to this event (both recorded; this one waited
     * for first), with a resolution of about half a microsecond.
     */
    public float elapsedMillisSince(CudaEvent start) {
        synchronize();
        return CudaDriver.eventElapsedTime(start.handle(), handle());
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return lifetime.isClosed();
    }

    /** Destroys the event (idempotent). */
    @Override
    public void close() {
        lifetime.closeIn(context, true, () -> CudaDriver.eventDestroy(handle));
    }
}
