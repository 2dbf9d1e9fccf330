package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.kernels.PersistentWeights;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Nonlinearity;
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
 * The bf16-weight cluster kernels ({@code mnemo.persistent.weights=bf16}, forced with
 * {@code mnemo.recurrent.path=persistent} and {@code mnemo.persistent.variant=cluster}), forward and
 * backward, all four cells: (a) against the float64 CPU reference run on W_hh rounded to bfloat16 on
 * the host (the GPU layer keeps the unrounded float32 W_hh, so a kernel that did not round would
 * fail), at the float32 cluster test's tolerance; (b) against the float32 per-step CUDA path, loosely
 * (1e-2 relative: the rounding carried through the recurrence). Shapes: odd H, B = 1, T = 1, B = 3
 * and 5 over as many clusters, B = 70 in clusters of 3 rows, LSTM H = 600 (a cluster holds it only
 * in bf16). Skipped below compute capability 9.0.
 */
@Tag("gpu")
class PersistentClusterBf16RecurrentGpuTest {

    @BeforeEach
    void assumeHopper() {
        CudaAssume.clusters();
    }

    /** Runs {@code body} with the path, the variant and {@code mnemo.persistent.weights} set. */
    static <T> T withWeights(String path, String variant, String weights, Supplier<T> body) {
        return SystemProperty.with(PersistentWeightsSetting.PROPERTY, weights,
                () -> PersistentRecurrentGpuTest.withPath(path, variant, body));
    }

    static Backend.RecurrentCell cell(Kind kind) {
        return Backend.RecurrentCell.valueOf(kind.name());
    }

    static RecurrentOptions options(Kind kind, int input, int hidden, int layers, boolean bidirectional) {
        return RecurrentOptions.builder(input, hidden).numLayers(layers).bias(true).bidirectional(bidirectional)
                .nonlinearity(kind == Kind.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH)
                .seed(RecurrentCudaGpuTest.SEED).build();
    }

