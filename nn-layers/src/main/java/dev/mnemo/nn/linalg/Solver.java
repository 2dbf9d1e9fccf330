package dev.mnemo.nn.linalg;

/**
 * One way to decompose one matrix: the unit of {@link Eigen}'s attempt ladder. Package-private: a
 * test can put a solver of its own (one that lies) first on the ladder.
 */
interface Solver {

    /** {@code cpu-ejml}, {@code gpu-cusolver-xgeev}… */
    String label();

    /** The arithmetic it computes in. */
    EigenPrecision precision();

    /** Whether it assumes a symmetric matrix. */
    boolean symmetric();

    /**
     * Eigenvalues (and, with {@code vectors}, right eigenvectors) of the row-major {@code [n, n]}
     * matrix {@code a}, which it must not modify; unsorted.
     *
     * @throws RuntimeException when it cannot (no convergence, a CUDA error): the next attempt runs
     */
    RawEigen solve(double[] a, int n, boolean vectors);
}
