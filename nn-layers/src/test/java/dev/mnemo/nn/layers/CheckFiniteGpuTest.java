package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaAssume;
import dev.mnemo.nn.cuda.CudaBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** checkFinite on CUDA names the value it found, as on the CPU: an overflow's ∞ was reported as NaN. */
@Tag("gpu")
class CheckFiniteGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    @Test
    void theMessageNamesTheNonFiniteValue() {
        var linear = new Linear(LinearOptions.builder(3, 2).checkFinite(true).build(), gpu);
        var e = assertThrows(IllegalArgumentException.class,
                () -> linear.forward(gpu.copyOf(Tensor.of(new float[] {1, Float.POSITIVE_INFINITY, 0}, 1, 3))));
        assertEquals("x must be finite (checkFinite), got Infinity at [0, 1] of [1, 3]", e.getMessage());

        Lstm lstm = new Lstm(RecurrentOptions.builder(PackedCheckFiniteTest.INPUT, PackedCheckFiniteTest.HIDDEN)
                .checkFinite(true).seed(3).build(), gpu);
        Tensor x = PackedCheckFiniteTest.tensor(false, PackedCheckFiniteTest.INPUT, 1);
        PackedCheckFiniteTest.set(x, false, 1, 1, 2, Double.NEGATIVE_INFINITY);   // row 1's second and last step
        e = assertThrows(IllegalArgumentException.class,
                () -> lstm.forward(gpu.copyOf(x), null, PackedCheckFiniteTest.LENGTHS));
        assertEquals("x must be finite at each row's steps (checkFinite), got -Infinity at [1, 1, 2] of [5, 3, 3] "
                + "(row 1 has 2 steps)", e.getMessage());
    }
}
