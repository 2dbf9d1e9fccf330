package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cooperative (grid) persistent whole-sequence forward and backward on CUDA (forced with
 * {@code mnemo.recurrent.path=persistent} and {@code mnemo.persistent.variant=grid}; the cluster
 * variant has {@link PersistentClusterRecurrentGpuTest}) against the float64 CPU reference, forward and every
 * gradient (same tolerance rule as {@link RecurrentCudaGpuTest}), and against the per-step CUDA path, on shapes with odd H, B = 1, T = 1, several blocks and a tail block, both directions.
 */
@Tag("gpu")
class PersistentRecurrentGpuTest {

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    /** Runs {@code body} under the path {@code path} and the grid variant. */
    static <T> T withPath(String path, Supplier<T> body) {
        return withPath(path, "grid", body);
    }

    /** Runs {@code body} with {@link PersistentPolicy#PROPERTY} and {@link PersistentVariant#PROPERTY} set. */
    static <T> T withPath(String path, String variant, Supplier<T> body) {
        return SystemProperty.with(PersistentPolicy.PROPERTY, path,
                () -> SystemProperty.with(PersistentVariant.PROPERTY, variant, body));
    }

    /**
     * Skips, with the policy's reason, where this device has no room for a persistent kernel of this
     * shape in {@code variant} (forward or backward): the shapes are sized for an H100's 132 SMs, and a
     * smaller GPU, or the CPU emulation's 16 SMs, splits W_hh over fewer blocks.
     */
    static void assumeRoom(CudaBackend gpu, Kind kind, int steps, int batch, int hidden, String variant) {
        try {
            withPath("persistent", variant, () -> gpu.recurrentPath(cell(kind), steps, batch, hidden));
            withPath("persistent", variant, () -> gpu.recurrentBackwardPath(cell(kind), steps, batch, hidden));
        } catch (IllegalStateException noRoom) {
            Assumptions.abort(noRoom.getMessage());
        }
    }

    static Backend.RecurrentCell cell(Kind kind) {
        return Backend.RecurrentCell.valueOf(kind.name());
    }

    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4} layers={5} bidir={6}")
    @CsvSource({
            "LSTM, 7, 1, 5, 37, 1, false", "LSTM, 1, 3, 4, 33, 2, true", "LSTM, 50, 2, 8, 256, 1, true",
            "LSTM, 20, 8, 16, 257, 1, false", "LSTM, 9, 32, 3, 129, 1, false",
            "GRU, 7, 1, 5, 37, 1, false", "GRU, 1, 3, 4, 33, 2, true", "GRU, 50, 2, 8, 256, 1, true",
            "GRU, 20, 8, 16, 257, 1, false", "GRU, 9, 32, 3, 129, 1, false",
            "RNN_TANH, 7, 1, 5, 37, 2, true", "RNN_TANH, 1, 1, 3, 1, 1, false", "RNN_TANH, 40, 4, 8, 300, 1, false",
            "RNN_RELU, 7, 1, 5, 37, 2, true", "RNN_RELU, 30, 5, 6, 133, 1, false"})
    void persistentMatchesTheFloat64CpuReference(Kind kind, int steps, int batch, int input, int hidden, int layers,
                                                 boolean bidirectional) {
        CudaBackend gpu = CudaBackend.float32();
        assumeRoom(gpu, kind, steps, batch, hidden, "grid");
        var choice = withPath("persistent", () -> gpu.recurrentPath(cell(kind), steps, batch, hidden));
        assertEquals(PersistentPolicy.Path.GRID, choice.path(), choice.toString());
        var backward = withPath("persistent", () -> gpu.recurrentBackwardPath(cell(kind), steps, batch, hidden));
        assertEquals(PersistentPolicy.Path.GRID, backward.path(), backward.toString());
        withPath("persistent", () -> {
            RecurrentCudaGpuTest.compare(gpu, kind, steps, batch, input, hidden, true, layers, bidirectional, false,
                    true, 0.0, 1e-5, 2.0);
            return null;
        });
    }

    @ParameterizedTest(name = "{0} T={1} B={2} H={3}")
    @CsvSource({"LSTM, 100, 1, 256", "GRU, 100, 1, 256", "RNN_TANH, 100, 1, 256", "LSTM, 30, 8, 511", "GRU, 1, 1, 65"})
    void persistentAndPerStepAgreeOnTheGpu(Kind kind, int steps, int batch, int hidden) {
        CudaBackend gpu = CudaBackend.float32();
        assumeRoom(gpu, kind, steps, batch, hidden, "grid");
        var options = RecurrentOptions.builder(16, hidden).bias(true).seed(RecurrentCudaGpuTest.SEED)
                .nonlinearity(kind == Kind.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH).build();
        RecurrentLayer a = RecurrentCudaGpuTest.layer(kind, options, gpu);
        RecurrentLayer b = RecurrentCudaGpuTest.layer(kind, options, gpu);
        gpu.copy(a.flatParameters(), b.flatParameters());
        Tensor x = RecurrentCudaGpuTest.random(1, steps, batch, 16);
        Tensor dy = RecurrentCudaGpuTest.random(4, steps, batch, hidden);
        Map<String, Tensor> persistent = withPath("persistent",
                () -> RecurrentCudaGpuTest.run(a, gpu, x, null, null, dy, RecurrentCudaGpuTest.random(5, 1, batch, hidden),
                        kind == Kind.LSTM ? RecurrentCudaGpuTest.random(6, 1, batch, hidden) : null));
        Map<String, Tensor> perStep = withPath("per-step",
                () -> RecurrentCudaGpuTest.run(b, gpu, x, null, null, dy, RecurrentCudaGpuTest.random(5, 1, batch, hidden),
                        kind == Kind.LSTM ? RecurrentCudaGpuTest.random(6, 1, batch, hidden) : null));
        for (String name : perStep.keySet()) {
            double err = RecurrentCudaGpuTest.relError(persistent.get(name), perStep.get(name));
            assertTrue(err <= 1e-4, name + ": persistent vs per-step relative error " + err);
        }
    }

    @Test
    void theChoiceIsVisible() {
        CudaBackend gpu = CudaBackend.float32();
        String d = withPath("auto", gpu::recurrentPathDescription);
        assertTrue(d.contains("auto") && d.contains("SMs"), d);
        assertEquals(false, withPath("per-step", () -> gpu.recurrentPath(Backend.RecurrentCell.LSTM, 10, 1, 64)).persistent());
    }
}
