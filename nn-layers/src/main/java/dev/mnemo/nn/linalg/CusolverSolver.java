package dev.mnemo.nn.linalg;

import dev.mnemo.cuda.CudaDataType;
import dev.mnemo.cuda.GeneralEigen;
import dev.mnemo.cuda.SymmetricEigen;

/**
 * The GPU solvers: cuSOLVER {@code cusolverDnXgeev} (general) and {@code cusolverDnXsyevd}
 * (symmetric) through java-bindings' host entry points (upload, solve, download), run on
 * {@link GpuEigenWorker}'s thread, in float32 or float64 (float32 rounds while staging the upload).
 *
 * @param precision the arithmetic; float32 rounds the input to float first
 * @param symmetric Xsyevd instead of Xgeev
 */
record CusolverSolver(EigenPrecision precision, boolean symmetric) implements Solver {

    @Override
    public String label() {
        return symmetric ? "gpu-cusolver-xsyevd" : "gpu-cusolver-xgeev";
    }

    @Override
    public RawEigen solve(double[] a, int n, boolean vectors) {
        CudaDataType type = precision == EigenPrecision.FLOAT32 ? CudaDataType.FLOAT32 : CudaDataType.FLOAT64;
        return GpuEigenWorker.get().call(s -> {
            if (symmetric) {
                SymmetricEigen e = s.syevd(type, a, n, vectors);
                return new RawEigen(e.values(), new double[n], vectors ? e.vectors() : null,
                        vectors ? new double[n * n] : null);
            }
            GeneralEigen g = s.geev(type, a, n, vectors);
            return new RawEigen(g.valuesRe(), g.valuesIm(), vectors ? g.vectorsRe() : null,
                    vectors ? g.vectorsIm() : null);
        });
    }
}
