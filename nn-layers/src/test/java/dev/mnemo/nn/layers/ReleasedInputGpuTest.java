package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaAssume;
import dev.mnemo.nn.cuda.CudaBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A released tensor ({@link dev.mnemo.nn.Backend#release}) given to a layer is refused under the caller's
 * name for it: it was refused deeper in, under an operand's (src, a, wx) and a reshaped shape.
 */
@Tag("gpu")
class ReleasedInputGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    @Test
    void layersNameTheReleasedArgument() {
        MemNet memnet = new MemNet(MemNetOptions.builder(2, 2).keySize(4).valueSize(4).slots(8).seed(3).build(), gpu);
        MemNetState state = memnet.initialState(2);
        assertRefused("x", () -> memnet.forward(released(3, 2, 2)));
        assertRefused("xT", () -> memnet.step(released(2, 2), state));
        Rnn rnn = new Rnn(RecurrentOptions.of(2, 3), gpu);
        assertRefused("x", () -> rnn.forward(released(4, 2, 2), null));
        Linear linear = new Linear(LinearOptions.of(2, 3), gpu);
        assertRefused("x", () -> linear.forward(released(5, 2)));
    }

    private Tensor released(int... shape) {
        Tensor t = gpu.zeros(shape);
        gpu.release(t);
        return t;
    }

    private static void assertRefused(String name, Executable call) {
        var e = assertThrows(IllegalStateException.class, call);
        assertTrue(e.getMessage().startsWith(name + " was released (Backend.release)"), e.getMessage());
    }
}
