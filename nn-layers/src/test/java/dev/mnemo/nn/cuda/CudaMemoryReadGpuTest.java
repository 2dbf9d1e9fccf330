package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * CudaBackend's key-value memory read against a double-precision reference written here (from the
 * Backend javadoc), on the small and the split path: MemNet's window over a [T, B, S] history,
 * dense memories, odd widths (element loads), no slots, empty slots, many slots.
 */
@Tag("gpu")
class CudaMemoryReadGpuTest {
    static final long SEED = Long.getLong("mnemo.test.seed", 20261126L);
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    /** A case's host data: q [B, ldq] and one history holding K and V as strided windows. */
    record Case(int b, int slots, int empty, int dk, int dv, boolean window, double scale) {
        int ldq() {
            return dk + 2;
        }

        /** Row width of the history (window) — q, k, v columns, then one pad column. */
        int s() {
            return 2 * dk + dv + 1;
        }

        int steps() {
            return slots + 3;
        }

        int memFloats() {
            return window ? steps() * b * s() : b * slots * (dk + dv);
        }

        long kOff() {
            return window ? 2L * b * s() + dk : 0;
        }

        long vOff() {
            return window ? 2L * b * s() + 2L * dk : (long) b * slots * dk;
        }

        long kBs() {
            return window ? s() : (long) slots * dk;
        }

        long kSs() {
            return window ? (long) b * s() : dk;
        }

        long vBs() {
            return window ? s() : (long) slots * dv;
        }

        long vSs() {
            return window ? (long) b * s() : dv;
        }
    }

