package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

/**
 * {@link CudaBackend}'s {@link Backend.DevicePosition}: an int64 in device memory (a tensor of two
 * float words), which {@code mnemo_dropout_apply_at_f32} and {@code mnemo_memnet_ring_write_at_f32} read
 * when they run. {@link #set} queues two
 * 32-bit memsets on the backend's stream, so it needs no host buffer that must outlive the copy, and a
 * replay queued after it reads the new value.
 */
final class CudaDevicePosition implements Backend.DevicePosition {
    private final CudaBackend backend;
    private Tensor words;   // null once closed

    CudaDevicePosition(CudaBackend backend) {
        this.backend = backend;
        this.words = backend.zeros(2);
    }

    @Override
    public void set(long position) {
        CudaStorage s = storage();
        s.recordWrite();
        s.buffer().memsetD32Async(0, (int) position, 1, runtime().stream);
        s.buffer().memsetD32Async(1, (int) (position >>> 32), 1, runtime().stream);
    }

    /** The int64's device memory, for the launch. */
    DeviceMemory memory() {
        return storage().floats(0, 2);
    }

    CudaRuntime runtime() {
        return backend.rt();
    }

    private CudaStorage storage() {
        if (words == null) {
            throw new IllegalStateException("the device position is closed");
        }
        return (CudaStorage) words.storage();
    }

    @Override
    public void close() {
        if (words != null) {
            backend.release(words);   // stream-ordered: work queued before still reads it
            words = null;
        }
    }

    @Override
    public String toString() {
        return "DevicePosition(" + backend + (words == null ? ", closed" : "") + ")";
    }
}
