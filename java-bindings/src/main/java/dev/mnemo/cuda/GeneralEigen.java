package dev.mnemo.cuda;

/**
 * Eigen-decomposition of a real general matrix: complex eigenvalues and, on request, complex right
 * eigenvectors ({@code A·v_j = λ_j·v_j}), in cuSOLVER/LAPACK order (a conjugate pair is adjacent,
 * positive imaginary part first), not sorted.
 *
 * @param n the order of the matrix
 * @param valuesRe real parts of λ_j
 * @param valuesIm imaginary parts of λ_j
 * @param vectorsRe {@code [n, n]} row-major, column j = real part of v_j (unit Euclidean norm);
 *        empty when vectors were not requested
 * @param vectorsIm the imaginary parts, same layout
 */
public record GeneralEigen(int n, double[] valuesRe, double[] valuesIm, double[] vectorsRe, double[] vectorsIm) {

    /** Whether eigenvectors were computed. */
    public boolean hasVectors() {
        return vectorsRe.length > 0;
    }

    /** Spectral radius: the largest |λ|. */
    public double spectralRadius() {
        double max = 0;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, Math.hypot(valuesRe[j], valuesIm[j]));
        }
        return max;
    }

    /**
     * Builds the result from cuSOLVER's output: {@code w} interleaved (re, im) and {@code packed}
     * the row-major {@code [n, n]} LAPACK packing (a real λ_j has v_j = column j; a pair
     * (λ_j, λ_j+1 = conj λ_j) has v_j = column j + i·column j+1 and v_j+1 = its conjugate).
     */
    static GeneralEigen unpack(int n, double[] w, double[] packed) {
        double[] re = new double[n];
        double[] im = new double[n];
        for (int j = 0; j < n; j++) {
            re[j] = w[2 * j];
            im[j] = w[2 * j + 1];
        }
        if (packed == null) {
            return new GeneralEigen(n, re, im, new double[0], new double[0]);
        }
        double[] vRe = new double[n * n];
        double[] vIm = new double[n * n];
        for (int j = 0; j < n; j++) {
            if (im[j] == 0 || j + 1 == n) {
                for (int i = 0; i < n; i++) {
                    vRe[i * n + j] = packed[i * n + j];
                }
                continue;
            }
            // v = column j + i·column j+1 belongs to the member with positive imaginary part
            double sign = im[j] > 0 ? 1 : -1;
            for (int i = 0; i < n; i++) {
                double a = packed[i * n + j];
                double b = packed[i * n + j + 1];
                vRe[i * n + j] = a;
                vIm[i * n + j] = sign * b;
                vRe[i * n + j + 1] = a;
                vIm[i * n + j + 1] = -sign * b;
            }
            j++;
        }
        return new GeneralEigen(n, re, im, vRe, vIm);
    }
}
