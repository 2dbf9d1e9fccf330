package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.CudaDriver;
import dev.mnemo.cuda.CudaFunction;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.FunctionAttribute;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Launches on the GPU: functions of one module, queued on one stream. The functions are looked up
 * at construction, so a module that lacks a kernel fails there, and no lookup happens later inside
 * a CUDA graph capture.
 */
final class ModuleLaunchTarget implements LaunchTarget {
    /** The dynamic shared memory a function may ask for before it opts in to more. */
    private static final int DEFAULT_DYNAMIC_SHARED_BYTES = 48 * 1024;
    private final CudaModule module;
    private final CudaStream stream;
    /** The dynamic shared memory each function has been allowed so far (the driver's default: 48 KiB). */
    private final Map<String, Integer> allowed = new HashMap<>();

    ModuleLaunchTarget(CudaModule module, CudaStream stream, List<KernelSignature> kernels) {
        if (module.context() != stream.context()) {
            throw new IllegalArgumentException("module and stream must share a context, got "
                    + module.context() + " and " + stream.context());
        }
        this.module = module;
        this.stream = stream;
        kernels.forEach(k -> module.function(k.name()));
    }

    CudaStream stream() {
        return stream;
    }

    @Override
    public void launch(KernelSignature kernel, LaunchGeometry geometry, Object... arguments) {
        CudaFunction function = module.function(kernel.name());
        int shared = geometry.sharedMemBytes();
        if (shared > allowed.getOrDefault(kernel.name(), DEFAULT_DYNAMIC_SHARED_BYTES)) {
            // past 48 KiB a function must opt in first; a capture may record this launch: the attribute is no stream work
            function.setAttribute(FunctionAttribute.MAX_DYNAMIC_SHARED_SIZE_BYTES, shared);
            allowed.put(kernel.name(), shared);
        }
        try (Arena arena = Arena.ofConfined()) {
            // the driver copies the argument values during cuLaunchKernel, so the arena may close after
            function.launch(geometry, stream, kernel.pack(arena, arguments));
        }
    }

    @Override
    public float readFloat(DeviceMemory source) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT);
            CudaDriver.memcpyDtoHAsync(host, source.address(), Float.BYTES, stream.handle());
            stream.synchronize();
            return host.get(ValueLayout.JAVA_FLOAT, 0);
        }
    }
}