    static double[] random(long salt, int n, double scale) {
        var rnd = new SplittableRandom(SEED ^ salt);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((2 * rnd.nextDouble() - 1) * scale); // float-representable
        }
        return x;
    }

    static Tensor cuda(double[] x, int... shape) {
        return Tensor.of(x, shape).to(Device.CUDA);
    }

    static float[] host(Tensor t) {
        return t.to(Device.CPU).toFloatArray();
    }

    @ParameterizedTest(name = "B={0} M={1} E={2} dk={3} dv={4} window={5}")
    @CsvSource({
        "6, 8, 3, 32, 32, true, 1.0",      // MemNet: small path, window, vector loads
        "4, 9, 2, 3, 5, true, 1.0",        // odd widths: element loads
        "3, 1000, 0, 64, 64, false, 0.125", // split path
        "2, 300, 5, 3, 7, true, 0.5",      // split path, window, odd widths, empty slots
        "130, 200, 2, 8, 8, false, 0.5",   // one split a row: the split kernel finishes c, lse
        "5, 64, 1, 32, 32, true, 0.25",    // the small path's longest rows
        "5, 100, 1, 32, 16, true, 0.25",   // past them: one split a row, backward too (dq from the split kernel)
        "3, 0, 4, 8, 8, false, 1.0",       // only empty slots
        "3, 0, 0, 8, 8, false, 1.0",       // no slot at all: lse −inf, c 0
        "0, 10, 1, 8, 8, false, 1.0"})     // no rows
    void forwardAndBackwardMatchTheReference(int b, int slots, int empty, int dk, int dv, boolean window, double scale) {
        Case k = new Case(b, slots, empty, dk, dv, window, scale);
        double[] mem = random(1, k.memFloats(), 1);
        double[] q = random(2, b * k.ldq(), 1);
        double[] dc = random(3, b * dv, 1);
        double[] grad0 = random(4, k.memFloats(), 0.5);
        Tensor memT = cuda(mem, k.memFloats());
        Tensor qT = cuda(q, b * k.ldq());
        MemoryRead read = new MemoryRead(b, slots, empty, dk, dv, scale, new Strided(qT, 0, k.ldq(), 0),
                new Strided(memT, k.kOff(), k.kBs(), k.kSs()), new Strided(memT, k.vOff(), k.vBs(), k.vSs()));
        Tensor c = gpu.zeros(b, dv);
        Tensor lse = gpu.zeros(b);
        gpu.memoryReadForward(read, c, lse);

        // reference forward (double)
        double[] cRef = new double[b * dv];
        double[] lseRef = new double[b];
        double[][] s = new double[b][slots];
        for (int r = 0; r < b; r++) {
            double mx = empty > 0 ? 0 : Double.NEGATIVE_INFINITY;
            for (int m = 0; m < slots; m++) {
                double dot = 0;
                for (int j = 0; j < dk; j++) {
                    dot += mem[(int) (k.kOff() + r * k.kBs() + m * k.kSs() + j)] * q[r * k.ldq() + j];
                }
                s[r][m] = scale * dot;
                mx = Math.max(mx, s[r][m]);
            }
            if (slots + empty == 0) {
                lseRef[r] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double l = empty > 0 ? empty * Math.exp(-mx) : 0.0;   // 0·exp(−mx) may be 0·∞
            for (int m = 0; m < slots; m++) {
                l += Math.exp(s[r][m] - mx);
            }
            lseRef[r] = mx + Math.log(l);
            for (int m = 0; m < slots; m++) {
                double a = Math.exp(s[r][m] - lseRef[r]);
                for (int j = 0; j < dv; j++) {
                    cRef[r * dv + j] += a * mem[(int) (k.vOff() + r * k.vBs() + m * k.vSs() + j)];
                }
            }
        }
        assertClose(cRef, host(c), 2e-5, "c");
        assertClose(lseRef, host(lse), 2e-5, "lse");
        Tensor c2 = gpu.zeros(b, dv);
        Tensor lse2 = gpu.zeros(b);
        gpu.memoryReadForward(read, c2, lse2);
        assertArrayEquals(host(c), host(c2), "a rerun gives the same bits");
        assertArrayEquals(host(lse), host(lse2), "a rerun gives the same bits");

        // backward: dq into a strided [B, ldq] buffer, dK and dV accumulate into one gradient history
        Tensor dcT = cuda(dc, b, dv);
        Tensor dqT = gpu.zeros(b * k.ldq());
        Tensor gradT = cuda(grad0, k.memFloats());
        gpu.memoryReadBackward(read, c, lse, dcT, new Strided(dqT, 0, k.ldq(), 0),
                new Strided(gradT, k.kOff(), k.kBs(), k.kSs()), new Strided(gradT, k.vOff(), k.vBs(), k.vSs()));
        float[] cUsed = host(c);
        float[] lseUsed = host(lse);
        double[] dqRef = new double[b * k.ldq()];
        double[] gradRef = grad0.clone();
        for (int r = 0; r < b; r++) {
            double d = 0;
            for (int j = 0; j < dv; j++) {
                d += (double) cUsed[r * dv + j] * dc[r * dv + j];
            }
            for (int m = 0; m < slots; m++) {
                double a = Math.exp(s[r][m] - lseUsed[r]);
                double vdot = 0;
                for (int j = 0; j < dv; j++) {
                    vdot += mem[(int) (k.vOff() + r * k.vBs() + m * k.vSs() + j)] * dc[r * dv + j];
                }
                double ds = a * (vdot - d);
                for (int j = 0; j < dk; j++) {
                    int kAt = (int) (k.kOff() + r * k.kBs() + m * k.kSs() + j);
                    dqRef[r * k.ldq() + j] += scale * ds * mem[kAt];
                    gradRef[kAt] += scale * ds * q[r * k.ldq() + j];
                }
                for (int j = 0; j < dv; j++) {
                    gradRef[(int) (k.vOff() + r * k.vBs() + m * k.vSs() + j)] += a * dc[r * dv + j];
                }
            }
        }
        assertClose(dqRef, host(dqT), 2e-5, "dq (its gap columns stay 0)");
        assertClose(gradRef, host(gradT), 2e-5, "dKeys/dValues accumulated, the rest of the history unchanged");
    }

    /**
     * {@link dev.mnemo.nn.ScoresPastFloatCheck}: a score past 3.4e38 was +∞ in float32, and every weight
     * exp(∞ − ∞) NaN; the kernels keep scores inside float's range.
     */
    @Test
    void scoresPastFloatRangeReadTheirValue() {
        dev.mnemo.nn.ScoresPastFloatCheck.run(gpu);
    }

    @Test
    void operandsOutsideTheirBaseAndWideRowsAreRejected() {
        Tensor mem = gpu.zeros(100);
        Tensor q = gpu.zeros(2, 4);
        // keys: rows 90 apart reach element 90 + 4·4 + 4 = 110 of 100
        MemoryRead tooFar = new MemoryRead(2, 5, 0, 4, 4, 1, new Strided(q, 0, 4, 0), new Strided(mem, 0, 90, 4),
                new Strided(mem, 60, 20, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gpu.memoryReadForward(tooFar, gpu.zeros(2, 4), gpu.zeros(2)));
        assertTrue(e.getMessage().startsWith("keys reaches element"), e.getMessage());
        MemoryRead wide = new MemoryRead(1, 1, 0, 300, 4, 1, new Strided(gpu.zeros(300), 0, 300, 0),
                new Strided(gpu.zeros(300), 0, 300, 300), new Strided(mem, 0, 4, 4));
        assertThrows(UnsupportedOperationException.class, () -> gpu.memoryReadForward(wide, gpu.zeros(1, 4), gpu.zeros(1)));
        assertThrows(IllegalArgumentException.class,
                () -> gpu.memoryReadForward(new MemoryRead(2, 1, 0, 4, 4, 1, new Strided(q, 0, 4, 0),
                        new Strided(mem, 0, 4, 4), new Strided(mem, 0, 4, 4)), gpu.zeros(3, 4), gpu.zeros(2)));
    }

    static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Double.isInfinite(expected[i])) {
                assertEquals(expected[i], actual[i], what + "[" + i + "]");
                continue;
            }
            double err = Math.abs(expected[i] - actual[i]);
            assertTrue(err <= tol * (1 + Math.abs(expected[i])) * 10,
                    what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i] + " (seed " + SEED + ")");
        }
    }
}
