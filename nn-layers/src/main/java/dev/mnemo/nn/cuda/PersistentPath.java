package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.PersistentKernels;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;

/**
 * The CUDA backend's persistent whole-sequence forward and backward: the launcher, the device's limits and the
 * barrier words, made on first use. The policy's mode, variant and cluster weight precision are read from
 * their system properties on every call, so a test or a benchmark can switch paths between forwards.
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
        DeviceLimits limits = DeviceLimits.of(device);
        DeviceBuffer barrier = rt.allocateOwned(PersistentKernels.BARRIER_WORDS);
        return new PersistentPath(new PersistentKernels(rt.module, rt.stream, limits), limits, barrier);
    }

    /**
     * The policy under the currently configured mode, variant, weights and cluster size, asking the driver
     * whether a cluster plan fits before choosing it.
     */
    PersistentPolicy policy() {
        return new PersistentPolicy(PersistentPolicy.Mode.configured(), PersistentVariant.configured(),
                PersistentWeightsSetting.configured(), PersistentClusterSizeSetting.configured(),
                PersistentWideSetting.configured(), limits).fitting(plan -> kernels.cluster().runs(plan));
    }

    /**
     * Launches the forward the choice names: the cluster kernel with its plan's J and cluster count
     * (no barrier words), the wide-block one (J = H, no barrier words), or the cooperative one with its
     * plan's J and this path's barrier words.
     * {@code saves}: the LSTM and GRU write their activated gates over the projection for a backward
     * (an inference forward does not). {@code lengths}: a variable-length batch's row lengths (int32),
     * or null. {@code x} and {@code wIh}: one input feature [T, B] and W_ih's column [G·H] for a kernel
     * that projects them itself (the cluster one in float32, or the wide-block one;
     * {@link InputProjectionSetting#takes}), gates then holding no projection; or both null.
     */
    void forward(Cell cell, PersistentPolicy.Choice choice, DeviceMemory gates, DeviceMemory wHh, DeviceMemory bIh,
                 DeviceMemory bHh, DeviceMemory h0, DeviceMemory c0, DeviceMemory h, DeviceMemory c, DeviceMemory hn,
                 long steps, long batch, long hidden, boolean reverse, boolean saves, DeviceMemory lengths,
                 DeviceMemory x, DeviceMemory wIh) {
        PersistentPolicy.Path path = choice.path();
        var p = new PersistentKernels.FwdParams(gates, wHh, bIh, bHh, h0, c0, h, c, hn,
                path == PersistentPolicy.Path.GRID ? barrier : null, steps, batch, hidden, choice.unitsPerBlock(),
                reverse, saves && (cell == Cell.LSTM || cell == Cell.GRU), lengths);
        if (x != null) {
            switch (path) {
                case CLUSTER -> kernels.cluster().forwardProjected(cell, p, choice.clusterPlan().clusters(), x, wIh);
                case WIDE -> kernels.wide().forwardProjected(cell, p, x, wIh);
                default -> throw new IllegalStateException("no " + path + " kernel projects its input");
            }
            return;
        }
        switch (path) {
            case CLUSTER -> kernels.cluster().forward(cell, p, choice.clusterPlan().clusters(),
                    choice.clusterPlan().weights());
            case WIDE -> kernels.wide().forward(cell, p);
            case GRID -> kernels.forward(cell, p);
            case PER_STEP -> throw new IllegalStateException("the per-step path runs no persistent kernel");
        }
    }

    /** Launches the backward the choice names, as {@link #forward} does. */
    void backward(Cell cell, PersistentPolicy.Choice choice, DeviceMemory gates, DeviceMemory wHh, DeviceMemory h0,
                  DeviceMemory c0, DeviceMemory h, DeviceMemory c, DeviceMemory hn, DeviceMemory dy, DeviceMemory dh,
                  DeviceMemory dc, DeviceMemory dWx, DeviceMemory dRh, long steps, long batch, long hidden,
                  boolean reverse, DeviceMemory lengths) {
        PersistentPolicy.Path path = choice.path();
        var p = new PersistentKernels.BwdParams(gates, wHh, h0, c0, h, c, hn, dy, dh, dc, dWx, dRh,
                path == PersistentPolicy.Path.GRID ? barrier : null, steps, batch, hidden, choice.unitsPerBlock(),
                reverse, lengths);
        switch (path) {
            case CLUSTER -> kernels.cluster().backward(cell, p, choice.clusterPlan().clusters(),
                    choice.clusterPlan().weights());
            case WIDE -> kernels.wide().backward(cell, p);
            case GRID -> kernels.backward(cell, p);
            case PER_STEP -> throw new IllegalStateException("the per-step path runs no persistent kernel");
        }
    }
}
