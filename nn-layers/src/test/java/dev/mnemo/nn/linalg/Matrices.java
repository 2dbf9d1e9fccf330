package dev.mnemo.nn.linalg;

import java.util.Random;

/** Test matrices, row-major double[]: random ones and ones with a known spectrum. */
final class Matrices {

    private Matrices() {
    }

    /** N(0, 1/n) entries: spectral radius ≈ 1 (circular law). */
    static double[] gaussian(int n, Random r) {
        double[] a = new double[n * n];
        double s = 1.0 / Math.sqrt(n);
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian() * s;
        }
        return a;
    }

    /** Row-major Q with orthonormal columns (modified Gram-Schmidt, twice, of a Gaussian matrix). */
    static double[] orthogonal(int n, Random r) {
        double[] q = new double[n * n];
        double[] v = new double[n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                v[i] = r.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int c = 0; c < j; c++) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) {
                        dot += q[i * n + c] * v[i];
                    }
                    for (int i = 0; i < n; i++) {
                        v[i] -= dot * q[i * n + c];
                    }
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                q[i * n + j] = v[i] / norm;
            }
        }
        return q;
    }

    /** {@code Q·B·Qᵀ}. */
    static double[] similar(double[] q, double[] b, int n) {
        double[] qb = multiply(q, b, n);
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += qb[i * n + k] * q[j * n + k];
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    static double[] multiply(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aik * b[k * n + j];
                }
            }
        }
        return c;
    }

    /** A matrix with a known spectrum. */
    record Known(int n, double[] a, double[] re, double[] im) {
    }

    /**
     * {@code Q·B·Qᵀ} with B block-diagonal: 2×2 rotation-scaling blocks {@code [[a, −b], [b, a]]}
     * (eigenvalues a ± ib) and, for odd n, one real eigenvalue.
     */
    static Known rotationBlocks(int n, Random r) {
        double[] b = new double[n * n];
        double[] re = new double[n];
        double[] im = new double[n];
        for (int k = 0; k + 1 < n; k += 2) {
            double mag = 0.2 + 0.8 * r.nextDouble();
            double theta = Math.PI * r.nextDouble();
            double x = mag * Math.cos(theta);
            double y = mag * Math.sin(theta);
            b[k * n + k] = x;
            b[k * n + k + 1] = -y;
            b[(k + 1) * n + k] = y;
            b[(k + 1) * n + k + 1] = x;
            re[k] = x;
            im[k] = y;
            re[k + 1] = x;
            im[k + 1] = -y;
        }
        if (n % 2 == 1) {
            double x = r.nextDouble() - 0.5;
            b[(n - 1) * n + n - 1] = x;
            re[n - 1] = x;
        }
        return new Known(n, similar(orthogonal(n, r), b, n), re, im);
    }

    static double frobenius(double[] a) {
        double s = 0;
        for (double x : a) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
    /** D·B·D⁻¹ with D = diag(10^{step·i}): B's spectrum, its elements graded by 10^step a row and column. */
    static double[] graded(double[] b, int n, int step) {
        double[] g = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g[i * n + j] = b[i * n + j] * Math.pow(10, step * (i - j));
            }
        }
        return g;
    }
}
