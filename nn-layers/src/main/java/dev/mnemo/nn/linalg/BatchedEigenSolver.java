package dev.mnemo.nn.linalg;

import java.util.List;

/**
 * The seam for a solver that decomposes many matrices of one order in a single call, such as a
 * batched on-chip GPU kernel (Hessenberg reduction and shifted QR per matrix in shared memory).
 * Mnemo's own, {@code gpu-batched-hqr} ({@link GpuBatchedSolver}), is the default of
 * {@link Eigen#ofBatch} where a GPU is present (see there); without one, the matrices run in
 * parallel on the CPU (or, where the size rule picks it, through cuSOLVER one matrix at a time).
 *
 * <p>Plug one in with {@link EigenOptions.Builder#batchedSolver}. Its output is trusted no more than
 * any other solver's: every matrix's result goes through the same invariant checks as
 * {@link Eigen#of}, and a matrix that fails is decomposed again the single-matrix way, with a note
 * in its {@link EigenResult#notes()}.
 */
public interface BatchedEigenSolver {

    /** A short name for results and notes, e.g. {@code gpu-batched-hqr}. */
    String label();

    /** The arithmetic the solver computes in (sets the tolerances of the checks). */
    EigenPrecision precision();

    /** Whether this solver takes {@code count} matrices of order {@code n} with these options. */
    boolean supports(int n, int count, EigenOptions options);

    /**
     * Decomposes {@code count} row-major {@code [n, n]} matrices stored back to back in {@code a}
     * ({@code count·n·n} elements; not to be modified).
     *
     * @param vectors whether right eigenvectors are wanted
     * @return one unsorted result per matrix, in input order
     */
    List<RawEigen> solve(double[] a, int n, int count, boolean vectors);
}
