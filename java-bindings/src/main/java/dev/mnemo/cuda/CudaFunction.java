package dev.mnemo.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A kernel of a {@link CudaModule}; valid while the module is open. */
public final class CudaFunction {
    private final CudaModule module;
    private final String name;
    private final MemorySegment handle;

    CudaFunction(CudaModule module, String name, MemorySegment handle) {
        this.module = module;
        this.name = name;
        this.handle = handle;
    }

    /** The kernel's {@code extern "C"} name. */
    public String name() {
        return name;
    }

    /** The module it belongs to. */
    public CudaModule module() {
        return module;
    }

    /**
     * {@code cuLaunchKernel} on {@code stream}.
     *
     * @param kernelParams a {@code void**} with one entry per kernel parameter, each pointing at
     *        the argument's value (see {@code KernelSignature.pack}); the driver copies the values,
     *        so the memory may be freed once this returns
     */
    public void launch(LaunchGeometry geometry, CudaStream stream, MemorySegment kernelParams) {
        module.handle(); // open, and the owner thread
        CudaDriver.launchKernel(handle, geometry.gridX(), geometry.gridY(), geometry.gridZ(),
                geometry.blockX(), geometry.blockY(), geometry.blockZ(), geometry.sharedMemBytes(),
                stream.handle(), kernelParams);
    }

    /**
     * {@code cuLaunchCooperativeKernel} on {@code stream}: every block resident at once (for kernels
     * with a grid-wide barrier). Arguments as {@link #launch}.
     */
    public void launchCooperative(LaunchGeometry geometry, CudaStream stream, MemorySegment kernelParams) {
        module.handle(); // open, and the owner thread
        CudaDriver.launchCooperativeKernel(handle, geometry.gridX(), geometry.gridY(), geometry.gridZ(),
                geometry.blockX(), geometry.blockY(), geometry.blockZ(), geometry.sharedMemBytes(),
                stream.handle(), kernelParams);
    }

    /**
     * {@code cuLaunchKernelEx} on {@code stream} with thread-block clusters of {@code clusterX}
     * blocks along x (sm_90 and newer); {@code geometry.gridX()} must be a multiple of it. Arguments
     * as {@link #launch}.
     */
    public void launchCluster(LaunchGeometry geometry, int clusterX, CudaStream stream, MemorySegment kernelParams) {
        module.handle(); // open, and the owner thread
        try (Arena arena = Arena.ofConfined()) {
            CudaDriver.launchKernelEx(LaunchConfig.withCluster(arena, geometry, clusterX, stream.handle()), handle,
                    kernelParams);
        }
    }

    /**
     * {@code cuOccupancyMaxActiveClusters}: clusters of {@code clusterX} blocks of this geometry's
     * block size and dynamic shared memory that fit on the device at once (0: none fits). A cluster
     * size the device does not run at all ({@code CUDA_ERROR_INVALID_CLUSTER_SIZE}: above 8 without
     * {@link FunctionAttribute#NON_PORTABLE_CLUSTER_SIZE_ALLOWED}, or above what its GPCs hold) fits 0
     * times too.
     */
    public int maxActiveClusters(LaunchGeometry geometry, int clusterX, CudaStream stream) {
        module.handle();
        try (Arena arena = Arena.ofConfined()) {
            return CudaDriver.occupancyMaxActiveClusters(handle,
                    LaunchConfig.withCluster(arena, geometry, clusterX, stream.handle()));
        } catch (CudaException e) {
            if (e.library() == CudaException.Library.DRIVER && e.code() == CudaException.DRIVER_INVALID_CLUSTER_SIZE) {
                return 0;
            }
            throw e;
        }
    }

    /** Blocks of {@code blockThreads} threads and {@code dynamicSharedBytes} that fit on one SM at once. */
    public int maxActiveBlocksPerMultiprocessor(int blockThreads, long dynamicSharedBytes) {
        module.handle();
        return CudaDriver.occupancyMaxActiveBlocksPerMultiprocessor(handle, blockThreads, dynamicSharedBytes);
    }

    /** {@code cuFuncGetAttribute}. */
    public int attribute(FunctionAttribute attribute) {
        module.handle();
        return CudaDriver.funcGetAttribute(attribute, handle);
    }

    /** {@code cuFuncSetAttribute}. */
    public void setAttribute(FunctionAttribute attribute, int value) {
        module.handle();
        CudaDriver.funcSetAttribute(handle, attribute, value);
    }

    @Override
    public String toString() {
        return "CudaFunction(" + name + ")";
    }
}
