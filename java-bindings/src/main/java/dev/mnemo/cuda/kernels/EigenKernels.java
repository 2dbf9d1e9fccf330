package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;

/**
 * Launchers of the header's family "eigen": the eigenvalues of {@code count} small real
 * {@code [n, n]} matrices in one launch, one block per matrix (Householder reduction to Hessenberg
 * form, then Francis double-shift QR, in shared memory). Values only, unsorted (see the header);
 * one status per matrix: the QR iterations it took, {@link #NO_CONVERGENCE} or {@link #NOT_FINITE}.
 *
 * <p>Launch: grid {@code count} blocks, block 32 threads when n ≤ 32 else 64, no dynamic shared
 * memory; {@code count = 0} launches nothing.
 */
public final class EigenKernels {
    /** {@code MNEMO_EIGEN_MAX_ORDER}: the largest n (a 64·64 shared-memory matrix per block). */
    public static final int MAX_ORDER = 64;
    /** {@code MNEMO_EIGEN_NO_CONVERGENCE}: the iteration cap was reached. */
    public static final int NO_CONVERGENCE = -1;
    /** {@code MNEMO_EIGEN_NOT_FINITE}: the matrix holds a NaN or an infinity. */
    public static final int NOT_FINITE = -2;

    /**
     * {@code mnemo_eigen_hqr_f32(const float* a, long long matrixStride, int n, int count,
     * int maxIterations, float* wr, float* wi, int* status)}.
     */
    public static final KernelSignature HQR = KernelSignature.of("mnemo_eigen_hqr_f32",
            of("const float*", "a"), of("long long", "matrixStride"), of("int", "n"), of("int", "count"),
            of("int", "maxIterations"), of("float*", "wr"), of("float*", "wi"), of("int*", "status"));
    /** {@code mnemo_eigen_hqr_f64}: as {@link #HQR} with {@code double} arrays. */
    public static final KernelSignature HQR_F64 = KernelSignature.of("mnemo_eigen_hqr_f64",
            of("const double*", "a"), of("long long", "matrixStride"), of("int", "n"), of("int", "count"),
            of("int", "maxIterations"), of("double*", "wr"), of("double*", "wi"), of("int*", "status"));

    private final LaunchTarget target;

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public EigenKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    EigenKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(HQR, HQR_F64);
    }

    /** Threads per block for order n: 32 when n ≤ 32, else 64. */
    public static int blockThreads(int n) {
        LaunchChecks.between("n", n, 1, MAX_ORDER);
        return n <= 32 ? 32 : 64;
    }

    /** The launch for {@code count >= 1} matrices of order n. */
    public static LaunchGeometry geometry(int n, int count) {
        LaunchChecks.between("count", count, 1, Integer.MAX_VALUE);
        return LaunchGeometry.linear(count, blockThreads(n));
    }

    /**
     * Eigenvalues in float32.
     *
     * @param a [count, n, n] in: matrix m at element m·matrixStride, row-major
     * @param matrixStride elements between matrices, {@code >= n·n}
     * @param n order, 1 .. {@value #MAX_ORDER}
     * @param count matrices, {@code >= 0}
     * @param maxIterations QR iterations allowed per matrix, {@code >= 0}; 0 means 30·n
     * @param wr [count, n] out: real parts
     * @param wi [count, n] out: imaginary parts
     * @param status [count] out (int)
     */
    public void hqr(DeviceMemory a, long matrixStride, int n, int count, int maxIterations, DeviceMemory wr,
                    DeviceMemory wi, DeviceMemory status) {
        launch(HQR, Float.BYTES, a, matrixStride, n, count, maxIterations, wr, wi, status);
    }

    /** Eigenvalues in float64: as {@link #hqr} with arrays of doubles. */
    public void hqrF64(DeviceMemory a, long matrixStride, int n, int count, int maxIterations, DeviceMemory wr,
                       DeviceMemory wi, DeviceMemory status) {
        launch(HQR_F64, Double.BYTES, a, matrixStride, n, count, maxIterations, wr, wi, status);
    }

    private void launch(KernelSignature kernel, int elementBytes, DeviceMemory a, long matrixStride, int n,
                        int count, int maxIterations, DeviceMemory wr, DeviceMemory wi, DeviceMemory status) {
        LaunchChecks.between("n", n, 1, MAX_ORDER);
        LaunchChecks.count("count", count);
        LaunchChecks.count("maxIterations", maxIterations);
        if (matrixStride < (long) n * n) {
            throw new IllegalArgumentException("matrixStride must be >= n·n = " + (long) n * n + ", got "
                    + matrixStride);
        }
        if (count == 0) {
            return;
        }
        long inputBytes = ((count - 1L) * matrixStride + (long) n * n) * elementBytes;
        long outputBytes = (long) count * n * elementBytes;
        long statusBytes = (long) count * Integer.BYTES;
        String unit = elementBytes == Float.BYTES ? "float" : "double";
        holds("a", a, inputBytes, "(count − 1)·matrixStride + n·n " + unit + "s");
        holds("wr", wr, outputBytes, "count·n " + unit + "s");
        holds("wi", wi, outputBytes, "count·n " + unit + "s");
        holds("status", status, statusBytes, "count ints");
        disjoint("a", a, inputBytes, "wr", wr, outputBytes);
        disjoint("a", a, inputBytes, "wi", wi, outputBytes);
        disjoint("a", a, inputBytes, "status", status, statusBytes);
        disjoint("wr", wr, outputBytes, "wi", wi, outputBytes);
        disjoint("wr", wr, outputBytes, "status", status, statusBytes);
        disjoint("wi", wi, outputBytes, "status", status, statusBytes);
        target.launch(kernel, geometry(n, count), a, matrixStride, n, count, maxIterations, wr, wi, status);
    }

    private static void holds(String name, DeviceMemory buffer, long bytes, String why) {
        if (buffer == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (buffer.byteSize() < bytes) {
            throw new IllegalArgumentException(name + " must hold >= " + bytes + " bytes (" + why + "), got "
                    + buffer.byteSize());
        }
    }

    private static void disjoint(String aName, DeviceMemory a, long aBytes, String bName, DeviceMemory b,
                                 long bBytes) {
        long x = a.address();
        long y = b.address();
        if (x < y + bBytes && y < x + aBytes) {
            throw new IllegalArgumentException(aName + " must not overlap " + bName + ", got " + a.describe()
                    + " and " + b.describe());
        }
    }
}
