package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentOptions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A projected LSTM (projSize) on CUDA against the CPU: identical weights and inputs, forward and every
 * gradient, with the tolerance scheme of {@link RecurrentCudaGpuTest} (at most twice the float32 CPU
 * error against a float64 reference, floor 1e-5).
 */
@Tag("gpu")
class ProjectedLstmGpuTest {

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    @ParameterizedTest(name = "layers={0} bidir={1} batchFirst={2}")
    @CsvSource({"1, false, false", "2, true, false", "2, false, true", "3, true, true"})
    void cudaMatchesCpu(int layers, boolean bidir, boolean batchFirst) {
        int steps = 7;
        int batch = 5;
        int input = 6;
        int hidden = 33;
        int proj = 9;
        var options = RecurrentOptions.builder(input, hidden).projSize(proj).numLayers(layers).bidirectional(bidir)
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
        Tensor x = RecurrentCudaGpuTest.random(1, batchFirst ? new int[]{batch, steps, input} : new int[]{steps, batch, input});
        Tensor h0 = RecurrentCudaGpuTest.random(2, ld, batch, proj);
        Tensor c0 = RecurrentCudaGpuTest.random(3, ld, batch, hidden);
        Tensor dy = RecurrentCudaGpuTest.random(4, batchFirst ? new int[]{batch, steps, dirs * proj}
                : new int[]{steps, batch, dirs * proj});
        Tensor dh = RecurrentCudaGpuTest.random(5, ld, batch, proj);
        Tensor dc = RecurrentCudaGpuTest.random(6, ld, batch, hidden);
        Map<String, Tensor> r = RecurrentCudaGpuTest.run(ref, cpu64, x, h0, c0, dy, dh, dc);
        Map<String, Tensor> c = RecurrentCudaGpuTest.run(cpu, cpu32, x, h0, c0, dy, dh, dc);
        Map<String, Tensor> g = RecurrentCudaGpuTest.run(dev, gpu, x, h0, c0, dy, dh, dc);
        for (String name : r.keySet()) {
            double cpuErr = RecurrentCudaGpuTest.relError(c.get(name), r.get(name));
            double gpuErr = RecurrentCudaGpuTest.relError(g.get(name), r.get(name));
            double tol = Math.max(2 * cpuErr, 1e-5);
            assertTrue(gpuErr <= tol, name + " of " + dev + ": CUDA error " + gpuErr + " > " + tol + " (CPU float32 error "
                    + cpuErr + ")");
        }
    }
}
