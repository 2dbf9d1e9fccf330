package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Storage;
import java.lang.ref.Cleaner;

/**
 * float32 device memory behind CUDA tensors: one {@link DeviceBuffer} owned by the {@link CudaRuntime}
 * (one context, one stream) that allocated it.
 *
 * <p><b>Lifetime.</b> Tensors are values without {@code close()}: their storage is released once no
 * tensor views it any more. A {@link Cleaner} hands the unreachable storage's buffer to its runtime,
 * on the context's own thread at its next allocation: a block of the runtime's allocator goes back to
 * it for reuse by later work on the same stream (see {@link CachingAllocator}); a wrapped buffer is
 * closed after the stream has passed all work queued so far (so a kernel still reading it never sees
 * it go). The buffer object itself stays reachable from the runtime's queue until then, so no leak is
 * reported for it. {@link #release} does the same at once, for storage whose last use its owner
 * knows; later uses throw.
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaRuntime runtime;
    private final DeviceBuffer buffer;
    private final long length;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;   // volatile: another thread's call may read it
    private long version;

    /**
     * @param pooled whether {@code buffer} came from the runtime's allocator ({@link CudaRuntime#allocate}),
     *               which gets it back; else (a wrapped buffer) it is closed
     */
    CudaStorage(CudaRuntime runtime, DeviceBuffer buffer, long length, boolean pooled) {
        this.runtime = runtime;
        this.buffer = buffer;
        this.length = length;
        CudaRuntime owner = runtime;
        DeviceBuffer held = buffer;
        cleanable = pooled ? CLEANER.register(this, () -> owner.recycleLater(held))
                : CLEANER.register(this, () -> owner.releaseLater(held));
    }

    /**
     * Hands the buffer to its runtime now, as the cleaner would once unreachable (at most once): a
     * pooled block serves the next allocation, whose work the stream orders after all queued so far.
     */
    void release() {
        released = true;
        cleanable.clean();
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public void recordWrite() {
        version++;
    }

    /** Whether {@link #release} ran. */
    @Override
    public boolean released() {
        return released;
    }

    private void requireLive() {
        if (released) {
            throw new IllegalStateException("the device memory of this tensor was released (Backend.release): "
                    + this + " must not be used any more");
        }
    }

    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public DType dtype() {
        return DType.FLOAT32;
    }

    @Override
    public long length() {
        return length;
    }

    /** The runtime (context and stream) this memory belongs to. */
    CudaRuntime runtime() {
        return runtime;
    }

    /** The whole buffer. */
    DeviceBuffer buffer() {
        requireLive();
        return buffer;
    }

    /** A view of {@code count} floats from element {@code offset}. */
    DeviceMemory floats(long offset, long count) {
        requireLive();
        return buffer.sliceFloats(offset, count);
    }

    @Override
    public String toString() {
        return "CudaStorage(" + length + " floats, device " + runtime.ordinal() + ")";
    }
}
