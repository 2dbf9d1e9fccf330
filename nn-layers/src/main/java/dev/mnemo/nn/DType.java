package dev.mnemo.nn;

/**
 * Element type of a tensor.
 *
 * <p>{@link #FLOAT32} is the type of every model tensor. {@link #FLOAT64} exists for the CPU
 * reference path only ({@link CpuBackend#float64()}): gradient checks against finite differences run
 * the very same layer code in double precision. The CUDA backend is float32 only.
 */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8);

    private final String label;
    private final int byteSize;

    DType(String label, int byteSize) {
        this.label = label;
        this.byteSize = byteSize;
    }

    /** PyTorch-style name used in messages: {@code float32}, {@code float64}. */
    public String label() {
        return label;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }
}
