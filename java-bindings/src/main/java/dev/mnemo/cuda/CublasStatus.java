package dev.mnemo.cuda;

/**
 * {@code cublasStatus_t}, with the values of {@code cublas_api.h} (CUDA 12 and 13 agree), so that
 * an error names its status without asking the library (which may be the thing that failed).
 */
public enum CublasStatus {
    SUCCESS(0),
    NOT_INITIALIZED(1),
    ALLOC_FAILED(3),
    INVALID_VALUE(7),
    ARCH_MISMATCH(8),
    MAPPING_ERROR(11),
    EXECUTION_FAILED(13),
    INTERNAL_ERROR(14),
    NOT_SUPPORTED(15),
    LICENSE_ERROR(16);

    private final int nativeValue;

    CublasStatus(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    /** The C enum value. */
    public int nativeValue() {
        return nativeValue;
    }

    /** The C name, e.g. {@code CUBLAS_STATUS_INVALID_VALUE}. */
    public String cName() {
        return "CUBLAS_STATUS_" + name();
    }

    /** The C name of a status code, or {@code CUBLAS_STATUS_UNKNOWN(code)} for a value not in the header. */
    public static String nameOf(int code) {
        for (CublasStatus s : values()) {
            if (s.nativeValue == code) {
                return s.cName();
            }
        }
        return "CUBLAS_STATUS_UNKNOWN(" + code + ")";
    }
}
