package dev.mnemo.nn.linalg;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.DeviceBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
    private DeviceBuffer input;
    private DeviceBuffer re;
    private DeviceBuffer im;
    private DeviceBuffer status;

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

    /** A device buffer of at least {@code bytes} for the input matrices. */
    DeviceBuffer input(long bytes) {
        input = grown(input, bytes);
        return input;
    }

    /** A device buffer of at least {@code bytes} for the eigenvalues' real parts. */
    DeviceBuffer re(long bytes) {
        re = grown(re, bytes);
        return re;
    }

    /** A device buffer of at least {@code bytes} for the eigenvalues' imaginary parts. */
    DeviceBuffer im(long bytes) {
        im = grown(im, bytes);
        return im;
    }

    /** A device buffer of at least {@code bytes} for the per-matrix status words. */
    DeviceBuffer status(long bytes) {
        status = grown(status, bytes);
        return status;
    }

    private DeviceBuffer grown(DeviceBuffer b, long bytes) {
        if (b != null && b.byteSize() >= bytes) {
            return b;
        }
        if (b != null) {
            b.close();
        }
        return DeviceBuffer.allocate(context, bytes);
    }
}
