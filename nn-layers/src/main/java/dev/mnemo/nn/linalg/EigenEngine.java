package dev.mnemo.nn.linalg;

/** Where an eigendecomposition runs. */
public enum EigenEngine {
    /**
     * The faster of the two by the size rule of {@link EigenOptions}: the GPU when a CUDA device with
     * cuSOLVER answers and n is at least {@link EigenOptions#gpuMinOrder()} (general) or
     * {@link EigenOptions#gpuMinOrderSymmetric()} (symmetric), else the CPU. The default.
     */
    AUTO,
    /** EJML on the CPU, in float64. */
    CPU,
    /**
     * cuSOLVER ({@code cusolverDnXgeev} / {@code cusolverDnXsyevd}) on device 0. Where no GPU answers,
     * the CPU computes the result and {@link EigenResult#notes()} says why.
     */
    GPU
}
