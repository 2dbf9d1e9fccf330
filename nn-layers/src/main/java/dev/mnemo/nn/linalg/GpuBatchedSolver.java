package dev.mnemo.nn.linalg;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.KernelModule;
import dev.mnemo.cuda.kernels.EigenKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The batched on-chip eigenvalue kernel ({@code mnemo_eigen_hqr_f32/_f64}: Hessenberg reduction and
 * Francis double-shift QR per matrix, one block each) behind the {@link BatchedEigenSolver} seam:
 * one upload, one launch and one download for the whole batch, on {@link GpuEigenWorker}'s thread.
 * Eigenvalues only, orders 1 to {@value EigenKernels#MAX_ORDER}.
 *
 * <p>A matrix the kernel could not finish (iteration cap, overflow) comes back as NaN eigenvalues,
 * which fail {@link Invariants}' finiteness check, so {@link Eigen#ofBatch} decomposes it again the
 * single-matrix way (cuSOLVER or EJML) and says so in its notes.
 *
 * <p>{@link #defaultFor} picks it for {@code Eigen.ofBatch} when no batched solver is set: values
 * only, a GPU with the kernels present, engine GPU, or engine AUTO with at least
 * {@code mnemo.eigen.gpuMinBatch} (default 32) matrices that are not symmetric; symmetric ones, when
 * detected, are left to the symmetric solvers ({@link #kernelShare}) while the rest of the batch takes the kernel.
 *
 * @param precision float32 (the input is rounded to float first) or float64
 */
record GpuBatchedSolver(EigenPrecision precision) implements BatchedEigenSolver {

    /** The smallest batch AUTO sends to the kernel, unless {@value #MIN_BATCH_PROPERTY} says otherwise. */
    static final int MIN_BATCH = 32;
    static final String MIN_BATCH_PROPERTY = "mnemo.eigen.gpuMinBatch";

    /**
     * {@value #MIN_BATCH_PROPERTY}, read at each call (a class constant made a bad value an error of class
     * loading, and took " 2" or "abc" for the default and −5 as "any batch").
     */
    static int minBatch() {
        return dev.mnemo.nn.IntegerProperty.atLeast(MIN_BATCH_PROPERTY, 1, MIN_BATCH);
    }

    @Override
    public String label() {
        return "gpu-batched-hqr";
    }

    @Override
    public boolean supports(int n, int count, EigenOptions options) {
        return !options.computesVectors() && n >= 1 && n <= EigenKernels.MAX_ORDER && count >= 1
                && unavailableReason().isEmpty();
    }

    /** Why the kernel cannot run here, or empty when it can. */
    static Optional<String> unavailableReason() {
        Optional<String> gpu = GpuEigenWorker.unavailableReason();
        if (gpu.isPresent()) {
            return gpu;
        }
        return KernelModule.isBuilt() ? Optional.empty()
                : Optional.of("kernels not built: the jar has no mnemo_kernels.fatbin");
    }

    /** {@link #defaultFor(EigenOptions, double[][], int[], int)} with the batch's {@link #kernelShare} counted here. */
    static GpuBatchedSolver defaultFor(EigenOptions o, double[][] as, int[] ns) {
        return defaultFor(o, as, ns, kernelShare(o, as, ns).length);
    }

    /**
     * The solver {@link Eigen#ofBatch} uses when none is set, or null (see the class comment); {@code share}: how
     * many of the matrices the kernel would take ({@link #kernelShare}).
     */
    static GpuBatchedSolver defaultFor(EigenOptions o, double[][] as, int[] ns, int share) {
        if (o.engine() == EigenEngine.CPU || o.computesVectors() || as.length == 0) {
            return null;
        }
        for (int i = 0; i < as.length; i++) {
            if (ns[i] != ns[0] || ns[i] > EigenKernels.MAX_ORDER) {
                return null;
            }
        }
        if (o.engine() == EigenEngine.AUTO && share < minBatch()) {
            return null;
        }
        return unavailableReason().isEmpty() ? new GpuBatchedSolver(o.precision()) : null;
    }

    /**
     * The indices of the matrices the kernel takes from a batch: all but the symmetric ones where symmetry is
     * detected, which keep the symmetric solvers (an IRNN's identity or a zero block among a layer's gate
     * blocks used to send the whole batch the one-matrix way). Every 1×1 matrix is symmetric, and its
     * eigenvalue is its entry on any path: those stay.
     */
    static int[] kernelShare(EigenOptions o, double[][] as, int[] ns) {
        return IntStream.range(0, as.length)
                .filter(i -> !(o.detectSymmetric() && ns[i] > 1 && Eigen.isSymmetric(as[i], ns[i])))
                .toArray();
    }

    @Override
    public List<RawEigen> solve(double[] a, int n, int count, boolean vectors) {
        if (vectors) {
            throw new IllegalArgumentException("gpu-batched-hqr computes eigenvalues only, got vectors = true");
        }
        boolean f64 = precision == EigenPrecision.FLOAT64;
        int bytes = f64 ? Double.BYTES : Float.BYTES;
        long values = (long) count * n;
        double[][] out = GpuEigenWorker.get().callKernels((kernels, stream, buffers) -> {
            long inBytes = (long) a.length * bytes;
            MemorySegment staged = buffers.host(inBytes);
            stage(a, staged, f64);
            DeviceBuffer in = buffers.device(BatchedEigenBuffers.Slot.INPUT, inBytes);
            in.copyFromHost(staged);
            DeviceBuffer wr = buffers.device(BatchedEigenBuffers.Slot.RE, values * bytes);
            DeviceBuffer wi = buffers.device(BatchedEigenBuffers.Slot.IM, values * bytes);
            DeviceBuffer status = buffers.device(BatchedEigenBuffers.Slot.STATUS, (long) count * Integer.BYTES);
            if (f64) {
                kernels.hqrF64(in, (long) n * n, n, count, 0, wr, wi, status);
            } else {
                kernels.hqr(in, (long) n * n, n, count, 0, wr, wi, status);
            }
            stream.synchronize();
            return new double[][] {download(wr, values, f64), download(wi, values, f64), statuses(status, count)};
        });
        List<RawEigen> raws = new ArrayList<>(count);
        for (int m = 0; m < count; m++) {
            double[] re = new double[n];
            double[] im = new double[n];
            System.arraycopy(out[0], m * n, re, 0, n);
            System.arraycopy(out[1], m * n, im, 0, n);
            if (out[2][m] < 0) { // the kernel gave up: NaN makes the checks fail and the ladder retry
                java.util.Arrays.fill(re, Double.NaN);
                java.util.Arrays.fill(im, Double.NaN);
            }
            raws.add(RawEigen.values(re, im));
        }
        return raws;
    }

    private static double[] download(DeviceBuffer b, long count, boolean f64) {
        if (f64) {
            return b.toDoubleArray((int) count);
        }
        float[] f = b.toFloatArray((int) count);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double[] statuses(DeviceBuffer status, int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) count * Integer.BYTES);
            status.copyToHost(host);
            double[] s = new double[count];
            for (int i = 0; i < count; i++) {
                s[i] = host.getAtIndex(ValueLayout.JAVA_INT, i);
            }
            return s;
        }
    }

    /** Elements per task of {@link #stage}: big enough to amortise a fork, small enough to spread. */
    private static final int STAGING_CHUNK = 1 << 16;

    /** {@code a} into {@code staged} as float64, or rounded to float32, in parallel chunks. */
    private static void stage(double[] a, MemorySegment staged, boolean f64) {
        IntStream.range(0, (a.length + STAGING_CHUNK - 1) / STAGING_CHUNK).parallel().forEach(c -> {
            int from = c * STAGING_CHUNK;
            int end = Math.min(a.length, from + STAGING_CHUNK);
            if (f64) {
                MemorySegment.copy(a, from, staged, ValueLayout.JAVA_DOUBLE, (long) from * Double.BYTES, end - from);
            } else {
                for (int i = from; i < end; i++) {
                    staged.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) a[i]);
                }
            }
        });
    }
}
