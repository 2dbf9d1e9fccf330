package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import dev.mnemo.nn.layers.RecurrentGradients;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.layers.RecurrentState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a warmed-up recurrent forward + backward asks of the driver, counted by the emulated
 * driver's census ({@link EmulatorCallCensus}; skipped on a real GPU, which has none). On a GPU a
 * {@code cuMemAlloc} costs microseconds to milliseconds of host time, and a synchronizing call
 * stalls the host until the device drains: either would put a floor under every call that no output
 * comparison notices. A loop that releases each call's saved and results
 * ({@link dev.mnemo.nn.layers.RecurrentSaved#release}, {@link CudaBackend#release}) must reuse the
 * allocator's blocks and never wait.
 */
@Tag("gpu")
class HostCallCensusGpuTest {
    /** Entry points that wait for the device, or allocate or free device memory. */
    static final List<String> STALLS = List.of("cuMemAlloc_v2", "cuMemFree_v2", "cuCtxSynchronize",
            "cuStreamSynchronize", "cuEventSynchronize", "cuMemcpyHtoD_v2", "cuMemcpyDtoH_v2", "cuMemcpyDtoD_v2",
            "cuMemsetD32_v2");
    /** Entry points whose answers a warmed-up call should have cached. */
    static final List<String> LOOKUPS = List.of("cuModuleGetFunction", "cuFuncGetAttribute", "cuFuncSetAttribute",
            "cuOccupancyMaxActiveBlocksPerMultiprocessor", "cuOccupancyMaxActiveClusters", "cuDeviceGetAttribute");

    EmulatorCallCensus census;
    CudaBackend gpu;

    @BeforeEach
    void assumeEmulator() {
        CudaAssume.available();
        census = EmulatorCallCensus.assumeOpen();
        gpu = CudaBackend.float32();
    }

    @ParameterizedTest(name = "{0} path={1} graphs={2}")
    @CsvSource({"LSTM, per-step, false", "LSTM, per-step, auto", "LSTM, persistent, auto",
            "GRU, per-step, false", "GRU, per-step, auto", "GRU, persistent, auto",
            "RNN_TANH, per-step, auto", "RNN_TANH, persistent, auto"})
    void aReleasingLoopNeitherAllocatesNorWaits(Kind kind, String path, String graphs) {
        Map<String, Long> counts = SystemProperty.with(RecurrentLayer.GRAPHS_PROPERTY, graphs,
                () -> PersistentRecurrentGpuTest.withPath(path, "auto", () -> censusOfOneCall(kind, true)));
        String where = kind + " path=" + path + " graphs=" + graphs + ": " + counts;
        for (String stall : STALLS) {
            assertEquals(0L, counts.getOrDefault(stall, 0L), stall + " in " + where);
        }
        for (String lookup : LOOKUPS) {
            assertEquals(0L, counts.getOrDefault(lookup, 0L), lookup + " in " + where);
        }
        if (path.equals("persistent")) {
            // the whole sequence in one launch each way (cluster kernels from sm_90, grid kernels before)
            assertEquals(2L, sequenceLaunches(counts), where);
        }
        if (!graphs.equals("false") && path.equals("per-step")) {
            assertEquals(2L, counts.getOrDefault("cuGraphLaunch", 0L), "one replay each way in " + where);
        }
    }

    /**
     * A warmed-up inference asks the driver for no more than the training forward it mirrors: no
     * allocation, no wait, no lookup, and on the persistent path the same one launch (the kernel's
     * saveGates = 0 is the only difference). The benchmark's first H200 run of infer had RNN pixel
     * MNIST 0.3 ms slower than the training forward; this pins the host side out of that.
     */
    @ParameterizedTest(name = "{0} path={1}")
    @CsvSource({"RNN_TANH, persistent", "LSTM, persistent", "GRU, persistent", "RNN_TANH, per-step",
            "LSTM, per-step"})
    void anInferenceAsksNoMoreThanTheTrainingForward(Kind kind, String path) {
        Map<String, Long> infer = PersistentRecurrentGpuTest.withPath(path, "auto", () -> censusOfOneForward(kind, false));
        Map<String, Long> train = PersistentRecurrentGpuTest.withPath(path, "auto", () -> censusOfOneForward(kind, true));
        for (String call : STALLS) {
            assertEquals(0L, infer.getOrDefault(call, 0L), call + " in infer: " + infer);
        }
        for (String call : LOOKUPS) {
            assertEquals(0L, infer.getOrDefault(call, 0L), call + " in infer: " + infer);
        }
        long inferCalls = infer.values().stream().mapToLong(Long::longValue).sum();
        long trainCalls = train.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(inferCalls <= trainCalls, "infer " + infer + " against forward " + train);
        if (path.equals("persistent")) {
            assertEquals(1L, sequenceLaunches(infer), "one sequence launch: " + infer);
        }
    }

    /**
     * Launches of persistent whole-sequence kernels, the cluster and grid ones checked to be all the cluster and
     * cooperative launches there are (the cluster kernels on sm_90 and newer, the grid kernels before); the
     * opt-in wide-block kernels ({@code mnemo.persistent.wide=on}) are ordinary launches.
     */
    static long sequenceLaunches(Map<String, Long> counts) {
        long kernels = launchesStartingWith(counts, "launch:mnemo_persistent_");
        long wide = launchesStartingWith(counts, "launch:mnemo_persistent_wide_");
        long special = counts.getOrDefault("cuLaunchKernelEx", 0L) + counts.getOrDefault("cuLaunchCooperativeKernel", 0L);
        assertEquals(kernels - wide, special, "persistent launches against cluster and cooperative launches: " + counts);
        return kernels;
    }

    private static long launchesStartingWith(Map<String, Long> counts, String prefix) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(Map.Entry::getValue).sum();
    }

    @Test
    void aLoopThatKeepsItsResultsAllocatesOnlyThem() {
        Map<String, Long> counts = PersistentRecurrentGpuTest.withPath("persistent", "auto",
                () -> censusOfOneCall(Kind.LSTM, false));
        // at most output, h_n, c_n, dx, dh_0, dc_0 (some may take blocks of the released traces): the
        // traces and the backward's scratch come from the cache
        long allocations = counts.getOrDefault("cuMemAlloc_v2", 0L);
        assertTrue(allocations <= 6, allocations + " allocations: " + counts);
    }

    @Test
    void aReleasedSavedRefusesBackwardAndAReleasedTensorRefusesUse() {
        var options = RecurrentOptions.builder(4, 16).seed(RecurrentCudaGpuTest.SEED).build();
        RecurrentLayer layer = RecurrentCudaGpuTest.layer(Kind.LSTM, options, gpu);
        RecurrentOutput out = layer.forward(gpu.copyOf(RecurrentCudaGpuTest.random(1, 3, 2, 4)), null);
        out.saved().release();
        out.saved().release();   // a no-op
        var e = assertThrows(IllegalStateException.class, () -> layer.backward(out.saved(), null, null));
        assertTrue(e.getMessage().contains("saved was released"), e.getMessage());

        Tensor y = out.output();
        gpu.release(y);
        gpu.release(y);          // a no-op
        var use = assertThrows(IllegalStateException.class, () -> gpu.scale(y, 2.0));
        assertTrue(use.getMessage().contains("was released"), use.getMessage());
        Tensor whole = gpu.zeros(4, 3);
        var slice = assertThrows(IllegalArgumentException.class, () -> gpu.release(whole.select(1)));
        assertTrue(slice.getMessage().contains("not a view"), slice.getMessage());
        gpu.release(whole.reshape(12));   // a reshape covers the whole storage
    }

    @Test
    void aSplitMemnetReadIsOneLaunchAndNothingElse() {
        // 4 rows of 3 splits: the split kernel's last block of each row merges it (the counters are zero from
        // the first read on: no memset after it)
        assertEquals(Map.of("cuLaunchKernel", 1L, "launch:mnemo_memnet_read_fwd_split_f32", 1L),
                censusOfSecondRead(4, 300, 8));
        // the merge kernel brings the second launch back
        assertEquals(Map.of("cuLaunchKernel", 2L, "launch:mnemo_memnet_read_fwd_split_f32", 1L,
                "launch:mnemo_memnet_read_fwd_merge_f32", 1L), dev.mnemo.nn.SystemProperty.with(
                        MemnetMergeSetting.PROPERTY, "kernel", () -> censusOfSecondRead(4, 300, 8)));
    }

    @Test
    void aOneSplitMemnetReadIsOneLaunch() {
        // 130 rows: the plan's 128 blocks give each row one split, which its block finishes
        assertEquals(Map.of("cuLaunchKernel", 1L, "launch:mnemo_memnet_read_fwd_split_f32", 1L),
                censusOfSecondRead(130, 200, 8));
    }

    /**
     * The census of the second forward read of a dense [b, n, d] memory (the first sizes the split workspace),
     * less cuCtxGetCurrent, a host-only question the driver answers from the thread (each call into the driver
     * asks it first, so that another library's context switch cannot redirect Mnemo's work): at most 3 a launch
     * (the module's and the stream's checks among them), not one per argument (46 when every address asked).
     */
    private Map<String, Long> censusOfSecondRead(int b, int n, int d) {
        Tensor q = gpu.copyOf(RecurrentCudaGpuTest.random(1, b * d));
        Tensor k = gpu.copyOf(RecurrentCudaGpuTest.random(2, b * n * d));
        Tensor v = gpu.copyOf(RecurrentCudaGpuTest.random(3, b * n * d));
        var read = new Backend.MemoryRead(b, n, 0, d, d, 0.3, new Backend.Strided(q, 0, d, 0),
                new Backend.Strided(k, 0, (long) n * d, d), new Backend.Strided(v, 0, (long) n * d, d));
        Tensor c = gpu.zeros(b, d);
        Tensor lse = gpu.zeros(b);
        gpu.reclaimUnreachable();   // earlier tests' graphs and tensors: closed now, not in a counted call
        gpu.memoryReadForward(read, c, lse);
        census.reset();
        gpu.memoryReadForward(read, c, lse);
        Map<String, Long> counts = new java.util.TreeMap<>(census.counts());
        long asked = counts.getOrDefault("cuCtxGetCurrent", 0L);
        assertTrue(asked <= 3 * counts.getOrDefault("cuLaunchKernel", 0L), asked + " cuCtxGetCurrent calls: " + counts);
        counts.remove("cuCtxGetCurrent");
        return counts;
    }

    /**
     * The census of the fifth forward ({@code training}) or infer of a fresh layer, T 6, B 3, I 4,
     * H 16, each call releasing its saved, output and state.
     */
    Map<String, Long> censusOfOneForward(Kind kind, boolean training) {
        var options = RecurrentOptions.builder(4, 16).bias(true).seed(RecurrentCudaGpuTest.SEED).build();
        RecurrentLayer layer = RecurrentCudaGpuTest.layer(kind, options, gpu);
        Tensor x = gpu.copyOf(RecurrentCudaGpuTest.random(1, 6, 3, 4));
        Runnable call = () -> {
            RecurrentOutput out = training ? layer.forward(x, (RecurrentState) null) : layer.infer(x, null);
            out.saved().release();
            for (Tensor t : new Tensor[] {out.output(), out.state().h(), out.state().c()}) {
                if (t != null) {
                    gpu.release(t);
                }
            }
        };
        return censusOfFifth(call);
    }

    /** Clipping on the device queues its launches and waits for nothing (the blocking form reads the norm back). */
    @Test
    void clippingOnTheDeviceWaitsForNothing() {
        List<Tensor> grads = List.of(gpu.copyOf(RecurrentCudaGpuTest.random(1, 5000)),
                gpu.copyOf(RecurrentCudaGpuTest.random(2, 300)));
        Map<String, Long> counts = censusOfFifth(() -> gpu.release(
                dev.mnemo.nn.optim.GradientClipping.clipGlobalNormOnDevice(grads, 0.5)));
        assertNoStalls("clipGlobalNormOnDevice", counts);
        assertEquals(4L, counts.getOrDefault("cuLaunchKernel", 0L), "two passes per buffer: " + counts);
    }

    /**
     * A packed (variable-length) training call, warmed up: no allocation, no wait. Its lengths and its
     * gathers' row orders go to the device only when they change (it made five synchronous uploads of
     * its lengths per call, and one per gather into or out of the sorted order).
     */
    @ParameterizedTest(name = "{0} path={1}")
    @CsvSource({"LSTM, per-step", "GRU, per-step", "LSTM, persistent", "GRU, persistent"})
    void aPackedTrainingLoopNeitherAllocatesNorWaits(Kind kind, String path) {
        Map<String, Long> counts = PersistentRecurrentGpuTest.withPath(path, "auto", () -> {
            var options = RecurrentOptions.builder(4, 16).bias(true).seed(RecurrentCudaGpuTest.SEED).build();
            RecurrentLayer layer = RecurrentCudaGpuTest.layer(kind, options, gpu);
            Tensor x = gpu.copyOf(RecurrentCudaGpuTest.random(1, 6, 3, 4));
            Tensor dy = gpu.copyOf(RecurrentCudaGpuTest.random(2, 6, 3, 16));
            int[] lengths = {4, 6, 2};   // unsorted: the gathers into sorted order and back upload indices
            return censusOfFifth(() -> {
                RecurrentOutput out = layer.forward(x, null, lengths);
                RecurrentGradients g = layer.backward(out.saved(), dy, null);
                out.saved().release();
                for (Tensor t : new Tensor[] {out.output(), out.state().h(), out.state().c(), g.dx(), g.dState().h(),
                        g.dState().c()}) {
                    if (t != null) {
                        gpu.release(t);
                    }
                }
            });
        });
        String where = kind + " packed, path=" + path + ": " + counts;
        for (String stall : STALLS) {
            assertEquals(0L, counts.getOrDefault(stall, 0L), stall + " in " + where);
        }
        for (String lookup : LOOKUPS) {
            assertEquals(0L, counts.getOrDefault(lookup, 0L), lookup + " in " + where);
        }
    }

    /**
     * The census of the fifth call (forward, backward, release of the saved) of a fresh layer, T 6,
     * B 3, I 4, H 16; {@code releaseResults}: each call also releases its output, state and gradients.
     */
    Map<String, Long> censusOfOneCall(Kind kind, boolean releaseResults) {
        int steps = 6;
        int batch = 3;
        var options = RecurrentOptions.builder(4, 16).bias(true).seed(RecurrentCudaGpuTest.SEED).build();
        RecurrentLayer layer = RecurrentCudaGpuTest.layer(kind, options, gpu);
        Tensor x = gpu.copyOf(RecurrentCudaGpuTest.random(1, steps, batch, 4));
        Tensor dy = gpu.copyOf(RecurrentCudaGpuTest.random(2, steps, batch, 16));
        Runnable call = () -> {
            RecurrentOutput out = layer.forward(x, (RecurrentState) null);
            RecurrentGradients g = layer.backward(out.saved(), dy, null);
            out.saved().release();
            if (releaseResults) {
                for (Tensor t : new Tensor[] {out.output(), out.state().h(), out.state().c(), g.dx(), g.dState().h(),
                        g.dState().c()}) {
                    if (t != null) {
                        gpu.release(t);
                    }
                }
            }
        };
        return censusOfFifth(call);
    }

    /**
     * MemNet hands its scratch back as the recurrent layers do: a warmed-up training call (forward,
     * backward, release), a streaming step and a free-running continuation that release what they
     * return reuse the allocator's blocks. Before, each took new blocks (3.9 MB a step at T 64, B 64)
     * until a collection ran.
     */
    @ParameterizedTest(name = "batchFirst={0}")
    @CsvSource({"false", "true"})
    void aReleasingMemnetLoopNeitherAllocatesNorWaits(boolean batchFirst) {
        var layer = new dev.mnemo.nn.layers.MemNet(dev.mnemo.nn.layers.MemNetOptions.builder(3, 2).keySize(4)
                .valueSize(4).slots(3).dropout(0.2).batchFirst(batchFirst).build(), gpu);
        int steps = 5;
        int batch = 2;
        int[] shape = batchFirst ? new int[] {batch, steps, 3} : new int[] {steps, batch, 3};
        int[] outShape = batchFirst ? new int[] {batch, steps, 2} : new int[] {steps, batch, 2};
        Tensor x = gpu.copyOf(RecurrentCudaGpuTest.random(3, shape));
        Tensor dy = gpu.copyOf(RecurrentCudaGpuTest.random(4, outShape));
        assertNoStalls("MemNet training", censusOfFifth(() -> {
            var out = layer.forward(x);
            Tensor dx = layer.backward(out.saved(), dy);
            out.saved().release();
            gpu.release(out.output());
            gpu.release(dx);
        }));
        var state = layer.initialState(batch);
        Tensor xT = gpu.copyOf(RecurrentCudaGpuTest.random(5, batch, 3));
        assertNoStalls("MemNet step", censusOfFifth(() -> gpu.release(layer.step(xT, state))));

        var square = new dev.mnemo.nn.layers.MemNet(dev.mnemo.nn.layers.MemNetOptions.builder(2, 2).slots(3)
                .batchFirst(batchFirst).build(), gpu);
        Tensor prefix = gpu.copyOf(RecurrentCudaGpuTest.random(6, batchFirst ? new int[] {batch, 4, 2}
                : new int[] {4, batch, 2}));
        assertNoStalls("MemNet generate", censusOfFifth(() -> gpu.release(square.generate(prefix, 3))));
    }

    private static void assertNoStalls(String what, Map<String, Long> counts) {
        for (String stall : STALLS) {
            assertEquals(0L, counts.getOrDefault(stall, 0L), stall + " in " + what + ": " + counts);
        }
    }

    /** The census of {@code call}'s fifth run: four to warm up, the device drained, then one counted. */
    private Map<String, Long> censusOfFifth(Runnable call) {
        gpu.reclaimUnreachable();   // earlier tests' graphs and tensors: closed now, not in a counted call
        for (int i = 0; i < 4; i++) {
            call.run();
        }
        gpu.synchronize();
        census.reset();
        call.run();
        Map<String, Long> counts = census.counts();
        gpu.synchronize();
        return counts;
    }
}
