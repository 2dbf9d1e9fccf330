package dev.mnemo.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuBackendTest {

    static Tensor random(DType dtype, long seed, int... shape) {
        var rnd = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(dtype, shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        return t;
    }

    /** alpha = 0: a and b are not read (BLAS), so a NaN there leaves c = beta·c, in both element types. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(DType.class)
    void gemmWithAlphaZeroReadsNeitherOperand(DType dtype) {
        CpuBackend be = dtype == DType.FLOAT64 ? CpuBackend.float64() : CpuBackend.float32();
        Tensor a = random(dtype, 1, 2, 3);
        a.setFlat(0, Double.NaN);
        Tensor b = random(dtype, 2, 3, 2);
        Tensor c = Tensor.zeros(dtype, 2, 2);
        for (int i = 0; i < 4; i++) {
            c.setFlat(i, 2.5);
        }
        be.gemm(false, false, 0.0, a, b, 2.0, c);
        for (int i = 0; i < 4; i++) {
            assertEquals(5.0, c.getFlat(i), dtype + " c[" + i + "]");
        }
    }

    /**
     * As above on shapes that reach the system BLAS (m·n·k >= 512) and its sgemv (one row, one column), every
     * transpose and beta: with OpenBLAS, a NaN in a and an ∞ in b made c NaN. beta = 0 gives exact zeros even
     * over a NaN in c.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(DType.class)
    void gemmWithAlphaZeroReadsNeitherOperandOnEveryPath(DType dtype) {
        CpuBackend be = dtype == DType.FLOAT64 ? CpuBackend.float64() : CpuBackend.float32();
        int[][] shapes = {{8, 8, 8}, {3, 5, 40}, {64, 64, 64}, {1, 64, 64}, {64, 1, 64}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                Tensor a = Tensor.zeros(dtype, ta ? k : m, ta ? m : k);
                a.fill(Double.NaN);
                Tensor b = Tensor.zeros(dtype, tb ? n : k, tb ? k : n);
                b.fill(1);
                b.setFlat(0, Double.POSITIVE_INFINITY);
                for (double beta : new double[] {0, 0.5, 1}) {
                    Tensor c = Tensor.zeros(dtype, m, n);
                    c.fill(2.5);
                    if (beta == 0) {
                        c.setFlat(0, Double.NaN);   // not read: BLAS's beta = 0
                    }
                    be.gemm(ta, tb, 0.0, a, b, beta, c);
                    for (int i = 0; i < c.numel(); i++) {
                        assertEquals(2.5 * beta, c.getFlat(i), dtype + " " + m + "x" + n + "x" + k + " transA " + ta
                                + " transB " + tb + " beta " + beta + " c[" + i + "]");
                    }
                }
            }
        }
    }

    /**
     * The relu backward passes dh where h > 0 and gives 0 at a dead unit, even for a NaN or ∞ dh (PyTorch's
     * threshold_backward); float32 already did, float64 multiplied by 0 and gave NaN.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(DType.class)
    void reluBackwardIsZeroAtDeadUnitsWhateverTheGradient(DType dtype) {
        CpuBackend be = dtype == DType.FLOAT64 ? CpuBackend.float64() : CpuBackend.float32();
        Tensor h = Tensor.zeros(dtype, 1, 4);
        Tensor dhOut = Tensor.zeros(dtype, 1, 4);
        double[] hv = {0, 0, 2, 0};
        double[] dv = {Double.NaN, Double.POSITIVE_INFINITY, 1, Double.NEGATIVE_INFINITY};
        for (int i = 0; i < 4; i++) {
            h.setFlat(i, hv[i]);
            dhOut.setFlat(i, dv[i]);
        }
        Tensor dh = Tensor.zeros(dtype, 1, 4);
        Tensor dPre = Tensor.zeros(dtype, 1, 4);
        be.rnnCellBackward(Nonlinearity.RELU, h, dhOut, dh, dPre);
        assertArrayEquals(new double[]{0, 0, 1, 0}, dPre.toDoubleArray(), dtype.toString());
    }

    /** The definition, in double, reading op(a) and op(b) element by element. */
    static double[] reference(boolean ta, boolean tb, double alpha, Tensor a, Tensor b, double beta, Tensor c) {
        int m = c.dim(0);
        int n = c.dim(1);
        int k = ta ? a.dim(0) : a.dim(1);
        double[] av = a.toDoubleArray();
        double[] bv = b.toDoubleArray();
        double[] cv = c.toDoubleArray();
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (ta ? av[p * m + i] : av[i * k + p]) * (tb ? bv[j * k + p] : bv[p * n + j]);
                }
                out[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * cv[i * n + j]);
            }
        }
        return out;
    }

    /**
     * Both element types, all four transpose combinations, alpha/beta; shapes include 1s, sizes that
     * are not multiples of the blocking, and (last rows) products past the parallel threshold and the
     * N and K blocks of the float32 kernel.
     */
    @ParameterizedTest(name = "M={0} N={1} K={2}")
    @CsvSource({"1,1,1", "1,7,5", "6,20,5", "7,3,1", "33,65,17", "20,300,270"})
    void gemmMatchesTheDefinition(int m, int n, int k) {
        for (DType dtype : DType.values()) {
            Backend be = dtype == DType.FLOAT32 ? CpuBackend.float32() : CpuBackend.float64();
            for (int combo = 0; combo < 4; combo++) {
                boolean ta = (combo & 1) != 0;
                boolean tb = (combo & 2) != 0;
                Tensor a = random(dtype, 1 + combo, ta ? new int[]{k, m} : new int[]{m, k});
                Tensor b = random(dtype, 11 + combo, tb ? new int[]{n, k} : new int[]{k, n});
                Tensor c = random(dtype, 21 + combo, m, n);
                double alpha = combo == 3 ? 1.0 : -0.75;
                double beta = combo == 0 ? 0.0 : combo == 1 ? 1.0 : 0.5;
                double[] expected = reference(ta, tb, alpha, a, b, beta, c);
                be.gemm(ta, tb, alpha, a, b, beta, c);
                double tol = dtype == DType.FLOAT32 ? 1e-6 * Math.sqrt(k) * 4 : 1e-13 * k;
                double[] actual = c.toDoubleArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], tol, dtype + " ta=" + ta + " tb=" + tb + " at " + i);
                }
            }
        }
    }

    @Test
    void gemmWithBetaZeroIgnoresNaNInC() {
        Tensor a = Tensor.of(new float[]{1, 2}, 1, 2);
        Tensor b = Tensor.of(new float[]{3, 4}, 2, 1);
        Tensor c = Tensor.of(new float[]{Float.NaN}, 1, 1);
        Backend.cpu().gemm(false, false, 1, a, b, 0, c);
        assertEquals(11.0, c.get(0, 0));
    }

    @Test
    void gemmOnViewsUsesTheirOffsets() {
        Tensor big = random(DType.FLOAT32, 5, 4, 3, 2);
        Tensor a = big.select(1);          // [3, 2] at offset 6
        Tensor b = big.select(2);          // [3, 2] at offset 12
        Tensor c = Tensor.zeros(2, 2);
        Backend.cpu().gemm(true, false, 1, a, b, 0, c);
        double[] expected = reference(true, false, 1, a, b, 0, c);
        assertArrayEquals(expected, c.toDoubleArray(), 1e-6);
    }

    @Test
    void columnSumsAccumulate() {
        Tensor m = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor out = Tensor.of(new float[]{10, 20}, 2);
        Backend.cpu().addColumnSums(m, out);
        assertArrayEquals(new float[]{19, 32}, out.toFloatArray());
    }

    @Test
    void copyColumnsAndTranspose() {
        Backend be = Backend.cpu();
        Tensor src = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor dst = Tensor.zeros(2, 4);
        be.copyColumns(src, 1, dst, 2, 2);
        assertArrayEquals(new float[]{0, 0, 2, 3, 0, 0, 5, 6}, dst.toFloatArray());
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2);
        Tensor y = Tensor.zeros(3, 2, 2);
        be.transpose01(x, y);
        assertArrayEquals(new float[]{1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12}, y.toFloatArray());
    }

    @Test
    void dropoutIsCounterBasedScaledAndNearTheRate() {
        Backend be = Backend.cpu();
        Tensor x = Tensor.zeros(10_000);
        x.fill(1.0);
        Tensor mask = Tensor.zeros(10_000);
        Tensor y = Tensor.zeros(10_000);
        be.dropout(x, 0.3, 7, 0, mask, y);
        int kept = 0;
        for (long i = 0; i < y.numel(); i++) {
            double v = y.getFlat(i);
            assertTrue(v == 0.0 || Math.abs(v - 1 / 0.7) < 1e-6, "value " + v);
            kept += v == 0.0 ? 0 : 1;
        }
        assertEquals(7000, kept, 150);
        // the second half of the stream, drawn alone from its offset, is the same mask
        Tensor tailMask = Tensor.zeros(5_000);
        be.dropout(x.slice(5_000, 10_000), 0.3, 7, 5_000, tailMask, Tensor.zeros(5_000));
        assertArrayEquals(mask.slice(5_000, 10_000).toFloatArray(), tailMask.toFloatArray());
    }

    @Test
    void dropoutAtAPositionDrawsPositionPlusOffsetAndRefusesAForeignOrClosedPosition() {
        Backend be = Backend.cpu();
        Tensor x = Tensor.zeros(300);
        x.fill(2.0);
        Tensor want = Tensor.zeros(300);
        Tensor wantMask = Tensor.zeros(300);
        be.dropout(x, 0.4, 11, Long.MIN_VALUE + 5, wantMask, want);
        try (Backend.DevicePosition at = be.devicePosition()) {
            at.set(Long.MAX_VALUE);            // MAX + 6 wraps to MIN + 5, as the kernels' unsigned sum
            Tensor y = Tensor.zeros(300);
            Tensor mask = Tensor.zeros(300);
            be.dropout(x, 0.4, 11, at, 6, mask, y);
            assertArrayEquals(want.toFloatArray(), y.toFloatArray());
            assertArrayEquals(wantMask.toFloatArray(), mask.toFloatArray());
            at.set(0);
            be.dropout(x, 0.4, 11, at, 6, mask, y);
            Tensor other = Tensor.zeros(300);
            be.dropout(x, 0.4, 11, 6, Tensor.zeros(300), other);
            assertArrayEquals(other.toFloatArray(), y.toFloatArray());
            at.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class,
                    () -> be.dropout(x, 0.4, 11, at, 6, mask, y));
            assertEquals("the device position is closed", closed.getMessage());
        }
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> be.dropout(x, 0.4, 11, (Backend.DevicePosition) null, 0, Tensor.zeros(300), Tensor.zeros(300)));
        assertEquals("position must come from this backend's devicePosition(), got null", foreign.getMessage());
    }

    @Test
    void ringWriteWritesTheSlotOfThePositionAndNothingElse() {
        Backend be = Backend.cpu();
        Tensor src = Tensor.zeros(2, 7);
        for (long i = 0; i < src.numel(); i++) {
            src.setFlat(i, i + 1);
        }
        Tensor keys = Tensor.zeros(2, 4, 2);
        Tensor values = Tensor.zeros(2, 4, 3);
        keys.fill(-1);
        values.fill(-1);
        try (Backend.DevicePosition step = be.devicePosition()) {
            step.set(4_000_000_001L);   // slot 1 of 4
            be.ringWrite(src, 1, 4, keys, values, step);
            for (int b = 0; b < 2; b++) {
                for (int m = 0; m < 4; m++) {
                    for (int j = 0; j < 2; j++) {
                        assertEquals(m == 1 ? src.get(b, 1 + j) : -1.0, keys.get(b, m, j), "key " + b + m + j);
                    }
                    for (int j = 0; j < 3; j++) {
                        assertEquals(m == 1 ? src.get(b, 4 + j) : -1.0, values.get(b, m, j), "value " + b + m + j);
                    }
                }
            }
            step.set(-1);
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> be.ringWrite(src, 1, 4, keys, values, step));
            assertEquals("ringWrite's step must be >= 0, got -1", negative.getMessage());
            IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                    () -> be.ringWrite(src, 1, 5, keys, values, step));
            assertEquals("ringWrite's columns [1, 3) and [5, 8) must lie within src's 7 columns", wide.getMessage());
        }
    }

    @Test
    void firstNonFiniteFindsTheIndex() {
        Tensor t = Tensor.zeros(3, 4);
        assertEquals(-1, Backend.cpu().firstNonFinite(t));
        t.set(Float.NEGATIVE_INFINITY, 2, 1);
        t.set(Float.NaN, 2, 3);
        assertEquals(9, Backend.cpu().firstNonFinite(t));
    }

    @Test
    void sigmoidIsStableAtTheExtremes() {
        assertEquals(0.0, CpuCells.sigmoid(-1000));
        assertEquals(1.0, CpuCells.sigmoid(1000));
        assertEquals(0.5, CpuCells.sigmoid(0));
        assertEquals(1 / (1 + Math.exp(3.0)), CpuCells.sigmoid(-3), 1e-17);
    }
}
