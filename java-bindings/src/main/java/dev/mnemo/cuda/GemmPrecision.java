package dev.mnemo.cuda;

/**
 * How a float32 GEMM computes ({@code cublasComputeType_t}). Mnemo's default is exact fp32; TF32
 * (10-bit mantissa inputs on tensor cores, fp32 accumulation, about 1e-3 relative error) is an
 * explicit switch, never a silent one.
 */
public enum GemmPrecision {
    /** {@code CUBLAS_COMPUTE_32F}: float32 inputs and arithmetic. */
    FP32(68),
    /** {@code CUBLAS_COMPUTE_32F_FAST_TF32}: inputs rounded to TF32 on tensor cores, fp32 accumulation. */
    TF32(77);

    private final int nativeValue;

    GemmPrecision(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    /** The C enum value. */
    public int nativeValue() {
        return nativeValue;
    }
}
