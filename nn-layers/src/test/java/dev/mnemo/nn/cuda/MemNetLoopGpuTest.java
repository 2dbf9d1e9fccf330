package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.MemNet;
import dev.mnemo.nn.layers.MemNetOptions;
import dev.mnemo.nn.layers.MemNetOutput;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MemNet's one-launch sequence loop ({@link MemNetLoopSetting}, {@code mnemo_memnet_seq_*_f32}) against the
 * float64 CPU layer and against the CUDA step loop it replaces: outputs, every gradient, ∂L/∂x, the final
 * state and generation, at T = 1, T &lt; M, wrap-around, the most slots the loop takes (64), several input,
 * output, key and value widths, masking, scale and dropout. On the emulated driver also which kernels ran.
 *
 * <p>Tolerance as {@link MemNetCudaGpuTest}: at most {@code max(2 × the float32 CPU error, 1e-5)} relative
 * to the reference's largest magnitude.
 */
@Tag("gpu")
class MemNetLoopGpuTest {
    static final String FORWARD = "launch:mnemo_memnet_seq_fwd_f32";
    static final String BACKWARD = "launch:mnemo_memnet_seq_bwd_f32";
    static final String READ = "launch:mnemo_memnet_read_fwd_small_f32";

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    @ParameterizedTest(name = "T={0} B={1} d_in={2} d_out={3} d_k={4} d_v={5} M={6} masked={7} scale={8} dropout={9}")
    @CsvSource({
            "1, 3, 1, 1, 32, 32, 8, false, 1.0, 0.1",
            "20, 5, 1, 1, 32, 32, 8, false, 1.0, 0.1",    // the paper's sizes
            "9, 2, 3, 2, 5, 7, 4, true, 0.5, 0.0",
            "11, 3, 2, 3, 3, 1, 1, false, 2.0, 0.3",
            "70, 2, 2, 1, 16, 4, 64, false, 0.3, 0.1",    // the most slots: 64 steps with empty ones, then the ring
            "6, 1, 1, 3, 64, 48, 3, true, 1.0, 0.0"})     // S 176, W 225: 157 KB of weight a block
    void bothLoopsMatchTheFloat64Cpu(int steps, int batch, int inputs, int outputs, int keySize, int valueSize,
                                     int slots, boolean masked, double scale, double dropout) {
        MemNetOptions options = MemNetOptions.builder(inputs, outputs).keySize(keySize).valueSize(valueSize)
                .slots(slots).maskEmptySlots(masked).scale(scale).dropout(dropout).seed(MemNetCudaGpuTest.SEED).build();
        CpuBackend cpu32 = CpuBackend.float32();
        CpuBackend cpu64 = CpuBackend.float64();
        CudaBackend gpu = CudaBackend.float32();
        MemNet cpu = new MemNet(options, cpu32);
        MemNet ref = new MemNet(options, cpu64);
        MemNet dev = new MemNet(options, gpu);
        if (keySize <= 8) {
            // ±0.5 weights: attention far from uniform, as the small cases of MemNetCudaGpuTest (wider cells keep
            // the default init: ±0.5 over their hundreds of inputs would overflow the scores within a few steps)
            Tensor w = MemNetCudaGpuTest.random(7, (int) cpu.flatParameters().numel());
            cpu32.scale(w, 0.5);
            cpu32.copy(w, cpu.flatParameters());
        }
        cpu64.copy(cpu.flatParameters(), ref.flatParameters());
        gpu.copy(cpu.flatParameters(), dev.flatParameters());
        Tensor x = MemNetCudaGpuTest.random(1, steps, batch, inputs);
        Tensor dy = MemNetCudaGpuTest.random(2, steps, batch, outputs);

        Map<String, Tensor> r = MemNetCudaGpuTest.run(ref, cpu64, x, dy);
        Map<String, Tensor> c = MemNetCudaGpuTest.run(cpu, cpu32, x, dy);
        for (String loop : new String[] {"on", "off"}) {
            Map<String, Tensor> g = SystemProperty.with(MemNetLoopSetting.PROPERTY, loop,
                    () -> MemNetCudaGpuTest.run(dev, gpu, x, dy));
            for (String name : r.keySet()) {
                double cpuErr = RecurrentCudaGpuTest.relError(c.get(name), r.get(name));
                double gpuErr = RecurrentCudaGpuTest.relError(g.get(name), r.get(name));
                double tol = Math.max(2 * cpuErr, 1e-5);
                assertTrue(gpuErr <= tol, name + " of " + dev + " (loop " + loop + "): CUDA error " + gpuErr + " > "
                        + tol + " (CPU float32 error " + cpuErr + ", seed " + MemNetCudaGpuTest.SEED + ")");
            }
        }
    }

    @Test
    void theSameCallGivesTheSameBits() {
        MemNetOptions options = MemNetOptions.builder(1, 1).seed(3).build();
        CudaBackend gpu = CudaBackend.float32();
        MemNet layer = new MemNet(options, gpu);
        Tensor x = MemNetCudaGpuTest.random(4, 30, 6, 1);
        Tensor dy = MemNetCudaGpuTest.random(5, 30, 6, 1);
        Map<String, Tensor> a = MemNetCudaGpuTest.run(layer, gpu, x, dy);
        Map<String, Tensor> b = MemNetCudaGpuTest.run(layer, gpu, x, dy);
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).toDoubleArray(), b.get(name).toDoubleArray(), 0.0, name);
        }
    }

    /** On the emulated driver: one launch each way replaces the step loop's reads, off brings them back. */
    @ParameterizedTest(name = "M={0} d_k={1} fits={2}")
    @CsvSource({"8, 32, true", "64, 16, true", "65, 16, false", "8, 256, false"})
    void oneLaunchEachWayWhereTheCellFits(int slots, int keySize, boolean fits) {
        Optional<EmulatorCallCensus> opened = EmulatorCallCensus.open();
        Assumptions.assumeTrue(opened.isPresent(), "the call census exists only in Mnemo's emulated driver");
        EmulatorCallCensus census = opened.get();
        CudaBackend gpu = CudaBackend.float32();
        MemNet layer = new MemNet(MemNetOptions.builder(1, 1).keySize(keySize).valueSize(keySize).slots(slots)
                .seed(11).build(), gpu);
        int steps = 5;
        Tensor x = gpu.copyOf(MemNetCudaGpuTest.random(6, steps, 2, 1));
        Tensor dy = gpu.copyOf(MemNetCudaGpuTest.random(8, steps, 2, 1));
        for (String loop : new String[] {"on", "off"}) {
            boolean one = fits && loop.equals("on");
            Map<String, Long> counts = SystemProperty.with(MemNetLoopSetting.PROPERTY, loop, () -> {
                gpu.synchronize();
                census.reset();
                MemNetOutput out = layer.forward(x);
                layer.backward(out.saved(), dy);
                gpu.synchronize();
                return census.counts();
            });
            assertEquals(one ? 1L : 0L, counts.getOrDefault(FORWARD, 0L), counts.toString());
            assertEquals(one ? 1L : 0L, counts.getOrDefault(BACKWARD, 0L), counts.toString());
            long reads = counts.entrySet().stream().filter(e -> e.getKey().startsWith("launch:mnemo_memnet_read_fwd"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertTrue(one ? reads == 0 : reads >= steps, "forward reads " + reads + ": " + counts);
        }
    }
}
