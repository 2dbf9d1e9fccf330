package dev.mnemo.cuda;

import static dev.mnemo.cuda.CLayouts.C_INT;
import static dev.mnemo.cuda.CLayouts.C_LONG_LONG;
import static dev.mnemo.cuda.CLayouts.C_POINTER;
import static dev.mnemo.cuda.CLayouts.C_SIZE_T;
import static dev.mnemo.cuda.CLayouts.DEVICE_PTR;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A cuBLAS handle bound to one stream, with a <b>row-major</b> API.
 *
 * <p>Callers think row-major, as everywhere in Mnemo: {@code C[m,n] = alpha·op(A)[m,k]·op(B)[k,n]
 * + beta·C}, each matrix stored row by row with a leading dimension (row stride) {@code ld}. cuBLAS
 * is column-major, and a row-major {@code X} is the column-major {@code Xᵀ} with the same
 * {@code ld}; so each call computes {@code Cᵀ = op(B)ᵀ·op(A)ᵀ} by passing B before A and swapping
 * {@code m} and {@code n}. The {@link Transpose} flags carry over unchanged. No data moves.
 *
 * <p>Sizes and buffer capacities are checked before cuBLAS runs. alpha and beta are host values
 * (the default pointer mode). The handle is created in the stream's context, is used from that
 * context's owner thread, and queues all work on its stream.
 */
public final class Cublas implements AutoCloseable {
    /** {@code CUBLAS_GEMM_DEFAULT}. */
    static final int CUBLAS_GEMM_DEFAULT = -1;
    /** {@code libraryPropertyType} values: MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL. */
    static final int MAJOR_VERSION = 0;
    static final int MINOR_VERSION = 1;
    static final int PATCH_LEVEL = 2;

    private static final NativeLibrary LIB = NativeLibrary.cublas();

