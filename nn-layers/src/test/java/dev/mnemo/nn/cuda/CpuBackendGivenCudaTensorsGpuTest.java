package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The CPU backend given a CUDA tensor: an operation refuses it naming the argument, as the CUDA backend
 * names a CPU tensor (it was Tensor.host()'s IllegalStateException, which named none); a copy with one
 * CUDA side goes to that side's backend, either way.
 */
@Tag("gpu")
class CpuBackendGivenCudaTensorsGpuTest {

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    @Test
    void anOperationNamesTheCudaArgument() {
        CudaBackend gpu = CudaBackend.float32();
        CpuBackend cpu = CpuBackend.float32();
        Tensor onGpu = gpu.zeros(4);
        assertRefused("out", () -> cpu.add(Tensor.zeros(4), Tensor.zeros(4), onGpu));
        assertRefused("a", () -> cpu.add(onGpu, Tensor.zeros(4), Tensor.zeros(4)));
        assertRefused("t", () -> cpu.fill(onGpu, 1.0));
        assertRefused("t", () -> cpu.sumOfSquares(onGpu));
    }

    @Test
    void aCopyWithOneCudaSideGoesThroughItsBackend() {
        CudaBackend gpu = CudaBackend.float32();
        CpuBackend cpu = CpuBackend.float32();
        Tensor onGpu = gpu.zeros(3);
        cpu.copy(Tensor.of(new float[] {1, 2, 3}, 3), onGpu);   // was refused by the destination's host()
        Tensor back = Tensor.zeros(3);
        cpu.copy(onGpu, back);
        assertArrayEquals(new float[] {1, 2, 3}, back.toFloatArray());
    }

    private static void assertRefused(String name, Executable call) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(name + " must be a cpu tensor (the CPU backend's device), got ",
                e.getMessage().substring(0, e.getMessage().indexOf("got ") + 4), e.getMessage());
    }
}
