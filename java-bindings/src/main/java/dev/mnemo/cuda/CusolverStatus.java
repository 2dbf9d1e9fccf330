package dev.mnemo.cuda;

/**
 * {@code cusolverStatus_t}, with the values of {@code cusolver_common.h}, so that an error names
 * its status without asking the library.
 */
public enum CusolverStatus {
    SUCCESS(0),
    NOT_INITIALIZED(1),
    ALLOC_FAILED(2),
    INVALID_VALUE(3),
    ARCH_MISMATCH(4),
    MAPPING_ERROR(5),
    EXECUTION_FAILED(6),
    INTERNAL_ERROR(7),
    MATRIX_TYPE_NOT_SUPPORTED(8),
    NOT_SUPPORTED(9),
    ZERO_PIVOT(10),
    INVALID_LICENSE(11),
    IRS_PARAMS_NOT_INITIALIZED(12),
    IRS_PARAMS_INVALID(13),
    IRS_PARAMS_INVALID_PREC(14),
    IRS_PARAMS_INVALID_REFINE(15),
    IRS_PARAMS_INVALID_MAXITER(16),
    IRS_INTERNAL_ERROR(20),
    IRS_NOT_SUPPORTED(21),
    IRS_OUT_OF_RANGE(22),
    IRS_NRHS_NOT_SUPPORTED_FOR_REFINE_GMRES(23),
    IRS_INFOS_NOT_INITIALIZED(25),
    IRS_INFOS_NOT_DESTROYED(26),
    IRS_MATRIX_SINGULAR(30),
    INVALID_WORKSPACE(31);

    private final int nativeValue;

    CusolverStatus(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    /** The C enum value. */
    public int nativeValue() {
        return nativeValue;
    }

    /** The C name, e.g. {@code CUSOLVER_STATUS_INVALID_VALUE}. */
    public String cName() {
        return "CUSOLVER_STATUS_" + name();
    }

    /** The C name of a status code, or {@code CUSOLVER_STATUS_UNKNOWN(code)} for a value not in the header. */
    public static String nameOf(int code) {
        for (CusolverStatus s : values()) {
            if (s.nativeValue == code) {
                return s.cName();
            }
        }
        return "CUSOLVER_STATUS_UNKNOWN(" + code + ")";
    }
}
