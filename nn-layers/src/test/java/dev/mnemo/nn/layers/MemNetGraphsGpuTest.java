package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaAssume;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.EmulatorCallCensus;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MemNet's step loops recorded in CUDA Graphs ({@link MemNetGraphs}) at 300 slots, past the one-launch
 * kernels: bit for bit the eager loop's across calls whose dropout masks differ ({@link MemNetGraphsCheck}),
 * and on the emulated driver a replayed call is one graph launch each way; likewise the streaming step once
 * its ring is full ({@link MemNetStepGraph}, {@link MemNetStepGraphCheck}).
 */
@Tag("gpu")
class MemNetGraphsGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    @Test
    void recordedLoopsMatchTheEagerLoopsBitForBit() {
        assertEquals(8, MemNetGraphsCheck.run(gpu, 1));
        assertEquals(4, MemNetGraphsCheck.run(gpu, 2));
    }

    @Test
    void recordedStreamingStepsMatchTheEagerStepsBitForBit() {
        MemNetStepGraphCheck.run(gpu, 1);
        MemNetStepGraphCheck.run(gpu, 2);
    }

    @Test
    void aRecordedStreamingStepRefusesReleasedStateOrWeights() {
        // the graph holds their addresses: a replay wrote into whatever tensor took a released block next
        String[] names = {"h", "c", "keys", "values", "parameters"};
        for (String name : names) {
            MemNet layer = new MemNet(MemNetStepGraphCheck.options(), gpu);
            layer.useStepGraphs(1);
            layer.setTraining(false);
            MemNetState state = layer.initialState(2);
            Tensor x = gpu.copyOf(TestData.uniform(gpu, 3, 1.0, 2, 2));
            for (int t = 0; t < MemNetStepGraphCheck.SLOTS + 2; t++) {
                gpu.release(layer.step(x, state));
            }
            assertTrue(state.stepGraph.recorded(), "recorded before the release");
            Tensor released = switch (name) {
                case "h" -> state.h();
                case "c" -> state.c();
                case "keys" -> state.keys();
                case "values" -> state.values();
                default -> layer.flatParameters();
            };
            gpu.release(released);
            Tensor reuser = gpu.empty((int) released.numel());
            gpu.fill(reuser, 7f);
            var e = assertThrows(IllegalStateException.class, () -> layer.step(x, state), name);
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("released"), e.getMessage());
            float[] kept = reuser.to(Device.CPU).toFloatArray();
            for (float v : kept) {
                assertEquals(7f, v, name + ": the tensor that took the released block was written");
            }
        }
    }

    @Test
    void generatePastTheRingHandsItsRecordingBackEachCall() {
        // generate's state records its full-ring steps; the recording and its buffers stayed held until a GC
        // found the dropped state: device memory in use grew with every call
        MemNet layer = new MemNet(MemNetStepGraphCheck.options(), gpu);
        layer.useStepGraphs(1);
        layer.setTraining(false);
        Tensor prefix = gpu.copyOf(TestData.uniform(gpu, 5, 1.0, MemNetStepGraphCheck.SLOTS + 5, 2, 2));
        // earlier tests' dropped tensors, released first: a GC in the loop below once freed 1.3 MB of them (the
        // order of CI's test classes) and the count fell under the baseline. The baseline follows a call: the
        // reclaim also frees 30 KB that every call leaves in use until the next (emulator, 2026-11-30).
        gpu.reclaimUnreachable();
        gpu.release(layer.generate(prefix, 4));
        gpu.synchronize();
        long inUse = gpu.memoryStats().inUseBytes();
        for (int call = 0; call < 5; call++) {
            gpu.release(layer.generate(prefix, 4));
            gpu.synchronize();
            assertEquals(inUse, gpu.memoryStats().inUseBytes(), "device memory in use after call " + (call + 2));
        }
    }

    @Test
    void aRecordedStreamingStepIsOneGraphLaunch() {
        EmulatorCallCensus census = EmulatorCallCensus.assumeOpen();
        MemNet layer = new MemNet(MemNetStepGraphCheck.options(), gpu);   // auto: the second full step records
        layer.setTraining(false);
        MemNetState state = layer.initialState(2);
        Tensor x = gpu.copyOf(TestData.uniform(gpu, 3, 1.0, 2, 2));
        for (int t = 0; t < MemNetStepGraphCheck.SLOTS + 2; t++) {
            gpu.release(layer.step(x, state));
        }
        gpu.synchronize();
        census.reset();
        gpu.release(layer.step(x, state));
        gpu.synchronize();
        Map<String, Long> counts = census.counts();
        long reads = readLaunches(counts);
        assertEquals(1L, counts.getOrDefault("cuGraphLaunch", 0L), "one replay: " + counts);
        assertEquals(0L, reads, "no read launched outside the graph: " + counts);
    }

    /** Launches of the memory read kernels, outside any graph. */
    private static long readLaunches(Map<String, Long> counts) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith("launch:mnemo_memnet_read"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Test
    void cudaLayersRecordByDefault() {
        assertTrue(new MemNet(MemNetGraphsCheck.options(), gpu).usesStepGraphs());
    }

    @Test
    void aReplayedTrainingCallIsOneGraphLaunchEachWay() {
        EmulatorCallCensus census = EmulatorCallCensus.assumeOpen();
        MemNet layer = new MemNet(MemNetGraphsCheck.options(), gpu);   // auto: records on the second call
        Tensor x = gpu.copyOf(TestData.uniform(gpu, 1, 1.0, 6, 2, 2));
        Tensor dy = gpu.copyOf(TestData.uniform(gpu, 2, 1.0, 6, 2, 3));
        for (int call = 0; call < 3; call++) {
            gpu.synchronize();
            census.reset();
            MemNetOutput out = layer.forward(x);
            layer.backward(out.saved(), dy);
            gpu.synchronize();
            Map<String, Long> counts = census.counts();
            long reads = readLaunches(counts);
            if (call == 2) {
                assertEquals(2L, counts.getOrDefault("cuGraphLaunch", 0L), "replays in " + counts);
                assertEquals(0L, reads, "no read launched outside the graphs: " + counts);
            } else {
                assertEquals(0L, counts.getOrDefault("cuGraphLaunch", 0L), "call " + call + ": " + counts);
                assertTrue(reads >= 2 * 6, "call " + call + " reads " + reads + ": " + counts);
            }
        }
    }
}
