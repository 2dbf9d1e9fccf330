package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaGraph;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.Gpu;
import dev.mnemo.cuda.KernelModule;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped kernels against the CPU reference {@link HostKernels}, through the launchers. */
@Tag("gpu")
class KernelsGpuTest {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);
    /** Guard floats after n: a kernel must not write past its n. */
    static final int GUARD = 16;
    static final float SENTINEL = -12345f;

    static CudaContext context;
    static CudaStream stream;
    static CudaModule module;
    static TensorKernels tensor;
    static ClipKernels clip;

    @BeforeAll
    static void open() {
        if (Gpu.missing(Gpu.Need.KERNELS).isPresent()) {
            return; // each test is skipped with the reason, in assumeGpu()
        }
        context = CudaContext.open(0);
        stream = CudaStream.create(context);
        module = KernelModule.loadMnemoKernels(context);
        tensor = new TensorKernels(module, stream);
        clip = new ClipKernels(module, stream);
    }

    @BeforeEach
    void assumeGpu() {
        Gpu.assume(Gpu.Need.KERNELS);
    }

    @AfterAll
    static void close() {
        if (clip != null) {
            clip.close();
        }
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

    static float[] random(int n, float scale, long salt) {
        Random r = new Random(SEED + salt);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (r.nextFloat() * 2 - 1) * scale;
        }
        return out;
    }

    /** A device buffer of n + GUARD floats: values, then sentinels. */
    static DeviceBuffer guarded(float[] values) {
        DeviceBuffer buffer = DeviceBuffer.allocateFloats(context, values.length + GUARD);
        buffer.fill(SENTINEL);
        buffer.copyFromHost(values);
        return buffer;
    }

    static float[] read(DeviceBuffer buffer, int n) {
        stream.synchronize();
        float[] all = buffer.toFloatArray(n + GUARD);
        for (int i = n; i < n + GUARD; i++) {
            assertEquals(SENTINEL, all[i], "write past n at index " + i + " (seed " + SEED + ")");
        }
        return java.util.Arrays.copyOf(all, n);
    }

    static void assertClose(float[] expected, float[] actual, double relTol, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            double tol = relTol * Math.max(1.0, Math.abs(expected[i]));
            if (Math.abs(expected[i] - actual[i]) > tol) {
                throw new AssertionError(what + ": index " + i + " expected " + expected[i] + ", got " + actual[i]
                        + " (seed " + SEED + ")");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1000, (1 << 20) + 3})
    void fillMatchesTheReference(int n) {
        try (DeviceBuffer x = guarded(random(n, 1, 1))) {
            tensor.fill(x, n, 1.25f);
            float[] expected = new float[n];
            HostKernels.fill(expected, n, 1.25f);
            assertArrayEquals(expected, read(x, n));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1000, (1 << 20) + 3})
    void axpbyMatchesTheReference(int n) {
        float[] xs = random(n, 3, 2);
        float[] ys = random(n, 3, 3);
        try (DeviceBuffer x = guarded(xs); DeviceBuffer y = guarded(ys)) {
            tensor.axpby(y, x, n, 0.75f, -1.5f);
            HostKernels.axpby(ys, xs, n, 0.75f, -1.5f);
            assertClose(ys, read(y, n), 1e-6, "axpby");
        }
    }

    @Test
    void axpbyWithBetaZeroDropsNaNInY() {
        float[] ys = {Float.NaN, Float.POSITIVE_INFINITY, Float.NaN};
        try (DeviceBuffer x = guarded(new float[] {1, 2, 3}); DeviceBuffer y = guarded(ys)) {
            tensor.axpby(y, x, 3, 2f, 0f);
            assertArrayEquals(new float[] {2, 4, 6}, read(y, 3));
        }
    }

    @Test
    void axpbyInPlaceWhenYAliasesX() {
        try (DeviceBuffer x = guarded(new float[] {1, 2, 3})) {
            tensor.axpby(x, x, 3, 2f, 1f);
            assertArrayEquals(new float[] {3, 6, 9}, read(x, 3));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1000, (1 << 20) + 3})
    void clipMatchesTheReference(int n) {
        float[] xs = random(n, 2, 4);
        try (DeviceBuffer x = guarded(xs)) {
            float norm = clip.clipGlobalNorm(x, n, 0.5f);
            double expectedNorm = HostKernels.clipGlobalNorm(xs, n, 0.5f);
            assertEquals(expectedNorm, norm, 1e-6 * expectedNorm, "norm (the kernel sums in double; seed " + SEED + ")");
            assertClose(xs, read(x, n), 1e-5, "clipped x");
        }
    }

    @Test
    void clipOfThreeFourToOne() {
        try (DeviceBuffer x = guarded(new float[] {3, 4})) {
            assertEquals(5f, clip.clipGlobalNorm(x, 2, 1f), 1e-6f);
            assertClose(new float[] {0.6f, 0.8f}, read(x, 2), 1e-6, "clipped");
        }
    }

    @Test
    void clipBelowTheMaximumLeavesXUnchanged() {
        try (DeviceBuffer x = guarded(new float[] {3, 4})) {
            assertEquals(5f, clip.clipGlobalNorm(x, 2, 10f), 1e-6f);
            assertArrayEquals(new float[] {3, 4}, read(x, 2));
        }
    }

    @Test
    void clipWithCallerScratch() {
        float[] xs = random(5000, 1, 5);
        try (DeviceBuffer x = guarded(xs);
             DeviceBuffer scratch = DeviceBuffer.allocateFloats(context, ClipKernels.scratchFloats(5000))) {
            float norm = clip.clipGlobalNorm(x, 5000, 1f, scratch);
            double expected = HostKernels.clipGlobalNorm(xs, 5000, 1f);
            assertEquals(expected, norm, 1e-5 * expected);
            assertClose(xs, read(x, 5000), 1e-5, "clipped x");
        }
    }

    /**
     * Column sums against a double reference, with the derived tolerance of STYLE 14: the GPU's
     * error may be at most twice that of a plain sequential float32 sum on the CPU.
     */
    @ParameterizedTest
    @CsvSource({"1, 1", "1000, 3", "100000, 7", "5, 1000", "3000, 257", "0, 4"})
    void columnSumsMatchTheReference(int rows, int cols) {
        float[] in = random(rows * cols, 1, 6);
        float[] out0 = random(cols, 1, 7);
        double[] exact = new double[cols];
        double cpuError = 0;
        for (int c = 0; c < cols; c++) {
            double sum = 0;
            float sequential = 0;
            for (int r = 0; r < rows; r++) {
                sum += in[r * cols + c];
                sequential += in[r * cols + c];
            }
            exact[c] = sum + out0[c];
            cpuError = Math.max(cpuError, Math.abs((double) (sequential + out0[c]) - exact[c]));
        }
        SumRowsPlan plan = SumRowsPlan.of(rows, cols);
        try (DeviceBuffer dIn = DeviceBuffer.of(context, in); DeviceBuffer dOut = guarded(out0);
             DeviceBuffer scratch = DeviceBuffer.allocateFloats(context, Math.max(1, plan.partialsFloats()))) {
            tensor.columnSums(dOut, dIn, rows, cols, 1f, scratch);
            float[] got = read(dOut, cols);
            for (int c = 0; c < cols; c++) {
                double allowed = 2 * cpuError + 1e-6 * Math.max(1, Math.abs(exact[c]));
                assertEquals(exact[c], got[c], allowed, "column " + c + " of " + rows + " x " + cols + " (seed " + SEED + ")");
            }
        }
    }

    @Test
    void sumRowsWithBetaZeroDropsNaNInOut() {
        try (DeviceBuffer in = DeviceBuffer.of(context, new float[] {1, 2, 3, 4, 5, 6});
             DeviceBuffer out = guarded(new float[] {Float.NaN, Float.NaN})) {
            tensor.sumRows(out, in, 3, 2, 0f);
            assertArrayEquals(new float[] {9, 12}, read(out, 2));
        }
    }

    @Test
    void aCapturedGraphReplaysFillAndAxpby() {
        int n = 1000;
        try (DeviceBuffer x = guarded(new float[n]); DeviceBuffer y = guarded(new float[n])) {
            CudaGraph graph = CudaGraph.capture(stream, () -> {
                tensor.fill(x, n, 1f);
                tensor.axpby(y, x, n, 2f, 1f);
            });
            try (graph) {
                float[] untouched = read(y, n);
                assertArrayEquals(new float[n], untouched, "capture must not run the work");
                for (int i = 0; i < 3; i++) {
                    graph.launch(stream);
                }
                float[] expected = new float[n];
                java.util.Arrays.fill(expected, 6f);
                assertArrayEquals(expected, read(y, n));
            }
            graph.close();
            assertTrue(graph.isClosed());
        }
    }
}
