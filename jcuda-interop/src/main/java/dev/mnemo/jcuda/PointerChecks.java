package dev.mnemo.jcuda;

import dev.mnemo.nn.Tensor;

/**
 * The checks made before JCuda memory is handed to Mnemo, in the order they run: argument checks
 * that need no driver first, then the driver's view of the memory (through {@link DriverQueries}).
 * Every failure is an exception saying what is wrong and what to do.
 */
final class PointerChecks {
    /** float32 tensors and Mnemo's kernels read 4-byte words. */
    static final int ALIGNMENT = Float.BYTES;

    static final String CONTEXT_RULE = "JCuda and Mnemo must share device %d's primary context: make it current "
            + "with cuDevicePrimaryCtxRetain(ctx, dev) and cuCtxSetCurrent(ctx), not cuCtxCreate (memory and streams "
            + "of another context are not usable from Mnemo's)";

    private PointerChecks() {
    }

    /**
     * The device address of {@code pointer} after the checks that need no driver.
     *
     * @throws IllegalArgumentException on a null object, a negative size, a null device pointer
     *         (a {@code CUdeviceptr} never given to {@code cuMemAlloc}) or a misaligned one
     */
    static long address(String name, jcuda.driver.CUdeviceptr pointer, long byteSize) {
        if (pointer == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (byteSize < 0) {
            throw new IllegalArgumentException(name + ": byteSize must be >= 0, got " + byteSize);
        }
        long address = JCudaHandles.address(pointer);
        if (address == 0) {
            throw new IllegalArgumentException(name + " is a null device pointer (" + pointer
                    + "): allocate it with cuMemAlloc first");
        }
        if (address % ALIGNMENT != 0) {
            throw new IllegalArgumentException(name + " at 0x" + Long.toHexString(address) + " is not "
                    + ALIGNMENT + "-byte aligned, which float32 data needs (cuMemAlloc returns 256-byte aligned memory; "
                    + "check the byte offset)");
        }
        return address;
    }

    /**
     * Checks that {@code byteSize} bytes hold a float32 tensor of {@code shape}.
     *
     * @throws IllegalArgumentException when they do not, or a size is negative
     */
    static long floatsFor(String name, long byteSize, int... shape) {
        if (shape == null) {
            throw new IllegalArgumentException(name + ": shape must not be null");
        }
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException(name + ": sizes must be >= 0, got shape " + Tensor.shapeString(shape));
            }
        }
        long needed;
        try {
            for (int s : shape) {
                n = Math.multiplyExact(n, s);
            }
            needed = Math.multiplyExact(n, Float.BYTES);
        } catch (ArithmeticException e) {   // was the bare "long overflow"
            throw new IllegalArgumentException(name + ": a float32 tensor of shape " + Tensor.shapeString(shape)
                    + " needs more than " + Long.MAX_VALUE + " bytes");
        }
        if (needed > byteSize) {
            throw new IllegalArgumentException(name + ": a float32 tensor of shape " + Tensor.shapeString(shape)
                    + " needs " + needed + " bytes, the memory has " + byteSize);
        }
        return n;
    }

    /**
     * Checks the driver's view of {@code [address, address + byteSize)}: known device memory, in the
     * primary context of device {@code ordinal}, inside one allocation.
     *
     * @throws IllegalArgumentException when any of that fails
     */
    static void allocation(String name, long address, long byteSize, DriverQueries.Allocation a, long primary,
                           int ordinal) {
        String at = name + " at 0x" + Long.toHexString(address);
        if (a == null) {
            throw new IllegalArgumentException(at + " is not device memory the CUDA driver knows (host memory, "
                    + "freed memory, or memory of another process?)");
        }
        if (a.context() != 0 && a.context() != primary) {
            throw new IllegalArgumentException(at + " was allocated in context 0x" + Long.toHexString(a.context())
                    + ", not in device " + ordinal + "'s primary context (0x" + Long.toHexString(primary) + "). "
                    + CONTEXT_RULE.formatted(ordinal));
        }
        if (a.device() != ordinal) {
            throw new IllegalArgumentException(at + " lives on device " + a.device() + ", Mnemo's CUDA backend on device "
                    + ordinal);
        }
        if (a.size() == DriverQueries.Allocation.UNKNOWN_SIZE) {
            throw new IllegalArgumentException(at + " has no allocation range the driver reports (cuMemGetAddressRange), "
                    + "so its size cannot be checked; allocate it with cuMemAlloc");
        }
        long end = a.base() + a.size();
        if (address < a.base() || byteSize > end - address) {
            throw new IllegalArgumentException(at + " with " + byteSize + " bytes runs past the end of its allocation "
                    + "[0x" + Long.toHexString(a.base()) + ", +" + a.size() + " bytes): " + (end - address)
                    + " bytes are left from the pointer");
        }
    }
}
