package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.Gpu;
import dev.mnemo.cuda.KernelModule;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The batched eigenvalue kernels on matrices with known spectra, through the launcher (the native
 * harness's check_eigen covers random matrices; nn-layers' tests compare with EJML).
 */
@Tag("gpu")
class EigenKernelsGpuTest {
    static CudaContext context;
    static CudaStream stream;
    static CudaModule module;
    static EigenKernels eigen;

    @BeforeAll
    static void open() {
        if (Gpu.missing(Gpu.Need.KERNELS).isPresent()) {
            return; // each test is skipped with the reason, in assumeGpu()
        }
        context = CudaContext.open(0);
        stream = CudaStream.create(context);
        module = KernelModule.loadMnemoKernels(context);
        eigen = new EigenKernels(module, stream);
    }

    @BeforeEach
    void assumeGpu() {
        Gpu.assume(Gpu.Need.KERNELS);
    }

    @AfterAll
    static void close() {
        if (module != null) {
            module.close();
        }
        if (stream != null) {
            stream.close();
        }
        if (context != null) {
            context.close();
        }
    }

    /** Three 3×3 matrices back to back: diagonal (3, −1, 0.5), a rotation block + 2, a companion. */
    static final double[] BATCH = {
        3, 0, 0, 0, -1, 0, 0, 0, 0.5,
        0, -2, 0, 2, 0, 0, 0, 0, 2,            // ±2i and 2
        6, -11, 6, 1, 0, 0, 0, 1, 0,           // x³ − 6x² + 11x − 6: roots 1, 2, 3
    };
    static final double[][] SORTED_RE = {{-1, 0.5, 3}, {0, 0, 2}, {1, 2, 3}};
    static final double[][] SORTED_IM = {{0, 0, 0}, {-2, 2, 0}, {0, 0, 0}};

    @Test
    void float64KnownSpectra() {
        check(true, 1e-12);
    }

    @Test
    void float32KnownSpectra() {
        check(false, 1e-5);
    }

    private static void check(boolean f64, double tol) {
        int n = 3;
        int count = 3;
        int bytes = f64 ? Double.BYTES : Float.BYTES;
        try (DeviceBuffer a = f64 ? DeviceBuffer.of(context, BATCH) : DeviceBuffer.of(context, toFloat(BATCH));
             DeviceBuffer wr = DeviceBuffer.allocate(context, (long) count * n * bytes);
             DeviceBuffer wi = DeviceBuffer.allocate(context, (long) count * n * bytes);
             DeviceBuffer status = DeviceBuffer.allocate(context, count * 4L);
             Arena arena = Arena.ofConfined()) {
            if (f64) {
                eigen.hqrF64(a, 9, n, count, 0, wr, wi, status);
            } else {
                eigen.hqr(a, 9, n, count, 0, wr, wi, status);
            }
            stream.synchronize();
            double[] re = f64 ? wr.toDoubleArray(count * n) : toDouble(wr.toFloatArray(count * n));
            double[] im = f64 ? wi.toDoubleArray(count * n) : toDouble(wi.toFloatArray(count * n));
            MemorySegment st = arena.allocate(count * 4L);
            status.copyToHost(st);
            for (int m = 0; m < count; m++) {
                int s = st.getAtIndex(ValueLayout.JAVA_INT, m);
                assertTrue(s >= 0, "status of matrix " + m + ": " + s);
                Integer[] order = {0, 1, 2};
                int base = m * n;
                Arrays.sort(order, (x, y) -> re[base + x] != re[base + y] ? Double.compare(re[base + x], re[base + y])
                        : Double.compare(im[base + x], im[base + y]));
                for (int k = 0; k < n; k++) {
                    assertEquals(SORTED_RE[m][k], re[base + order[k]], tol, "re, matrix " + m);
                    assertEquals(SORTED_IM[m][k], im[base + order[k]], tol, "im, matrix " + m);
                }
            }
        }
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
