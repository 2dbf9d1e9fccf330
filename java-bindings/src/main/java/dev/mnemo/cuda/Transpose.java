package dev.mnemo.cuda;

/** Whether a GEMM/GEAM operand is used as stored or transposed ({@code cublasOperation_t}). */
public enum Transpose {
    /** {@code CUBLAS_OP_N}: op(X) = X. */
    NONE(0),
    /** {@code CUBLAS_OP_T}: op(X) = Xᵀ. */
    TRANSPOSE(1);

    private final int nativeValue;

    Transpose(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    /** The C enum value. */
    public int nativeValue() {
        return nativeValue;
    }
}
