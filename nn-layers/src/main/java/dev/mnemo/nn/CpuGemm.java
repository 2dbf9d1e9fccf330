package dev.mnemo.nn;

/**
 * Pure-Java GEMM for {@link CpuBackend}: {@code C = alpha·op(A)·op(B) + beta·C}, row-major, contiguous.
 *
 * <p>The float32 kernel works on blocks of {@code KC} rows × {@code NC} columns of {@code op(B)}, packed
 * into a panel of separate row arrays (so a panel stays in L2 whatever the transposes). For each row
 * {@code i} of C it accumulates {@code acc[j] += Σ_p (alpha·opA(i, p))·panel[p][j]}, four {@code p} at a
 * time, into a local row {@code acc}, and adds {@code acc} into C once per block.
 *
 * <p>Why the row arrays and the local {@code acc}: C2 (JDK 25) vectorises {@code x[j] += a·y[j]} only
 * when both arrays are indexed by the same {@code j} with no offset; with offsets into two arrays of
 * one type it must assume they overlap and runs the loop scalar (about 7× slower, measured). Rows of
 * C are split over the common fork-join pool when a block is large enough to pay for it.
 *
 * <p>Where an optimised system BLAS is found ({@link SystemBlas}), float32 products of at least
 * {@link #BLAS_MIN_FLOPS} go to its {@code cblas_sgemm} instead; smaller ones stay here, where the
 * FFM call would cost more than the product (OpenBLAS was measured faster from m·n·k = 4096 up).
 * On every path {@code alpha == 0} reads neither A nor B, as BLAS specifies: C becomes {@code beta·C}
 * (exact zeros for {@code beta == 0}), whatever NaN or ∞ A and B hold.
 *
 * <p>The float64 kernel is the plain triple loop: it serves the reference path on test-sized shapes
 * and stays pure Java so that gradient checks never depend on a native library.
 */
final class CpuGemm {

    private static final int NC = 256;          // columns per block: a 1 KiB row of acc
    private static final int KC = 256;          // rows of op(B) per block: a 256 KiB panel
    private static final long PARALLEL_FLOPS = 1L << 17;
    /** Multiply-adds (m·n·k) from which a system BLAS takes the float32 product. */
    static final long BLAS_MIN_FLOPS = 1L << 9;

    private CpuGemm() {
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        var blas = SystemBlas.system().blas();
        if (blas.isPresent() && (long) m * n * k >= BLAS_MIN_FLOPS) {
            blas.get().sgemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
            return;
        }
        javaSgemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
    }

    /** The pure-Java float32 GEMM (the class comment's blocked kernel), whatever BLAS is present. */
    static void javaSgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                          float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        if (m == 0 || n == 0) {
            return;
        }
        CpuParallel.forRows(m, n, PARALLEL_FLOPS, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                scaleRow(c, cOff + i * n, n, beta);
            }
        });
        if (k == 0 || alpha == 0f) {
            return;
        }
        // one panel per call, not per thread: a thread waiting in a parallel region may run another call
        float[][] panel = new float[Math.min(KC, k)][Math.min(NC, n)];
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                pack(transB, b, bOff, n, k, pc, kc, jc, nc, panel);
                final int jc0 = jc;
                final int pc0 = pc;
                CpuParallel.forRows(m, (long) nc * kc, PARALLEL_FLOPS, (i0, i1) -> {
                    float[] acc = new float[nc];
                    float[] aRow = new float[kc];
                    for (int i = i0; i < i1; i++) {
                        if (transA) {
                            for (int p = 0; p < kc; p++) {
                                aRow[p] = alpha * a[aOff + (pc0 + p) * m + i];
                            }
                        } else {
                            for (int p = 0; p < kc; p++) {
                                aRow[p] = alpha * a[aOff + i * k + pc0 + p];
                            }
                        }
                        rowTimesPanel(aRow, panel, kc, nc, acc);
                        int ci = cOff + i * n + jc0;
                        for (int j = 0; j < nc; j++) {
                            c[ci + j] += acc[j];
                        }
                    }
                });
            }
        }
    }

    /**
     * {@code acc[j] = Σ_p aRow[p]·panel[p][j]}, four rows of the panel per pass. Kept free of branches
     * and separate from its caller so that its compiled (vectorised) form does not depend on the
     * caller's profile: a polluted profile was measured to fall back to scalar code.
     */
    private static void rowTimesPanel(float[] aRow, float[][] panel, int kc, int nc, float[] acc) {
        java.util.Arrays.fill(acc, 0, nc, 0f);
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
            float a0 = aRow[p];
            float a1 = aRow[p + 1];
            float a2 = aRow[p + 2];
            float a3 = aRow[p + 3];
            float[] r0 = panel[p];
            float[] r1 = panel[p + 1];
            float[] r2 = panel[p + 2];
            float[] r3 = panel[p + 3];
            for (int j = 0; j < nc; j++) {
                acc[j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
            }
        }
        for (; p < kc; p++) {
            float av = aRow[p];
            float[] r = panel[p];
            for (int j = 0; j < nc; j++) {
                acc[j] += av * r[j];
            }
        }
    }

    /** {@code panel[p][j] = op(B)[pc + p, jc + j]} for p < kc, j < nc; B is [k, n], or [n, k] if transB. */
    private static void pack(boolean transB, float[] b, int bOff, int n, int k, int pc, int kc, int jc, int nc,
                             float[][] panel) {
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, bOff + (pc + p) * n + jc, panel[p], 0, nc);
            }
        } else {
            for (int j = 0; j < nc; j++) {
                int row = bOff + (jc + j) * k + pc;
                for (int p = 0; p < kc; p++) {
                    panel[p][j] = b[row + p];
                }
            }
        }
    }

    private static void scaleRow(float[] c, int off, int n, float beta) {
        if (beta == 0f) {
            java.util.Arrays.fill(c, off, off + n, 0f);
        } else if (beta != 1f) {
            for (int j = 0; j < n; j++) {
                c[off + j] *= beta;
            }
        }
    }

    static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, double[] b, int bOff, double beta, double[] c, int cOff) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * n;
            for (int j = 0; j < n; j++) {
                c[ci + j] = beta == 0 ? 0 : beta * c[ci + j];
            }
            if (alpha == 0) {   // BLAS: A and B are not read, so a NaN there leaves C = beta·C (as the float32 paths)
                continue;
            }
            for (int p = 0; p < k; p++) {
                double av = alpha * (transA ? a[aOff + p * m + i] : a[aOff + i * k + p]);
                for (int j = 0; j < n; j++) {
                    c[ci + j] += av * (transB ? b[bOff + j * k + p] : b[bOff + p * n + j]);
                }
            }
        }
    }
}
