package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.Cublas;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.GemmPrecision;
import dev.mnemo.cuda.Transpose;
import dev.mnemo.nn.Tensor;

/**
 * One step's recurrent product {@code h_{t−1}·W_hhᵀ} on CUDA, whole ({@code [B, G·H]}, one GEMM) or
 * split over H into S partials ({@code [S, B, G·H]}, one strided-batched GEMM; see
 * {@link StepSplits}), and the cell forwards' view of such a buffer as (splits, stride).
 */
final class CudaRecurrentProduct {
    private CudaRecurrentProduct() {
    }

    /** How a cell forward reads its recurrent product: S partials {@code stride} floats apart. */
    record Partials(int splits, long stride) {

        /**
         * The partials of {@code rh}, {@code [B, G]} or {@code [S, B, G]}.
         *
         * @throws IllegalArgumentException for any other shape
         */
        static Partials of(String name, Tensor rh, int batch, int width) {
            if (rh != null && rh.hasShape(batch, width)) {
                return new Partials(1, 0);
            }
            if (rh != null && rh.rank() == 3 && rh.dim(0) >= 1 && rh.dim(1) == batch && rh.dim(2) == width) {
                return new Partials(rh.dim(0), (long) batch * width);
            }
            throw new IllegalArgumentException(name + " must have shape " + Tensor.shapeString(batch, width)
                    + " or [S, " + batch + ", " + width + "] (S partial products), got "
                    + (rh == null ? "null" : Tensor.shapeString(rh.shape())));
        }
    }

    /** S for this product in {@code precision} under {@value StepSplits#PROPERTY}. */
    static int splits(int multiprocessors, GemmPrecision precision, int batch, int width, int hidden) {
        return StepSplits.splits(StepSplits.configured(), batch, width, hidden, precision != GemmPrecision.FP32,
                multiprocessors);
    }

    /**
     * {@code rh ← hPrev·wHhᵀ} as S partials ({@code hPrev [B, H]}, {@code wHh [G, H]}, {@code rh
     * [S, B, G]}, dense): partial s multiplies columns {@code [s·H/S, (s+1)·H/S)} of both, all S in
     * one strided-batched GEMM in {@code precision} (float32 or TF32).
     *
     * @throws IllegalArgumentException when S does not divide H
     */
    static void splitProduct(Cublas cublas, GemmPrecision precision, DeviceMemory hPrev, DeviceMemory wHh,
                             DeviceMemory rh, int splits, int batch, int width, int hidden) {
        if (hidden % splits != 0) {
            throw new IllegalArgumentException("a product split into " + splits + " partials needs H divisible by "
                    + splits + ", got H " + hidden);
        }
        int k = hidden / splits;
        long strideC = (long) batch * width;
        if (precision == GemmPrecision.FP32) {
            cublas.sgemmStridedBatched(Transpose.NONE, Transpose.TRANSPOSE, batch, width, k, 1f, hPrev, hidden, k,
                    wHh, hidden, k, 0f, rh, width, strideC, splits);
        } else {
            cublas.gemmStridedBatchedEx(precision, Transpose.NONE, Transpose.TRANSPOSE, batch, width, k, 1f, hPrev,
                    hidden, k, wHh, hidden, k, 0f, rh, width, strideC, splits);
        }
    }

    /**
     * {@code partials[s] ← a[:, slice s]·op(b)[slice s, :]} for the S equal slices of the depth K
     * ({@code a [M, K]}, {@code b [K, N]} or, {@code transB}, {@code [N, K]}; dense), the partials
     * {@code [S, M, N]} from the start of {@code partials}: one strided-batched GEMM in {@code precision}.
     * {@link CudaBackend#depthSplitProduct} sums them.
     */
    static void depthSplit(Cublas cublas, GemmPrecision precision, DeviceMemory a, DeviceMemory b, boolean transB,
                           DeviceMemory partials, int splits, int m, int n, int depth) {
        int k = depth / splits;
        int ldb = transB ? depth : n;
        long strideB = transB ? k : (long) k * n;   // slice s: columns of bᵀ's rows, or rows of b
        Transpose tb = transB ? Transpose.TRANSPOSE : Transpose.NONE;
        long strideC = (long) m * n;
        if (precision == GemmPrecision.FP32) {
            cublas.sgemmStridedBatched(Transpose.NONE, tb, m, n, k, 1f, a, depth, k, b, ldb, strideB, 0f, partials, n,
                    strideC, splits);
        } else {
            cublas.gemmStridedBatchedEx(precision, Transpose.NONE, tb, m, n, k, 1f, a, depth, k, b, ldb, strideB, 0f,
                    partials, n, strideC, splits);
        }
    }
}
