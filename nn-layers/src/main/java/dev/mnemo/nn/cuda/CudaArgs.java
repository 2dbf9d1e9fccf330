package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.nn.Tensor;

/**
 * The CUDA backend's argument checks, before any CUDA call: that a tensor is a CUDA tensor of this
 * runtime (and its device memory). Shapes and aliasing are {@link dev.mnemo.nn.BackendChecks}, shared with
 * the CPU backend. Messages name the argument, the rule and what was given.
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
}