    private static final MethodHandle CREATE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cublasCreate_v2");
    private static final MethodHandle DESTROY = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cublasDestroy_v2");
    private static final MethodHandle GET_VERSION = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), "cublasGetVersion_v2");
    private static final MethodHandle GET_PROPERTY = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER), "cublasGetProperty");
    private static final MethodHandle SET_STREAM = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), "cublasSetStream_v2");
    /** (handle, workspace, workspaceSizeInBytes). */
    private static final MethodHandle SET_WORKSPACE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, DEVICE_PTR, C_SIZE_T), "cublasSetWorkspace_v2");
    /** (handle, transa, transb, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc). */
    private static final MethodHandle SGEMM = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT,
                    C_POINTER, DEVICE_PTR, C_INT, DEVICE_PTR, C_INT, C_POINTER, DEVICE_PTR, C_INT),
            "cublasSgemm_v2");
    /** (handle, transa, transb, m, n, k, *alpha, A, lda, strideA, B, ldb, strideB, *beta, C, ldc, strideC, batchCount). */
    private static final MethodHandle SGEMM_STRIDED_BATCHED = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT,
                    C_POINTER, DEVICE_PTR, C_INT, C_LONG_LONG, DEVICE_PTR, C_INT, C_LONG_LONG,
                    C_POINTER, DEVICE_PTR, C_INT, C_LONG_LONG, C_INT),
            "cublasSgemmStridedBatched");
    /** (handle, transa, transb, m, n, k, *alpha, A, Atype, lda, B, Btype, ldb, *beta, C, Ctype, ldc, computeType, algo). */
    private static final MethodHandle GEMM_EX = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT,
                    C_POINTER, DEVICE_PTR, C_INT, C_INT, DEVICE_PTR, C_INT, C_INT,
                    C_POINTER, DEVICE_PTR, C_INT, C_INT, C_INT, C_INT),
            "cublasGemmEx");
    /**
     * (handle, transa, transb, m, n, k, *alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB, *beta, C, Ctype,
     * ldc, strideC, batchCount, computeType, algo).
     */
    private static final MethodHandle GEMM_STRIDED_BATCHED_EX = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT,
                    C_POINTER, DEVICE_PTR, C_INT, C_INT, C_LONG_LONG, DEVICE_PTR, C_INT, C_INT, C_LONG_LONG,
                    C_POINTER, DEVICE_PTR, C_INT, C_INT, C_LONG_LONG, C_INT, C_INT, C_INT),
            "cublasGemmStridedBatchedEx");
    /** (handle, transa, transb, m, n, *alpha, A, lda, *beta, B, ldb, C, ldc). */
    private static final MethodHandle SGEAM = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT,
                    C_POINTER, DEVICE_PTR, C_INT, C_POINTER, DEVICE_PTR, C_INT, DEVICE_PTR, C_INT),
            "cublasSgeam");
    /** (handle, mode, m, n, A, lda, x, incx, C, ldc). */
    private static final MethodHandle SDGMM = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, DEVICE_PTR, C_INT, DEVICE_PTR, C_INT,
                    DEVICE_PTR, C_INT),
            "cublasSdgmm");
    private static final MethodHandle DGEAM = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT,
                    C_POINTER, DEVICE_PTR, C_INT, C_POINTER, DEVICE_PTR, C_INT, DEVICE_PTR, C_INT),
            "cublasDgeam");

    private final CudaStream stream;
    private final CudaContext context;
    private final MemorySegment handle;
    private final Lifetime lifetime;

    private Cublas(CudaStream stream, MemorySegment handle) {
        this.stream = stream;
        this.context = stream.context();
        this.handle = handle;
        this.lifetime = new Lifetime(this, "Cublas(device " + context.ordinal() + ")");
    }

    /** Whether a cuBLAS library was found and loaded. */
    public static boolean isLoaded() {
        return LIB.isLoaded();
    }

    /** The library that was loaded, or why none could be. */
    public static NativeLibrary library() {
        return LIB;
    }

    /**
     * The library's version as "major.minor.patch" from {@code cublasGetProperty}, which needs
     * neither a handle nor a context.
     */
    public static String libraryVersion() {
        return property(MAJOR_VERSION) + "." + property(MINOR_VERSION) + "." + property(PATCH_LEVEL);
    }

    private static int property(int type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            check((int) GET_PROPERTY.invokeExact(type, out), "cublasGetProperty");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasGetProperty", t);
        }
    }

    /** Creates a handle in {@code stream}'s context ({@code cublasCreate_v2}) and binds it to the stream. */
    public static Cublas create(CudaStream stream) {
        MemorySegment streamHandle = stream.handle();
        MemorySegment handle;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            check((int) CREATE.invokeExact(out), "cublasCreate_v2");
            handle = out.get(C_POINTER, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasCreate_v2", t);
        }
        try {
            check((int) SET_STREAM.invokeExact(handle, streamHandle), "cublasSetStream_v2");
        } catch (Throwable t) {
            try {
                int ignored = (int) DESTROY.invokeExact(handle);
            } catch (Throwable cleanup) {
                t.addSuppressed(cleanup);
            }
            throw CudaException.rethrow("cublasSetStream_v2", t);
        }
        return new Cublas(stream, handle);
    }

    /**
     * Gives cuBLAS {@code workspace} for all later calls ({@code cublasSetWorkspace_v2}) instead of
     * its default pool, so a call captured in a CUDA Graph allocates nothing; cuBLAS recommends 32 MiB
     * on Hopper, 4 MiB before. The caller keeps it alive, used by this handle's stream only, for as
     * long as the handle (or a graph that captured a call) may use it.
     *
     * @throws IllegalArgumentException when {@code workspace} does not start on a 256-byte boundary
     */
    public void setWorkspace(DeviceMemory workspace) {
        if (workspace == null) {
            throw new IllegalArgumentException("workspace must not be null");
        }
        if (workspace.address() % 256 != 0) {
            throw new IllegalArgumentException("a cuBLAS workspace must start on a 256-byte boundary, got 0x"
                    + Long.toHexString(workspace.address()));
        }
        MemorySegment h = handle();
        try {
            check((int) SET_WORKSPACE.invokeExact(h, workspace.address(), workspace.byteSize()), "cublasSetWorkspace_v2");
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasSetWorkspace_v2", t);
        }
    }

    /** The stream all work is queued on. */
    public CudaStream stream() {
        return stream;
    }

    /** {@code cublasGetVersion_v2}: e.g. 130100 for 13.1.0 (major·10000 + minor·100 + patch). */
    public int version() {
        MemorySegment h = handle();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            check((int) GET_VERSION.invokeExact(h, out), "cublasGetVersion_v2");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasGetVersion_v2", t);
        }
    }

    /**
     * Row-major {@code C[m,n] = alpha·op(A)[m,k]·op(B)[k,n] + beta·C} in float32
     * ({@code cublasSgemm_v2}).
     *
     * @param lda row stride of A as stored: A is {@code m x k} ({@code lda >= k}) for
     *        {@link Transpose#NONE}, {@code k x m} ({@code lda >= m}) for {@link Transpose#TRANSPOSE}
     * @param ldb row stride of B as stored ({@code k x n} or {@code n x k})
     * @param ldc row stride of C ({@code >= n})
     */
    public void sgemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
                      DeviceMemory a, int lda, DeviceMemory b, int ldb, float beta, DeviceMemory c, int ldc) {
        checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        MemorySegment h = handle();
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) SGEMM.invokeExact(h, transB.nativeValue(), transA.nativeValue(), n, m, k,
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, alpha), b.address(), ldb, a.address(), lda,
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, beta), c.address(), ldc);
            check(status, "cublasSgemm_v2");
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasSgemm_v2", t);
        }
    }

    /** {@link #sgemm} on densely stored matrices (leading dimension = stored column count). */
    public void sgemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
                      DeviceMemory a, DeviceMemory b, float beta, DeviceMemory c) {
        sgemm(transA, transB, m, n, k, alpha, a, denseLd(transA, m, k), b, denseLd(transB, k, n), beta, c, n);
    }

    /**
     * {@code batchCount} independent row-major GEMMs, matrix {@code i} of each operand starting
     * {@code i·stride} elements after the first ({@code cublasSgemmStridedBatched}); a stride of 0
     * reuses one A or B for every batch.
     */
    public void sgemmStridedBatched(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
                                    DeviceMemory a, int lda, long strideA, DeviceMemory b, int ldb, long strideB,
                                    float beta, DeviceMemory c, int ldc, long strideC, int batchCount) {
        MatrixChecks.nonNegative("batchCount", batchCount);
        long[] spans = checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        MatrixChecks.batch("A", a, Float.BYTES, spans[0], strideA, batchCount, false);
        MatrixChecks.batch("B", b, Float.BYTES, spans[1], strideB, batchCount, false);
        MatrixChecks.batch("C", c, Float.BYTES, spans[2], strideC, batchCount, true);
        MemorySegment h = handle();
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) SGEMM_STRIDED_BATCHED.invokeExact(h, transB.nativeValue(), transA.nativeValue(),
                    n, m, k, arena.allocateFrom(ValueLayout.JAVA_FLOAT, alpha),
                    b.address(), ldb, strideB, a.address(), lda, strideA,
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, beta), c.address(), ldc, strideC, batchCount);
            check(status, "cublasSgemmStridedBatched");
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasSgemmStridedBatched", t);
        }
    }

    /**
     * {@link #sgemm} through {@code cublasGemmEx} with float32 storage and an explicit
     * {@link GemmPrecision}: {@code FP32} is exact float32, {@code TF32} uses tensor cores.
     */
    public void gemmEx(GemmPrecision precision, Transpose transA, Transpose transB, int m, int n, int k,
                       float alpha, DeviceMemory a, int lda, DeviceMemory b, int ldb, float beta,
                       DeviceMemory c, int ldc) {
        checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        int r32f = CudaDataType.FLOAT32.realValue();
        MemorySegment h = handle();
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) GEMM_EX.invokeExact(h, transB.nativeValue(), transA.nativeValue(), n, m, k,
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, alpha), b.address(), r32f, ldb,
                    a.address(), r32f, lda, arena.allocateFrom(ValueLayout.JAVA_FLOAT, beta),
                    c.address(), r32f, ldc, precision.nativeValue(), CUBLAS_GEMM_DEFAULT);
            check(status, "cublasGemmEx");
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasGemmEx", t);
        }
    }

    /**
     * {@link #sgemmStridedBatched} through {@code cublasGemmStridedBatchedEx} with float32 storage
     * and an explicit {@link GemmPrecision} ({@code TF32}: tensor cores).
     */
    public void gemmStridedBatchedEx(GemmPrecision precision, Transpose transA, Transpose transB, int m, int n,
                                     int k, float alpha, DeviceMemory a, int lda, long strideA, DeviceMemory b,
                                     int ldb, long strideB, float beta, DeviceMemory c, int ldc, long strideC,
                                     int batchCount) {
        MatrixChecks.nonNegative("batchCount", batchCount);
        long[] spans = checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        MatrixChecks.batch("A", a, Float.BYTES, spans[0], strideA, batchCount, false);
        MatrixChecks.batch("B", b, Float.BYTES, spans[1], strideB, batchCount, false);
        MatrixChecks.batch("C", c, Float.BYTES, spans[2], strideC, batchCount, true);
        int r32f = CudaDataType.FLOAT32.realValue();
        MemorySegment h = handle();
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) GEMM_STRIDED_BATCHED_EX.invokeExact(h, transB.nativeValue(), transA.nativeValue(),
                    n, m, k, arena.allocateFrom(ValueLayout.JAVA_FLOAT, alpha), b.address(), r32f, ldb, strideB,
                    a.address(), r32f, lda, strideA, arena.allocateFrom(ValueLayout.JAVA_FLOAT, beta),
                    c.address(), r32f, ldc, strideC, batchCount, precision.nativeValue(), CUBLAS_GEMM_DEFAULT);
            check(status, "cublasGemmStridedBatchedEx");
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasGemmStridedBatchedEx", t);
        }
    }

    /**
     * Row-major {@code C[m,n] = alpha·op(A) + beta·op(B)} in float32 ({@code cublasSgeam}); with
     * {@code beta = 0} and {@code b = a} it is an out-of-place transpose. C may alias A or B only
     * when that operand is not transposed and has {@code ld = ldc} (cuBLAS's rule).
     */
    public void sgeam(Transpose transA, Transpose transB, int m, int n, float alpha, DeviceMemory a, int lda,
                      float beta, DeviceMemory b, int ldb, DeviceMemory c, int ldc) {
        checkGeam(transA, transB, m, n, a, lda, b, ldb, c, ldc, Float.BYTES);
        MemorySegment h = handle();
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) SGEAM.invokeExact(h, transA.nativeValue(), transB.nativeValue(), n, m,
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, alpha), a.address(), lda,
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, beta), b.address(), ldb, c.address(), ldc);
            check(status, "cublasSgeam");
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasSgeam", t);
        }
    }

    /**
     * Row-major {@code C[m,n] = diag(x)·A} ({@link Side#LEFT}, x has m elements) or
     * {@code A·diag(x)} ({@link Side#RIGHT}, n elements), float32 ({@code cublasSdgmm}); with
     * {@code m = 1} and RIGHT it is the elementwise product {@code c = a ⊙ x}. The column-major
     * library sees the transposes, so the side flips. C must not overlap A or x (Mnemo asks no more
     * of cuBLAS than its documented out-of-place form).
     *
     * @param incx stride of x in elements, >= 1
     */
    public void sdgmm(Side side, int m, int n, DeviceMemory a, int lda, DeviceMemory x, int incx, DeviceMemory c,
                      int ldc) {
        MatrixChecks.nonNegative("m", m);
        MatrixChecks.nonNegative("n", n);
        if (incx < 1) {
            throw new IllegalArgumentException("incx must be >= 1, got " + incx);
        }
        MatrixChecks.matrix("A", a, Float.BYTES, Transpose.NONE, m, n, lda);
        MatrixChecks.matrix("C", c, Float.BYTES, Transpose.NONE, m, n, ldc);
        long xCount = side == Side.LEFT ? m : n;
        MatrixChecks.capacity("x", x, Float.BYTES, xCount == 0 ? 0 : (xCount - 1) * incx + 1,
                () -> xCount + " elements, incx " + incx);
        MemorySegment h = handle();
        try {
            int status = (int) SDGMM.invokeExact(h, side.mirrored().nativeValue(), n, m, a.address(), lda,
                    x.address(), incx, c.address(), ldc);
            check(status, "cublasSdgmm");
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasSdgmm", t);
        }
    }

    /** {@link #sgeam} in float64 ({@code cublasDgeam}). */
    public void dgeam(Transpose transA, Transpose transB, int m, int n, double alpha, DeviceMemory a, int lda,
                      double beta, DeviceMemory b, int ldb, DeviceMemory c, int ldc) {
        checkGeam(transA, transB, m, n, a, lda, b, ldb, c, ldc, Double.BYTES);
        MemorySegment h = handle();
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) DGEAM.invokeExact(h, transA.nativeValue(), transB.nativeValue(), n, m,
                    arena.allocateFrom(ValueLayout.JAVA_DOUBLE, alpha), a.address(), lda,
                    arena.allocateFrom(ValueLayout.JAVA_DOUBLE, beta), b.address(), ldb, c.address(), ldc);
            check(status, "cublasDgeam");
        } catch (Throwable t) {
            throw CudaException.rethrow("cublasDgeam", t);
        }
    }

    /**
     * Row-major transpose {@code dst[cols, rows] = src[rows, cols]ᵀ} of a dense matrix of
     * {@code type}, through geam.
     */
    public void transpose(CudaDataType type, int rows, int cols, DeviceMemory src, DeviceMemory dst) {
        int lda = Math.max(1, cols);
        int ldc = Math.max(1, rows);
        if (type == CudaDataType.FLOAT32) {
            sgeam(Transpose.TRANSPOSE, Transpose.TRANSPOSE, cols, rows, 1f, src, lda, 0f, src, lda, dst, ldc);
        } else {
            dgeam(Transpose.TRANSPOSE, Transpose.TRANSPOSE, cols, rows, 1d, src, lda, 0d, src, lda, dst, ldc);
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return lifetime.isClosed();
    }

    /** Destroys the handle (idempotent). */
    @Override
    public void close() {
        lifetime.closeIn(context, true, () -> {
            try {
                check((int) DESTROY.invokeExact(handle), "cublasDestroy_v2");
            } catch (Throwable t) {
                throw CudaException.rethrow("cublasDestroy_v2", t);
            }
        });
    }

    /**
     * The handle, after checking it and its stream are open (the stream's check makes the context current):
     * on a closed stream's handle, work once failed without naming it, or went onto whichever stream the
     * driver gave its handle to next.
     */
    private MemorySegment handle() {
        lifetime.ensureOpen();
        stream.handle();
        return handle;
    }

    private static void check(int status, String call) {
        if (status != 0) {
            throw CudaException.cublas(call, status);
        }
    }

    private static int denseLd(Transpose op, int rows, int cols) {
        return Math.max(1, op == Transpose.NONE ? cols : rows);
    }

    /** Checks m, n, k and the three operands; returns the elements each of A, B, C spans. */
    private static long[] checkGemm(Transpose transA, Transpose transB, int m, int n, int k,
                                    DeviceMemory a, int lda, DeviceMemory b, int ldb, DeviceMemory c, int ldc) {
        MatrixChecks.nonNegative("m", m);
        MatrixChecks.nonNegative("n", n);
        MatrixChecks.nonNegative("k", k);
        return new long[] {
            MatrixChecks.matrix("A", a, Float.BYTES, transA, m, k, lda),
            MatrixChecks.matrix("B", b, Float.BYTES, transB, k, n, ldb),
            MatrixChecks.matrix("C", c, Float.BYTES, Transpose.NONE, m, n, ldc)
        };
    }

    private static void checkGeam(Transpose transA, Transpose transB, int m, int n, DeviceMemory a, int lda,
                                  DeviceMemory b, int ldb, DeviceMemory c, int ldc, int elementBytes) {
        MatrixChecks.nonNegative("m", m);
        MatrixChecks.nonNegative("n", n);
        MatrixChecks.matrix("A", a, elementBytes, transA, m, n, lda);
        MatrixChecks.matrix("B", b, elementBytes, transB, m, n, ldb);
        MatrixChecks.matrix("C", c, elementBytes, Transpose.NONE, m, n, ldc);
    }
}
