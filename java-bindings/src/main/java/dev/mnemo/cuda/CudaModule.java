package dev.mnemo.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * A loaded CUDA module (fatbin, cubin or PTX) and the functions looked up in it.
 *
 * <p>The image is copied into a 16-byte-aligned native segment with a trailing NUL (which PTX
 * needs and binary images ignore) for {@code cuModuleLoadData}; the driver picks the SASS for the
 * device, or JIT-compiles the PTX, at load time.
 */
public final class CudaModule implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment handle;
    private final Lifetime lifetime;
    private final Map<String, CudaFunction> functions = new HashMap<>();

    private CudaModule(CudaContext context, MemorySegment handle, String description) {
        this.context = context;
        this.handle = handle;
        this.lifetime = new Lifetime(this, description);
    }

    /** Loads an image given as bytes. */
    public static CudaModule load(CudaContext context, byte[] image) {
        return load(context, MemorySegment.ofArray(image), "CudaModule(" + image.length + " bytes)");
    }

    /** Loads an image given as a segment (heap or native; copied either way). */
    public static CudaModule load(CudaContext context, MemorySegment image, String description) {
        if (image.byteSize() == 0) {
            throw new IllegalArgumentException("a module image must not be empty");
        }
        context.use();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment aligned = arena.allocate(image.byteSize() + 1, 16);
            aligned.copyFrom(image);
            aligned.set(ValueLayout.JAVA_BYTE, image.byteSize(), (byte) 0);
            return new CudaModule(context, CudaDriver.moduleLoadData(aligned), description);
        }
    }

    /** The context the module is loaded in. */
    public CudaContext context() {
        return context;
    }

    /** The {@code CUmodule}; checks that it is open and used from the owner thread. */
    public MemorySegment handle() {
        lifetime.ensureOpen();
        context.use();
        return handle;
    }

    /**
     * The kernel named {@code name} (its {@code extern "C"} name), looked up once.
     *
     * @throws CudaException {@code CUDA_ERROR_NOT_FOUND} when the module has no such kernel
     */
    public CudaFunction function(String name) {
        MemorySegment module = handle();
        return functions.computeIfAbsent(name,
                n -> new CudaFunction(this, n, CudaDriver.moduleGetFunction(module, n)));
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return lifetime.isClosed();
    }

    /** Unloads the module (idempotent); its functions become unusable. */
    @Override
    public void close() {
        lifetime.closeIn(context, true, () -> CudaDriver.moduleUnload(handle), functions::clear);
    }

    @Override
    public String toString() {
        return lifetime.description() + (isClosed() ? " (closed)" : "");
    }
}
