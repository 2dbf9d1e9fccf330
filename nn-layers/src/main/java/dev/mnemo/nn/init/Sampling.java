package dev.mnemo.nn.init;

import java.util.SplittableRandom;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/** Random matrices and the small dense algebra the recipes share (row-major double[], EJML inside). */
final class Sampling {

    private Sampling() {
    }

    static double[] gaussian(int rows, int cols, double std, SplittableRandom rnd) {
        double[] a = new double[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextGaussian() * std;
        }
        return a;
    }

    static double[] uniform(int rows, int cols, double bound, SplittableRandom rnd) {
        double[] a = new double[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = (2.0 * rnd.nextDouble() - 1.0) * bound;
        }
        return a;
    }

    /**
     * A {@code rows × cols} matrix with orthonormal columns (rows ≥ cols) or rows (rows &lt; cols):
     * Q of the QR decomposition of a Gaussian matrix, column j multiplied by sign(R_jj) so that Q is
     * Haar-distributed (PyTorch's {@code orthogonal_}).
     */
    static double[] orthogonal(int rows, int cols, SplittableRandom rnd) {
        boolean wide = rows < cols;
        int m = wide ? cols : rows;
        int n = wide ? rows : cols;
        DMatrixRMaj g = new DMatrixRMaj(m, n);
        for (int i = 0; i < g.data.length; i++) {
            g.data[i] = rnd.nextGaussian();
        }
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(m, n);
        if (!qr.decompose(g)) {
            throw new IllegalStateException("QR decomposition of a Gaussian matrix failed");
        }
        DMatrixRMaj q = qr.getQ(null, true);
        DMatrixRMaj r = qr.getR(null, true);
        for (int j = 0; j < n; j++) {
            if (r.get(j, j) < 0) {
                for (int i = 0; i < m; i++) {
                    q.set(i, j, -q.get(i, j));
                }
            }
        }
        if (wide) {
            DMatrixRMaj t = new DMatrixRMaj(n, m);
            CommonOps_DDRM.transpose(q, t);
            return t.data;
        }
        return q.data;
    }

    static DMatrixRMaj matrix(int n, double[] data) {
        DMatrixRMaj m = new DMatrixRMaj(n, n);
        System.arraycopy(data, 0, m.data, 0, data.length);
        return m;
    }

    /** {@code V·B·V⁻¹}, with {@code V⁻¹ = Vᵀ} for the orthogonal basis. */
    static double[] similar(double[] v, double[] b, int n, boolean orthogonal) {
        DMatrixRMaj vm = matrix(n, v);
        DMatrixRMaj vb = new DMatrixRMaj(n, n);
        CommonOps_DDRM.mult(vm, matrix(n, b), vb);
        DMatrixRMaj out = new DMatrixRMaj(n, n);
        if (orthogonal) {
            CommonOps_DDRM.multTransB(vb, vm, out);
        } else {
            DMatrixRMaj inv = new DMatrixRMaj(n, n);
            if (!CommonOps_DDRM.invert(vm, inv)) {
                throw new IllegalStateException("the random basis is singular");
            }
            CommonOps_DDRM.mult(vb, inv, out);
        }
        return out.data;
    }

    /** The identity times {@code gain}. */
    static double[] identity(int n, double gain) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = gain;
        }
        return a;
    }

    /**
     * {@code 1.5} → "1.5", {@code 3.141592653589793} → "3.141592653589793": the shortest text that reads back
     * as {@code x}, so a describe() (config.txt) reproduces the run. Six significant digits ("3.14159") gave
     * other weights when copied into --init-param, and recorded r-min 0.9000001 as 0.9.
     */
    static String num(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return Long.toString((long) x) + ".0";
        }
        return Double.toString(x);
    }
}
