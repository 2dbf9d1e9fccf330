package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaAssume;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.optim.Adam;
import dev.mnemo.nn.optim.AdamOptions;
import dev.mnemo.nn.optim.ParameterBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SavedVersionsTest}'s refusals on CUDA tensors: device copies, fills and optimizer steps count too. */
@Tag("gpu")
class SavedVersionsGpuTest {
    private Backend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    private static void assertRefused(Runnable backward, String named) {
        IllegalStateException e = assertThrows(IllegalStateException.class, backward::run);
        assertTrue(e.getMessage().startsWith(named), e.getMessage());
    }

    /** A training loop's order (forward, backward, step) runs on, recorded graphs included; a step before backward is refused. */
    @Test
    void aStepBeforeTheBackwardIsRefusedOnTheDevice() {
        Lstm layer = new Lstm(RecurrentOptions.builder(3, 8).seed(5).build(), gpu);
        Adam adam = new Adam(AdamOptions.of(0.01), List.of(ParameterBuffer.of(layer)));
        Tensor x = gpu.copyOf(TestData.uniform(Backend.cpu(), 7, 1.0, 6, 4, 3));
        for (int i = 0; i < 4; i++) {   // the second same-shape call records the loops (graphs: auto)
            RecurrentOutput out = layer.forward(x, null);
            layer.backward(out.saved(), out.output(), null);
            adam.step();
            out.saved().release();
        }
        RecurrentOutput out = layer.forward(x, null);
        adam.step();
        assertRefused(() -> layer.backward(out.saved(), out.output(), null), "the layer's parameters");

        RecurrentOutput again = layer.forward(x, null);
        gpu.copy(TestData.uniform(Backend.cpu(), 9, 1.0, 6, 4, 3), x);   // a reused device batch buffer
        assertRefused(() -> layer.backward(again.saved(), again.output(), null), "x given to forward");
    }

    /** Only a copy that writes counts: one refused for overlap, or onto itself, leaves the version. */
    @Test
    void aRefusedOrEmptyCopyIsNotAWrite() {
        Tensor x = gpu.zeros(8);
        long before = x.storage().version();
        assertThrows(IllegalArgumentException.class, () -> gpu.copy(x.slice(0, 4), x.slice(2, 6)));
        gpu.copy(x, x);
        org.junit.jupiter.api.Assertions.assertEquals(before, x.storage().version());
        gpu.copy(x.slice(0, 4), x.slice(4, 8));
        org.junit.jupiter.api.Assertions.assertEquals(before + 1, x.storage().version());
    }
}
