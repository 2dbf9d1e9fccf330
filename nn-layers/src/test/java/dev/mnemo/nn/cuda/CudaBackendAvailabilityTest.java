package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.DType;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;

/** Backend selection without a GPU: what runs in CI, where CUDA is absent. */
class CudaBackendAvailabilityTest {

    @Test
    void autoPicksCudaExactlyWhenItIsAvailable() {
        var reason = CudaBackend.unavailableReason();
        if (reason.isPresent()) {
            assertSame(Backend.cpu(), Backend.auto(), "no CUDA here (" + reason.get() + "): auto() must be the CPU");
            assertFalse(CudaBackend.isAvailable());
        } else {
            assertEquals(Device.CUDA, Backend.auto().device());
        }
    }

    @Test
    void ofCudaExplainsWhyWhenUnavailable() {
        var reason = CudaBackend.unavailableReason();
        if (reason.isEmpty()) {
            assertSame(CudaBackend.float32(), Backend.of(Device.CUDA, DType.FLOAT32));
            return;
        }
        assertTrue(reason.get().startsWith("no CUDA GPU: ") || reason.get().startsWith("no cuBLAS: ")
                || reason.get().startsWith("kernels not built"), reason.get());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Backend.of(Device.CUDA));
        assertEquals("the CUDA backend is unavailable: " + reason.get() + "; use Device.CPU (Backend.cpu())",
                e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> Tensor.zeros(3).to(Device.CUDA));
    }

    @Test
    void cudaIsFloat32Only() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backend.of(Device.CUDA, DType.FLOAT64));
        assertEquals("the CUDA backend is float32 only, got float64", e.getMessage());
    }
}
