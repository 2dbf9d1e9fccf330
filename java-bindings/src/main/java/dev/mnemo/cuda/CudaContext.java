package dev.mnemo.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The primary context of one CUDA device, used by one thread at a time.
 *
 * <p><b>Threading.</b> The CUDA driver binds a context to a thread ({@code cuCtxSetCurrent}), and
 * the resources made in it (buffers, streams, handles) are only valid where it is current. This
 * class makes that rule explicit instead of implicit: it records the thread that opened it (its
 * owner) and every call through it, or through any resource made in it, from another thread throws
 * {@link IllegalStateException}. To move the work to another thread, that thread calls
 * {@link #claimForCurrentThread()} once the old owner has stopped using the context. Open one
 * context per thread for concurrent work on one device (they share the device's primary context).
 *
 * <p>Several contexts may be used from one thread (one per device): each call makes its own
 * context current first, when it is not already. It asks the driver which one is, so that a context
 * made current by other code on the thread (JCuda, {@link CudaDriver#ctxSetCurrent}) never receives
 * this one's work: a cache of what this class last set once sent device 0's allocations to device 1.
 */
public final class CudaContext implements AutoCloseable {
    /** The context whose stream this thread is capturing into a graph ({@link CudaGraph#capture}), else null. */
    private static final ThreadLocal<CudaContext> CAPTURING = new ThreadLocal<>();

    private final int ordinal;
    private final int device;
    private final MemorySegment handle;
    private final Lifetime lifetime;
    private volatile Thread owner;

    private CudaContext(int ordinal, int device, MemorySegment handle) {
        this.ordinal = ordinal;
        this.device = device;
        this.handle = handle;
        this.owner = Thread.currentThread();
        this.lifetime = new Lifetime(this, "CudaContext(device " + ordinal + ")");
    }

    /**
     * Retains device {@code ordinal}'s primary context and makes it current on this thread, which
     * becomes its owner.
     *
     * @throws IllegalArgumentException when no such device exists ("device 3 does not exist:
     *         1 CUDA device(s) present")
     * @throws CudaException when the driver is missing or fails
     */
    public static CudaContext open(int ordinal) {
        CudaDriver.init();
        int count = CudaDriver.deviceGetCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException(
                    "device " + ordinal + " does not exist: " + count + " CUDA device(s) present");
        }
        int device = CudaDriver.deviceGet(ordinal);
        MemorySegment handle = CudaDriver.devicePrimaryCtxRetain(device);
        try {
            CudaDriver.ctxSetCurrent(handle);
        } catch (RuntimeException e) {
            CudaDriver.devicePrimaryCtxRelease(device);
            throw e;
        }
        return new CudaContext(ordinal, device, handle);
    }

    /** The driver's handle ({@code CUcontext}), for calls that name a context, such as a peer copy. */
    MemorySegment handle() {
        return handle;
    }

    /** The device ordinal. */
    public int ordinal() {
        return ordinal;
    }

    /** The device's properties. */
    public CudaDevice device() {
        use();
        return CudaDevice.query(ordinal);
    }

    /** The thread allowed to use this context. */
    public Thread owner() {
        return owner;
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return lifetime.isClosed();
    }

    /**
     * Checks that this context is open and owned by the calling thread, and makes it current there.
     * Every resource calls this before a CUDA call.
     *
     * @throws IllegalStateException when closed or called from a thread that is not the owner
     */
    public void use() {
        check();
        if (!isCurrent()) {
            CudaDriver.ctxSetCurrent(handle);
        }
    }

    /**
     * {@link #use()}'s checks without making the context current: for what hands out an address or a
     * handle and calls no driver function itself ({@link DeviceBuffer#address()}, asked many times per
     * launch), so that only the calls into the driver ask it which context is current.
     *
     * @throws IllegalStateException when closed or called from a thread that is not the owner
     */
    public void check() {
        lifetime.ensureOpen();
        Thread caller = Thread.currentThread();
        if (caller != owner) {
            throw new IllegalStateException(lifetime.description() + " belongs to thread '"
                    + owner.getName() + "', called from thread '" + caller.getName()
                    + "': a context is used by one thread at a time (open one per thread, or call "
                    + "claimForCurrentThread() after the owner stops)");
        }
        CudaContext capturing = CAPTURING.get();
        if (capturing != null && capturing != this) {
            // thread-local capture records the captured stream only: work of this context would run now, at
            // capture, and never on replay (a recorded region scaling a device-1 tensor ran twice, then not at all)
            throw new IllegalStateException(lifetime.description() + " used while " + capturing.lifetime.description()
                    + " is capturing a CUDA Graph on this thread: its work would run at capture and not on replay; "
                    + "use only the capturing device inside a recorded region");
        }
    }

    /**
     * Fails unless {@code other} is this driver context (another {@code CudaContext} of the same device's
     * primary context is): {@code what} names the call, e.g. "record CudaEvent(device 0) on".
     */
    void requireSame(CudaContext other, String what) {
        if (other.handle.address() != handle.address()) {
            throw new IllegalArgumentException(what + " a stream of " + other.lifetime.description()
                    + ": it must be a stream of " + lifetime.description());
        }
    }

    /** Whether the driver has this context current on the calling thread. */
    private boolean isCurrent() {
        return CudaDriver.ctxGetCurrent() == handle.address();
    }

    /**
     * Marks this thread as capturing into {@code context}'s stream (null: no longer), so that {@link #use()} of
     * any other context throws, and returns the mark it replaces, for a nested capture to put back. For
     * {@link CudaGraph#capture}.
     */
    static CudaContext capturingOnThisThread(CudaContext context) {
        CudaContext previous = CAPTURING.get();
        if (context == null) {
            CAPTURING.remove();
        } else {
            CAPTURING.set(context);
        }
        return previous;
    }

    /**
     * Makes the calling thread the owner. The caller must make sure the previous owner no longer
     * uses the context (or anything made in it); this class cannot see that.
     */
    public void claimForCurrentThread() {
        lifetime.ensureOpen();
        owner = Thread.currentThread();
        CudaDriver.ctxSetCurrent(handle);
    }

    /** {@code cuCtxSynchronize}: waits for all work submitted in this context. */
    public void synchronize() {
        use();
        CudaDriver.ctxSynchronize();
    }

    /**
     * Releases the primary context (idempotent). Close the resources made in it first: closing
     * one after its context skips the native release, since the driver may already have freed it.
     */
    @Override
    public void close() {
        if (lifetime.isClosed()) {
            return;
        }
        use();
        lifetime.close(() -> {
            if (isCurrent()) {
                CudaDriver.ctxSetCurrent(MemorySegment.NULL);
            }
            CudaDriver.devicePrimaryCtxRelease(device);
        });
    }

    @Override
    public String toString() {
        return lifetime.description() + (isClosed() ? " (closed)" : "");
    }
}
