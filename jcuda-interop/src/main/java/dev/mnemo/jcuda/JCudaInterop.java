package dev.mnemo.jcuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * JCuda's device memory and streams, handed to Mnemo without copies.
 *
 * <h2>The context rule</h2>
 * Mnemo's CUDA backend works in its device's <em>primary</em> context (device 0 unless the backend is
 * another device's, {@code CudaBackend.float32(n)}). JCuda code that shares memory
 * or streams with it must use that same context: {@code cuDevicePrimaryCtxRetain(ctx, dev)} then
 * {@code cuCtxSetCurrent(ctx)}, not {@code cuCtxCreate} (which makes a second context whose memory
 * Mnemo's kernels cannot touch). Every call here checks it: the context of each pointer and stream,
 * and the device; a mismatch is an exception that says so, before any work is queued. Mnemo makes
 * its context current itself before each of its calls, whatever JCuda code made current in between,
 * and leaves it current.
 *
 * <h2>Memory</h2>
 * {@link #wrap(CUdeviceptr, long)} and {@link #tensor} view JCuda memory as a Mnemo
 * {@link DeviceBuffer} / CUDA {@link Tensor}: kernels read and write it in place. JCuda keeps
 * ownership: free it with {@code cuMemFree} only after the work using it has finished. The checks:
 * non-null, 4-byte aligned, known to the driver, inside one allocation, big enough for the shape.
 *
 * <h2>Streams</h2>
 * Mnemo's layers queue their work on the backend's own stream. {@link #ordered} runs a piece of
 * Mnemo work after everything queued so far on a JCuda stream, and makes that stream wait for the
 * work, with two events and no host synchronization. {@link #wrap(CUstream)} gives a JCuda stream
 * to Mnemo's lower-level API (kernel launchers, {@code CudaGraph}, async copies).
 *
 * <p>One thread at a time: the thread that owns the backend's context (see {@code CudaContext}).
 */
public final class JCudaInterop implements AutoCloseable {
    private final CudaBackend backend;
    private final DriverQueries driver;
    private final int ordinal;
    private final long primary;
    private CUevent jcudaReached;
    private CUevent mnemoReached;
    private boolean closed;

    JCudaInterop(CudaBackend backend, DriverQueries driver) {
        this.backend = backend;
        this.driver = driver;
        this.ordinal = backend.context().ordinal();
        this.primary = driver.primaryContext(ordinal);
        checkContext();
    }

    /**
     * The interop for {@code backend} (e.g. {@code CudaBackend.float32()}), on the calling thread.
     *
     * @throws IllegalArgumentException when {@code backend} is null
     * @throws IllegalStateException when the current context is not the primary one (the rule above)
     */
    public static JCudaInterop open(CudaBackend backend) {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null (use CudaBackend.float32())");
        }
        return new JCudaInterop(backend, JCudaQueries.INSTANCE);
    }

    /** The backend whose context, stream and layers this interop serves. */
    public CudaBackend backend() {
        return backend;
    }

    /**
     * {@code byteSize} bytes of JCuda memory from {@code pointer} (its byte offset included) as a
     * Mnemo buffer that does not own them: closing it frees nothing.
     *
     * @throws IllegalArgumentException on a null, misaligned or unknown pointer, one of another
     *         context or device, or a range that runs past its allocation
     */
    public DeviceBuffer wrap(CUdeviceptr pointer, long byteSize) {
        long address = PointerChecks.address("pointer", pointer, byteSize);
        checkContext();
        DriverQueries.Allocation allocation = driver.allocation(address);
        if (allocation == null && byteSize == 0) {
            // an empty view may start one past its allocation's end, an address the driver does not know; its
            // last byte it does. (Empty views skipped every check: a freed or made-up pointer passed.)
            allocation = driver.allocation(address - 1);
        }
        PointerChecks.allocation("pointer", address, byteSize, allocation, primary, ordinal);
        return DeviceBuffer.wrap(backend.context(), address, byteSize);
    }

    /**
     * A float32 CUDA tensor of {@code shape} over the JCuda memory at {@code pointer}, no copy; the
     * memory must hold {@code numel · 4} bytes from there, within one allocation.
     */
    public Tensor tensor(CUdeviceptr pointer, int... shape) {
        long floats = PointerChecks.floatsFor("pointer", Long.MAX_VALUE, shape);
        return tensor(pointer, Math.multiplyExact(floats, Float.BYTES), shape);
    }

    /**
     * A float32 CUDA tensor of {@code shape} over the first bytes of the {@code byteSize} bytes of
     * JCuda memory at {@code pointer}, no copy.
     *
     * @throws IllegalArgumentException when {@code byteSize} is too small for {@code shape}, or as
     *         {@link #wrap(CUdeviceptr, long)}
     */
    public Tensor tensor(CUdeviceptr pointer, long byteSize, int... shape) {
        PointerChecks.address("pointer", pointer, byteSize);
        PointerChecks.floatsFor("pointer", byteSize, shape);
        return backend.wrap(wrap(pointer, byteSize), shape);
    }

    /**
     * A JCuda stream as a Mnemo {@link CudaStream} that does not own it (closing it destroys
     * nothing); {@code null} is the legacy default stream.
     *
     * @throws IllegalArgumentException when the stream belongs to another context
     */
    public CudaStream wrap(CUstream stream) {
        long handle = checkStream(stream);
        return CudaStream.wrap(backend.context(), MemorySegment.ofAddress(handle));
    }

    /** The backend's stream as a JCuda {@link CUstream} (it stays Mnemo's: do not destroy it). */
    public CUstream mnemoStream() {
        checkContext();
        return JCudaHandles.stream(backend.stream().handle().address());
    }

    /**
     * Runs {@code work} (Mnemo calls that queue on the backend's stream) after everything queued so
     * far on {@code stream}, and makes {@code stream} wait for that work: JCuda work queued on it
     * afterwards sees the results. Neither side waits on the host. {@code null} is the legacy
     * default stream.
     */
    public <T> T ordered(CUstream stream, Supplier<T> work) {
        if (work == null) {
            throw new IllegalArgumentException("work must not be null");
        }
        checkStream(stream);
        ensureEvents();
        CUstream mnemo = mnemoStream();
        JCudaException.check(cuEventRecord(jcudaReached, stream), "cuEventRecord");
        JCudaException.check(cuStreamWaitEvent(mnemo, jcudaReached, 0), "cuStreamWaitEvent");
        try {
            return work.get();
        } finally {
            JCudaException.check(cuEventRecord(mnemoReached, mnemo), "cuEventRecord");
            JCudaException.check(cuStreamWaitEvent(stream, mnemoReached, 0), "cuStreamWaitEvent");
        }
    }

    /** {@link #ordered(CUstream, Supplier)} for work without a result. */
    public void ordered(CUstream stream, Runnable work) {
        if (work == null) {
            throw new IllegalArgumentException("work must not be null");
        }
        ordered(stream, () -> {
            work.run();
            return null;
        });
    }

    /** Destroys the two ordering events (idempotent); wrapped memory and streams stay JCuda's. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (CUevent e : new CUevent[] {jcudaReached, mnemoReached}) {
            if (e != null) {
                JCudaException.check(cuEventDestroy(e), "cuEventDestroy");
            }
        }
    }

    private void checkContext() {
        if (closed) {
            throw new IllegalStateException("this JCudaInterop is closed");
        }
        backend.context().use(); // the owner thread; makes the primary context current
    }

    private long checkStream(CUstream stream) {
        checkContext();
        long handle = JCudaHandles.handle(stream);
        long context = driver.streamContext(handle);
        if (context != primary) {
            throw new IllegalArgumentException("stream " + stream + " belongs to context 0x" + Long.toHexString(context)
                    + ", not device " + ordinal + "'s primary context (0x" + Long.toHexString(primary) + "). "
                    + PointerChecks.CONTEXT_RULE.formatted(ordinal));
        }
        return handle;
    }

    private void ensureEvents() {
        if (jcudaReached == null) {
            jcudaReached = newEvent();
            mnemoReached = newEvent();
        }
    }

    private static CUevent newEvent() {
        CUevent e = new CUevent();
        JCudaException.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        return e;
    }
}
