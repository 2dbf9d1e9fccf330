package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A projected LSTM (projSize) on CUDA against the CPU: identical weights and inputs, forward and every
 * gradient, with the tolerance scheme of {@link RecurrentCudaGpuTest} (at most twice the float32 CPU
 * error against a float64 reference, floor 1e-5). Variable lengths too, eagerly (each step on the
 * rows still running) and recorded (every row run, the finished ones carried), each call of a
 * recorded layer against the CPU, the first recording and the later ones replaying. Each also with
 * the per-step products split over their depth ({@value DepthSplits#PROPERTY} = 3: H = 33 and 4H = 132
 * in three slices).
 */
@Tag("gpu")
class ProjectedLstmGpuTest {
    static final int STEPS = 7;
    static final int BATCH = 5;
    static final int INPUT = 6;
    static final int HIDDEN = 33;
    static final int PROJ = 9;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    @ParameterizedTest(name = "layers={0} bidir={1} batchFirst={2} depthSplits={3}")
    @CsvSource({"1, false, false, 1", "2, true, false, 1", "2, false, true, 1", "3, true, true, 1",
            "2, true, false, 3"})
    void cudaMatchesCpu(int layers, boolean bidir, boolean batchFirst, String depthSplits) {
        SystemProperty.run(DepthSplits.PROPERTY, depthSplits, () -> compare(layers, bidir, batchFirst, null, 1));
    }

    @ParameterizedTest(name = "graphs={0} bidir={1} batchFirst={2} depthSplits={3}")
    @CsvSource({"false, true, false, 1", "true, true, false, 1", "true, false, true, 1", "false, true, false, 3",
            "true, true, true, 3"})
    void packedCudaMatchesCpu(boolean graphs, boolean bidir, boolean batchFirst, String depthSplits) {
        SystemProperty.run(DepthSplits.PROPERTY, depthSplits, () -> SystemProperty.run(RecurrentLayer.GRAPHS_PROPERTY,
                Boolean.toString(graphs), () -> compare(2, bidir, batchFirst, new int[] {4, 7, 1, 7, 3}, graphs ? 3 : 1)));
    }

    /** {@code calls} forward + backward passes of one CUDA layer, each against the CPU's one. */
    private static void compare(int layers, boolean bidir, boolean batchFirst, int[] lengths, int calls) {
        var options = RecurrentOptions.builder(INPUT, HIDDEN).projSize(PROJ).numLayers(layers).bidirectional(bidir)
                .batchFirst(batchFirst).seed(RecurrentCudaGpuTest.SEED).build();
        CpuBackend cpu64 = CpuBackend.float64();
        CpuBackend cpu32 = CpuBackend.float32();
        Backend gpu = CudaBackend.float32();
        Lstm ref = new Lstm(options, cpu64);
        Lstm cpu = new Lstm(options, cpu32);
        Lstm dev = new Lstm(options, gpu);
        cpu64.copy(cpu.flatParameters(), ref.flatParameters());
        gpu.copy(cpu.flatParameters(), dev.flatParameters());
        int dirs = bidir ? 2 : 1;
        int ld = layers * dirs;
        Tensor x = RecurrentCudaGpuTest.random(1, batchFirst ? new int[]{BATCH, STEPS, INPUT} : new int[]{STEPS, BATCH, INPUT});
        Tensor h0 = RecurrentCudaGpuTest.random(2, ld, BATCH, PROJ);
        Tensor c0 = RecurrentCudaGpuTest.random(3, ld, BATCH, HIDDEN);
        Tensor dy = RecurrentCudaGpuTest.random(4, batchFirst ? new int[]{BATCH, STEPS, dirs * PROJ}
                : new int[]{STEPS, BATCH, dirs * PROJ});
        Tensor dh = RecurrentCudaGpuTest.random(5, ld, BATCH, PROJ);
        Tensor dc = RecurrentCudaGpuTest.random(6, ld, BATCH, HIDDEN);
        Map<String, Tensor> r = RecurrentCudaGpuTest.run(ref, cpu64, x, h0, c0, dy, dh, dc, lengths);
        Map<String, Tensor> c = RecurrentCudaGpuTest.run(cpu, cpu32, x, h0, c0, dy, dh, dc, lengths);
        for (int call = 0; call < calls; call++) {
            Map<String, Tensor> g = RecurrentCudaGpuTest.run(dev, gpu, x, h0, c0, dy, dh, dc, lengths);
            for (String name : r.keySet()) {
                double cpuErr = RecurrentCudaGpuTest.relError(c.get(name), r.get(name));
                double gpuErr = RecurrentCudaGpuTest.relError(g.get(name), r.get(name));
                double tol = Math.max(2 * cpuErr, 1e-5);
                assertTrue(gpuErr <= tol, name + " of " + dev + " call " + call + " (lengths "
                        + Arrays.toString(lengths) + ", graphs " + dev.usesStepGraphs() + "): CUDA error " + gpuErr
                        + " > " + tol + " (CPU float32 error " + cpuErr + ")");
            }
        }
    }
}
