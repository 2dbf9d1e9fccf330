package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.nn.Tensor;

/**
 * The CUDA backend's argument checks, before any CUDA call: that a tensor is a CUDA tensor of this
 * runtime (and its device memory), shapes, and aliasing between tensors. Messages name the argument,
 * the rule and what was given.
 */
final class CudaArgs {
    private final CudaRuntime rt;

    /** Checks for tensors of {@code rt} (null in tests of the checks that fail before any CUDA call). */
    CudaArgs(CudaRuntime rt) {
        this.rt = rt;
    }

    /** The device memory of {@code t}, after checking it is a CUDA tensor of this runtime. */
    DeviceMemory mem(String name, Tensor t) {
        CudaStorage s = storage(name, t);
        return s.floats(t.offset(), t.numel());
    }

    /** As {@link #mem} for a nullable argument. */
    DeviceMemory memOrNull(String name, Tensor t) {
        return t == null ? null : mem(name, t);
    }

    CudaStorage storage(String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException(name + " must be a cuda float32 tensor (this backend's device), got "
                    + t + "; move it with to(Device.CUDA)");
        }
        if (s.released()) {
            throw new IllegalStateException(name + "'s device memory was released (Backend.release), so " + name
                    + " must not be used any more: " + t);
        }
        if (s.runtime() != rt) {
            throw new IllegalArgumentException(name + " lives on another CUDA context (device " + s.runtime().ordinal()
                    + ") than this backend's (device " + rt.ordinal() + "): " + t);
        }
        return s;
    }

    static void shape(String name, Tensor t, int... expected) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must not be null (expected shape "
                    + Tensor.shapeString(expected) + ")");
        }
        if (!t.hasShape(expected)) {
            throw new IllegalArgumentException(name + " must have shape " + Tensor.shapeString(expected) + ", got "
                    + Tensor.shapeString(t.shape()));
        }
    }

    static void optionalShape(String name, Tensor t, int... expected) {
        if (t != null) {
            shape(name, t, expected);
        }
    }

    static void sameNumel(String aName, Tensor a, String bName, Tensor b) {
        if (a.numel() != b.numel()) {
            throw new IllegalArgumentException(bName + " must have the " + a.numel() + " elements of " + aName + " "
                    + Tensor.shapeString(a.shape()) + ", got " + b.numel() + " " + Tensor.shapeString(b.shape()));
        }
    }

    /** Every {@code values[i]} in {@code [0, bound)}; {@code boundName} says what bounds them. */
    static void indices(String name, int[] values, int bound, String boundName) {
        if (values == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= bound) {
                throw new IllegalArgumentException(name + "[" + i + "] must be in [0, " + bound + ") (" + boundName
                        + "), got " + values[i]);
            }
        }
    }

    static void matrix(String name, Tensor t) {
        if (t == null || t.rank() != 2) {
            throw new IllegalArgumentException(name + " must be a matrix [rows, cols], got "
                    + (t == null ? "null" : Tensor.shapeString(t.shape())));
        }
    }

    static boolean sameStart(Tensor a, Tensor b) {
        return a.sharesStorageWith(b) && a.offset() == b.offset();
    }

    static boolean overlap(Tensor a, Tensor b) {
        return a.sharesStorageWith(b) && a.numel() > 0 && b.numel() > 0
                && a.offset() < b.offset() + b.numel() && b.offset() < a.offset() + a.numel();
    }
}
