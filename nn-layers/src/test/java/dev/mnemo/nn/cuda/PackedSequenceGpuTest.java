package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import dev.mnemo.nn.layers.RecurrentGradients;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import dev.mnemo.nn.layers.RecurrentState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Variable-length batches ({@link RecurrentLayer#forward(Tensor, RecurrentState, int[])}) on CUDA:
 * forward and every gradient against the float32 and float64 CPU with {@link RecurrentCudaGpuTest}'s
 * tolerance, and the padded steps of the output and of ∂L/∂x exactly 0 (device memory is never zeroed
 * for them); a released packed pass hands back all it took; with CUDA Graphs a packed call records
 * and replays loops of its own (every row computed, finished rows carried), never the unpacked calls'
 * recordings, with the eager packed loop's results to float32 rounding; and under a policy that
 * puts its shape on a persistent kernel (cooperative grid or cluster), it runs there with the
 * lengths, one launch per layer direction each way, and gives the per-step packed loop's results to
 * float32 rounding, with exactly 0 at the padded steps. Where the emulated driver keeps a call
 * census, the tests also check which launches a call made.
 */
@Tag("gpu")
class PackedSequenceGpuTest {
    static final int STEPS = 7;
    /** B = 6: unsorted, repeated, with 1 and T. */
    static final int[] LENGTHS = {4, 7, 1, 7, 5, 2};
    /** B = 6, every row short of T: the last step runs no row. */
    static final int[] SHORT = {3, 1, 6, 2, 6, 1};
    static final int INPUT = 5;
    static final int HIDDEN = 8;

    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (boolean batchFirst : new boolean[] {false, true}) {
                out.add(Arguments.of(kind, 2, true, batchFirst, true, LENGTHS));
            }
            out.add(Arguments.of(kind, 2, false, false, false, SHORT));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} layers={1} bidir={2} batchFirst={3} state={4} lengths={5}")
    @MethodSource("cases")
    void cudaMatchesCpu(Kind kind, int layers, boolean bidirectional, boolean batchFirst, boolean withState,
                        int[] lengths) {
        Map<String, Tensor> g = RecurrentCudaGpuTest.compare(gpu, kind, STEPS, lengths.length, INPUT, HIDDEN, true,
                layers, bidirectional, batchFirst, withState, 0.0, 1e-5, 2.0, lengths);
        assertZeroWherePadded("output", g.get("output"), batchFirst, lengths);
        assertZeroWherePadded("dx", g.get("dx"), batchFirst, lengths);
    }

    /** A released packed forward and backward, each time after the first, leaves the bytes in use where they were. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void aReleasedPackedPassHandsBackAllItTook(Kind kind) {
        RecurrentLayer layer = layer(kind, true);
        Inputs in = inputs(kind, true);
        for (int call = 0; call < 3; call++) {
            gpu.reclaimUnreachable();   // earlier calls' garbage, so it cannot drop mid-measurement
            long before = DeviceMemoryInUse.bytes(gpu);
            RecurrentOutput out = layer.forward(in.x, in.state, LENGTHS);
            RecurrentGradients g = layer.backward(out.saved(), in.dy, in.dState);
            out.saved().release();
            for (Tensor t : new Tensor[] {out.output(), out.state().h(), out.state().c(), g.dx(), g.dState().h(),
                    g.dState().c()}) {
                if (t != null) {
                    gpu.release(t);
                }
            }
            if (call > 0) {   // the first may make what lasts (cuBLAS workspace, cached plans)
                assertEquals(before, DeviceMemoryInUse.bytes(gpu), "bytes in use after released packed pass " + call);
            }
        }
    }

    /**
     * With graphs recording every shape on its first call, unpacked calls of the packed call's shape
     * record and replay their loops, and packed calls record and replay loops of their own, which
     * run every row and carry the finished ones: their results are the eager packed loop's to
     * float32 rounding, for other lengths of the same shape too (one recording serves them), and an
     * unpacked forward in a lent trace keeps its values across a packed pass.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void packedCallsRecordAndReplayLoopsOfTheirOwn(Kind kind) {
        SystemProperty.with(RecurrentLayer.GRAPHS_PROPERTY, "true",
                () -> PersistentRecurrentGpuTest.withPath("per-step", "auto", () -> {
                    RecurrentLayer recording = layer(kind, false);
                    RecurrentLayer eager = layer(kind, false);
                    eager.setStepGraphs(false);
                    assertTrue(recording.usesStepGraphs());
                    Inputs in = inputs(kind, false);
                    Optional<EmulatorCallCensus> census = EmulatorCallCensus.open();

                    for (int call = 0; call < 2; call++) {   // records, then replays
                        boolean replay = call > 0;
                        assertSameBits(pass(eager, in, null), censused(census, "unpacked call " + call,
                                c -> !replay || c.getOrDefault("cuGraphLaunch", 0L) > 0,
                                () -> pass(recording, in, null)), "unpacked call " + call);
                    }
                    Map<String, float[]> packed = pass(eager, in, LENGTHS);
                    for (int call = 0; call < 2; call++) {   // records its own loops, then replays them
                        boolean replay = call > 0;
                        assertClose(packed, censused(census, "packed call " + call,
                                c -> persistentLaunches(c) == 0 && (!replay || c.getOrDefault("cuGraphLaunch", 0L) > 0),
                                () -> pass(recording, in, LENGTHS)), "packed call " + call);
                    }
                    assertClose(pass(eager, in, SHORT), censused(census, "packed call, other lengths",
                            c -> persistentLaunches(c) == 0 && c.getOrDefault("cuGraphLaunch", 0L) > 0,
                            () -> pass(recording, in, SHORT)), "packed call with other lengths");

                    // an unpacked forward in a lent trace, a packed pass, then the unpacked backward
                    RecurrentOutput lent = recording.forward(in.x, in.state);
                    assertClose(packed, pass(recording, in, LENGTHS), "packed call while a trace is lent");
                    RecurrentOutput own = eager.forward(in.x, in.state);
                    assertSameBits(backward(eager, own, in), backward(recording, lent, in),
                            "the lent unpacked forward's backward after the packed call");
                    return null;
                }));
    }

    /** Equal to float32 rounding: within 1e-5 of the largest magnitude of each result; exact zeros stay zero. */
    static void assertClose(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((name, e) -> {
            float[] a = actual.get(name);
            assertEquals(e.length, a.length, what + ": " + name);
            double scale = 0;
            for (float v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < e.length; i++) {
                int at = i;
                double bound = e[i] == 0 ? 0 : 1e-5 * Math.max(1, scale);
                assertTrue(Math.abs(e[i] - a[i]) <= bound,
                        () -> what + ": " + name + "[" + at + "] " + a[at] + " against " + e[at]);
            }
        });
    }

    static Stream<Arguments> persistentCases() {
        List<Arguments> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (String variant : new String[] {"grid", "cluster"}) {
                // B = 6: one (b, j) per thread; B = 40: several per thread (the kernels' other loops)
                out.add(Arguments.of(kind, variant, 2, true, LENGTHS));
                out.add(Arguments.of(kind, variant, 1, true, WIDE));
            }
        }
        return out.stream();
    }

    /** B = 40 rows of 1..7 steps in a scrambled order. */
    static final int[] WIDE = java.util.stream.IntStream.range(0, 40).map(b -> 1 + (b * 5 + 3) % STEPS).toArray();

    /**
     * Under a policy that puts the shape on a persistent kernel, a packed call runs there with the
     * lengths: every layer direction is one launch forward and one backward, no graph, and the
     * results are the per-step packed loop's to float32 rounding; 0 stays exactly 0 (the padded steps
     * of the output and of ∂L/∂x).
     */
    @ParameterizedTest(name = "{0} {1} layers={2} bidir={3} lengths={4}")
    @MethodSource("persistentCases")
    void packedCallsRunInThePersistentKernels(Kind kind, String variant, int layers, boolean bidirectional,
                                              int[] lengths) {
        PersistentRecurrentGpuTest.assumeRoom(gpu, kind, STEPS, lengths.length, HIDDEN, variant);
        var options = RecurrentOptions.builder(INPUT, HIDDEN).numLayers(layers).bidirectional(bidirectional)
                .bias(true).seed(RecurrentCudaGpuTest.SEED).build();
        Inputs in = inputs(kind, lengths.length, layers * (bidirectional ? 2 : 1), bidirectional ? 2 : 1, false);
        Map<String, float[]> perStep = SystemProperty.with(RecurrentLayer.GRAPHS_PROPERTY, "false",
                () -> PersistentRecurrentGpuTest.withPath("per-step", variant,
                        () -> pass(RecurrentCudaGpuTest.layer(kind, options, gpu), in, lengths)));
        Optional<EmulatorCallCensus> census = EmulatorCallCensus.open();
        long launches = 2L * layers * (bidirectional ? 2 : 1);
        Map<String, float[]> persistent = SystemProperty.with(RecurrentLayer.GRAPHS_PROPERTY, "false",
                () -> PersistentRecurrentGpuTest.withPath("persistent", variant, () -> censused(census, "packed call",
                        c -> c.getOrDefault("cuGraphLaunch", 0L) == 0 && persistentLaunches(c) == launches,
                        () -> pass(RecurrentCudaGpuTest.layer(kind, options, gpu), in, lengths))));
        assertEquals(perStep.keySet(), persistent.keySet());
        perStep.forEach((name, e) -> {
            float[] a = persistent.get(name);
            double scale = 1;
            for (float v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < e.length; i++) {
                int at = i;
                if (e[i] == 0 && (name.equals("output") || name.equals("dx"))) {
                    assertEquals(0.0f, Math.abs(a[i]), () -> name + "[" + at + "] is 0 on the per-step path");
                } else {
                    assertEquals(e[i], a[i], 1e-5 * scale, () -> name + "[" + at + "]");
                }
            }
        });
    }

    // ---- helpers ----

    /** Two layers, both directions, the shared seed; LSTM, GRU or RNN on the device. */
    RecurrentLayer layer(Kind kind, boolean batchFirst) {
        var options = RecurrentOptions.builder(INPUT, HIDDEN).numLayers(2).bidirectional(true).batchFirst(batchFirst)
                .bias(true).seed(RecurrentCudaGpuTest.SEED).build();
        return RecurrentCudaGpuTest.layer(kind, options, gpu);
    }

    /** x, the initial state, ∂L/∂output and ∂L/∂ final state of a B = 6 batch on the device. */
    record Inputs(Tensor x, RecurrentState state, Tensor dy, RecurrentState dState) {
    }

    Inputs inputs(Kind kind, boolean batchFirst) {
        return inputs(kind, LENGTHS.length, 4, 2, batchFirst);
    }

    /** As above for {@code batch} rows, {@code slices} = layers·directions state slices and {@code dirs} directions. */
    Inputs inputs(Kind kind, int batch, int slices, int dirs, boolean batchFirst) {
        int[] s = {slices, batch, HIDDEN};
        boolean lstm = kind == Kind.LSTM;
        return new Inputs(
                device(RecurrentCudaGpuTest.random(1, batchFirst ? new int[] {batch, STEPS, INPUT}
                        : new int[] {STEPS, batch, INPUT})),
                new RecurrentState(device(RecurrentCudaGpuTest.random(2, s)),
                        lstm ? device(RecurrentCudaGpuTest.random(3, s)) : null),
                device(RecurrentCudaGpuTest.random(4, batchFirst ? new int[] {batch, STEPS, dirs * HIDDEN}
                        : new int[] {STEPS, batch, dirs * HIDDEN})),
                new RecurrentState(device(RecurrentCudaGpuTest.random(5, s)),
                        lstm ? device(RecurrentCudaGpuTest.random(6, s)) : null));
    }

    private Tensor device(Tensor host) {
        return gpu.copyOf(host);
    }

    /** Output, h_n, (c_n), dx, dh_0, (dc_0) and the weight gradients of one forward and backward, on the host. */
    static Map<String, float[]> pass(RecurrentLayer layer, Inputs in, int[] lengths) {
        return backward(layer, layer.forward(in.x, in.state, lengths), in);
    }

    static Map<String, float[]> backward(RecurrentLayer layer, RecurrentOutput out, Inputs in) {
        layer.zeroGradients();
        RecurrentGradients g = layer.backward(out.saved(), in.dy, in.dState);
        Map<String, float[]> m = new LinkedHashMap<>();
        String[] names = {"output", "h_n", "c_n", "dx", "dh0", "dc0", "gradients"};
        Tensor[] results = {out.output(), out.state().h(), out.state().c(), g.dx(), g.dState().h(), g.dState().c(),
                layer.flatGradients()};
        for (int i = 0; i < names.length; i++) {
            if (results[i] != null) {
                m.put(names[i], results[i].to(Device.CPU).toFloatArray());
            }
        }
        return m;
    }

    static void assertSameBits(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((name, e) -> assertArrayEquals(e, actual.get(name), what + ": " + name));
    }

    /**
     * {@code body}'s result; where the emulated driver keeps a census, {@code expect} must hold for
     * the calls {@code body} made (on a real GPU there is none, and only the results are checked).
     */
    static <T> T censused(Optional<EmulatorCallCensus> census, String what,
                          Predicate<Map<String, Long>> expect, Supplier<T> body) {
        census.ifPresent(EmulatorCallCensus::reset);
        T result = body.get();
        census.ifPresent(c -> {
            Map<String, Long> counts = c.counts();
            assertTrue(expect.test(counts), what + ": driver calls " + counts);
        });
        return result;
    }

    static boolean noGraphNorPersistent(Map<String, Long> counts) {
        return counts.getOrDefault("cuGraphLaunch", 0L) == 0 && persistentLaunches(counts) == 0;
    }

    static long persistentLaunches(Map<String, Long> counts) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith("launch:mnemo_persistent"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** Every element of a row's padded steps is exactly 0 (either sign). */
    static void assertZeroWherePadded(String what, Tensor t, boolean batchFirst, int[] lengths) {
        for (int b = 0; b < lengths.length; b++) {
            for (int step = lengths[b]; step < STEPS; step++) {
                for (int j = 0; j < t.dim(2); j++) {
                    double v = batchFirst ? t.get(b, step, j) : t.get(step, b, j);
                    int row = b;
                    int s = step;
                    assertTrue(v == 0, () -> what + " of CUDA at row " + row + ", padded step " + s + ": " + v);
                }
            }
        }
    }

    /**
     * The float32 and tf32 views of a device share one runtime and its lengths workspace: each view
     * once kept its own record of the last upload, so after the tf32 view uploaded its lengths the
     * float32 view skipped its own upload and ran on the other's.
     */
    @org.junit.jupiter.api.Test
    void float32AndTf32ViewsOfOneDeviceKeepTheirOwnLengths() {
        CudaBackend f32 = CudaBackend.float32();
        CudaBackend tf32 = CudaBackend.tf32();
        var options = RecurrentOptions.builder(INPUT, HIDDEN).seed(RecurrentCudaGpuTest.SEED).build();
        int[] ones = {1, 1, 1, 1, 1, 1};
        for (String path : List.of("persistent", "auto")) {
            SystemProperty.with(RecurrentLayer.GRAPHS_PROPERTY, "false", () -> PersistentRecurrentGpuTest.withPath(path,
                    () -> {
                        RecurrentLayer a = RecurrentCudaGpuTest.layer(Kind.RNN_TANH, options, f32);
                        RecurrentLayer b = RecurrentCudaGpuTest.layer(Kind.RNN_TANH, options, tf32);
                        Tensor x = f32.copyOf(RecurrentCudaGpuTest.random(1, STEPS, LENGTHS.length, INPUT));
                        float[] first = a.forward(x, null, LENGTHS).output().to(Device.CPU).toFloatArray();
                        b.forward(x, null, ones);
                        float[] again = a.forward(x, null, LENGTHS).output().to(Device.CPU).toFloatArray();
                        assertArrayEquals(first, again, path + ": the same layer, input and lengths give the same output");
                        return null;
                    }));
        }
    }
}
