package dev.mnemo.jcuda;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The raw values behind JCuda's handle objects, and the reverse for streams.
 *
 * <p>Why reflection: JCuda keeps the native value of a {@link NativePointerObject} (and a
 * {@link Pointer}'s byte offset) in {@code protected} accessors and has no public way to read it,
 * nor to make a {@link CUstream} from a raw handle (its {@code CUstream(long)} constructor is
 * package-private). The driver can tell a device pointer's value
 * ({@code CU_POINTER_ATTRIBUTE_DEVICE_POINTER}), but not a stream's or a context's. So this class
 * opens those three members once, through {@link MethodHandles#privateLookupIn}; JCuda's packages
 * are open to it both on the class path and as an automatic module. Reading them needs no driver.
 * If a JCuda release renames them, every use fails with an {@link IllegalStateException} naming
 * the member, never a silent wrong value.
 */
final class JCudaHandles {
    private JCudaHandles() {
    }

    private static final class Members {
        static final MethodHandle NATIVE_POINTER;
        static final MethodHandle BYTE_OFFSET;
        static final MethodHandle NEW_STREAM;
        static final String FAILURE;

        static {
            MethodHandle nativePointer = null;
            MethodHandle byteOffset = null;
            MethodHandle newStream = null;
            String failure = null;
            try {
                MethodHandles.Lookup here = MethodHandles.lookup();
                nativePointer = MethodHandles.privateLookupIn(NativePointerObject.class, here)
                        .findVirtual(NativePointerObject.class, "getNativePointer", MethodType.methodType(long.class));
                byteOffset = MethodHandles.privateLookupIn(Pointer.class, here)
                        .findVirtual(Pointer.class, "getByteOffset", MethodType.methodType(long.class));
                newStream = MethodHandles.privateLookupIn(CUstream.class, here)
                        .findConstructor(CUstream.class, MethodType.methodType(void.class, long.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                failure = "this JCuda version does not have the members the interop reads "
                        + "(NativePointerObject.getNativePointer(), Pointer.getByteOffset(), CUstream(long)): " + e;
            }
            NATIVE_POINTER = nativePointer;
            BYTE_OFFSET = byteOffset;
            NEW_STREAM = newStream;
            FAILURE = failure;
        }

        static void check() {
            if (FAILURE != null) {
                throw new IllegalStateException(FAILURE);
            }
        }
    }

    /** The native value of a JCuda handle ({@code CUstream}, {@code CUcontext}, ...); 0 for null. */
    static long handle(NativePointerObject object) {
        if (object == null) {
            return 0L;
        }
        Members.check();
        try {
            return (long) Members.NATIVE_POINTER.invokeExact(object);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read the native value of " + object, t);
        }
    }

    /** The device address a {@link CUdeviceptr} stands for: its native value plus its byte offset. */
    static long address(CUdeviceptr pointer) {
        if (pointer == null) {
            return 0L;
        }
        long base = handle(pointer);
        try {
            return base + (long) Members.BYTE_OFFSET.invokeExact((Pointer) pointer);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read the byte offset of " + pointer, t);
        }
    }

    /**
     * A {@link CUdeviceptr} for a raw device address, through JCuda's public API: a null pointer
     * with that byte offset, which JCuda's native side adds back.
     */
    static CUdeviceptr pointer(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    /** A JCuda {@link CUstream} for a raw {@code CUstream} handle (0: the legacy default stream). */
    static CUstream stream(long handle) {
        Members.check();
        try {
            return (CUstream) Members.NEW_STREAM.invokeExact(handle);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot make a CUstream for handle 0x" + Long.toHexString(handle), t);
        }
    }
}
