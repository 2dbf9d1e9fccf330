package dev.mnemo.nn.linalg;

/**
 * The first CPU solver for general matrices, float64: A balanced where badly scaled ({@link Balancing}),
 * reduced to Hessenberg form ({@link HessenbergForm}), then the values-only Francis QR algorithm
 * ({@link FrancisDoubleShift}); eigenvectors, when asked for, by {@link InverseIteration} on the
 * balanced matrix, transformed back to A's basis.
 * EJML's solvers stay behind it on {@link Eigen}'s ladder as the second way to try.
 */
enum FrancisSolver implements Solver {
    INSTANCE;

    @Override
    public String label() {
        return "cpu-francis-qr";
    }

    @Override
    public EigenPrecision precision() {
        return EigenPrecision.FLOAT64;
    }

    @Override
    public boolean symmetric() {
        return false;
    }

    @Override
    public RawEigen solve(double[] a, int n, boolean vectors) {
        Balancing.Balanced balanced = Balancing.balance(a, n);
        int ld = rowStride(n);
        double[] h = new double[n * ld];
        double[] from = balanced != null ? balanced.matrix() : a;
        for (int i = 0; i < n; i++) {
            System.arraycopy(from, i * n, h, i * ld, n);
        }
        HessenbergForm.reduce(h, n, ld);
        double[] re = new double[n];
        double[] im = new double[n];
        FrancisDoubleShift.eigenvalues(h, n, ld, re, im);
        if (!vectors) {
            return RawEigen.values(re, im);
        }
        double[][] v = InverseIteration.eigenvectorsBalanced(a, balanced, n, re, im);
        return new RawEigen(re, im, v[0], v[1]);
    }

    /**
     * Row stride of the working copy. A sweep walks down columns, and at a stride of a power of two
     * (n = 256, 512) those rows share a few cache sets and evict each other: one cache line of
     * padding per row took n = 512 from 0.54 to 0.17 s on the development VM.
     */
    static int rowStride(int n) {
        return n >= 128 ? n + 8 : n;
    }
}
