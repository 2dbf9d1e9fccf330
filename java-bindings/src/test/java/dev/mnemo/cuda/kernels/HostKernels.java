package dev.mnemo.cuda.kernels;

/**
 * The CPU reference of the header's kernels: what each GPU result is compared against. Plain
 * loops in double where that is the honest reference (the clip norm).
 */
final class HostKernels {
    private HostKernels() {
    }

    static void fill(float[] x, long n, float value) {
        for (int i = 0; i < n; i++) {
            x[i] = value;
        }
    }

    /** beta = 0 overwrites y without reading it, as the header promises. */
    static void axpby(float[] y, float[] x, long n, float alpha, float beta) {
        for (int i = 0; i < n; i++) {
            y[i] = beta == 0f ? alpha * x[i] : alpha * x[i] + beta * y[i];
        }
    }

    /** out[c] = Σ_r in[r, c] + beta·out[c], summed in double (beta = 0 ignores out). */
    static void sumRows(float[] out, float[] in, int rows, int cols, float beta) {
        for (int c = 0; c < cols; c++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                sum += in[r * cols + c];
            }
            out[c] = (float) (beta == 0f ? sum : sum + (double) beta * out[c]);
        }
    }

    /** Clips x[0, n) in place to global norm maxNorm (PyTorch's rule); returns the norm before. */
    static double clipGlobalNorm(float[] x, long n, float maxNorm) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) x[i] * x[i];
        }
        double norm = Math.sqrt(sum);
        double scale = Math.min(1.0, maxNorm / (norm + 1e-6));
        if (scale < 1.0) {
            for (int i = 0; i < n; i++) {
                x[i] = (float) (x[i] * scale);
            }
        }
        return norm;
    }
}
