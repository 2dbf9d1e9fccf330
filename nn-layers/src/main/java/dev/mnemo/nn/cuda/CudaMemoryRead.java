package dev.mnemo.nn.cuda;

import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;
import dev.mnemo.nn.Tensor;

/** {@link CudaBackend}'s memory read: the memnet kernels behind the Backend contract. */
final class CudaMemoryRead {
    private CudaMemoryRead() {
    }

    static void forward(CudaBackend backend, MemoryRead read, Tensor c, Tensor lse) {
        throw new UnsupportedOperationException("memory read on CUDA: not implemented yet");
    }

    static void backward(CudaBackend backend, MemoryRead read, Tensor c, Tensor lse, Tensor dc, Strided dq,
                         Strided dKeys, Strided dValues) {
        throw new UnsupportedOperationException("memory read backward on CUDA: not implemented yet");
    }
}
