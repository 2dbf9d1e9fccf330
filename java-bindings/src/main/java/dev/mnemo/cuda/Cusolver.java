package dev.mnemo.cuda;

import static dev.mnemo.cuda.CLayouts.C_INT;
import static dev.mnemo.cuda.CLayouts.C_INT64;
import static dev.mnemo.cuda.CLayouts.C_POINTER;
import static dev.mnemo.cuda.CLayouts.C_SIZE_T;
import static dev.mnemo.cuda.CLayouts.DEVICE_PTR;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A cuSOLVER dense handle (with its {@code cusolverDnParams_t}) bound to one stream: eigenvalues
 * of general ({@code cusolverDnXgeev}) and symmetric ({@code cusolverDnXsyevd}) matrices, used to
 * analyse recurrent weight matrices.
 *
 * <p><b>Layout.</b> Matrices are row-major, like the rest of Mnemo. cuSOLVER is column-major and
 * reads a row-major {@code A} as {@code Aᵀ}: that has the same eigenvalues, but its right
 * eigenvectors are the <em>left</em> eigenvectors of A. So when vectors are requested, this class
 * transposes A on the device first (cuBLAS geam), and transposes the result back, so that what it
 * returns are right eigenvectors of A as <em>columns</em> of a row-major {@code [n, n]} matrix:
 * {@code A·V = V·Λ}. The symmetric case needs no input transpose.
 *
 * <p><b>Inputs are overwritten.</b> cuSOLVER destroys the matrix it factors; the device methods
 * leave {@code a} undefined (copy it first if you need it). The host methods work on a copy.
 *
 * <p>Workspaces (device and host, sized by the {@code _bufferSize} queries) are owned here and
 * grow as needed. cuSOLVER's {@code info} is read back after each call: non-zero throws a
 * {@link CudaException} carrying it. Results should still be validated: Xgeev has been seen to
 * return a wrong spectrum with {@code info = 0} (n = 2048, float32, values only).
 */
public final class Cusolver implements AutoCloseable {
    static final int CUSOLVER_EIG_MODE_NOVECTOR = 0;
    static final int CUSOLVER_EIG_MODE_VECTOR = 1;
    /** {@code CUBLAS_FILL_MODE_LOWER}: the lower triangle in column-major is the upper one in row-major. */
    static final int CUBLAS_FILL_MODE_LOWER = 0;

    private static final NativeLibrary LIB = NativeLibrary.cusolver();

