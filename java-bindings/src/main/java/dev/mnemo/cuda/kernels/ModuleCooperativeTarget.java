package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.CudaDriver;
import dev.mnemo.cuda.CudaFunction;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.FunctionAttribute;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cooperative, cluster and plain launches of one module's functions on one stream; functions looked up at
 * construction.
 */
final class ModuleCooperativeTarget implements CooperativeTarget, ClusterTarget {
    private final CudaModule module;
    private final CudaStream stream;
    /** The dynamic shared memory each function has been allowed so far (the driver's default: 48 KiB). */
    private final Map<String, Integer> allowed = new HashMap<>();
    /** The functions already allowed clusters above 8 blocks. */
    private final Set<String> nonPortable = new HashSet<>();

    ModuleCooperativeTarget(CudaModule module, CudaStream stream, List<KernelSignature> kernels) {
        if (module.context() != stream.context()) {
            throw new IllegalArgumentException("module and stream must share a context, got "
                    + module.context() + " and " + stream.context());
        }
        this.module = module;
        this.stream = stream;
        kernels.forEach(k -> module.function(k.name()));
    }

    @Override
    public int maxActiveBlocksPerMultiprocessor(KernelSignature kernel, int blockThreads, int sharedBytes) {
        allowDynamicSharedMemory(kernel, sharedBytes); // the occupancy query honours the function's limit
        return module.function(kernel.name()).maxActiveBlocksPerMultiprocessor(blockThreads, sharedBytes);
    }

    @Override
    public void allowDynamicSharedMemory(KernelSignature kernel, int sharedBytes) {
        if (allowed.getOrDefault(kernel.name(), 48 * 1024) >= sharedBytes) {
            return;
        }
        module.function(kernel.name()).setAttribute(FunctionAttribute.MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
        allowed.put(kernel.name(), sharedBytes);
    }

    @Override
    public void zeroWords(long address, long count) {
        CudaDriver.memsetD32Async(address, 0, count, stream.handle());
    }

    @Override
    public void launchCooperative(KernelSignature kernel, LaunchGeometry geometry, Object... arguments) {
        CudaFunction function = module.function(kernel.name());
        try (Arena arena = Arena.ofConfined()) {
            // the driver copies the argument values during the launch, so the arena may close after
            function.launchCooperative(geometry, stream, kernel.pack(arena, arguments));
        }
    }

    @Override
    public void launchPlain(KernelSignature kernel, LaunchGeometry geometry, Object... arguments) {
        CudaFunction function = module.function(kernel.name());
        try (Arena arena = Arena.ofConfined()) {
            function.launch(geometry, stream, kernel.pack(arena, arguments));
        }
    }

    @Override
    public void allowNonPortableClusterSize(KernelSignature kernel) {
        if (nonPortable.add(kernel.name())) {
            module.function(kernel.name()).setAttribute(FunctionAttribute.NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1);
        }
    }

    @Override
    public int maxActiveClusters(KernelSignature kernel, LaunchGeometry geometry, int clusterSize) {
        return module.function(kernel.name()).maxActiveClusters(geometry, clusterSize, stream);
    }

    @Override
    public void launchCluster(KernelSignature kernel, LaunchGeometry geometry, int clusterSize, Object... arguments) {
        CudaFunction function = module.function(kernel.name());
        try (Arena arena = Arena.ofConfined()) {
            // the driver copies the argument values during the launch, so the arena may close after
            function.launchCluster(geometry, clusterSize, stream, kernel.pack(arena, arguments));
        }
    }
}
