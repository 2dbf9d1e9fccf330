package dev.mnemo.nn;

import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;

/** The CPU reference of {@link Backend#memoryReadForward} and {@link Backend#memoryReadBackward}. */
final class CpuMemoryRead {
    private CpuMemoryRead() {
    }

    static void forward(MemoryRead read, Tensor c, Tensor lse) {
        throw new UnsupportedOperationException("memory read: not implemented yet");
    }

    static void backward(MemoryRead read, Tensor c, Tensor lse, Tensor dc, Strided dq, Strided dKeys,
                         Strided dValues) {
        throw new UnsupportedOperationException("memory read backward: not implemented yet");
    }
}