    private static final MethodHandle CREATE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cusolverDnCreate");
    private static final MethodHandle DESTROY = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cusolverDnDestroy");
    private static final MethodHandle SET_STREAM = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER), "cusolverDnSetStream");
    private static final MethodHandle CREATE_PARAMS = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cusolverDnCreateParams");
    private static final MethodHandle DESTROY_PARAMS = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cusolverDnDestroyParams");
    private static final MethodHandle GET_VERSION = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER), "cusolverGetVersion");
    /**
     * (handle, params, jobvl, jobvr, n, typeA, A, lda, typeW, W, typeVL, VL, ldvl, typeVR, VR, ldvr,
     * computeType, *deviceBytes, *hostBytes).
     */
    private static final MethodHandle XGEEV_BUFFER_SIZE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_INT64,
                    C_INT, DEVICE_PTR, C_INT64, C_INT, DEVICE_PTR, C_INT, DEVICE_PTR, C_INT64,
                    C_INT, DEVICE_PTR, C_INT64, C_INT, C_POINTER, C_POINTER),
            "cusolverDnXgeev_bufferSize");
    /**
     * (handle, params, jobvl, jobvr, n, typeA, A, lda, typeW, W, typeVL, VL, ldvl, typeVR, VR, ldvr,
     * computeType, deviceBuffer, deviceBytes, hostBuffer, hostBytes, info).
     */
    private static final MethodHandle XGEEV = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_INT64,
                    C_INT, DEVICE_PTR, C_INT64, C_INT, DEVICE_PTR, C_INT, DEVICE_PTR, C_INT64,
                    C_INT, DEVICE_PTR, C_INT64, C_INT, DEVICE_PTR, C_SIZE_T, C_POINTER, C_SIZE_T, DEVICE_PTR),
            "cusolverDnXgeev");
    /** (handle, params, jobz, uplo, n, typeA, A, lda, typeW, W, computeType, *deviceBytes, *hostBytes). */
    private static final MethodHandle XSYEVD_BUFFER_SIZE = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_INT64,
                    C_INT, DEVICE_PTR, C_INT64, C_INT, DEVICE_PTR, C_INT, C_POINTER, C_POINTER),
            "cusolverDnXsyevd_bufferSize");
    /** (handle, params, jobz, uplo, n, typeA, A, lda, typeW, W, computeType, deviceBuffer, deviceBytes, hostBuffer, hostBytes, info). */
    private static final MethodHandle XSYEVD = LIB.downcall(
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_INT64,
                    C_INT, DEVICE_PTR, C_INT64, C_INT, DEVICE_PTR, C_INT,
                    DEVICE_PTR, C_SIZE_T, C_POINTER, C_SIZE_T, DEVICE_PTR),
            "cusolverDnXsyevd");

    private final CudaStream stream;
    private final CudaContext context;
    private final MemorySegment handle;
    private final MemorySegment params;
    private final Cublas cublas;
    private final DeviceBuffer info;
    private final Lifetime lifetime;
    private DeviceBuffer deviceWorkspace;
    private DeviceBuffer matrixScratch;
    private DeviceBuffer vectorScratch;
    private DeviceBuffer inputScratch;
    /** The host conveniences' eigenvalue and eigenvector outputs, kept between calls like the input. */
    private DeviceBuffer valuesOut;
    private DeviceBuffer vectorsOut;
    private Arena hostArena;
    private MemorySegment hostWorkspace = MemorySegment.NULL;
    private Arena stagingArena = Arena.ofConfined();
    private MemorySegment stagingBuffer = MemorySegment.NULL;

    private Cusolver(CudaStream stream, MemorySegment handle, MemorySegment params, Cublas cublas) {
        this.stream = stream;
        this.context = stream.context();
        this.handle = handle;
        this.params = params;
        this.cublas = cublas;
        this.info = DeviceBuffer.allocate(context, Integer.BYTES);
        this.hostArena = Arena.ofConfined();
        this.lifetime = new Lifetime(this, "Cusolver(device " + context.ordinal() + ")");
    }

    /** Whether a cuSOLVER library was found and loaded. */
    public static boolean isLoaded() {
        return LIB.isLoaded();
    }

    /** The library that was loaded, or why none could be. */
    public static NativeLibrary library() {
        return LIB;
    }

    /** {@code cusolverGetVersion}: major·1000 + minor·100 + patch, e.g. 11701; needs no handle. */
    public static int libraryVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            check((int) GET_VERSION.invokeExact(out), "cusolverGetVersion");
            return out.get(C_INT, 0);
        } catch (Throwable t) {
            throw CudaException.rethrow("cusolverGetVersion", t);
        }
    }

    /** {@link #libraryVersion()} as "major.minor.patch". */
    public static String decodeVersion(int version) {
        return version / 1000 + "." + (version % 1000) / 100 + "." + version % 100;
    }

    /**
     * Creates a handle and its params in {@code stream}'s context, bound to the stream, plus the
     * cuBLAS handle used for transposes.
     */
    public static Cusolver create(CudaStream stream) {
        MemorySegment streamHandle = stream.handle();
        Cublas cublas = Cublas.create(stream);
        MemorySegment handle = MemorySegment.NULL;
        MemorySegment params = MemorySegment.NULL;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            check((int) CREATE.invokeExact(out), "cusolverDnCreate");
            handle = out.get(C_POINTER, 0);
            check((int) SET_STREAM.invokeExact(handle, streamHandle), "cusolverDnSetStream");
            check((int) CREATE_PARAMS.invokeExact(out), "cusolverDnCreateParams");
            params = out.get(C_POINTER, 0);
            return new Cusolver(stream, handle, params, cublas);
        } catch (Throwable t) {
            destroyQuietly(handle, params, t);
            cublas.close();
            throw CudaException.rethrow("cusolverDnCreate", t);
        }
    }

    /** The stream all work is queued on. */
    public CudaStream stream() {
        return stream;
    }

    // ───────────────────────────── general matrices: Xgeev ─────────────────────────────

    /**
     * Eigenvalues and optionally right eigenvectors of the real, row-major {@code [n, n]} matrix
     * {@code a} ({@code cusolverDnXgeev}; left eigenvectors are not computed).
     *
     * @param a the matrix; its contents are undefined afterwards
     * @param w out: {@code n} complex eigenvalues, interleaved (re, im), so {@code 2n} elements of
     *        {@code type}; a conjugate pair is adjacent, positive imaginary part first
     * @param vr out, or null for values only: {@code [n, n]} row-major, right eigenvectors as
     *        columns in LAPACK packing (real λ_j: v_j = column j; pair λ_j, λ_j+1: v_j = column j +
     *        i·column j+1, v_j+1 its conjugate), each of unit norm
     * @throws CudaException carrying {@code info} when cuSOLVER reports {@code info != 0}
     */
    public void geev(CudaDataType type, int n, DeviceMemory a, DeviceMemory w, DeviceMemory vr) {
        MatrixChecks.nonNegative("n", n);
        long elements = (long) n * n;
        long matrixBytes = elements * type.bytes();
        MatrixChecks.capacity("a", a, type.bytes(), elements, () -> n + " x " + n);
        MatrixChecks.capacity("w", w, type.bytes(), 2L * n, () -> n + " complex values");
        if (vr != null) {
            MatrixChecks.capacity("vr", vr, type.bytes(), elements, () -> n + " x " + n);
        }
        if (n == 0) {
            return;
        }
        MemorySegment h = handle();
        DeviceMemory columnMajorA = a; // without vectors, the values of Aᵀ are those of A
        DeviceMemory columnMajorV = null;
        if (vr != null) {
            matrixScratch = grow(matrixScratch, matrixBytes);
            vectorScratch = grow(vectorScratch, matrixBytes);
            columnMajorA = matrixScratch;
            columnMajorV = vectorScratch;
            cublas.transpose(type, n, n, a, columnMajorA);
        }
        int real = type.realValue();
        int jobvr = vr != null ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
        long ldvr = vr != null ? n : 1;
        long aPtr = columnMajorA.address();
        long vPtr = columnMajorV != null ? columnMajorV.address() : 0L;
        long wPtr = w.address();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizes = arena.allocate(C_SIZE_T, 2);
            check((int) XGEEV_BUFFER_SIZE.invokeExact(h, params, CUSOLVER_EIG_MODE_NOVECTOR, jobvr, (long) n,
                    real, aPtr, (long) n, type.complexValue(), wPtr, real, 0L, 1L, real, vPtr, ldvr, real,
                    sizes, sizes.asSlice(C_SIZE_T.byteSize())), "cusolverDnXgeev_bufferSize");
            long deviceBytes = sizes.getAtIndex(C_SIZE_T, 0);
            long hostBytes = sizes.getAtIndex(C_SIZE_T, 1);
            ensureWorkspaces(deviceBytes, hostBytes);
            check((int) XGEEV.invokeExact(h, params, CUSOLVER_EIG_MODE_NOVECTOR, jobvr, (long) n,
                    real, aPtr, (long) n, type.complexValue(), wPtr, real, 0L, 1L, real, vPtr, ldvr, real,
                    workspaceAddress(), deviceBytes, hostWorkspace, hostBytes, info.address()),
                    "cusolverDnXgeev");
        } catch (Throwable t) {
            throw CudaException.rethrow("cusolverDnXgeev", t);
        }
        checkInfo("cusolverDnXgeev");
        if (vr != null) {
            cublas.transpose(type, n, n, columnMajorV, vr);
        }
    }

    /** Host convenience for {@link #geev(CudaDataType, int, DeviceMemory, DeviceMemory, DeviceMemory)} on float64; {@code a} is not modified. */
    public GeneralEigen geev(double[] a, int n, boolean vectors) {
        return geev(CudaDataType.FLOAT64, a, n, vectors);
    }

    /** Host convenience in float32 (results widened to double); {@code a} is not modified. */
    public GeneralEigen geev(float[] a, int n, boolean vectors) {
        requireSquare(a.length, n);
        return geevHost(CudaDataType.FLOAT32, n, vectors, stage(MemorySegment.ofArray(a)));
    }

    /**
     * Host convenience in {@code type} for a float64 matrix: FLOAT32 rounds each element to float
     * on its way into the staging buffer (no float[] copy); results widened to double; {@code a}
     * is not modified.
     */
    public GeneralEigen geev(CudaDataType type, double[] a, int n, boolean vectors) {
        requireSquare(a.length, n);
        return geevHost(type, n, vectors, stage(type, a));
    }

    private GeneralEigen geevHost(CudaDataType type, int n, boolean vectors, MemorySegment hostA) {
        long elements = (long) n * n;
        inputScratch = grow(inputScratch, elements * type.bytes());
        // kept, not allocated per call: a cuMemFree would also wait for the device
        valuesOut = grow(valuesOut, 2L * n * type.bytes());
        if (vectors) {
            vectorsOut = grow(vectorsOut, elements * type.bytes());
        }
        try (Arena arena = Arena.ofConfined()) {
            inputScratch.copyFromHostAsync(hostA, 0, stream);
            geev(type, n, inputScratch, valuesOut, vectors ? vectorsOut : null);
            double[] w = download(arena, valuesOut, type, 2 * n);
            double[] packed = vectors ? download(arena, vectorsOut, type, (int) elements) : null;
            return GeneralEigen.unpack(n, w, packed);
        }
    }

    // ───────────────────────────── symmetric matrices: Xsyevd ─────────────────────────────

    /**
     * Eigenvalues (ascending) and optionally eigenvectors of the real symmetric row-major
     * {@code [n, n]} matrix {@code a} ({@code cusolverDnXsyevd}). Only the upper triangle of the
     * row-major matrix is read (the lower one in cuSOLVER's column-major view).
     *
     * @param a in: the matrix; out: with {@code vectors}, the orthonormal eigenvectors as columns
     *        of a row-major {@code [n, n]} matrix, otherwise undefined
     * @param w out: {@code n} eigenvalues, ascending
     * @throws CudaException carrying {@code info} when cuSOLVER reports {@code info != 0}
     */
    public void syevd(CudaDataType type, int n, DeviceMemory a, DeviceMemory w, boolean vectors) {
        MatrixChecks.nonNegative("n", n);
        long elements = (long) n * n;
        MatrixChecks.capacity("a", a, type.bytes(), elements, () -> n + " x " + n);
        MatrixChecks.capacity("w", w, type.bytes(), n, () -> n + " values");
        if (n == 0) {
            return;
        }
        MemorySegment h = handle();
        int real = type.realValue();
        int jobz = vectors ? CUSOLVER_EIG_MODE_VECTOR : CUSOLVER_EIG_MODE_NOVECTOR;
        long aPtr = a.address();
        long wPtr = w.address();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizes = arena.allocate(C_SIZE_T, 2);
            check((int) XSYEVD_BUFFER_SIZE.invokeExact(h, params, jobz, CUBLAS_FILL_MODE_LOWER, (long) n,
                    real, aPtr, (long) n, real, wPtr, real, sizes, sizes.asSlice(C_SIZE_T.byteSize())),
                    "cusolverDnXsyevd_bufferSize");
            long deviceBytes = sizes.getAtIndex(C_SIZE_T, 0);
            long hostBytes = sizes.getAtIndex(C_SIZE_T, 1);
            ensureWorkspaces(deviceBytes, hostBytes);
            check((int) XSYEVD.invokeExact(h, params, jobz, CUBLAS_FILL_MODE_LOWER, (long) n,
                    real, aPtr, (long) n, real, wPtr, real,
                    workspaceAddress(), deviceBytes, hostWorkspace, hostBytes, info.address()),
                    "cusolverDnXsyevd");
        } catch (Throwable t) {
            throw CudaException.rethrow("cusolverDnXsyevd", t);
        }
        checkInfo("cusolverDnXsyevd");
        if (vectors) {
            // column-major V (column j = v_j) reads row-major as Vᵀ: transpose back in place via scratch
            long bytes = elements * type.bytes();
            matrixScratch = grow(matrixScratch, bytes);
            cublas.transpose(type, n, n, a, matrixScratch);
            CudaDriver.memcpyDtoDAsync(a.address(), matrixScratch.address(), bytes, stream.handle());
        }
    }

    /** Host convenience for {@link #syevd(CudaDataType, int, DeviceMemory, DeviceMemory, boolean)} in float64; {@code a} is not modified. */
    public SymmetricEigen syevd(double[] a, int n, boolean vectors) {
        return syevd(CudaDataType.FLOAT64, a, n, vectors);
    }

    /** Host convenience in float32 (results widened to double); {@code a} is not modified. */
    public SymmetricEigen syevd(float[] a, int n, boolean vectors) {
        requireSquare(a.length, n);
        return syevdHost(CudaDataType.FLOAT32, n, vectors, stage(MemorySegment.ofArray(a)));
    }

    /** Host convenience in {@code type} for a float64 matrix, as {@link #geev(CudaDataType, double[], int, boolean)}. */
    public SymmetricEigen syevd(CudaDataType type, double[] a, int n, boolean vectors) {
        requireSquare(a.length, n);
        return syevdHost(type, n, vectors, stage(type, a));
    }

    private SymmetricEigen syevdHost(CudaDataType type, int n, boolean vectors, MemorySegment hostA) {
        long elements = (long) n * n;
        inputScratch = grow(inputScratch, elements * type.bytes());
        valuesOut = grow(valuesOut, (long) n * type.bytes());
        try (Arena arena = Arena.ofConfined()) {
            inputScratch.copyFromHostAsync(hostA, 0, stream);
            syevd(type, n, inputScratch, valuesOut, vectors);
            double[] values = download(arena, valuesOut, type, n);
            double[] v = vectors ? download(arena, inputScratch, type, (int) elements) : new double[0];
            return new SymmetricEigen(n, values, v);
        }
    }

    /** {@code a} (already in the solve's element type) copied into the reused host staging buffer. */
    private MemorySegment stage(MemorySegment a) {
        MemorySegment staged = staging(a.byteSize());
        staged.copyFrom(a);
        return staged;
    }

    /** {@code a} in {@code type} (float64 as is, float32 rounded) in the reused host staging buffer. */
    private MemorySegment stage(CudaDataType type, double[] a) {
        MemorySegment staged = staging((long) a.length * type.bytes());
        if (type == CudaDataType.FLOAT64) {
            MemorySegment.copy(a, 0, staged, ValueLayout.JAVA_DOUBLE, 0, a.length);
        } else {
            for (int i = 0; i < a.length; i++) {
                staged.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) a[i]);
            }
        }
        return staged;
    }

    /**
     * The first {@code bytes} of the host staging buffer, grown as needed. Kept between calls so
     * that a large matrix is not a fresh, zeroed, page-faulting allocation on every call; each
     * call's upload has finished reading it before the call returns (every call synchronizes).
     */
    private MemorySegment staging(long bytes) {
        if (bytes > stagingBuffer.byteSize()) {
            stagingArena.close();
            stagingArena = Arena.ofConfined();
            stagingBuffer = stagingArena.allocate(bytes, 64);
        }
        return stagingBuffer.asSlice(0, bytes);
    }

    // ───────────────────────────── lifetime and helpers ─────────────────────────────

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return lifetime.isClosed();
    }

    /** Destroys the params and handle and frees the workspaces (idempotent). */
    @Override
    public void close() {
        lifetime.closeIn(context, true, () -> {
            try {
                check((int) DESTROY_PARAMS.invokeExact(params), "cusolverDnDestroyParams");
                check((int) DESTROY.invokeExact(handle), "cusolverDnDestroy");
            } catch (Throwable t) {
                throw CudaException.rethrow("cusolverDnDestroy", t);
            }
        }, () -> {
            closeAll(deviceWorkspace, matrixScratch, vectorScratch, inputScratch, valuesOut, vectorsOut, info, cublas);
            hostArena.close();
            stagingArena.close();
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

    private void ensureWorkspaces(long deviceBytes, long hostBytes) {
        deviceWorkspace = grow(deviceWorkspace, deviceBytes);
        if (hostBytes > hostWorkspace.byteSize()) {
            hostArena.close();
            hostArena = Arena.ofConfined();
            hostWorkspace = hostArena.allocate(hostBytes, 64);
        }
    }

    private long workspaceAddress() {
        return deviceWorkspace.byteSize() == 0 ? 0L : deviceWorkspace.address();
    }

    private DeviceBuffer grow(DeviceBuffer current, long bytes) {
        if (current != null && current.byteSize() >= bytes) {
            return current;
        }
        // the new one first: a failed allocation leaves the field's buffer open and usable
        DeviceBuffer grown = DeviceBuffer.allocate(context, bytes);
        if (current != null) {
            stream.synchronize(); // queued work may still read the old buffer
            current.close();
        }
        return grown;
    }

    /** Reads {@code info} back on the stream (which also waits for the solver) and throws when non-zero. */
    private void checkInfo(String call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(ValueLayout.JAVA_INT);
            info.copyToHostAsync(0, host, stream);
            stream.synchronize();
            int value = host.get(ValueLayout.JAVA_INT, 0);
            if (value != 0) {
                throw CudaException.cusolverInfo(call, value);
            }
        }
    }

    /** Copies {@code count} elements of {@code type} back on the stream, widened to double. */
    private double[] download(Arena arena, DeviceBuffer src, CudaDataType type, int count) {
        MemorySegment host = arena.allocate((long) count * type.bytes(), 16);
        src.copyToHostAsync(0, host, stream);
        stream.synchronize();
        if (type == CudaDataType.FLOAT64) {
            return host.toArray(ValueLayout.JAVA_DOUBLE);
        }
        float[] f = host.toArray(ValueLayout.JAVA_FLOAT);
        double[] d = new double[count];
        for (int i = 0; i < count; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void requireSquare(int length, int n) {
        MatrixChecks.nonNegative("n", n);
        if (length != (long) n * n) {
            throw new IllegalArgumentException("a must hold n·n = " + (long) n * n + " elements, got " + length);
        }
    }

    private static void check(int status, String call) {
        if (status != 0) {
            throw CudaException.cusolver(call, status);
        }
    }

    private static void destroyQuietly(MemorySegment handle, MemorySegment params, Throwable failure) {
        try {
            if (!params.equals(MemorySegment.NULL)) {
                int ignored = (int) DESTROY_PARAMS.invokeExact(params);
            }
            if (!handle.equals(MemorySegment.NULL)) {
                int ignored = (int) DESTROY.invokeExact(handle);
            }
        } catch (Throwable cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception e) {
                    throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
                }
            }
        }
    }
}
