package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
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

/** The memnet kernels through {@link MemnetKernels} against a double-precision host reference. */
@Tag("gpu")
class MemnetKernelsGpuTest {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);
    static CudaContext context;
    static CudaStream stream;
    static CudaModule module;
    static MemnetKernels memnet;

    @BeforeAll
    static void open() {
        if (Gpu.missing(Gpu.Need.KERNELS).isPresent()) {
            return;
        }
        context = CudaContext.open(0);
        stream = CudaStream.create(context);
        module = KernelModule.loadMnemoKernels(context);
        memnet = new MemnetKernels(module, stream);
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

    static float[] random(int n, long salt) {
        Random r = new Random(SEED + salt);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextFloat() * 2 - 1;
        }
        return out;
    }

    static DeviceBuffer upload(float[] x) {
        DeviceBuffer b = DeviceBuffer.allocateFloats(context, Math.max(1, x.length));
        b.copyFromHost(x);
        return b;
    }

    static float[] download(DeviceBuffer b, int n) {
        stream.synchronize();
        return java.util.Arrays.copyOf(b.toFloatArray(n), n);
    }

    /** bf16 bits (round to nearest even) packed two per float slot of a device buffer. */
    static float[] roundToBf16(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int u = Float.floatToRawIntBits(x[i]);
            u += 0x7FFF + ((u >>> 16) & 1);
            out[i] = Float.intBitsToFloat(u & 0xFFFF0000);
        }
        return out;
    }

    static DeviceBuffer uploadBf16(float[] rounded) {
        float[] packed = new float[(rounded.length + 1) / 2];
        for (int i = 0; i < rounded.length; i++) {
            int bits = Float.floatToRawIntBits(rounded[i]) >>> 16;
            int word = Float.floatToRawIntBits(packed[i / 2]);
            word |= (i % 2 == 0) ? bits : bits << 16;
            packed[i / 2] = Float.intBitsToFloat(word);
        }
        return upload(packed);
    }

    @ParameterizedTest(name = "B={0} M={1} E={2} dk={3} dv={4} bf16={5}")
    @CsvSource({"5, 37, 2, 32, 32, false", "3, 300, 0, 64, 64, false", "2, 200, 3, 3, 7, false", "3, 0, 4, 8, 8, false",
        "3, 300, 1, 64, 64, true", "2, 50, 0, 12, 5, true"})
    void readForwardAndBackwardMatchTheReference(int b, int m, int e, int dk, int dv, boolean bf16) {
        double scale = 0.25;
        float[] q = random(b * dk, 1);
        float[] k = random(b * m * dk, 2);
        float[] v = random(b * m * dv, 3);
        if (bf16) {
            k = roundToBf16(k);
            v = roundToBf16(v);
        }
        double[] cRef = new double[b * dv];
        double[] lseRef = new double[b];
        double[][] s = new double[b][m];
        for (int r = 0; r < b; r++) {
            double mx = e > 0 ? 0 : Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                double dot = 0;
                for (int i = 0; i < dk; i++) {
                    dot += (double) k[(r * m + j) * dk + i] * q[r * dk + i];
                }
                s[r][j] = scale * dot;
                mx = Math.max(mx, s[r][j]);
            }
            double l = e > 0 ? e * Math.exp(-mx) : 0.0;   // 0·exp(−mx) may be 0·∞
            for (int j = 0; j < m; j++) {
                l += Math.exp(s[r][j] - mx);
            }
            lseRef[r] = m + e == 0 ? Double.NEGATIVE_INFINITY : mx + Math.log(l);
            for (int j = 0; j < m; j++) {
                double a = Math.exp(s[r][j] - lseRef[r]);
                for (int i = 0; i < dv; i++) {
                    cRef[r * dv + i] += a * v[(r * m + j) * dv + i];
                }
            }
        }
        long partialsCount = Math.max(1, bf16 ? MemnetKernels.fwdKvbf16PartialsCount(b, m, dv)
                : Math.max(MemnetKernels.fwdPartialsCount(b, m, dv), MemnetKernels.bwdPartialsCount(b, m, dk)));
        try (DeviceBuffer dq = upload(q); DeviceBuffer dk_ = bf16 ? uploadBf16(k) : upload(k);
             DeviceBuffer dv_ = bf16 ? uploadBf16(v) : upload(v); DeviceBuffer c = upload(new float[b * dv]);
             DeviceBuffer lse = upload(new float[b]);
             DeviceBuffer partials = DeviceBuffer.allocateFloats(context, partialsCount)) {
            var p = new MemnetKernels.FwdParams(dq, dk_, dv_, c, lse, partials, b, m, e, dk, dv, dk, (long) m * dk, dk,
                    (long) m * dv, dv, 0, 0, scale);
            if (bf16) {
                memnet.readForwardKvbf16(p);
            } else {
                memnet.readForward(p);
            }
            assertClose(cRef, download(c, b * dv), "c");
            assertClose(lseRef, download(lse, b), "lse");
            if (bf16) {
                return;
            }
            float[] dcIn = random(b * dv, 4);
            float[] g0 = random(b * m * (dk + dv), 5);
            float[] cUsed = download(c, b * dv);
            float[] lseUsed = download(lse, b);
            double[] dqRef = new double[b * dk];
            double[] gRef = new double[g0.length];
            for (int i = 0; i < g0.length; i++) {
                gRef[i] = g0[i];
            }
            int vBase = b * m * dk;
            for (int r = 0; r < b; r++) {
                double d = 0;
                for (int i = 0; i < dv; i++) {
                    d += (double) cUsed[r * dv + i] * dcIn[r * dv + i];
                }
                for (int j = 0; j < m; j++) {
                    double a = Math.exp(s[r][j] - lseUsed[r]);
                    double vdot = 0;
                    for (int i = 0; i < dv; i++) {
                        vdot += (double) v[(r * m + j) * dv + i] * dcIn[r * dv + i];
                    }
                    double ds = a * (vdot - d);
                    for (int i = 0; i < dk; i++) {
                        dqRef[r * dk + i] += scale * ds * k[(r * m + j) * dk + i];
                        gRef[(r * m + j) * dk + i] += scale * ds * q[r * dk + i];
                    }
                    for (int i = 0; i < dv; i++) {
                        gRef[vBase + (r * m + j) * dv + i] += a * dcIn[r * dv + i];
                    }
                }
            }
            try (DeviceBuffer dc = upload(dcIn); DeviceBuffer dqOut = upload(new float[b * dk]);
                 DeviceBuffer grad = upload(g0)) {
                DeviceMemory dKeys = grad.sliceFloats(0, (long) b * m * dk);
                DeviceMemory dValues = grad.sliceFloats(vBase, (long) b * m * dv);
                memnet.readBackward(new MemnetKernels.BwdParams(dq, dk_, dv_, c, lse, dc, dqOut, dKeys, dValues, partials,
                        b, m, dk, dv, dk, (long) m * dk, dk, (long) m * dv, dv, dk, (long) m * dk, dk, (long) m * dv, dv,
                        0, 0, scale));
                assertClose(dqRef, download(dqOut, b * dk), "dq");
                assertClose(gRef, download(grad, g0.length), "dK, dV accumulated");
            }
        }
    }

    /**
     * With counters the split kernel's last block of each row merges it: the same bits as the merge kernel, the
     * counters back at 0 after each read (so a second read merges too), forward (float and bf16 K, V) and backward.
     */
    @ParameterizedTest(name = "B={0} M={1} dk={2} dv={3} bf16={4}")
    @CsvSource({"3, 300, 64, 64, false", "2, 200, 3, 7, false", "1, 5000, 16, 16, false", "64, 150, 8, 8, false",
        "3, 300, 64, 64, true", "1, 5000, 12, 5, true"})
    void rowsMergedInTheSplitKernelHaveTheMergeKernelsBits(int b, int m, int dk, int dv, boolean bf16) {
        MemnetKernels.SplitPlan plan = MemnetKernels.splitPlan(b, m);
        assertEquals(true, plan.splits() > 1, "every case reads more than one split a row");
        float[] q = random(b * dk, 11);
        float[] k = random(b * m * dk, 12);
        float[] v = random(b * m * dv, 13);
        long partialsCount = Math.max(MemnetKernels.fwdKvbf16PartialsCount(b, m, dv),
                MemnetKernels.bwdPartialsCount(b, m, dk));
        try (DeviceBuffer dq = upload(q); DeviceBuffer dk_ = bf16 ? uploadBf16(roundToBf16(k)) : upload(k);
             DeviceBuffer dv_ = bf16 ? uploadBf16(roundToBf16(v)) : upload(v);
             DeviceBuffer c = upload(new float[b * dv]); DeviceBuffer lse = upload(new float[b]);
             DeviceBuffer partials = DeviceBuffer.allocateFloats(context, Math.max(1, partialsCount));
             DeviceBuffer counters = upload(new float[(int) MemnetKernels.countersCount(b)])) {
            float[][] results = new float[3][];
            for (int run = 0; run < 3; run++) {   // the merge kernel, then the split kernel's merge twice
                float[] nan = new float[b * dv];
                java.util.Arrays.fill(nan, Float.NaN);   // what a read leaves unwritten shows
                c.copyFromHost(nan);
                lse.copyFromHost(java.util.Arrays.copyOf(nan, b));
                var p = new MemnetKernels.FwdParams(dq, dk_, dv_, c, lse, partials, b, m, 1, dk, dv, dk, (long) m * dk,
                        dk, (long) m * dv, dv, 0, 0, 0.3, run == 0 ? null : counters);
                if (bf16) {
                    memnet.readForwardKvbf16(p);
                } else {
                    memnet.readForward(p);
                }
                float[] cl = java.util.Arrays.copyOf(download(c, b * dv), b * dv + b);
                System.arraycopy(download(lse, b), 0, cl, b * dv, b);
                results[run] = cl;
                assertArrayEquals(new float[b], download(counters, b), "counters back at 0 after read " + run);
            }
            assertArrayEquals(results[0], results[1], "c, lse: split-kernel merge against the merge kernel");
            assertArrayEquals(results[0], results[2], "c, lse: a second read with the same counters");
            if (bf16) {
                return;
            }
            float[] dcIn = random(b * dv, 14);
            float[][] dqs = new float[2][];
            for (int run = 0; run < 2; run++) {
                try (DeviceBuffer dc = upload(dcIn); DeviceBuffer dqOut = upload(new float[b * dk]);
                     DeviceBuffer grad = upload(new float[b * m * (dk + dv)])) {
                    memnet.readBackward(new MemnetKernels.BwdParams(dq, dk_, dv_, c, lse, dc, dqOut,
                            grad.sliceFloats(0, (long) b * m * dk), grad.sliceFloats((long) b * m * dk, (long) b * m * dv),
                            partials, b, m, dk, dv, dk, (long) m * dk, dk, (long) m * dv, dv, dk, (long) m * dk, dk,
                            (long) m * dv, dv, 0, 0, 0.3, run == 0 ? null : counters));
                    dqs[run] = download(dqOut, b * dk);
                    assertArrayEquals(new float[b], download(counters, b), "counters back at 0 after backward " + run);
                }
            }
            assertArrayEquals(dqs[0], dqs[1], "dq: split-kernel sum against the merge kernel");
        }
    }

    @Test
    void ringWriteReplacesOneSlot() {
        int b = 3, m = 5, dk = 4, dv = 3, ldk = 6, ldv = 5, step = 7;
        float[] keys = random(b * m * dk, 6), values = random(b * m * dv, 7), k = random(b * ldk, 8), v = random(b * ldv, 9);
        try (DeviceBuffer dKeys = upload(keys); DeviceBuffer dValues = upload(values); DeviceBuffer dk_ = upload(k);
             DeviceBuffer dv_ = upload(v)) {
            memnet.ringWrite(dKeys, dValues, dk_, ldk, dv_, ldv, b, m, dk, dv, step);
            for (int r = 0; r < b; r++) {
                System.arraycopy(k, r * ldk, keys, (r * m + step % m) * dk, dk);
                System.arraycopy(v, r * ldv, values, (r * m + step % m) * dv, dv);
            }
            assertArrayEquals(keys, download(dKeys, keys.length));
            assertArrayEquals(values, download(dValues, values.length));
        }
    }

    static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Double.isInfinite(expected[i])) {
                assertEquals(expected[i], actual[i], what + "[" + i + "]");
            } else if (Math.abs(expected[i] - actual[i]) > 2e-4 * (1 + Math.abs(expected[i]))) {
                throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i] + " (seed "
                        + SEED + ")");
            }
        }
    }
}
