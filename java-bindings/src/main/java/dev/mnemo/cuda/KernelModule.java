package dev.mnemo.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Mnemo's own kernels: the fatbin that the build compiles with nvcc from {@code cuda-kernels/}
 * and puts in this jar next to this class, as resource {@value #RESOURCE}.
 *
 * <p>A jar built without nvcc has no fatbin; everything else in the bindings still works, and
 * {@link #loadMnemoKernels} says why it cannot load.
 */
public final class KernelModule {
    /** Where the build puts the fatbin inside the jar. */
    public static final String RESOURCE = "/dev/mnemo/cuda/mnemo_kernels.fatbin";
    /** The message when the fatbin is absent. */
    static final String NOT_BUILT = "kernels not built: the jar has no mnemo_kernels.fatbin (built without nvcc?)";

    private KernelModule() {
    }

    /** Whether the jar carries the fatbin. */
    public static boolean isBuilt() {
        return KernelModule.class.getResource(RESOURCE) != null;
    }

    /** The fatbin's bytes, when the jar carries it. */
    public static Optional<byte[]> fatbinBytes() {
        try (InputStream in = KernelModule.class.getResourceAsStream(RESOURCE)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * The fatbin's table of contents.
     *
     * @throws IllegalStateException when the jar has no fatbin
     */
    public static Fatbin fatbin() {
        return Fatbin.parse(fatbinBytes().orElseThrow(() -> new IllegalStateException(NOT_BUILT)));
    }

    /**
     * Loads the fatbin into {@code context}; the driver picks the SASS for the device, or
     * JIT-compiles the PTX on a newer one.
     *
     * @throws IllegalStateException "kernels not built: the jar has no mnemo_kernels.fatbin (built
     *         without nvcc?)" when the jar has no fatbin
     * @throws CudaException when the driver rejects it (e.g. {@code CUDA_ERROR_NO_BINARY_FOR_GPU})
     */
    public static CudaModule loadMnemoKernels(CudaContext context) {
        return load(context, fatbinBytes());
    }

    /** Loads {@code image}, or says the kernels were not built when there is none. */
    static CudaModule load(CudaContext context, Optional<byte[]> image) {
        return CudaModule.load(context, image.orElseThrow(() -> new IllegalStateException(NOT_BUILT)));
    }
}
