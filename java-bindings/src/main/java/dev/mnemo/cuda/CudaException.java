package dev.mnemo.cuda;

import java.util.OptionalInt;

/**
 * The one exception of the CUDA bindings: a non-success status from the CUDA driver, cuBLAS or
 * cuSOLVER, a non-zero cuSOLVER {@code info}, or a library or symbol that could not be loaded.
 *
 * <p>It is unchecked because a failed CUDA call is either a programming error or an environment
 * problem that the immediate caller cannot repair; it carries everything needed to diagnose it:
 * the library, the exported function that failed, the numeric code and its symbolic name
 * ({@code CUDA_ERROR_OUT_OF_MEMORY}, {@code CUBLAS_STATUS_INVALID_VALUE}, ...) and, for cuSOLVER,
 * the {@code info} value.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which native library reported the failure. */
    public enum Library {
        /** The CUDA driver API ({@code libcuda.so.1}). */
        DRIVER("CUDA driver"),
        /** cuBLAS. */
        CUBLAS("cuBLAS"),
        /** cuSOLVER (dense). */
        CUSOLVER("cuSOLVER"),
        /** Library discovery or symbol lookup, before any CUDA call. */
        LOADER("library loader");

        private final String displayName;

        Library(String displayName) {
            this.displayName = displayName;
        }

        /** A human name such as "cuBLAS". */
        public String displayName() {
            return displayName;
        }
    }

    /** Code used for loader failures, which have no native status. */
    public static final int NO_CODE = -1;

    /** {@code CUDA_ERROR_OUT_OF_MEMORY}'s code in the driver API. */
    public static final int DRIVER_OUT_OF_MEMORY = 2;

    /** {@code CUDA_ERROR_INVALID_CLUSTER_SIZE}'s code in the driver API. */
    public static final int DRIVER_INVALID_CLUSTER_SIZE = 912;

    private final Library library;
    private final String call;
    private final int code;
    private final String codeName;
    private final Integer info;

    private CudaException(Library library, String call, int code, String codeName, Integer info,
                          String message, Throwable cause) {
        super(message, cause);
        this.library = library;
        this.call = call;
        this.code = code;
        this.codeName = codeName;
        this.info = info;
    }

    /**
     * A driver API call returned {@code code}.
     *
     * @param description cuGetErrorString's text, or null when unavailable
     */
    static CudaException driver(String call, int code, String name, String description) {
        String text = call + " failed: " + name + " (" + code + ")"
                + (description == null || description.isEmpty() ? "" : ": " + description);
        return new CudaException(Library.DRIVER, call, code, name, null, text, null);
    }

    /** A cuBLAS call returned {@code code}. */
    static CudaException cublas(String call, int code) {
        String name = CublasStatus.nameOf(code);
        return new CudaException(Library.CUBLAS, call, code, name, null,
                call + " failed: " + name + " (" + code + ")", null);
    }

    /** A cuSOLVER call returned {@code code}. */
    static CudaException cusolver(String call, int code) {
        String name = CusolverStatus.nameOf(code);
        return new CudaException(Library.CUSOLVER, call, code, name, null,
                call + " failed: " + name + " (" + code + ")", null);
    }

    /**
     * A cuSOLVER call succeeded but reported {@code info != 0}: negative means parameter
     * {@code -info} was wrong, positive means the algorithm did not converge.
     */
    static CudaException cusolverInfo(String call, int info) {
        String meaning = info < 0
                ? "parameter " + (-info) + " had an illegal value"
                : "the algorithm did not converge (" + info + " eigenvalues or superdiagonals left)";
        return new CudaException(Library.CUSOLVER, call, 0, CusolverStatus.nameOf(0), info,
                call + " reported info = " + info + ": " + meaning, null);
    }

    /** A library or a symbol could not be loaded. */
    static CudaException loader(String call, String codeName, String message, Throwable cause) {
        return new CudaException(Library.LOADER, call, NO_CODE, codeName, null, message, cause);
    }

    /**
     * What to throw when {@code invokeExact} throws: unchecked exceptions and errors pass through
     * unchanged (a missing symbol's {@link CudaException} among them); anything else, which a
     * downcall cannot raise, is wrapped so no public method declares {@code throws Throwable}.
     */
    static RuntimeException rethrow(String call, Throwable thrown) {
        if (thrown instanceof RuntimeException runtime) {
            return runtime;
        }
        if (thrown instanceof Error error) {
            throw error;
        }
        return loader(call, "UNEXPECTED", call + " threw " + thrown, thrown);
    }

    /**
     * This failure with {@code detail} appended to its message: same library, call, code and info,
     * with this exception as the cause (for callers that know more, e.g. what an allocator held).
     */
    public CudaException withDetail(String detail) {
        return new CudaException(library, call, code, codeName, info, getMessage() + "; " + detail, this);
    }

    /** Whether this is the driver's {@code CUDA_ERROR_OUT_OF_MEMORY} (e.g. from {@code cuMemAlloc_v2}). */
    public boolean isOutOfMemory() {
        return library == Library.DRIVER && code == DRIVER_OUT_OF_MEMORY;
    }

    /** The library that failed. */
    public Library library() {
        return library;
    }

    /** The exported function that failed, e.g. {@code cuMemAlloc_v2}, or the library file for loader errors. */
    public String call() {
        return call;
    }

    /** The numeric status ({@code CUresult}, {@code cublasStatus_t}, {@code cusolverStatus_t}); {@link #NO_CODE} for loader errors. */
    public int code() {
        return code;
    }

    /** The symbolic name of {@link #code()}, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String codeName() {
        return codeName;
    }

    /** cuSOLVER's {@code info} when it was the cause of this exception. */
    public OptionalInt info() {
        return info == null ? OptionalInt.empty() : OptionalInt.of(info);
    }
}
