package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;

/** Device memory that is only numbers: launch validation needs sizes, never the GPU. */
record FakeMemory(long address, long byteSize) implements DeviceMemory {
    static FakeMemory floats(long count) {
        return new FakeMemory(0x10000, count * Float.BYTES);
    }
}
