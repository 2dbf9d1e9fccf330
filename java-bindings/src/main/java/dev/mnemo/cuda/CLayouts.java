package dev.mnemo.cuda;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The C types of the CUDA headers as FFM layouts, named after the C type so each
 * {@code FunctionDescriptor} reads like its prototype. Linux x86-64 / aarch64 (LP64) only.
 *
 * <p>Device pointers are {@code long} in Java: {@code CUdeviceptr} is an unsigned 64-bit integer,
 * and a {@code float*} device argument of cuBLAS/cuSOLVER is passed the same way (an integer
 * register) on every LP64 ABI, so {@link #DEVICE_PTR} serves both.
 */
final class CLayouts {
    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    /** {@code unsigned int}: same bits as {@code int}; Java callers pass non-negative values. */
    static final ValueLayout.OfInt C_UINT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfLong C_INT64 = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    /** A host pointer or an opaque handle ({@code CUcontext}, {@code cublasHandle_t}, ...). */
    static final AddressLayout C_POINTER = ValueLayout.ADDRESS;
    /** {@code CUdeviceptr} and device-side {@code T*} arguments. */
    static final ValueLayout.OfLong DEVICE_PTR = ValueLayout.JAVA_LONG;

    private CLayouts() {
    }

    /** Reads a NUL-terminated C string that the library owns (e.g. from {@code cuGetErrorName}). */
    @SuppressWarnings("restricted")
    static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return null;
        }
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
