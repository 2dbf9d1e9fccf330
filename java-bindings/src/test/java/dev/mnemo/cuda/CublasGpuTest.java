package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The row-major cuBLAS API against plain CPU loops in double. */
@Tag("gpu")
class CublasGpuTest {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);

    static CudaContext context;
    static CudaStream stream;
    static Cublas blas;

    @BeforeAll
    static void open() {
        if (Gpu.missing(Gpu.Need.CUBLAS).isPresent()) {
            return; // each test is skipped with the reason, in assumeGpu()
        }
        context = CudaContext.open(0);
        stream = CudaStream.create(context);
        blas = Cublas.create(stream);
    }

    @BeforeEach
    void assumeGpu() {
        Gpu.assume(Gpu.Need.CUBLAS);
    }

    @AfterAll
    static void close() {
        if (blas != null) {
            blas.close();
        }
        if (stream != null) {
            stream.close();
        }
        if (context != null) {
            context.close();
        }
    }

    static float[] random(int n, long salt) {
        Random r = new Random(SEED + salt);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextFloat() * 2 - 1;
        }
        return out;
    }

    /** Element (i, j) of op(X) for X stored row-major with row stride ld. */
    static double at(float[] x, Transpose op, int i, int j, int ld, int offset) {
        return op == Transpose.NONE ? x[offset + i * ld + j] : x[offset + j * ld + i];
    }

    /** Row-major reference C = alpha·op(A)·op(B) + beta·C0, in double. */
    static double[] gemm(Transpose ta, Transpose tb, int m, int n, int k, float alpha, float[] a, int lda, int offA,
                         float[] b, int ldb, int offB, float beta, float[] c0, int ldc, int offC) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += at(a, ta, i, p, lda, offA) * at(b, tb, p, j, ldb, offB);
                }
                c[i * n + j] = alpha * sum + beta * c0[offC + i * ldc + j];
            }
        }
        return c;
    }

    /** max |got − ref| / max |ref| over the m x n matrix stored with ldc. */
    static double relError(double[] ref, float[] got, int m, int n, int ldc, int offC) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(ref[i * n + j] - got[offC + i * ldc + j]));
                maxRef = Math.max(maxRef, Math.abs(ref[i * n + j]));
            }
        }
        return maxDiff / maxRef;
    }

    @Test
    void versionIsReported() {
        int version = blas.version();
        assertTrue(version > 0, "cublasGetVersion " + version);
        assertTrue(Cublas.libraryVersion().matches("\\d+\\.\\d+\\.\\d+"), Cublas.libraryVersion());
    }

    @ParameterizedTest
    @CsvSource({"NONE, NONE", "NONE, TRANSPOSE", "TRANSPOSE, NONE", "TRANSPOSE, TRANSPOSE"})
    void sgemmMatchesTheCpuInRowMajor(Transpose ta, Transpose tb) {
        int m = 37, n = 29, k = 53;
        int lda = (ta == Transpose.NONE ? k : m) + 3; // padded rows, to exercise ld
        int ldb = tb == Transpose.NONE ? n : k;
        int ldc = n + 1;
        int rowsA = ta == Transpose.NONE ? m : k;
        int rowsB = tb == Transpose.NONE ? k : n;
        float[] a = random(rowsA * lda, 1);
        float[] b = random(rowsB * ldb, 2);
        float[] c0 = random(m * ldc, 3);
        double[] ref = gemm(ta, tb, m, n, k, 1.5f, a, lda, 0, b, ldb, 0, -0.5f, c0, ldc, 0);
        try (DeviceBuffer dA = DeviceBuffer.of(context, a); DeviceBuffer dB = DeviceBuffer.of(context, b);
             DeviceBuffer dC = DeviceBuffer.of(context, c0)) {
            blas.sgemm(ta, tb, m, n, k, 1.5f, dA, lda, dB, ldb, -0.5f, dC, ldc);
            stream.synchronize();
            double err = relError(ref, dC.toFloatArray(m * ldc), m, n, ldc, 0);
            assertTrue(err < 1e-5, ta + "/" + tb + ": relative error " + err + " (seed " + SEED + ")");
        }
    }

    @Test
    void aGivenWorkspaceServesLaterGemmsAndMustBeAligned() {
        int m = 4, n = 3, k = 2;
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] b = {1, 0, -1, 2, 1, 0};
        try (Cublas own = Cublas.create(stream); DeviceBuffer workspace = DeviceBuffer.allocate(context, 4 << 20);
             DeviceBuffer dA = DeviceBuffer.of(context, a); DeviceBuffer dB = DeviceBuffer.of(context, b);
             DeviceBuffer dC = DeviceBuffer.allocateFloats(context, m * n)) {
            var e = assertThrows(IllegalArgumentException.class, () -> own.setWorkspace(workspace.slice(4, 1024)));
            assertTrue(e.getMessage().contains("256-byte boundary"), e.getMessage());
            own.setWorkspace(workspace);
            own.sgemm(Transpose.NONE, Transpose.NONE, m, n, k, 1f, dA, dB, 0f, dC);
            stream.synchronize();
            assertEquals(7 * -1 + 8 * 0, dC.toFloatArray(m * n)[11]);
        }
    }

    @Test
    void denseSgemmOverloadUsesPackedLeadingDimensions() {
        int m = 4, n = 3, k = 2;
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8};      // [4, 2]
        float[] b = {1, 0, -1, 2, 1, 0};           // [2, 3]
        try (DeviceBuffer dA = DeviceBuffer.of(context, a); DeviceBuffer dB = DeviceBuffer.of(context, b);
             DeviceBuffer dC = DeviceBuffer.allocateFloats(context, m * n)) {
            blas.sgemm(Transpose.NONE, Transpose.NONE, m, n, k, 1f, dA, dB, 0f, dC);
            stream.synchronize();
            float[] c = dC.toFloatArray(m * n);
            assertEquals(1 * 1 + 2 * 2, c[0]);   // row 0 · column 0
            assertEquals(1 * 0 + 2 * 1, c[1]);
            assertEquals(7 * -1 + 8 * 0, c[11]);
        }
    }

    @Test
    void gemmExFp32AndTf32() {
        int m = 64, n = 48, k = 256;
        float[] a = random(m * k, 4);
        float[] b = random(k * n, 5);
        float[] c0 = new float[m * n];
        double[] ref = gemm(Transpose.NONE, Transpose.NONE, m, n, k, 1f, a, k, 0, b, n, 0, 0f, c0, n, 0);
        try (DeviceBuffer dA = DeviceBuffer.of(context, a); DeviceBuffer dB = DeviceBuffer.of(context, b);
             DeviceBuffer dC = DeviceBuffer.allocateFloats(context, m * n)) {
            blas.gemmEx(GemmPrecision.FP32, Transpose.NONE, Transpose.NONE, m, n, k, 1f, dA, k, dB, n, 0f, dC, n);
            stream.synchronize();
            double fp32 = relError(ref, dC.toFloatArray(m * n), m, n, n, 0);
            assertTrue(fp32 < 1e-5, "FP32 relative error " + fp32);
            blas.gemmEx(GemmPrecision.TF32, Transpose.NONE, Transpose.NONE, m, n, k, 1f, dA, k, dB, n, 0f, dC, n);
            stream.synchronize();
            double tf32 = relError(ref, dC.toFloatArray(m * n), m, n, n, 0);
            assertTrue(tf32 < 1e-2, "TF32 relative error " + tf32);
        }
    }

    @Test
    void stridedBatchedGemmComputesEachBatch() {
        int m = 8, n = 6, k = 5, batch = 3;
        long strideA = m * k + 2, strideB = 0, strideC = m * n; // B broadcast to every batch
        float[] a = random((int) (strideA * batch), 6);
        float[] b = random(k * n, 7);
        float[] c0 = new float[(int) strideC * batch];
        try (DeviceBuffer dA = DeviceBuffer.of(context, a); DeviceBuffer dB = DeviceBuffer.of(context, b);
             DeviceBuffer dC = DeviceBuffer.allocateFloats(context, c0.length)) {
            blas.sgemmStridedBatched(Transpose.NONE, Transpose.NONE, m, n, k, 1f, dA, k, strideA, dB, n, strideB,
                    0f, dC, n, strideC, batch);
            stream.synchronize();
            float[] c = dC.toFloatArray(c0.length);
            for (int i = 0; i < batch; i++) {
                double[] ref = gemm(Transpose.NONE, Transpose.NONE, m, n, k, 1f, a, k, (int) (i * strideA),
                        b, n, 0, 0f, c0, n, 0);
                double err = relError(ref, c, m, n, n, (int) (i * strideC));
                assertTrue(err < 1e-5, "batch " + i + ": relative error " + err);
            }
        }
    }

    @Test
    void stridedBatchedGemmExMatchesEachBatchInFp32AndTf32() {
        int m = 8, n = 6, k = 64, batch = 3;
        long strideA = (long) m * k, strideC = (long) m * n;
        float[] a = random((int) strideA * batch, 9);
        float[] b = random(k * n, 10);
        float[] c0 = new float[(int) strideC * batch];
        try (DeviceBuffer dA = DeviceBuffer.of(context, a); DeviceBuffer dB = DeviceBuffer.of(context, b);
             DeviceBuffer dC = DeviceBuffer.allocateFloats(context, c0.length)) {
            for (GemmPrecision precision : GemmPrecision.values()) {
                blas.gemmStridedBatchedEx(precision, Transpose.NONE, Transpose.NONE, m, n, k, 1f, dA, k, strideA, dB, n,
                        0, 0f, dC, n, strideC, batch);
                stream.synchronize();
                float[] c = dC.toFloatArray(c0.length);
                for (int i = 0; i < batch; i++) {
                    double[] ref = gemm(Transpose.NONE, Transpose.NONE, m, n, k, 1f, a, k, (int) (i * strideA), b, n, 0,
                            0f, c0, n, 0);
                    double err = relError(ref, c, m, n, n, (int) (i * strideC));
                    assertTrue(err < (precision == GemmPrecision.FP32 ? 1e-5 : 1e-2), precision + " batch " + i + ": " + err);
                }
            }
        }
    }

    @Test
    void sgeamAddsATransposeAndB() {
        int m = 5, n = 7;
        float[] a = random(n * m, 8); // stored [n, m], used transposed
        float[] b = random(m * n, 9);
        try (DeviceBuffer dA = DeviceBuffer.of(context, a); DeviceBuffer dB = DeviceBuffer.of(context, b);
             DeviceBuffer dC = DeviceBuffer.allocateFloats(context, m * n)) {
            blas.sgeam(Transpose.TRANSPOSE, Transpose.NONE, m, n, 2f, dA, m, -1f, dB, n, dC, n);
            stream.synchronize();
            float[] c = dC.toFloatArray(m * n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(2f * a[j * m + i] - b[i * n + j], c[i * n + j], 1e-6f);
                }
            }
        }
    }

    @Test
    void transposeHelperTransposesDoubles() {
        double[] x = {1, 2, 3, 4, 5, 6}; // [2, 3]
        try (DeviceBuffer src = DeviceBuffer.of(context, x); DeviceBuffer dst = DeviceBuffer.allocateDoubles(context, 6)) {
            blas.transpose(CudaDataType.FLOAT64, 2, 3, src, dst);
            stream.synchronize();
            org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, dst.toDoubleArray(6));
        }
    }

    @Test
    void undersizedOperandsAreRejectedBeforeCublas() {
        try (DeviceBuffer small = DeviceBuffer.allocateFloats(context, 10); DeviceBuffer big = DeviceBuffer.allocateFloats(context, 100)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> blas.sgemm(Transpose.NONE, Transpose.NONE, 4, 4, 4, 1f, big, big, 0f, small));
            assertEquals("C must hold >= 16 floats (4 x 4, ld 4), got DeviceBuffer of 40 bytes = 10", e.getMessage());
        }
    }
}
