package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.GemmPrecision;
import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;

/** CudaBackend's memory read rejects bad arguments before any CUDA call (so no GPU is needed here). */
class CudaMemoryReadValidationTest {
    final CudaBackend cuda = new CudaBackend(null, GemmPrecision.FP32);

    static MemoryRead read(int dk, int dv) {
        Tensor mem = Tensor.zeros(1000);
        return new MemoryRead(2, 3, 1, dk, dv, 1.0, new Strided(Tensor.zeros(2 * dk), 0, dk, 0),
                new Strided(mem, 0, 3L * dk, dk), new Strided(mem, 500, 3L * dv, dv));
    }

    @Test
    void widerRowsThanTheKernelsTakeAreUnsupported() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> cuda.memoryReadForward(read(257, 4), Tensor.zeros(2, 4), Tensor.zeros(2)));
        assertTrue(e.getMessage().contains("up to 256"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> cuda.memoryReadBackward(read(4, 300), Tensor.zeros(2, 300),
                Tensor.zeros(2), Tensor.zeros(2, 300), new Strided(Tensor.zeros(8), 0, 4, 0),
                new Strided(Tensor.zeros(100), 0, 12, 4), new Strided(Tensor.zeros(2000), 0, 900, 300)));
    }

    @Test
    void outputShapesAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.memoryReadForward(read(4, 4), Tensor.zeros(2, 5), Tensor.zeros(2)));
        assertTrue(e.getMessage().startsWith("c must have shape [2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> cuda.memoryReadForward(read(4, 4), Tensor.zeros(2, 4), Tensor.zeros(3)));
        assertTrue(e.getMessage().startsWith("lse must have shape [2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cuda.memoryReadBackward(read(4, 4), Tensor.zeros(2, 4),
                Tensor.zeros(2), Tensor.zeros(2, 4), null, new Strided(Tensor.zeros(100), 0, 12, 4),
                new Strided(Tensor.zeros(100), 0, 12, 4)));
        assertTrue(e.getMessage().startsWith("dq must not be null"), e.getMessage());
    }

    @Test
    void hostTensorsAreRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.memoryReadForward(read(4, 4), Tensor.zeros(2, 4), Tensor.zeros(2)));
        assertTrue(e.getMessage().startsWith("q.base must be a cuda float32 tensor"), e.getMessage());
    }
}
