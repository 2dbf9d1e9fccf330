package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.nn.Tensor;

/**
 * A group of {@link CudaBackend} operations: the runtime they queue on and the argument checks that
 * turn a tensor into device memory (it must be a live CUDA tensor of this runtime).
 */
abstract class CudaOps {
    final CudaRuntime rt;
    final CudaArgs args;

    CudaOps(CudaRuntime rt, CudaArgs args) {
        this.rt = rt;
        this.args = args;
    }

    /** The device memory of {@code t}, after checking it is a CUDA tensor of this runtime. */
    final DeviceMemory mem(String name, Tensor t) {
        return args.mem(name, t);
    }

    /** As {@link #mem} for a nullable argument. */
    final DeviceMemory memOrNull(String name, Tensor t) {
        return args.memOrNull(name, t);
    }

    final CudaStorage storage(String name, Tensor t) {
        return args.storage(name, t);
    }
}
