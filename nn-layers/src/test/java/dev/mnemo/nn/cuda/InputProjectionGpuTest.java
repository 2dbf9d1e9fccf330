package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The in-kernel input projection ({@code mnemo.persistent.inputProjection=on}) on the persistent path, for
 * layers with one input feature: the float64 CPU reference, forward and every gradient; the same results
 * as the host's GEMM with the setting off; and, on the emulated driver, that the _x1 kernel ran in place of
 * that GEMM (and that two input features keep the GEMM).
 */
@Tag("gpu")
class InputProjectionGpuTest {

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    static <T> T projecting(boolean on, boolean wide, Supplier<T> body) {
        return SystemProperty.with(InputProjectionSetting.PROPERTY, on ? "on" : "off",
                () -> SystemProperty.with(PersistentWideSetting.PROPERTY, wide ? "on" : "off",
                        () -> PersistentRecurrentGpuTest.withPath("persistent", "auto", body)));
    }

    @ParameterizedTest(name = "{0} T={1} B={2} H={3} bidir={4} wide={5}")
    @CsvSource({"LSTM, 5, 3, 128, false, false", "GRU, 4, 2, 40, true, false", "RNN_TANH, 6, 3, 64, false, false",
            "RNN_RELU, 3, 2, 32, true, true", "GRU, 4, 3, 128, false, true", "LSTM, 3, 2, 96, true, true"})
    void projectingInTheKernelMatchesTheReferenceAndTheGemm(Kind kind, int steps, int batch, int hidden,
                                                           boolean bidirectional, boolean wide) {
        CudaBackend gpu = CudaBackend.float32();
        PersistentRecurrentGpuTest.assumeRoom(gpu, kind, steps, batch, hidden, "auto");
        projecting(true, wide, () -> {
            RecurrentCudaGpuTest.compare(gpu, kind, steps, batch, 1, hidden, true, 1, bidirectional, false, true,
                    0.0, 1e-5, 2.0);
            return null;
        });
        var options = RecurrentOptions.builder(1, hidden).bias(true).bidirectional(bidirectional)
                .seed(RecurrentCudaGpuTest.SEED).build();
        RecurrentLayer a = RecurrentCudaGpuTest.layer(kind, options, gpu);
        RecurrentLayer b = RecurrentCudaGpuTest.layer(kind, options, gpu);
        gpu.copy(a.flatParameters(), b.flatParameters());
        int dirs = bidirectional ? 2 : 1;
        Tensor x = RecurrentCudaGpuTest.random(1, steps, batch, 1);
        Tensor dy = RecurrentCudaGpuTest.random(4, steps, batch, dirs * hidden);
        Tensor dh = RecurrentCudaGpuTest.random(5, dirs, batch, hidden);
        Tensor dc = kind == Kind.LSTM ? RecurrentCudaGpuTest.random(6, dirs, batch, hidden) : null;
        Optional<EmulatorCallCensus> census = EmulatorCallCensus.open();
        census.ifPresent(EmulatorCallCensus::reset);
        Map<String, Tensor> on = projecting(true, wide, () -> RecurrentCudaGpuTest.run(a, gpu, x, null, null, dy, dh, dc));
        Map<String, Long> onCounts = census.map(EmulatorCallCensus::counts).orElse(Map.of());
        census.ifPresent(EmulatorCallCensus::reset);
        Map<String, Tensor> off = projecting(false, wide, () -> RecurrentCudaGpuTest.run(b, gpu, x, null, null, dy, dh, dc));
        Map<String, Long> offCounts = census.map(EmulatorCallCensus::counts).orElse(Map.of());
        for (String name : off.keySet()) {
            double err = RecurrentCudaGpuTest.relError(on.get(name), off.get(name));
            assertTrue(err <= 1e-6, name + ": in-kernel projection vs the GEMM's, relative error " + err);
        }
        if (census.isPresent()) {
            // the emulated driver: the _x1 kernel ran, once per direction, for the GEMM, where the path has one
            // (the cluster kernels from sm_90 and the wide-block ones; the grid kernels keep the GEMM)
            boolean inKernel = projecting(true, wide, () -> InputProjectionSetting.takes(
                    gpu.recurrentPath(PersistentRecurrentGpuTest.cell(kind), steps, batch, hidden), 1));
            long expected = inKernel ? dirs : 0;
            long projected = onCounts.entrySet().stream().filter(e -> e.getKey().endsWith("_x1_f32"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertEquals(expected, projected, onCounts.toString());
            assertEquals(offCounts.getOrDefault("cublasSgemm_v2", 0L) - expected,
                    (long) onCounts.getOrDefault("cublasSgemm_v2", 0L), "one GEMM fewer per direction: " + onCounts);
        }
    }

    @ParameterizedTest(name = "{0} I={1}")
    @CsvSource({"LSTM, 2", "GRU, 3"})
    void severalInputFeaturesKeepTheGemm(Kind kind, int inputs) {
        CudaBackend gpu = CudaBackend.float32();
        Optional<EmulatorCallCensus> census = EmulatorCallCensus.open();
        PersistentRecurrentGpuTest.assumeRoom(gpu, kind, 4, 2, 64, "auto");
        projecting(true, false, () -> {
            census.ifPresent(EmulatorCallCensus::reset);
            RecurrentCudaGpuTest.compare(gpu, kind, 4, 2, inputs, 64, true, 1, false, false, true, 0.0, 1e-5, 2.0);
            return null;
        });
        census.ifPresent(c -> assertTrue(c.counts().keySet().stream().noneMatch(k -> k.endsWith("_x1_f32")),
                c.counts().toString()));
    }
}
