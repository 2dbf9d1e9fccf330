package dev.mnemo.nn.linalg;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the batched eigenvalue kernels use on every call, kept between calls by the GPU worker
 * ({@link GpuEigenWorker}) and grown as needed: a host staging buffer that the input is written into
 * (rounded where float32) for one upload, and the device input, eigenvalue and status buffers.
 * Without them each {@code Eigen.ofBatch} paid four {@code cuMemAlloc}/{@code cuMemFree} pairs and a
 * fresh, zeroed host copy of the whole batch.
 *
 * <p>Used on the worker thread only, except that the staging buffer is written by parallel tasks the
 * worker call waits for (hence a shared arena). Every call synchronizes its stream before it returns,
 * so a buffer is idle whenever it is reused or grown.
 */
final class BatchedEigenBuffers {
    private final CudaContext context;
    private Arena hostArena = Arena.ofShared();
    private MemorySegment host = MemorySegment.NULL;
    private final Map<Slot, DeviceBuffer> device = new EnumMap<>(Slot.class);

    /** The device buffers: the input matrices, the eigenvalues' real and imaginary parts, the status words. */
    enum Slot { INPUT, RE, IM, STATUS }

    BatchedEigenBuffers(CudaContext context) {
        this.context = context;
    }

    /** The first {@code bytes} of the host staging buffer (contents undefined). */
    MemorySegment host(long bytes) {
        if (bytes > host.byteSize()) {
            hostArena.close();
            hostArena = Arena.ofShared();
            host = hostArena.allocate(bytes, 64);
        }
        return host.asSlice(0, bytes);
    }

    /** Device buffer {@code slot}, at least {@code bytes} long (contents undefined). */
    DeviceBuffer device(Slot slot, long bytes) {
        DeviceBuffer b = device.get(slot);
        if (b == null || b.byteSize() < bytes) {
            if (b != null) {
                b.close();
            }
            b = DeviceBuffer.allocate(context, bytes);
            device.put(slot, b);
        }
        return b;
    }
}
