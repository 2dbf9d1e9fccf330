package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The wide-block forward ({@code mnemo.persistent.wide=on}: one block per batch row, W_hh in registers)
 * under a persistent path, against the float64 CPU reference (forward and every gradient; an RNN's backward
 * on the wide-block kernel too, LSTM's and GRU's on their own persistent kernel) and against the kernels
 * it replaces on the GPU: pixel MNIST's RNN and GRU
 * width, LSTM's widest (96), H = 4, both directions, stacked layers, both RNN nonlinearities.
 */
@Tag("gpu")
class PersistentWideRecurrentGpuTest {

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    static <T> T wide(Supplier<T> body) {
        return SystemProperty.with(PersistentWideSetting.PROPERTY, "on",
                () -> PersistentRecurrentGpuTest.withPath("persistent", "auto", body));
    }

    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4} layers={5} bidir={6}")
    @CsvSource({"GRU, 5, 3, 4, 128, 1, false", "GRU, 1, 2, 3, 44, 2, true", "LSTM, 7, 2, 5, 96, 1, true",
            "LSTM, 4, 5, 3, 4, 1, false", "RNN_TANH, 6, 3, 1, 128, 1, false", "RNN_RELU, 5, 2, 3, 36, 2, true"})
    void wideMatchesTheFloat64CpuReference(Kind kind, int steps, int batch, int input, int hidden, int layers,
                                           boolean bidirectional) {
        CudaBackend gpu = CudaBackend.float32();
        Backend.RecurrentCell cell = Backend.RecurrentCell.valueOf(kind.name());
        PersistentRecurrentGpuTest.assumeRoom(gpu, kind, steps, batch, hidden, "auto");
        var forward = wide(() -> gpu.recurrentPath(cell, steps, batch, hidden));
        assertEquals(PersistentPolicy.Path.WIDE, forward.path(), forward.toString());
        var backward = wide(() -> gpu.recurrentBackwardPath(cell, steps, batch, hidden));
        if (kind == Kind.RNN_TANH || kind == Kind.RNN_RELU) {
            assertEquals(PersistentPolicy.Path.WIDE, backward.path(), "an RNN's backward too: " + backward);
        } else {
            assertNotEquals(PersistentPolicy.Path.WIDE, backward.path(), backward.toString());
        }
        wide(() -> {
            RecurrentCudaGpuTest.compare(gpu, kind, steps, batch, input, hidden, true, layers, bidirectional, false,
                    true, 0.0, 1e-5, 2.0);
            return null;
        });
    }

    @ParameterizedTest(name = "{0} T={1} B={2} H={3}")
    @CsvSource({"GRU, 4, 9, 128", "LSTM, 3, 4, 96", "RNN_TANH, 5, 9, 128"})
    void wideAndTheForwardItReplacesAgreeOnTheGpu(Kind kind, int steps, int batch, int hidden) {
        CudaBackend gpu = CudaBackend.float32();
        PersistentRecurrentGpuTest.assumeRoom(gpu, kind, steps, batch, hidden, "auto");
        var options = RecurrentOptions.builder(6, hidden).bias(true).seed(RecurrentCudaGpuTest.SEED).build();
        RecurrentLayer a = RecurrentCudaGpuTest.layer(kind, options, gpu);
        RecurrentLayer b = RecurrentCudaGpuTest.layer(kind, options, gpu);
        gpu.copy(a.flatParameters(), b.flatParameters());
        Tensor x = RecurrentCudaGpuTest.random(1, steps, batch, 6);
        Tensor dy = RecurrentCudaGpuTest.random(4, steps, batch, hidden);
        Tensor dh = RecurrentCudaGpuTest.random(5, 1, batch, hidden);
        Tensor dc = kind == Kind.LSTM ? RecurrentCudaGpuTest.random(6, 1, batch, hidden) : null;
        Map<String, Tensor> wideRun = wide(() -> RecurrentCudaGpuTest.run(a, gpu, x, null, null, dy, dh, dc));
        Map<String, Tensor> replaced = PersistentRecurrentGpuTest.withPath("persistent", "auto",
                () -> RecurrentCudaGpuTest.run(b, gpu, x, null, null, dy, dh, dc));
        for (String name : replaced.keySet()) {
            double err = RecurrentCudaGpuTest.relError(wideRun.get(name), replaced.get(name));
            assertTrue(err <= 1e-5, name + ": wide-block vs the kernels it replaces, relative error " + err);
        }
    }
}
