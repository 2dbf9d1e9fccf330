package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.MemNet;
import dev.mnemo.nn.layers.MemNetOptions;
import dev.mnemo.nn.layers.MemNetOutput;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MemNet's one-launch sequence loop ({@link MemNetLoopSetting}, {@code mnemo_memnet_seq_*_f32}) against the
 * float64 CPU layer and against the CUDA step loop it replaces: outputs, every gradient, ∂L/∂x, the final
 * state and generation, at T = 1, T &lt; M, wrap-around, windows whose read is split over thread groups (100 and
 * 256 slots, the most the loop takes), several input,
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
            "70, 2, 2, 1, 16, 4, 64, false, 0.3, 0.1",    // 64 steps with empty ones, then the ring
            "110, 2, 1, 1, 32, 32, 100, true, 1.0, 0.1",  // the paper's widths: c_t in 6 thread groups, dq in 4
            "262, 1, 1, 2, 8, 8, 256, false, 0.5, 0.0",   // the most slots, then the ring
            "6, 1, 1, 3, 64, 48, 3, true, 1.0, 0.0",      // S 176, W 225: 157 KB of weight a block
            "9, 2, 2, 1, 8, 8, 4, false, 1.0, 1.0"})      // dropout 1: zeros fed back, no gradient through them
    void bothLoopsMatchTheFloat64Cpu(int steps, int batch, int inputs, int outputs, int keySize, int valueSize,
                                     int slots, boolean masked, double scale, double dropout) {
        MemNetOptions options = MemNetOptions.builder(inputs, outputs).keySize(keySize).valueSize(valueSize)
                .slots(slots).maskEmptySlots(masked).scale(scale).dropout(dropout).seed(MemNetCudaGpuTest.SEED).build();
        for (String loop : new String[] {"on", "off"}) {
            SystemProperty.run(MemNetLoopSetting.PROPERTY, loop, () -> MemNetCudaGpuTest.assertMatchesFloat64Cpu(
                    options, new int[] {steps, batch, inputs}, new int[] {steps, batch, outputs}, " (loop " + loop + ")"));
        }
    }

    /**
     * Streaming: a forward's final state continued by {@code extra} steps of {@link MemNet#step} (one launch a
     * step), then a free-running {@link MemNet#generate}, both loops against the float64 CPU layer; covers states
     * before and after the ring wraps, and masking.
     */
    @ParameterizedTest(name = "prefix={0} extra={1} M={2} masked={3} d_k={4}")
    @CsvSource({"3, 6, 4, false, 4", "9, 5, 4, true, 6", "1, 3, 8, false, 32", "20, 4, 64, false, 8",
            "250, 10, 256, false, 8"})   // the ring of the most slots wraps during the steps
    void streamingStepsMatchTheFloat64Cpu(int prefix, int extra, int slots, boolean masked, int keySize) {
        MemNetOptions options = MemNetOptions.builder(2, 2).keySize(keySize).valueSize(keySize + 1).slots(slots)
                .maskEmptySlots(masked).scale(0.7).seed(21).build();
        int batch = 3;
        Tensor x = MemNetCudaGpuTest.random(9, prefix + extra, batch, 2);
        Map<String, Tensor> ref = streamed(options, dev.mnemo.nn.CpuBackend.float64(), x, prefix);
        for (String loop : new String[] {"on", "off"}) {
            Map<String, Tensor> got = SystemProperty.with(MemNetLoopSetting.PROPERTY, loop,
                    () -> streamed(options, CudaBackend.float32(), x, prefix));
            for (String name : ref.keySet()) {
                double err = RecurrentCudaGpuTest.relError(got.get(name), ref.get(name));
                assertTrue(err <= 1e-5, name + " (loop " + loop + "): CUDA error " + err + " against the float64 CPU");
            }
        }
    }

    /** Every step's y, the final state and a 7-step generate of a fresh layer on {@code be} (results on the host). */
    private static Map<String, Tensor> streamed(MemNetOptions options, dev.mnemo.nn.Backend be, Tensor x, int prefix) {
        MemNet layer = new MemNet(options, be);
        if (be != dev.mnemo.nn.CpuBackend.float64()) {   // the float64 reference's weights, rounded to float32
            be.copy(new MemNet(options, dev.mnemo.nn.CpuBackend.float64()).flatParameters(), layer.flatParameters());
        }
        layer.setTraining(false);
        dev.mnemo.nn.layers.MemNetState state = layer.forward(be.copyOf(x.slice(0, prefix))).finalState();
        Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        for (int t = prefix; t < x.dim(0); t++) {
            m.put("y " + t, MemNetCudaGpuTest.host(layer.step(be.copyOf(x.select(t)), state)));
        }
        m.put("h", MemNetCudaGpuTest.host(state.h()));
        m.put("c", MemNetCudaGpuTest.host(state.c()));
        m.put("keys", MemNetCudaGpuTest.host(state.keys()));
        m.put("values", MemNetCudaGpuTest.host(state.values()));
        m.put("generate", MemNetCudaGpuTest.host(layer.generate(be.copyOf(x), 7)));
        return m;
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
    @CsvSource({"8, 32, true", "64, 16, true", "256, 16, true", "257, 16, false", "8, 256, false"})
    void oneLaunchEachWayWhereTheCellFits(int slots, int keySize, boolean fits) {
        EmulatorCallCensus census = EmulatorCallCensus.assumeOpen();
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

    /** On the emulated driver: a streaming step is one launch, a generate one more. */
    @Test
    void aStreamingStepIsOneLaunch() {
        EmulatorCallCensus census = EmulatorCallCensus.assumeOpen();
        CudaBackend gpu = CudaBackend.float32();
        MemNet layer = new MemNet(MemNetOptions.builder(1, 1).seed(4).build(), gpu);
        layer.setTraining(false);
        dev.mnemo.nn.layers.MemNetState state = layer.initialState(3);
        Tensor xT = gpu.copyOf(MemNetCudaGpuTest.random(10, 3, 1));
        gpu.release(layer.step(xT, state));
        gpu.synchronize();
        census.reset();
        gpu.release(layer.step(xT, state));
        gpu.synchronize();
        Map<String, Long> counts = census.counts();
        assertEquals(1L, counts.getOrDefault("launch:mnemo_memnet_stream_f32", 0L), counts.toString());
        assertEquals(1L, counts.getOrDefault("cuLaunchKernel", 0L), "the step's only launch: " + counts);
        assertEquals(2L, state.steps());
    }
}
