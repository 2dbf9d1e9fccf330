package dev.mnemo.cuda;

/**
 * A range of device memory: what kernels and cuBLAS/cuSOLVER take. {@link DeviceBuffer} owns one;
 * {@link #slice} views part of one (parameters are views into one flat buffer).
 *
 * <p>Launchers validate sizes against {@link #byteSize()} before any launch, and read
 * {@link #address()} last: it throws {@link IllegalStateException} when the memory is closed or
 * used from a thread that does not own its context.
 */
public interface DeviceMemory {

    /** The device pointer; checks that the memory is open and usable from this thread. */
    long address();

    /** Size in bytes. */
    long byteSize();

    /** How messages name it, e.g. "DeviceBuffer(1024 bytes)". */
    default String describe() {
        return getClass().getSimpleName() + "(" + byteSize() + " bytes)";
    }

    /** How many whole floats fit. */
    default long floatCapacity() {
        return byteSize() / Float.BYTES;
    }

    /** How many whole doubles fit. */
    default long doubleCapacity() {
        return byteSize() / Double.BYTES;
    }

    /**
     * A view of {@code byteSize} bytes from {@code offsetBytes}; it owns nothing and is usable
     * while this memory is.
     */
    default DeviceMemory slice(long offsetBytes, long byteSize) {
        if (offsetBytes < 0 || byteSize < 0 || offsetBytes > byteSize() - byteSize) {
            throw new IllegalArgumentException("slice [" + offsetBytes + ", +" + byteSize
                    + ") must lie within " + describe());
        }
        return new DeviceSlice(this, offsetBytes, byteSize);
    }

    /** A view of {@code count} floats from float index {@code offset}. */
    default DeviceMemory sliceFloats(long offset, long count) {
        return slice(Math.multiplyExact(offset, Float.BYTES), Math.multiplyExact(count, Float.BYTES));
    }
}
