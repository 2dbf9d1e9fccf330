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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cluster variant of the persistent forward and backward (forced with
 * {@code mnemo.recurrent.path=persistent} and {@code mnemo.persistent.variant=cluster}) against the
 * float64 CPU reference (forward and every gradient) and against the per-step CUDA path: odd H,
 * B = 1, T = 1, B = 5 over 5 clusters, B = 70 in clusters of 3 rows with a 1-row tail, B = 200 at
 * 16 blocks per cluster, both directions, all four cells. Skipped below compute capability 9.0.
 */
@Tag("gpu")
class PersistentClusterRecurrentGpuTest {

    @BeforeEach
    void assumeHopper() {
        CudaAssume.clusters();
    }

    static Backend.RecurrentCell cell(Kind kind) {
        return Backend.RecurrentCell.valueOf(kind.name());
    }

    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4} layers={5} bidir={6}")
    @CsvSource({
            "LSTM, 7, 1, 5, 37, 1, false", "LSTM, 1, 3, 4, 33, 2, true", "LSTM, 50, 5, 8, 255, 1, true",
            "LSTM, 6, 200, 4, 128, 1, false",
            "GRU, 7, 1, 5, 37, 1, false", "GRU, 1, 3, 4, 33, 2, true", "GRU, 30, 5, 8, 255, 1, true",
            "GRU, 9, 70, 3, 128, 1, false",
            "RNN_TANH, 7, 1, 5, 37, 2, true", "RNN_TANH, 1, 1, 3, 1, 1, false", "RNN_TANH, 40, 5, 8, 255, 1, false",
            "RNN_RELU, 7, 1, 5, 37, 2, true", "RNN_RELU, 30, 5, 6, 133, 1, false",
            // one batch row per cluster and 257..512 columns G·H: the backward splits its slice between
            // registers and shared memory (GRU B = 70 above too)
            "LSTM, 6, 4, 3, 128, 1, false", "RNN_TANH, 5, 3, 4, 300, 1, true",
            // pixel MNIST's batch and width: on 132 SMs the forward takes two-block clusters of two rows
            // (the row slice wholly in registers), the backward one-block clusters of one row
            "LSTM, 3, 128, 1, 128, 1, false", "GRU, 3, 128, 1, 128, 1, false"})
    void clusterMatchesTheFloat64CpuReference(Kind kind, int steps, int batch, int input, int hidden, int layers,
                                              boolean bidirectional) {
        CudaBackend gpu = CudaBackend.float32();
        PersistentRecurrentGpuTest.assumeRoom(gpu, kind, steps, batch, hidden, "cluster");
        var choice = PersistentRecurrentGpuTest.withPath("persistent", "cluster",
                () -> gpu.recurrentPath(cell(kind), steps, batch, hidden));
        assertEquals(PersistentPolicy.Path.CLUSTER, choice.path(), choice.toString());
        var backward = PersistentRecurrentGpuTest.withPath("persistent", "cluster",
                () -> gpu.recurrentBackwardPath(cell(kind), steps, batch, hidden));
        assertEquals(PersistentPolicy.Path.CLUSTER, backward.path(), backward.toString());
        PersistentRecurrentGpuTest.withPath("persistent", "cluster", () -> {
            RecurrentCudaGpuTest.compare(gpu, kind, steps, batch, input, hidden, true, layers, bidirectional, false,
                    true, 0.0, 1e-5, 2.0);
            return null;
        });
    }

    @ParameterizedTest(name = "{0} T={1} B={2} H={3}")
    @CsvSource({"LSTM, 100, 1, 256", "GRU, 100, 5, 256", "RNN_TANH, 100, 1, 256", "RNN_RELU, 20, 5, 37",
            "GRU, 1, 1, 65"})
    void clusterAndPerStepAgreeOnTheGpu(Kind kind, int steps, int batch, int hidden) {
        CudaBackend gpu = CudaBackend.float32();
        PersistentRecurrentGpuTest.assumeRoom(gpu, kind, steps, batch, hidden, "cluster");
        var options = RecurrentOptions.builder(16, hidden).bias(true).seed(RecurrentCudaGpuTest.SEED)
                .nonlinearity(kind == Kind.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH).build();
        RecurrentLayer a = RecurrentCudaGpuTest.layer(kind, options, gpu);
        RecurrentLayer b = RecurrentCudaGpuTest.layer(kind, options, gpu);
        gpu.copy(a.flatParameters(), b.flatParameters());
        Tensor x = RecurrentCudaGpuTest.random(1, steps, batch, 16);
        Tensor dy = RecurrentCudaGpuTest.random(4, steps, batch, hidden);
        Tensor dh = RecurrentCudaGpuTest.random(5, 1, batch, hidden);
        Tensor dc = kind == Kind.LSTM ? RecurrentCudaGpuTest.random(6, 1, batch, hidden) : null;
        Map<String, Tensor> cluster = PersistentRecurrentGpuTest.withPath("persistent", "cluster",
                () -> RecurrentCudaGpuTest.run(a, gpu, x, null, null, dy, dh, dc));
        Map<String, Tensor> perStep = PersistentRecurrentGpuTest.withPath("per-step", "auto",
                () -> RecurrentCudaGpuTest.run(b, gpu, x, null, null, dy, dh, dc));
        for (String name : perStep.keySet()) {
            double err = RecurrentCudaGpuTest.relError(cluster.get(name), perStep.get(name));
            assertTrue(err <= 1e-4, name + ": cluster vs per-step relative error " + err);
        }
    }

    @Test
    void theVariantIsVisible() {
        CudaBackend gpu = CudaBackend.float32();
        String d = PersistentRecurrentGpuTest.withPath("auto", "auto", gpu::recurrentPathDescription);
        assertTrue(d.contains("cluster kernels available") && d.contains("persistent-cluster"), d);
        var grid = PersistentRecurrentGpuTest.withPath("persistent", "grid",
                () -> gpu.recurrentPath(Backend.RecurrentCell.LSTM, 10, 1, 64));
        assertEquals(PersistentPolicy.Path.GRID, grid.path(), grid.toString());
        var auto = PersistentRecurrentGpuTest.withPath("persistent", "auto",
                () -> gpu.recurrentPath(Backend.RecurrentCell.LSTM, 10, 1, 64));
        assertEquals(PersistentPolicy.Path.CLUSTER, auto.path(), "auto prefers the cluster variant: " + auto);
    }

    @ParameterizedTest(name = "{0} S={1}")
    @CsvSource({"LSTM, 2", "GRU, 3", "RNN_TANH, 5"})
    void aFixedClusterSizeRunsThatGeometryAndMatchesTheReference(Kind kind, int size) {
        CudaBackend gpu = CudaBackend.float32();
        SystemProperty.run(PersistentClusterSizeSetting.PROPERTY, String.valueOf(size), () -> {
            var choice = PersistentRecurrentGpuTest.withPath("persistent", "cluster",
                    () -> gpu.recurrentPath(cell(kind), 6, 9, 40));
            assertEquals(size, choice.clusterPlan().clusterSize(), choice.toString());
            assertTrue(choice.reason().contains(PersistentClusterSizeSetting.PROPERTY + "=" + size), choice.reason());
            PersistentRecurrentGpuTest.withPath("persistent", "cluster", () -> {
                RecurrentCudaGpuTest.compare(gpu, kind, 6, 9, 5, 40, true, 1, false, false, true, 0.0, 1e-5, 2.0);
                return null;
            });
        });
    }
}
