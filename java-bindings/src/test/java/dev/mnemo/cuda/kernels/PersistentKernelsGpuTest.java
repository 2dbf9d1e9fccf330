package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.Gpu;
import dev.mnemo.cuda.KernelModule;
import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The persistent whole-sequence kernels through {@link PersistentKernels} against a float64 host
 * recurrence (gh = W_hh·h_{t−1}, then the cell, PyTorch's gate orders), on the plan's geometry:
 * h, c, the gates saved in place and hn, and that nothing is written past any output. Includes a
 * shape above 48 KiB of shared memory (the opt-in path) and a long sequence (many barrier rounds).
 */
@Tag("gpu")
class PersistentKernelsGpuTest {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);
    static final int GUARD = 16;
    static final float SENTINEL = -12345f;

    static CudaContext context;
    static CudaStream stream;
    static CudaModule module;
    static PersistentKernels kernels;

    @BeforeAll
    static void open() {
        if (Gpu.missing(Gpu.Need.KERNELS).isPresent()) {
            return;
        }
        context = CudaContext.open(0);
        stream = CudaStream.create(context);
        module = KernelModule.loadMnemoKernels(context);
        CudaDevice d = CudaDevice.query(0);
        kernels = new PersistentKernels(module, stream, DeviceLimits.of(d));
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

    /**
     * A cluster size no device runs (32 blocks, above the hardware's 16) fits 0 times: the driver's
     * CUDA_ERROR_INVALID_CLUSTER_SIZE is read as no room, so the CUDA backend's planning
     * ({@link PersistentClusterKernels#runs}) moves on instead of failing.
     */
    @Test
    void aClusterSizeTheDeviceRefusesFitsNoTimes() {
        Assumptions.assumeTrue(CudaDevice.query(0).computeMajor() >= 9, "thread-block clusters need compute 9.0");
        var function = module.function(PersistentClusterKernels.RNN_FWD_TANH.name());
        var geometry = new LaunchGeometry(32, 1, 1, PersistentKernels.BLOCK_THREADS, 1, 1, 0);
        assertEquals(0, function.maxActiveClusters(geometry, 32, stream));
        assertTrue(function.maxActiveClusters(new LaunchGeometry(2, 1, 1, PersistentKernels.BLOCK_THREADS, 1, 1, 0), 2,
                stream) >= 1, "two blocks of no shared memory fit");
    }

    static float[] random(int n, float scale, Random r) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (r.nextFloat() * 2 - 1) * scale;
        }
        return out;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static DeviceBuffer guarded(float[] values) {
        DeviceBuffer b = DeviceBuffer.allocateFloats(context, values.length + GUARD);
        b.fill(SENTINEL);
        b.copyFromHost(values);
        return b;
    }

    static DeviceBuffer output(int n) {
        DeviceBuffer b = DeviceBuffer.allocateFloats(context, n + GUARD);
        b.fill(SENTINEL);
        return b;
    }

    /** The first n floats, after checking the guard after them. */
    static float[] read(DeviceBuffer b, int n) {
        stream.synchronize();
        float[] all = b.toFloatArray(n + GUARD);
        for (int i = n; i < n + GUARD; i++) {
            assertEquals(SENTINEL, all[i], "write past the end at " + i);
        }
        return java.util.Arrays.copyOf(all, n);
    }

    static void assertClose(double[] want, float[] got, double tol, String what) {
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
            if (!(e <= tol)) {
                throw new AssertionError(what + "[" + i + "]: expected " + want[i] + ", got " + got[i] + " (seed " + SEED + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0} T={1} B={2} H={3} reverse={4}")
    @CsvSource({
            "LSTM, 7, 1, 37, false", "LSTM, 1, 3, 33, true", "LSTM, 1000, 1, 256, false", "LSTM, 12, 8, 1024, true",
            "GRU, 7, 1, 37, true", "GRU, 1, 1, 1, false", "GRU, 1000, 1, 256, false", "GRU, 12, 8, 1024, false",
            "RNN_TANH, 9, 5, 131, false", "RNN_RELU, 9, 5, 131, true", "RNN_TANH, 1000, 1, 256, true"})
    void matchesTheHostRecurrence(Cell cell, int steps, int batch, int hidden, boolean reverse) {
        run(cell, steps, batch, hidden, reverse, 0);
    }

    /**
     * The cluster variants (sm_90+) on the same reference: odd H (a tail block in the cluster),
     * B = 1, T = 1, reverse, B = 5 split over 2 clusters (3 rows and 2), B = 70 in 24 clusters of 3
     * rows (the last one 1), B = 200 at S = 16 (non-portable), and the plan's own cluster count
     * (clusters = 0 in the table).
     */
    @ParameterizedTest(name = "cluster {0} T={1} B={2} H={3} reverse={4} clusters={5}")
    @CsvSource({
            "LSTM, 7, 1, 37, false, 0", "LSTM, 1, 3, 33, true, 0", "LSTM, 300, 5, 255, false, 2",
            "LSTM, 12, 8, 256, true, 0", "GRU, 7, 1, 37, true, 0", "GRU, 1, 1, 1, false, 0",
            "GRU, 300, 5, 255, true, 2", "GRU, 20, 70, 128, false, 0", "LSTM, 5, 200, 128, false, 0", "RNN_TANH, 9, 5, 131, false, 2",
            "RNN_RELU, 9, 5, 131, true, 0", "RNN_TANH, 1000, 1, 256, true, 0"})
    void clusterMatchesTheHostRecurrence(Cell cell, int steps, int batch, int hidden, boolean reverse, int clusters) {
        Assumptions.assumeTrue(kernels.limits().clusters(), "compute capability "
                + kernels.limits().computeCapability() + " < 9.0: no thread-block clusters");
        run(cell, steps, batch, hidden, reverse, clusters == 0 ? -1 : clusters);
    }

    /**
     * The bf16-weight cluster kernels (opt-in) on the same recurrence with W_hh rounded to bfloat16 on
     * the host, at the float32 tolerance: odd H, B = 1, T = 1, B = 5 over 2 clusters, B = 70 in 24
     * clusters, S = 16, and LSTM H = 600 (a cluster holds it only in bf16). The device gets the
     * unrounded W_hh: the kernel's own rounding is what makes it match.
     */
    @ParameterizedTest(name = "cluster bf16 {0} T={1} B={2} H={3} reverse={4} clusters={5}")
    @CsvSource({
            "LSTM, 7, 1, 37, false, 0", "LSTM, 1, 3, 33, true, 0", "LSTM, 300, 5, 255, false, 2",
            "LSTM, 20, 1, 600, false, 0", "GRU, 7, 1, 37, true, 0", "GRU, 1, 1, 1, false, 0",
            "GRU, 20, 70, 128, false, 0", "RNN_TANH, 9, 5, 131, false, 2", "RNN_RELU, 9, 5, 131, true, 0",
            "RNN_TANH, 1000, 1, 256, true, 0"})
    void clusterBf16MatchesTheHostRecurrenceOnRoundedWeights(Cell cell, int steps, int batch, int hidden,
                                                             boolean reverse, int clusters) {
        Assumptions.assumeTrue(kernels.limits().clusters(), "compute capability "
                + kernels.limits().computeCapability() + " < 9.0: no thread-block clusters");
        run(cell, steps, batch, hidden, reverse, clusters == 0 ? -1 : clusters, PersistentWeights.BF16);
    }

    /** Runs one shape: the cooperative kernel (clusters 0), the cluster one (-1: the plan's count). */
    private void run(Cell cell, int steps, int batch, int hidden, boolean reverse, int clusters) {
        run(cell, steps, batch, hidden, reverse, clusters, PersistentWeights.FP32);
    }

    /** As above, the cluster kernel holding W_hh as {@code weights} (the reference uses W_hh as it rounds). */
    private void run(Cell cell, int steps, int batch, int hidden, boolean reverse, int clusters,
                     PersistentWeights weights) {
        Random r = new Random(SEED + steps * 31L + hidden);
        int g = cell.gates() * hidden;
        float scale = (float) (1 / Math.sqrt(hidden));
        float[] wx = random(steps * batch * g, 1, r);
        float[] w = random(g * hidden, 2 * scale, r);
        float[] bi = random(g, 0.5f, r);
        float[] bh = random(g, 0.5f, r);
        float[] h0 = random(batch * hidden, 1, r);
        float[] c0 = random(batch * hidden, 1, r);
        // host reference in double
        int n = steps * batch * hidden;
        double[] hRef = new double[n];
        double[] cRef = new double[n];
        double[] hnRef = new double[n];
        double[] gRef = new double[wx.length];
        for (int i = 0; i < wx.length; i++) {
            gRef[i] = wx[i];
        }
        double[] hPrev = new double[batch * hidden];
        double[] cPrev = new double[batch * hidden];
        for (int i = 0; i < hPrev.length; i++) {
            hPrev[i] = h0[i];
            cPrev[i] = c0[i];
        }
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            double[] hNew = new double[batch * hidden];
            for (int b = 0; b < batch; b++) {
                double[] gh = new double[g];
                for (int row = 0; row < g; row++) {
                    double sum = 0;
                    for (int k = 0; k < hidden; k++) {
                        sum += (double) weights.apply(w[row * hidden + k]) * hPrev[b * hidden + k];
                    }
                    gh[row] = sum;
                }
                int base = (t * batch + b) * g;
                for (int j = 0; j < hidden; j++) {
                    int o = (t * batch + b) * hidden + j;
                    switch (cell) {
                        case RNN_TANH, RNN_RELU -> {
                            double pre = wx[base + j] + bi[j] + gh[j] + bh[j];
                            hNew[b * hidden + j] = cell == Cell.RNN_TANH ? Math.tanh(pre) : Math.max(pre, 0);
                        }
                        case LSTM -> {
                            double[] a = new double[4];
                            for (int k = 0; k < 4; k++) {
                                double pre = wx[base + k * hidden + j] + gh[k * hidden + j] + bi[k * hidden + j]
                                        + bh[k * hidden + j];
                                a[k] = k == 2 ? Math.tanh(pre) : sigmoid(pre);
                                gRef[base + k * hidden + j] = a[k];
                            }
                            double c = a[1] * cPrev[b * hidden + j] + a[0] * a[2];
                            cRef[o] = c;
                            cPrev[b * hidden + j] = c;
                            hNew[b * hidden + j] = a[3] * Math.tanh(c);
                        }
                        case GRU -> {
                            double rr = sigmoid(wx[base + j] + bi[j] + gh[j] + bh[j]);
                            double z = sigmoid(wx[base + hidden + j] + bi[hidden + j] + gh[hidden + j] + bh[hidden + j]);
                            double hn = gh[2 * hidden + j] + bh[2 * hidden + j];
                            double nn = Math.tanh(wx[base + 2 * hidden + j] + bi[2 * hidden + j] + rr * hn);
                            gRef[base + j] = rr;
                            gRef[base + hidden + j] = z;
                            gRef[base + 2 * hidden + j] = nn;
                            hnRef[o] = hn;
                            hNew[b * hidden + j] = (1 - z) * nn + z * hPrev[b * hidden + j];
                        }
                    }
                    hRef[o] = hNew[b * hidden + j];
                }
            }
            hPrev = hNew;
        }
        int units;
        if (clusters == 0) {
            var plan = PersistentKernels.plan(cell, batch, hidden, kernels.limits());
            // A smaller GPU (or the CPU emulation's 16 SMs) may have no room for a large H: skip, saying so.
            Assumptions.assumeTrue(plan.feasible(), () -> "no plan on this device: " + plan.reason());
            units = plan.plan().unitsPerBlock();
        } else {
            var plan = PersistentClusterPlan.plan(cell, batch, hidden, kernels.limits(), weights);
            Assumptions.assumeTrue(plan.feasible(), () -> "no cluster plan on this device: " + plan.reason());
            units = plan.plan().unitsPerBlock();
            clusters = clusters < 0 ? plan.plan().clusters() : clusters;
        }
        boolean lstm = cell == Cell.LSTM;
        boolean gru = cell == Cell.GRU;
        try (DeviceBuffer dGates = guarded(wx); DeviceBuffer dW = DeviceBuffer.of(context, w);
             DeviceBuffer dBi = DeviceBuffer.of(context, bi); DeviceBuffer dBh = DeviceBuffer.of(context, bh);
             DeviceBuffer dH0 = DeviceBuffer.of(context, h0); DeviceBuffer dC0 = DeviceBuffer.of(context, c0);
             DeviceBuffer dH = output(n); DeviceBuffer dC = output(n); DeviceBuffer dHn = output(n);
             DeviceBuffer barrier = DeviceBuffer.allocateFloats(context, PersistentKernels.BARRIER_WORDS)) {
            var p = new PersistentKernels.FwdParams(dGates, dW, dBi, dBh, dH0, lstm ? dC0 : null, dH,
                    lstm ? dC : null, gru ? dHn : null, clusters == 0 ? barrier : null, steps, batch, hidden, units,
                    reverse, true);
            if (clusters == 0) {
                kernels.forward(cell, p);
            } else {
                kernels.cluster().forward(cell, p, clusters, weights);
            }
            double tol = 2e-5 * Math.sqrt(steps);
            assertClose(hRef, read(dH, n), tol, "h");
            assertClose(gRef, read(dGates, wx.length), tol, "gates");
            if (lstm) {
                assertClose(cRef, read(dC, n), tol, "c");
            }
            if (gru) {
                assertClose(hnRef, read(dHn, n), tol, "hn");
            }
            if (clusters != 0) {
                return; // the cluster kernels do not use the barrier words
            }
            float[] words = barrier.toFloatArray(2);
            assertEquals(0, Float.floatToRawIntBits(words[0]), "barrier counter left at 0");
            assertEquals(0, Float.floatToRawIntBits(words[1]), "exit counter left at 0");
        }
    }
}
