package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.PersistentKernels;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;

/**
 * The CUDA backend's persistent whole-sequence forward and backward: the launcher, the device's limits and the
 * barrier words, made on first use. The policy's mode is read from the system property on every
 * call, so a test or a benchmark can switch paths between forwards.
 */
final class PersistentPath {
    private final PersistentKernels kernels;
    private final DeviceLimits limits;
    private final DeviceBuffer barrier;

    private PersistentPath(PersistentKernels kernels, DeviceLimits limits, DeviceBuffer barrier) {
        this.kernels = kernels;
        this.limits = limits;
        this.barrier = barrier;
    }

    static PersistentPath open(CudaRuntime rt) {
        CudaDevice device = CudaDevice.query(rt.ordinal());
        DeviceLimits limits = new DeviceLimits(device.multiprocessors(), device.sharedMemoryPerBlockOptin(),
                device.cooperativeLaunch());
        DeviceBuffer barrier = rt.allocate(PersistentKernels.BARRIER_WORDS);
        return new PersistentPath(new PersistentKernels(rt.module, rt.stream, limits), limits, barrier);
    }

    /** The policy under the currently configured mode. */
    PersistentPolicy policy() {
        return new PersistentPolicy(PersistentPolicy.Mode.configured(), limits);
    }

    /** Launches the forward with the plan's J; the barrier words are this path's. */
    void forward(Cell cell, PersistentPolicy.Choice choice, DeviceMemory gates, DeviceMemory wHh, DeviceMemory bIh,
                 DeviceMemory bHh, DeviceMemory h0, DeviceMemory c0, DeviceMemory h, DeviceMemory c, DeviceMemory hn,
                 long steps, long batch, long hidden, boolean reverse) {
        kernels.forward(cell, new PersistentKernels.FwdParams(gates, wHh, bIh, bHh, h0, c0, h, c, hn, barrier, steps,
                batch, hidden, choice.plan().unitsPerBlock(), reverse, cell == Cell.LSTM || cell == Cell.GRU));
    }

    /** Launches the backward with the backward plan's J; the barrier words are this path's. */
    void backward(Cell cell, PersistentPolicy.Choice choice, DeviceMemory gates, DeviceMemory wHh, DeviceMemory h0,
                  DeviceMemory c0, DeviceMemory h, DeviceMemory c, DeviceMemory hn, DeviceMemory dy, DeviceMemory dh,
                  DeviceMemory dc, DeviceMemory dWx, DeviceMemory dRh, long steps, long batch, long hidden,
                  boolean reverse) {
        kernels.backward(cell, new PersistentKernels.BwdParams(gates, wHh, h0, c0, h, c, hn, dy, dh, dc, dWx, dRh,
                barrier, steps, batch, hidden, choice.plan().unitsPerBlock(), reverse));
    }
}
