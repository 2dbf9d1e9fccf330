package dev.mnemo.cuda;

/**
 * The real element types the solvers take, with their {@code cudaDataType} values from
 * {@code library_types.h} for the real and the matching complex type.
 */
public enum CudaDataType {
    /** float32: {@code CUDA_R_32F}, complex {@code CUDA_C_32F}. */
    FLOAT32(0, 4, Float.BYTES),
    /** float64: {@code CUDA_R_64F}, complex {@code CUDA_C_64F}. */
    FLOAT64(1, 5, Double.BYTES);

    private final int real;
    private final int complex;
    private final int bytes;

    CudaDataType(int real, int complex, int bytes) {
        this.real = real;
        this.complex = complex;
        this.bytes = bytes;
    }

    /** {@code CUDA_R_*}. */
    public int realValue() {
        return real;
    }

    /** {@code CUDA_C_*}: interleaved (re, im) pairs. */
    public int complexValue() {
        return complex;
    }

    /** Bytes of one real element. */
    public int bytes() {
        return bytes;
    }

    /** How messages count elements: "floats" or "doubles". */
    String plural() {
        return this == FLOAT32 ? "floats" : "doubles";
    }
}
