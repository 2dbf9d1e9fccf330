package dev.mnemo.nn.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The CPU solvers, float64: EJML's double-shift QR algorithm for general matrices (on A, or on Aᵀ as
 * the second way to try; a badly scaled A balanced first, {@link Balancing}), EJML's symmetric QR
 * algorithm for symmetric ones. EJML computes
 * eigenvectors of real eigenvalues only, so general eigenvectors come from {@link InverseIteration}
 * on the Hessenberg form instead (the method of LAPACK's {@code dhsein}).
 */
enum EjmlSolver implements Solver {
    GENERAL("cpu-ejml", false),
    TRANSPOSED("cpu-ejml-transposed", false),
    SYMMETRIC("cpu-ejml-symmetric", true);

    private final String label;
    private final boolean symmetric;

    EjmlSolver(String label, boolean symmetric) {
        this.label = label;
        this.symmetric = symmetric;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public EigenPrecision precision() {
        return EigenPrecision.FLOAT64;
    }

    @Override
    public boolean symmetric() {
        return symmetric;
    }

    @Override
    public RawEigen solve(double[] a, int n, boolean vectors) {
        DMatrixRMaj m = new DMatrixRMaj(n, n);
        // the general solvers see A balanced where it is badly scaled, as LAPACK's dgeev does (same
        // spectrum); the eigenvectors below come from inverse iteration on it, transformed back to A's
        Balancing.Balanced balanced = symmetric ? null : Balancing.balance(a, n);
        System.arraycopy(balanced != null ? balanced.matrix() : a, 0, m.data, 0, n * n);
        if (this == TRANSPOSED) {
            CommonOps_DDRM.transpose(m);
        }
        boolean ejmlVectors = vectors && symmetric;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, ejmlVectors, symmetric);
        if (!eig.decompose(m)) {
            throw new IllegalStateException("EJML's " + (symmetric ? "symmetric" : "double-shift") + " QR algorithm "
                    + "did not converge");
        }
        if (eig.getNumberOfEigenvalues() != n) {
            throw new IllegalStateException("EJML returned " + eig.getNumberOfEigenvalues() + " eigenvalues for n = " + n);
        }
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = eig.getEigenvalue(i).real;
            im[i] = symmetric ? 0.0 : eig.getEigenvalue(i).imaginary;
        }
        if (!vectors) {
            return RawEigen.values(re, im);
        }
        if (!symmetric) {
            double[][] v = InverseIteration.eigenvectorsBalanced(a, balanced, n, re, im);
            return new RawEigen(re, im, v[0], v[1]);
        }
        double[] vRe = new double[n * n];
        for (int j = 0; j < n; j++) {
            DMatrixRMaj v = eig.getEigenVector(j);
            if (v == null) {
                throw new IllegalStateException("EJML returned no eigenvector for eigenvalue " + j);
            }
            for (int i = 0; i < n; i++) {
                vRe[i * n + j] = v.data[i];
            }
        }
        return new RawEigen(re, im, vRe, new double[n * n]);
    }
}
