package dev.mnemo.nn.optim;

import dev.mnemo.nn.DType;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GradientClippingTest {

    static Tensor of(DType dtype, double... v) {
        Tensor t = Tensor.zeros(dtype, v.length);
        for (int i = 0; i < v.length; i++) {
            t.setFlat(i, v[i]);
        }
        return t;
    }

    /** [3, 4] has norm 5; maxNorm 1 scales by 1/(5 + 1e-6): [0.6, 0.8] up to the 1e-6. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void knownAnswer(DType dtype) {
        Tensor g = of(dtype, 3, 4);
        assertEquals(5.0, GradientClipping.clipGlobalNorm(g, 1.0));
        double coef = 1.0 / (5.0 + 1e-6);
        assertEquals(3 * coef, g.getFlat(0), dtype == DType.FLOAT64 ? 1e-15 : 1e-7);
        assertEquals(4 * coef, g.getFlat(1), dtype == DType.FLOAT64 ? 1e-15 : 1e-7);
        assertEquals(0.6, g.getFlat(0), 2e-7);
        assertEquals(0.8, g.getFlat(1), 2e-7);
    }

    /** On the CPU the on-device form is the blocking one, its norm in a [1] tensor. */
    @Test
    void onTheCpuTheDeviceFormIsTheBlockingOne() {
        Tensor a = of(DType.FLOAT32, 3, 0, -1);
        Tensor b = of(DType.FLOAT64, 4, 2);
        Tensor a2 = a.copy();
        Tensor b2 = b.copy();
        double norm = GradientClipping.clipGlobalNorm(List.of(a, b), 2.0);
        Tensor onDevice = GradientClipping.clipGlobalNormOnDevice(List.of(a2, b2), 2.0);
        assertArrayEquals(new int[] {1}, onDevice.shape());
        assertEquals(norm, onDevice.getFlat(0), 0.0);
        assertArrayEquals(a.toDoubleArray(), a2.toDoubleArray(), 0.0);
        assertArrayEquals(b.toDoubleArray(), b2.toDoubleArray(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGlobalNormOnDevice(List.of(a), 0.0));
    }

    @Test
    void belowTheLimitNothingChanges() {
        Tensor g = of(DType.FLOAT32, 3, 4);
        assertEquals(5.0, GradientClipping.clipGlobalNorm(g, 5.0));     // coef = 5/(5 + 1e-6) < 1: scaled
        assertEquals(3 * 5 / (5 + 1e-6), g.getFlat(0), 5e-7);
        Tensor h = of(DType.FLOAT32, 3, 4);
        assertEquals(5.0, GradientClipping.clipGlobalNorm(h, 10.0));
        assertArrayEquals(new float[]{3, 4}, h.toFloatArray());
    }

    @Test
    void theNormIsGlobalOverBuffers() {
        Tensor a = of(DType.FLOAT32, 3);
        Tensor b = of(DType.FLOAT32, 0, 4);
        assertEquals(5.0, GradientClipping.clipGlobalNorm(List.of(a, b), 2.5));
        assertEquals(1.5, a.getFlat(0), 1e-6);
        assertEquals(2.0, b.getFlat(1), 1e-6);
        var opt = new Sgd(SgdOptions.of(0.1), List.of(new ParameterBuffer(Tensor.zeros(1), of(DType.FLOAT32, 6)),
                new ParameterBuffer(Tensor.zeros(1), of(DType.FLOAT32, 8))));
        assertEquals(10.0, GradientClipping.clipGlobalNorm(opt, 1.0));
        assertEquals(0.6, opt.buffers().get(0).gradients().getFlat(0), 1e-6);
    }

    /** Our rule, unlike PyTorch's: a non-finite norm is returned and nothing is scaled. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void nonFiniteNormLeavesGradientsUnchanged(DType dtype) {
        Tensor g = of(dtype, 3, Double.NaN, 4);
        assertEquals(Double.NaN, GradientClipping.clipGlobalNorm(g, 1.0));
        assertEquals(3.0, g.getFlat(0));
        assertEquals(4.0, g.getFlat(2));
        Tensor h = of(dtype, 3, Double.POSITIVE_INFINITY, 4);
        assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipGlobalNorm(h, 1.0));
        assertEquals(3.0, h.getFlat(0));
        assertEquals(Double.POSITIVE_INFINITY, h.getFlat(1));
    }

    /** Squares of large float32 values overflow float but not the double accumulator. */
    @Test
    void float32SquaresDoNotOverflow() {
        Tensor g = of(DType.FLOAT32, 3e30, 4e30);
        assertEquals(5e30, GradientClipping.clipGlobalNorm(g, 1.0), 1e24);
        assertEquals(0.6, g.getFlat(0), 1e-6);
    }

    /** The fixed-chunk parallel sum over a large buffer equals a sequential double sum closely. */
    @Test
    void largeBufferNorm() {
        int n = 200_001;
        Tensor g = Tensor.zeros(n);
        var rnd = new SplittableRandom(5);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            g.setFlat(i, rnd.nextDouble() - 0.5);
            sum += g.getFlat(i) * g.getFlat(i);
        }
        double norm = GradientClipping.globalNorm(List.of(g));
        assertEquals(Math.sqrt(sum), norm, 1e-12 * norm);
        assertEquals(norm, GradientClipping.globalNorm(List.of(g)));    // deterministic
        GradientClipping.clipGlobalNorm(g, 1.0);
        assertEquals(1.0, GradientClipping.globalNorm(List.of(g)), 1e-5);
    }

    @Test
    void maxNormIsValidated() {
        var e = assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGlobalNorm(Tensor.zeros(2), 0));
        assertEquals("maxNorm must be > 0, got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GradientClipping.clipGlobalNorm(Tensor.zeros(2), Double.POSITIVE_INFINITY));
        assertEquals("maxNorm must be finite, got Infinity", e.getMessage());
    }
}
