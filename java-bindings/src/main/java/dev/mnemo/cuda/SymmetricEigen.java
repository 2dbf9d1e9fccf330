package dev.mnemo.cuda;

/**
 * Eigen-decomposition of a real symmetric matrix: real eigenvalues in ascending order and, on
 * request, orthonormal eigenvectors.
 *
 * @param n the order of the matrix
 * @param values λ_0 <= λ_1 <= ... <= λ_n-1
 * @param vectors {@code [n, n]} row-major, column j = v_j; empty when not requested
 */
public record SymmetricEigen(int n, double[] values, double[] vectors) {

    /** Whether eigenvectors were computed. */
    public boolean hasVectors() {
        return vectors.length > 0;
    }
}
