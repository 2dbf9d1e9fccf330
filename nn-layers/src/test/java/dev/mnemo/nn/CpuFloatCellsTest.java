package dev.mnemo.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float32 cell kernels ({@link CpuFloatCells}) against the generic kernels run in float64 on the
 * same values: an independent implementation (other loops, {@link Math#tanh}/{@link Math#exp}), so a
 * wrong gate block, offset or bias fails here. Tensors are views at an offset into larger storage,
 * widths are not multiples of a vector, and biases may be absent.
 */
class CpuFloatCellsTest {

    private static final Backend F32 = CpuBackend.float32();
    private static final Backend F64 = CpuBackend.float64();

    /** A float32 [rows, cols] view starting one row into its storage, uniform in (−scale, scale). */
    static Tensor view(SplittableRandom rnd, double scale, int rows, int cols) {
        Tensor whole = Tensor.zeros(DType.FLOAT32, rows + 1, cols);
        for (long i = 0; i < whole.numel(); i++) {
            whole.setFlat(i, scale * (2 * rnd.nextDouble() - 1));
        }
        return whole.slice(1, rows + 1);
    }

    static Tensor vector(SplittableRandom rnd, boolean present, int n) {
        return present ? view(rnd, 1.0, 1, n).reshape(n) : null;
    }

    /** The same values in float64. */
    static Tensor twin(Tensor t) {
        return t == null ? null : Tensor.of(t.toDoubleArray(), t.shape());
    }

    static void assertClose(Tensor reference, Tensor actual, String what) {
        assertEquals(DType.FLOAT32, actual.dtype());
        double[] r = reference.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double worst = 0;
        double scale = 1;
        for (int i = 0; i < r.length; i++) {
            worst = Math.max(worst, Math.abs(r[i] - a[i]));
            scale = Math.max(scale, Math.abs(r[i]));
        }
        // Each stored value is a few float32 roundings from the float64 one: 2e-7 of its scale at most.
        assertTrue(worst <= 2e-7 * scale, what + ": max |float32 − float64| " + worst + " at scale " + scale);
    }

    /**
     * A closed gate clears a large state as in float64: the rational sigmoid's floor of 3e-10 kept 3e-4 of
     * a cell of 1e6 behind a forget gate of σ(−30) = 9.4e-14.
     */
    @Test
    void closedGatesClearALargeStateAsInFloat64() {
        Tensor wx = F32.zeros(1, 4);
        for (int k = 0; k < 4; k++) {
            wx.setFlat(k, new double[] {-100, -30, 0, 0}[k]);
        }
        Tensor cPrev = F32.zeros(1, 1);
        cPrev.setFlat(0, 1e6);
        Tensor gates = F32.zeros(1, 4);
        Tensor c = F32.zeros(1, 1);
        Tensor h = F32.zeros(1, 1);
        F32.lstmCellForward(wx, F32.zeros(1, 4), null, null, cPrev, gates, c, h);
        Tensor c64 = F64.zeros(1, 1);
        F64.lstmCellForward(twin(wx), F64.zeros(1, 4), null, null, twin(cPrev), F64.zeros(1, 4), c64, F64.zeros(1, 1));
        assertEquals(c64.getFlat(0), c.getFlat(0), 1e-6 * c64.getFlat(0));
        for (double x : new double[] {-7.6, -10, -16, -20, -30, -90, -104, -200}) {
            wx.setFlat(0, x);
            F32.lstmCellForward(wx, F32.zeros(1, 4), null, null, cPrev, gates, c, h);
            float exact = (float) CpuCells.sigmoid(x);
            assertEquals(exact, (float) gates.getFlat(0), Math.ulp(exact), "σ(" + x + ")");
        }
    }

    @ParameterizedTest(name = "B={0} H={1} bias={2}")
    @CsvSource({"1,1,true", "3,5,true", "4,37,false", "7,64,true", "2,133,true"})
    void lstmForwardAndBackwardMatchFloat64(int b, int h, boolean bias) {
        var rnd = new SplittableRandom(31L * b + h);
        assertTrue(CpuFloatCells.applies(view(rnd, 1, 1, 1)));
        Tensor wx = view(rnd, 4, b, 4 * h);
        Tensor rh = view(rnd, 4, b, 4 * h);
        Tensor bih = vector(rnd, bias, 4 * h);
        Tensor bhh = vector(rnd, bias, 4 * h);
        Tensor cPrev = view(rnd, 2, b, h);
        Tensor gates = view(rnd, 1, b, 4 * h);
        Tensor c = view(rnd, 1, b, h);
        Tensor hOut = view(rnd, 1, b, h);
        Tensor gates64 = F64.zeros(b, 4 * h);
        Tensor c64 = F64.zeros(b, h);
        Tensor h64 = F64.zeros(b, h);
        F64.lstmCellForward(twin(wx), twin(rh), twin(bih), twin(bhh), twin(cPrev), gates64, c64, h64);
        F32.lstmCellForward(wx, rh, bih, bhh, cPrev, gates, c, hOut);
        assertClose(gates64, gates, "gates");
        assertClose(c64, c, "c");
        assertClose(h64, hOut, "h");

        Tensor dhOut = view(rnd, 1, b, h);
        Tensor dh = view(rnd, 1, b, h);
        Tensor dc = view(rnd, 1, b, h);
        Tensor dGates = view(rnd, 1, b, 4 * h);
        Tensor dh64 = twin(dh);
        Tensor dc64 = twin(dc);
        Tensor dGates64 = F64.zeros(b, 4 * h);
        // Both sides from the float32 forward's saved values, so only the backward differs.
        F64.lstmCellBackward(twin(gates), twin(cPrev), twin(c), twin(dhOut), dh64, dc64, dGates64);
        F32.lstmCellBackward(gates, cPrev, c, dhOut, dh, dc, dGates);
        assertClose(dGates64, dGates, "dGates");
        assertClose(dc64, dc, "dc (to step t−1)");
        assertClose(dh64, dh, "dh (cleared)");
    }

    @ParameterizedTest(name = "B={0} H={1} bias={2}")
    @CsvSource({"1,1,true", "3,5,false", "5,37,true", "2,130,true"})
    void gruForwardMatchesFloat64(int b, int h, boolean bias) {
        var rnd = new SplittableRandom(7L * b + h);
        Tensor wx = view(rnd, 4, b, 3 * h);
        Tensor rh = view(rnd, 4, b, 3 * h);
        Tensor bih = vector(rnd, bias, 3 * h);
        Tensor bhh = vector(rnd, bias, 3 * h);
        Tensor hPrev = view(rnd, 1, b, h);
        Tensor gates = view(rnd, 1, b, 3 * h);
        Tensor hn = view(rnd, 1, b, h);
        Tensor hOut = view(rnd, 1, b, h);
        Tensor gates64 = F64.zeros(b, 3 * h);
        Tensor hn64 = F64.zeros(b, h);
        Tensor h64 = F64.zeros(b, h);
        F64.gruCellForward(twin(wx), twin(rh), twin(bih), twin(bhh), twin(hPrev), gates64, hn64, h64);
        F32.gruCellForward(wx, rh, bih, bhh, hPrev, gates, hn, hOut);
        assertClose(gates64, gates, "gates");
        assertClose(hn64, hn, "hn");
        assertClose(h64, hOut, "h");
    }

    @ParameterizedTest(name = "{0} B={1} H={2} bias={3}")
    @CsvSource({"TANH,1,1,true", "TANH,4,37,false", "RELU,3,19,true", "RELU,6,64,false"})
    void rnnForwardMatchesFloat64(Nonlinearity f, int b, int h, boolean bias) {
        var rnd = new SplittableRandom(3L * b + h);
        Tensor wx = view(rnd, 3, b, h);
        Tensor rh = view(rnd, 3, b, h);
        Tensor bih = vector(rnd, bias, h);
        Tensor bhh = vector(rnd, bias, h);
        Tensor hOut = view(rnd, 1, b, h);
        Tensor h64 = F64.zeros(b, h);
        F64.rnnCellForward(f, twin(wx), twin(rh), twin(bih), twin(bhh), h64);
        F32.rnnCellForward(f, wx, rh, bih, bhh, hOut);
        assertClose(h64, hOut, "h");
    }

    @ParameterizedTest(name = "B={0} H={1}")
    @CsvSource({"1,1", "3,5", "5,37", "2,130"})
    void gruBackwardMatchesFloat64(int b, int h) {
        var rnd = new SplittableRandom(11L * b + h);
        Tensor gates = view(rnd, 1, b, 3 * h);   // r, z in (0, 1) would be typical; any values test the algebra
        Tensor hn = view(rnd, 2, b, h);
        Tensor hPrev = view(rnd, 1, b, h);
        Tensor dhOut = view(rnd, 1, b, h);
        Tensor dh = view(rnd, 1, b, h);
        Tensor dWx = view(rnd, 1, b, 3 * h);
        Tensor dRh = view(rnd, 1, b, 3 * h);
        Tensor dh64 = twin(dh);
        Tensor dWx64 = F64.zeros(b, 3 * h);
        Tensor dRh64 = F64.zeros(b, 3 * h);
        F64.gruCellBackward(twin(gates), twin(hn), twin(hPrev), twin(dhOut), dh64, dWx64, dRh64);
        F32.gruCellBackward(gates, hn, hPrev, dhOut, dh, dWx, dRh);
        assertClose(dWx64, dWx, "dWx");
        assertClose(dRh64, dRh, "dRh");
        assertClose(dh64, dh, "dh (to step t−1)");
    }

    @ParameterizedTest(name = "{0} B={1} H={2}")
    @CsvSource({"TANH,1,1", "TANH,4,37", "RELU,3,19", "RELU,6,64"})
    void rnnBackwardMatchesFloat64(Nonlinearity f, int b, int h) {
        var rnd = new SplittableRandom(5L * b + h);
        Tensor hOut = view(rnd, 1, b, h);
        Tensor dhOut = view(rnd, 1, b, h);
        Tensor dh = view(rnd, 1, b, h);
        Tensor dPre = view(rnd, 1, b, h);
        Tensor dh64 = twin(dh);
        Tensor dPre64 = F64.zeros(b, h);
        F64.rnnCellBackward(f, twin(hOut), twin(dhOut), dh64, dPre64);
        F32.rnnCellBackward(f, hOut, dhOut, dh, dPre);
        assertClose(dPre64, dPre, "dPre");
        assertClose(dh64, dh, "dh (cleared)");
    }

    /** The layers pass the input projection as the gates buffer: the kernels read before they write. */
    @ParameterizedTest(name = "H={0}")
    @CsvSource({"3", "40"})
    void gatesMayBeTheInputProjectionItself(int h) {
        var rnd = new SplittableRandom(h);
        int b = 3;
        Tensor wx = view(rnd, 4, b, 4 * h);
        Tensor rh = view(rnd, 4, b, 4 * h);
        Tensor cPrev = view(rnd, 1, b, h);
        Tensor gates64 = F64.zeros(b, 4 * h);
        Tensor c64 = F64.zeros(b, h);
        Tensor h64 = F64.zeros(b, h);
        F64.lstmCellForward(twin(wx), twin(rh), null, null, twin(cPrev), gates64, c64, h64);
        Tensor c = F32.zeros(b, h);
        Tensor hOut = F32.zeros(b, h);
        F32.lstmCellForward(wx, rh, null, null, cPrev, wx, c, hOut);
        assertClose(gates64, wx, "gates written over wx");
        assertClose(h64, hOut, "h");

        Tensor wx3 = view(rnd, 4, b, 3 * h);
        Tensor rh3 = view(rnd, 4, b, 3 * h);
        Tensor g364 = F64.zeros(b, 3 * h);
        Tensor hn64 = F64.zeros(b, h);
        F64.gruCellForward(twin(wx3), twin(rh3), null, null, twin(cPrev), g364, hn64, h64);
        Tensor hn = F32.zeros(b, h);
        F32.gruCellForward(wx3, rh3, null, null, cPrev, wx3, hn, hOut);
        assertClose(g364, wx3, "GRU gates written over wx");
        assertClose(h64, hOut, "GRU h");
    }
}