    /** Every weight_hh of {@code layer} (a CPU layer) rounded to bfloat16 in place; returns how many changed. */
    static long roundRecurrentWeights(RecurrentLayer layer) {
        long changed = 0;
        for (var e : layer.parameters().entrySet()) {
            if (!e.getKey().startsWith("weight_hh")) {
                continue;
            }
            Tensor w = e.getValue();
            for (long i = 0; i < w.numel(); i++) {
                float v = (float) w.getFlat(i);
                float r = PersistentWeights.roundToBf16(v);
                changed += r != v ? 1 : 0;
                w.setFlat(i, r);
            }
        }
        return changed;
    }

    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4} layers={5} bidir={6}")
    @CsvSource({
            "LSTM, 7, 1, 5, 37, 1, false", "LSTM, 1, 3, 4, 33, 2, true", "LSTM, 5, 1, 8, 600, 1, false",
            "GRU, 7, 1, 5, 37, 1, false", "GRU, 1, 3, 4, 33, 2, true", "GRU, 9, 70, 3, 128, 1, false",
            "RNN_TANH, 1, 1, 3, 1, 1, false", "RNN_TANH, 40, 5, 8, 255, 1, false",
            "RNN_RELU, 7, 1, 5, 37, 2, true", "RNN_RELU, 30, 5, 6, 133, 1, false"})
    void bf16MatchesTheFloat64ReferenceOnRoundedWeights(Kind kind, int steps, int batch, int input, int hidden,
                                                        int layers, boolean bidirectional) {
        CudaBackend gpu = CudaBackend.float32();
        var forward = withWeights("persistent", "cluster", "bf16",
                () -> gpu.recurrentPath(cell(kind), steps, batch, hidden));
        assertEquals(PersistentPolicy.Path.CLUSTER, forward.path(), forward.toString());
        assertEquals(PersistentWeights.BF16, forward.weights(), forward.toString());
        var backward = withWeights("persistent", "cluster", "bf16",
                () -> gpu.recurrentBackwardPath(cell(kind), steps, batch, hidden));
        assertEquals(PersistentPolicy.Path.CLUSTER, backward.path(), backward.toString());
        assertEquals(PersistentWeights.BF16, backward.weights(), backward.toString());

        RecurrentOptions options = options(kind, input, hidden, layers, bidirectional);
        CpuBackend cpu32 = CpuBackend.float32();
        CpuBackend cpu64 = CpuBackend.float64();
        RecurrentLayer cpu = RecurrentCudaGpuTest.layer(kind, options, cpu32);
        RecurrentLayer ref = RecurrentCudaGpuTest.layer(kind, options, cpu64);
        RecurrentLayer dev = RecurrentCudaGpuTest.layer(kind, options, gpu);
        gpu.copy(cpu.flatParameters(), dev.flatParameters()); // the GPU keeps the float32 W_hh: the kernel rounds
        long changed = roundRecurrentWeights(cpu);
        assertTrue(changed > 0 || hidden == 1, "the rounding changed no weight of " + options);
        cpu64.copy(cpu.flatParameters(), ref.flatParameters());

        int dirs = bidirectional ? 2 : 1;
        int[] sShape = {layers * dirs, batch, hidden};
        boolean lstm = kind == Kind.LSTM;
        Tensor x = RecurrentCudaGpuTest.random(1, steps, batch, input);
        Tensor h0 = RecurrentCudaGpuTest.random(2, sShape);
        Tensor c0 = lstm ? RecurrentCudaGpuTest.random(3, sShape) : null;
        Tensor dy = RecurrentCudaGpuTest.random(4, steps, batch, dirs * hidden);
        Tensor dh = RecurrentCudaGpuTest.random(5, sShape);
        Tensor dc = lstm ? RecurrentCudaGpuTest.random(6, sShape) : null;

        Map<String, Tensor> r = RecurrentCudaGpuTest.run(ref, cpu64, x, h0, c0, dy, dh, dc);
        Map<String, Tensor> c = RecurrentCudaGpuTest.run(cpu, cpu32, x, h0, c0, dy, dh, dc);
        Map<String, Tensor> g = withWeights("persistent", "cluster", "bf16",
                () -> RecurrentCudaGpuTest.run(dev, gpu, x, h0, c0, dy, dh, dc));
        for (String name : r.keySet()) {
            double cpuErr = RecurrentCudaGpuTest.relError(c.get(name), r.get(name));
            double gpuErr = RecurrentCudaGpuTest.relError(g.get(name), r.get(name));
            double tol = Math.max(2.0 * cpuErr, 1e-5);
            assertTrue(gpuErr <= tol, name + " of the bf16 cluster kernels: error " + gpuErr + " > " + tol
                    + " against the float64 reference on bf16 W_hh (CPU float32 error " + cpuErr + ", seed "
                    + RecurrentCudaGpuTest.SEED + ")");
        }
    }

    @ParameterizedTest(name = "{0} T={1} B={2} H={3}")
    @CsvSource({"LSTM, 100, 1, 256", "GRU, 100, 5, 256", "RNN_TANH, 100, 1, 256", "RNN_RELU, 20, 5, 37",
            "GRU, 1, 1, 65", "LSTM, 20, 1, 600"})
    void bf16AndTheFp32PerStepPathAgreeLoosely(Kind kind, int steps, int batch, int hidden) {
        CudaBackend gpu = CudaBackend.float32();
        RecurrentOptions options = options(kind, 16, hidden, 1, false);
        RecurrentLayer a = RecurrentCudaGpuTest.layer(kind, options, gpu);
        RecurrentLayer b = RecurrentCudaGpuTest.layer(kind, options, gpu);
        gpu.copy(a.flatParameters(), b.flatParameters());
        Tensor x = RecurrentCudaGpuTest.random(1, steps, batch, 16);
        Tensor dy = RecurrentCudaGpuTest.random(4, steps, batch, hidden);
        Tensor dh = RecurrentCudaGpuTest.random(5, 1, batch, hidden);
        Tensor dc = kind == Kind.LSTM ? RecurrentCudaGpuTest.random(6, 1, batch, hidden) : null;
        var choice = withWeights("persistent", "cluster", "bf16",
                () -> gpu.recurrentPath(cell(kind), steps, batch, hidden));
        assertEquals(PersistentWeights.BF16, choice.weights(), choice.toString());
        Map<String, Tensor> bf16 = withWeights("persistent", "cluster", "bf16",
                () -> RecurrentCudaGpuTest.run(a, gpu, x, null, null, dy, dh, dc));
        Map<String, Tensor> perStep = withWeights("per-step", "auto", "fp32",
                () -> RecurrentCudaGpuTest.run(b, gpu, x, null, null, dy, dh, dc));
        for (String name : perStep.keySet()) {
            double err = RecurrentCudaGpuTest.relError(bf16.get(name), perStep.get(name));
            assertTrue(err <= 1e-2, name + ": bf16 cluster vs fp32 per-step relative error " + err);
        }
    }
}
