package dev.mnemo.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Device memory owned by Java: allocated with {@code cuMemAlloc_v2}, freed by {@link #close()}.
 *
 * <p>Every copy checks its range against the buffer <em>before</em> calling CUDA, so an overrun is
 * an {@link IllegalArgumentException} ("copy of 4096 bytes into DeviceBuffer of 1024 bytes") and
 * never a corrupted neighbour. Synchronous copies complete before they return (host-to-device
 * copies have at least left the host buffer) and are ordered after work queued on blocking streams.
 * Asynchronous copies take a native {@link MemorySegment} that the caller keeps alive until the
 * stream has passed the copy; page-locked memory makes them truly asynchronous.
 *
 * <p>Offsets and counts are in bytes for segments and in elements for {@code float[]} and
 * {@code double[]}.
 */
public final class DeviceBuffer implements DeviceMemory, AutoCloseable {
    private final CudaContext context;
    private final long address;
    private final long byteSize;
    /** False for {@link #wrap}: the memory belongs to someone else and close() frees nothing. */
    private final boolean owned;
    private final Lifetime lifetime;

    private DeviceBuffer(CudaContext context, long address, long byteSize, boolean owned) {
        this.context = context;
        this.address = address;
        this.byteSize = byteSize;
        this.owned = owned;
        this.lifetime = new Lifetime(this, "DeviceBuffer of " + byteSize + " bytes" + (owned ? "" : " (borrowed)"));
    }

    /** Allocates {@code bytes} bytes (contents undefined); zero bytes allocates nothing. */
    public static DeviceBuffer allocate(CudaContext context, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
        context.use();
        long address = bytes == 0 ? 0L : CudaDriver.memAlloc(bytes);
        return new DeviceBuffer(context, address, bytes, true);
    }

    /**
     * A view of device memory that someone else allocated in {@code context} (another library's
     * {@code cuMemAlloc}, e.g. JCuda's): every method works on it, and {@link #close()} only marks
     * the view closed, never frees. The owner keeps the memory alive while this view is used.
     *
     * @throws IllegalArgumentException on a null address with a non-zero size, or a negative size
     */
    public static DeviceBuffer wrap(CudaContext context, long address, long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("byteSize must be >= 0, got " + byteSize);
        }
        if (address == 0 && byteSize != 0) {
            throw new IllegalArgumentException("cannot wrap a null device pointer of " + byteSize + " bytes");
        }
        context.use();
        return new DeviceBuffer(context, address, byteSize, false);
    }

    /** Whether {@link #close()} frees the memory (false for {@link #wrap}ped memory). */
    public boolean isOwned() {
        return owned;
    }

    /** Allocates room for {@code count} floats. */
    public static DeviceBuffer allocateFloats(CudaContext context, long count) {
        return allocate(context, elementBytes(count, Float.BYTES, "count"));
    }

    /** Allocates room for {@code count} doubles. */
    public static DeviceBuffer allocateDoubles(CudaContext context, long count) {
        return allocate(context, elementBytes(count, Double.BYTES, "count"));
    }

    /** Allocates a buffer holding a copy of {@code values}. */
    public static DeviceBuffer of(CudaContext context, float[] values) {
        DeviceBuffer buffer = allocateFloats(context, values.length);
        buffer.copyFromHost(values);
        return buffer;
    }

    /** Allocates a buffer holding a copy of {@code values}. */
    public static DeviceBuffer of(CudaContext context, double[] values) {
        DeviceBuffer buffer = allocateDoubles(context, values.length);
        buffer.copyFromHost(values);
        return buffer;
    }

    /** The context the memory belongs to. */
    public CudaContext context() {
        return context;
    }

    @Override
    public long address() {
        lifetime.ensureOpen();
        context.check();   // a number: the driver call it goes into makes its context current
        return address;
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public String describe() {
        return lifetime.description();
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return lifetime.isClosed();
    }

    // ───────────────────────────── host → device ─────────────────────────────

    /** Copies all of {@code src} to the start of this buffer. */
    public void copyFromHost(MemorySegment src) {
        copyFromHost(src, 0);
    }

    /** Copies all of {@code src} (heap or native) to byte offset {@code dstOffset}. */
    public void copyFromHost(MemorySegment src, long dstOffset) {
        checkInto(dstOffset, src.byteSize());
        if (src.byteSize() == 0) {
            return;
        }
        long dst = address() + dstOffset;
        context.use();
        if (src.isNative()) {
            CudaDriver.memcpyHtoD(dst, src, src.byteSize());
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(src.byteSize(), 16);
            staging.copyFrom(src);
            CudaDriver.memcpyHtoD(dst, staging, src.byteSize());
        }
    }

    /** Copies all of {@code src} to the start of this buffer. */
    public void copyFromHost(float[] src) {
        copyFromHost(src, 0, 0, src.length);
    }

    /** Copies {@code count} floats from {@code src[srcIndex]} to float index {@code dstIndex}. */
    public void copyFromHost(float[] src, int srcIndex, long dstIndex, int count) {
        Objects.checkFromIndexSize(srcIndex, count, src.length);
        copyFromHost(MemorySegment.ofArray(src).asSlice((long) srcIndex * Float.BYTES, (long) count * Float.BYTES),
                elementBytes(dstIndex, Float.BYTES, "dstIndex"));
    }

    /** Copies all of {@code src} to the start of this buffer. */
    public void copyFromHost(double[] src) {
        copyFromHost(src, 0, 0, src.length);
    }

    /** Copies {@code count} doubles from {@code src[srcIndex]} to double index {@code dstIndex}. */
    public void copyFromHost(double[] src, int srcIndex, long dstIndex, int count) {
        Objects.checkFromIndexSize(srcIndex, count, src.length);
        copyFromHost(MemorySegment.ofArray(src).asSlice((long) srcIndex * Double.BYTES, (long) count * Double.BYTES),
                elementBytes(dstIndex, Double.BYTES, "dstIndex"));
    }

    /**
     * Queues a copy of all of the native segment {@code src} to byte offset {@code dstOffset} on
     * {@code stream}; {@code src} must stay alive and unchanged until the stream passes the copy.
     */
    public void copyFromHostAsync(MemorySegment src, long dstOffset, CudaStream stream) {
        requireNative(src);
        checkInto(dstOffset, src.byteSize());
        if (src.byteSize() == 0) {
            return;
        }
        CudaDriver.memcpyHtoDAsync(address() + dstOffset, src, src.byteSize(), stream.handle());
    }

    // ───────────────────────────── device → host ─────────────────────────────

    /** Fills all of {@code dst} from the start of this buffer. */
    public void copyToHost(MemorySegment dst) {
        copyToHost(0, dst);
    }

    /** Fills all of {@code dst} (heap or native) from byte offset {@code srcOffset}. */
    public void copyToHost(long srcOffset, MemorySegment dst) {
        checkOutOf(srcOffset, dst.byteSize());
        if (dst.byteSize() == 0) {
            return;
        }
        long src = address() + srcOffset;
        context.use();
        if (dst.isNative()) {
            CudaDriver.memcpyDtoH(dst, src, dst.byteSize());
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(dst.byteSize(), 16);
            CudaDriver.memcpyDtoH(staging, src, dst.byteSize());
            dst.copyFrom(staging);
        }
    }

    /** Fills all of {@code dst} from the start of this buffer. */
    public void copyToHost(float[] dst) {
        copyToHost(0, dst, 0, dst.length);
    }

    /** Copies {@code count} floats from float index {@code srcIndex} into {@code dst[dstIndex]}. */
    public void copyToHost(long srcIndex, float[] dst, int dstIndex, int count) {
        Objects.checkFromIndexSize(dstIndex, count, dst.length);
        copyToHost(elementBytes(srcIndex, Float.BYTES, "srcIndex"),
                MemorySegment.ofArray(dst).asSlice((long) dstIndex * Float.BYTES, (long) count * Float.BYTES));
    }

    /** Fills all of {@code dst} from the start of this buffer. */
    public void copyToHost(double[] dst) {
        copyToHost(0, dst, 0, dst.length);
    }

    /** Copies {@code count} doubles from double index {@code srcIndex} into {@code dst[dstIndex]}. */
    public void copyToHost(long srcIndex, double[] dst, int dstIndex, int count) {
        Objects.checkFromIndexSize(dstIndex, count, dst.length);
        copyToHost(elementBytes(srcIndex, Double.BYTES, "srcIndex"),
                MemorySegment.ofArray(dst).asSlice((long) dstIndex * Double.BYTES, (long) count * Double.BYTES));
    }

    /** A new array with the first {@code count} floats. */
    public float[] toFloatArray(int count) {
        float[] out = new float[count];
        copyToHost(out);
        return out;
    }

    /** A new array with the first {@code count} doubles. */
    public double[] toDoubleArray(int count) {
        double[] out = new double[count];
        copyToHost(out);
        return out;
    }

    /**
     * Queues a copy from byte offset {@code srcOffset} filling all of the native segment
     * {@code dst}; read {@code dst} only after the stream has been synchronized.
     */
    public void copyToHostAsync(long srcOffset, MemorySegment dst, CudaStream stream) {
        requireNative(dst);
        checkOutOf(srcOffset, dst.byteSize());
        if (dst.byteSize() == 0) {
            return;
        }
        CudaDriver.memcpyDtoHAsync(dst, address() + srcOffset, dst.byteSize(), stream.handle());
    }

    // ───────────────────────────── device → device, memset ─────────────────────────────

    /** Copies {@code bytes} bytes from {@code src} at {@code srcOffset} to {@code dstOffset} here. */
    public void copyFromDevice(DeviceMemory src, long srcOffset, long dstOffset, long bytes) {
        checkDeviceSource(src, srcOffset, bytes);
        checkInto(dstOffset, bytes);
        if (bytes == 0) {
            return;
        }
        context.use();
        CudaDriver.memcpyDtoD(address() + dstOffset, src.address() + srcOffset, bytes);
    }

    /** Queues a device-to-device copy on {@code stream}. */
    public void copyFromDeviceAsync(DeviceMemory src, long srcOffset, long dstOffset, long bytes, CudaStream stream) {
        checkDeviceSource(src, srcOffset, bytes);
        checkInto(dstOffset, bytes);
        if (bytes == 0) {
            return;
        }
        CudaDriver.memcpyDtoDAsync(address() + dstOffset, src.address() + srcOffset, bytes, stream.handle());
    }

    /**
     * Queues a copy from a buffer of another context (another device) on {@code stream}, a stream of
     * this buffer's context ({@code cuMemcpyPeerAsync}: direct between the GPUs where they have peer
     * access, staged by the driver otherwise). Like any queued copy it is ordered only on
     * {@code stream}: the caller orders it after the source's pending writes and before its later ones.
     *
     * @throws IllegalArgumentException when a range leaves its buffer, or {@code stream} belongs to
     *                                  another context
     */
    public void copyFromPeerAsync(DeviceBuffer src, long srcOffset, long dstOffset, long bytes, CudaStream stream) {
        checkDeviceSource(src, srcOffset, bytes);
        checkInto(dstOffset, bytes);
        if (stream.context() != context) {
            throw new IllegalArgumentException("a peer copy runs on a stream of the destination's " + context
                    + ", got a stream of " + stream.context());
        }
        if (bytes == 0) {
            return;
        }
        long from = src.address() + srcOffset;   // checks the source is open and usable from this thread
        long to = address() + dstOffset;
        // stream.handle() makes the stream's context current: the destination's
        CudaDriver.memcpyPeerAsync(to, context.handle(), from, src.context.handle(), bytes, stream.handle());
    }

    /** Sets every 32-bit word of the buffer to {@code bits} (the buffer size must be a multiple of 4). */
    public void fill(int bits) {
        if (byteSize % Integer.BYTES != 0) {
            throw new IllegalArgumentException("fill needs a size that is a multiple of 4 bytes, got " + byteSize);
        }
        memsetD32(0, bits, byteSize / Integer.BYTES);
    }

    /** Sets every float of the buffer to {@code value}. */
    public void fill(float value) {
        fill(Float.floatToRawIntBits(value));
    }

    /** {@code cuMemsetD32}: sets {@code count} words from word index {@code wordOffset} to {@code bits}. */
    public void memsetD32(long wordOffset, int bits, long count) {
        checkWords(wordOffset, count);
        if (count == 0) {
            return;
        }
        context.use();
        CudaDriver.memsetD32(address() + wordOffset * Integer.BYTES, bits, count);
    }

    /** {@code cuMemsetD32Async} on {@code stream}. */
    public void memsetD32Async(long wordOffset, int bits, long count, CudaStream stream) {
        checkWords(wordOffset, count);
        if (count == 0) {
            return;
        }
        CudaDriver.memsetD32Async(address() + wordOffset * Integer.BYTES, bits, count, stream.handle());
    }

    /** Frees the memory (idempotent). Work still queued on it must have finished. */
    @Override
    public void close() {
        lifetime.closeIn(context, owned && address != 0, () -> CudaDriver.memFree(address));
    }

    @Override
    public String toString() {
        return describe() + (isClosed() ? " (closed)" : "");
    }

    // ───────────────────────────── checks, before any CUDA call ─────────────────────────────

    private void checkInto(long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset > byteSize - bytes) {
            throw new IllegalArgumentException("copy of " + bytes + " bytes" + at(offset)
                    + " into " + describe());
        }
    }

    private void checkOutOf(long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset > byteSize - bytes) {
            throw new IllegalArgumentException("copy of " + bytes + " bytes" + at(offset)
                    + " out of " + describe());
        }
    }

    private static void checkDeviceSource(DeviceMemory src, long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset > src.byteSize() - bytes) {
            throw new IllegalArgumentException("copy of " + bytes + " bytes" + at(offset)
                    + " out of " + src.describe());
        }
    }

    private void checkWords(long wordOffset, long count) {
        if (wordOffset < 0 || count < 0 || wordOffset > byteSize / Integer.BYTES - count) {
            throw new IllegalArgumentException("memset of " + count + " words at word offset " + wordOffset
                    + " must lie within " + describe());
        }
    }

    private static String at(long offset) {
        return offset == 0 ? "" : " at byte offset " + offset;
    }

    private static void requireNative(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("asynchronous copies need a native segment (the GPU "
                    + "reads it later), got a heap segment of " + segment.byteSize() + " bytes");
        }
    }

    private static long elementBytes(long count, int elementSize, String what) {
        if (count < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + count);
        }
        return Math.multiplyExact(count, elementSize);
    }
}
