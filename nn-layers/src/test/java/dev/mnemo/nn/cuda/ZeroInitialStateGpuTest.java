package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A forward given no initial state starts from zeros, so the backward skips dW_hh's GEMM against h0,
 * which adds nothing: the same gradients, bit for bit, as a forward given explicit zeros, and on the
 * emulated driver one cuBLAS GEMM fewer per direction.
 */
@Tag("gpu")
class ZeroInitialStateGpuTest {

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    @ParameterizedTest(name = "{0} path={1} bidirectional={2}")
    @CsvSource({"LSTM, persistent, false", "GRU, per-step, true", "RNN_TANH, persistent, true"})
    void noStateIsExplicitZerosLessOneGemmPerDirection(Kind kind, String path, boolean bidirectional) {
        CudaBackend gpu = CudaBackend.float32();
        int steps = 4;
        int batch = 3;
        int hidden = 16;
        var options = RecurrentOptions.builder(2, hidden).bidirectional(bidirectional).seed(RecurrentCudaGpuTest.SEED)
                .build();
        int dirs = bidirectional ? 2 : 1;
        // eager loops (no recordings, a setting read when the layer is made), so that both calls launch alike
        RecurrentLayer layer = SystemProperty.with(RecurrentLayer.GRAPHS_PROPERTY, "false",
                () -> RecurrentCudaGpuTest.layer(kind, options, gpu));
        Tensor x = RecurrentCudaGpuTest.random(1, steps, batch, 2);
        Tensor dy = RecurrentCudaGpuTest.random(2, steps, batch, dirs * hidden);
        Tensor dh = RecurrentCudaGpuTest.random(3, dirs, batch, hidden);
        Tensor dc = kind == Kind.LSTM ? RecurrentCudaGpuTest.random(4, dirs, batch, hidden) : null;
        Tensor zeros = Tensor.zeros(dirs, batch, hidden);
        Optional<EmulatorCallCensus> census = EmulatorCallCensus.open();
        Supplier<Map<String, Tensor>> fromNone = () -> RecurrentCudaGpuTest.run(layer, gpu, x, null, null, dy, dh, dc);
        Supplier<Map<String, Tensor>> fromZeros = () -> RecurrentCudaGpuTest.run(layer, gpu, x, zeros,
                kind == Kind.LSTM ? zeros : null, dy, dh, dc);
        eager(path, fromNone);   // warm: the plans are made once
        census.ifPresent(EmulatorCallCensus::reset);
        Map<String, Tensor> none = eager(path, fromNone);
        Map<String, Long> noneCounts = census.map(EmulatorCallCensus::counts).orElse(Map.of());
        long noneGemms = noneCounts.getOrDefault("cublasSgemm_v2", 0L);
        census.ifPresent(EmulatorCallCensus::reset);
        Map<String, Tensor> given = eager(path, fromZeros);
        Map<String, Long> givenCounts = census.map(EmulatorCallCensus::counts).orElse(Map.of());
        long givenGemms = givenCounts.getOrDefault("cublasSgemm_v2", 0L);
        for (String name : given.keySet()) {
            assertArrayEquals(given.get(name).toDoubleArray(), none.get(name).toDoubleArray(), name);
        }
        if (census.isPresent()) {
            assertEquals(givenGemms - dirs, noneGemms, "one GEMM fewer per direction: " + noneCounts + " against " + givenCounts);
        }
    }

    private static <T> T eager(String path, Supplier<T> body) {
        return PersistentRecurrentGpuTest.withPath(path, "auto", body);
    }
}
