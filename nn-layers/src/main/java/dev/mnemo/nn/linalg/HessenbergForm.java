package dev.mnemo.nn.linalg;

/**
 * Reduction of a square matrix to upper Hessenberg form by Householder reflections, in place
 * (LAPACK's unblocked {@code dgehd2}, values only: the reflectors are not kept). The spectrum is
 * unchanged and the QR algorithm then costs O(n²) per sweep instead of O(n³).
 *
 * <p>Row-major throughout, so every O(n²)-per-column update is a contiguous loop over one row
 * (an axpy or a dot product) that the JIT turns into vector instructions.
 */
final class HessenbergForm {

    private HessenbergForm() {
    }

    /**
     * Overwrites the n×n matrix in {@code a} (row i at {@code a[i·ld]}, ld ≥ n) with a Hessenberg
     * matrix similar to it (zeros below the subdiagonal).
     */
    static void reduce(double[] a, int n, int ld) {
        double[] v = new double[n];
        double[] w = new double[n];
        for (int k = 0; k + 2 < n; k++) {
            int first = k + 1;   // the reflector acts on rows and columns first..n-1
            double tau = reflector(a, n, ld, k, v);
            if (tau == 0) {
                continue;
            }
            // from the right, every row: A ← A·(I − τvvᵀ) on columns first..n-1
            for (int i = 0; i < n; i++) {
                int row = i * ld;
                double s = dot(a, row, v, first, n);
                if (s != 0) {
                    axpy(-tau * s, v, a, row, first, n);
                }
            }
            // from the left, rows first..n-1: A ← (I − τvvᵀ)·A on columns first..n-1
            // (column k was set by the reflector itself)
            java.util.Arrays.fill(w, first, n, 0.0);
            for (int i = first; i < n; i++) {
                axpyRow(v[i], a, i * ld, w, first, n);
            }
            for (int i = first; i < n; i++) {
                double f = -tau * v[i];
                if (f != 0) {
                    axpy(f, w, a, i * ld, first, n);
                }
            }
        }
    }

    /**
     * The Householder reflector I − τvvᵀ that maps column k's entries k+1..n-1 onto e₁ ({@code dlarfg}):
     * writes β into a[k+1][k] and zeros below it, v into {@code v[k+1..n-1]} with v[k+1] = 1, and
     * returns τ (0 when the column is zero below k+1 already).
     */
    private static double reflector(double[] a, int n, int ld, int k, double[] v) {
        int first = k + 1;
        double alpha = a[first * ld + k];
        double scale = 0;
        for (int i = first + 1; i < n; i++) {
            scale = Math.max(scale, Math.abs(a[i * ld + k]));
        }
        if (scale == 0) {
            return 0;
        }
        scale = Math.max(scale, Math.abs(alpha));
        // norms taken on the column divided by its largest entry: no overflow or underflow in the squares
        double sum = 0;
        for (int i = first; i < n; i++) {
            double x = a[i * ld + k] / scale;
            sum += x * x;
        }
        double norm = scale * Math.sqrt(sum);
        double beta = alpha >= 0 ? -norm : norm;
        double tau = (beta - alpha) / beta;
        double inv = 1.0 / (alpha - beta);
        v[first] = 1.0;
        a[first * ld + k] = beta;
        for (int i = first + 1; i < n; i++) {
            v[i] = a[i * ld + k] * inv;
            a[i * ld + k] = 0.0;
        }
        return tau;
    }

    /** Σ a[row + j]·v[j] for j in [from, to), four partial sums so the adds do not wait on each other. */
    private static double dot(double[] a, int row, double[] v, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = from;
        for (; j + 3 < to; j += 4) {
            s0 += a[row + j] * v[j];
            s1 += a[row + j + 1] * v[j + 1];
            s2 += a[row + j + 2] * v[j + 2];
            s3 += a[row + j + 3] * v[j + 3];
        }
        for (; j < to; j++) {
            s0 += a[row + j] * v[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** a[row + j] += f·x[j] for j in [from, to). */
    private static void axpy(double f, double[] x, double[] a, int row, int from, int to) {
        for (int j = from; j < to; j++) {
            a[row + j] += f * x[j];
        }
    }

    /** w[j] += f·a[row + j] for j in [from, to). */
    private static void axpyRow(double f, double[] a, int row, double[] w, int from, int to) {
        if (f == 0) {
            return;
        }
        for (int j = from; j < to; j++) {
            w[j] += f * a[row + j];
        }
    }
}
