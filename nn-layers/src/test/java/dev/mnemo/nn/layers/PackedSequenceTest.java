package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Variable-length batches ({@link RecurrentLayer#forward(Tensor, RecurrentState, int[])}) against what
 * they mean, PyTorch's {@code pack_padded_sequence(enforce_sorted=False)} then {@code pad_packed_sequence}:
 * row b is the one-row sequence of its own length len_b. Forward and backward are compared with per-row
 * runs of the same layer (so the reverse direction must start at len_b − 1, padded steps must give 0
 * output and 0 ∂L/∂x, and ∂L/∂output there must be ignored); gradients with central differences; infer
 * and a batch of full rows bit for bit with the passes they stand for; x at padded steps (noise, NaN, ∞)
 * reaches no result; bad lengths fail before any work.
 * Lengths are unsorted, with repeats, with 1, and with T or all below T. Float64 CPU; every case builds
 * its own layer, so they run concurrently.
 */
@Execution(ExecutionMode.CONCURRENT)
class PackedSequenceTest {

    private static final Backend BE = CpuBackend.float64();
    private static final int STEPS = 6;
    private static final int INPUT = 3;
    private static final int HIDDEN = 4;
    /** Unsorted, repeated, with 1 and T = 6. */
    private static final int[] WITH_FULL = {3, 6, 1, 6, 4};
    /** No row runs all 6 steps: at the last step no row is running at all. */
    private static final int[] NONE_FULL = {2, 5, 1, 5, 3};
    /** Float64 per-row runs differ from the packed one only in summation order. */
    private static final double TOL = 1e-12;

    // ---- forward and backward: each row as its own sequence ----

    static Stream<Arguments> referenceCases() {
        List<Arguments> out = new ArrayList<>();
        for (Cell cell : Cell.values()) {
            for (int layers = 1; layers <= 2; layers++) {
                for (boolean bidir : new boolean[] {false, true}) {
                    for (boolean batchFirst : new boolean[] {false, true}) {
                        for (boolean withState : new boolean[] {true, false}) {
                            for (int[] lengths : new int[][] {WITH_FULL, NONE_FULL}) {
                                out.add(Arguments.of(cell, layers, bidir, batchFirst, withState, lengths));
                            }
                        }
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} layers={1} bidir={2} batchFirst={3} state={4} lengths={5}")
    @MethodSource("referenceCases")
    void eachRowIsItsOwnSequenceForwardAndBackward(Cell cell, int layers, boolean bidirectional, boolean batchFirst,
                                                   boolean withState, int[] lengths) {
        long seed = cell.ordinal() * 1000L + layers * 100L + (bidirectional ? 40 : 0) + (batchFirst ? 20 : 0)
                + (withState ? 10 : 0) + lengths[0];
        RecurrentLayer l = layer(cell, layers, bidirectional, batchFirst, 0, seed, BE);
        int batch = lengths.length;
        Tensor x = TestData.uniform(BE, seed + 1, 1.0, shape(batchFirst, STEPS, batch, INPUT));
        RecurrentState state = withState ? randomState(l, seed + 2, 0.5, batch) : null;
        // nonzero at the padded steps too: the packed backward must ignore it there
        Tensor dy = TestData.uniform(BE, seed + 4, 1.0, shape(batchFirst, STEPS, batch, outputWidth(l)));
        RecurrentState dState = randomState(l, seed + 5, 1.0, batch);
        int[] given = lengths.clone();

        l.zeroGradients();
        RecurrentOutput packed = l.forward(x, state, lengths);
        RecurrentGradients g = l.backward(packed.saved(), dy, dState);
        Map<String, double[]> packedGradients = gradients(l);
        assertArrayEquals(given, lengths, "the caller's lengths stay as they were");

        l.zeroGradients();   // from here the parameter gradients sum the rows' backwards
        for (int b = 0; b < batch; b++) {
            int len = lengths[b];
            RecurrentOutput row = l.forward(rowPrefix(x, batchFirst, b, len), stateRow(state, b));
            RecurrentGradients rg = l.backward(row.saved(), rowPrefix(dy, batchFirst, b, len), stateRow(dState, b));
            String r = "row " + b + " (length " + len + ") ";
            assertRowOfSequence(r + "output", row.output(), packed.output(), batchFirst, b, len);
            assertRowOfSequence(r + "dx", rg.dx(), g.dx(), batchFirst, b, len);
            assertRowOfState(r + "h_n", row.state().h(), packed.state().h(), b);
            assertRowOfState(r + "dh0", rg.dState().h(), g.dState().h(), b);
            if (cell.hasCellState()) {
                assertRowOfState(r + "c_n", row.state().c(), packed.state().c(), b);
                assertRowOfState(r + "dc0", rg.dState().c(), g.dState().c(), b);
            }
        }
        gradients(l).forEach((name, rowSum) -> assertArrayEquals(rowSum, packedGradients.get(name), TOL,
                name + " gradient: the sum of the rows' own backwards"));
    }

    /**
     * Row b of a packed sequence result equals the row's own run at its steps ({@code len}) and is
     * exactly 0 (either sign) at the padded ones.
     */
    private static void assertRowOfSequence(String what, Tensor own, Tensor packed, boolean batchFirst, int b, int len) {
        for (int t = 0; t < packed.dim(batchFirst ? 1 : 0); t++) {
            for (int j = 0; j < packed.dim(2); j++) {
                double got = at(packed, batchFirst, t, b, j);
                int step = t;
                int col = j;
                Supplier<String> where = () -> what + " at step " + step + ", column " + col;
                if (t < len) {
                    assertEquals(at(own, batchFirst, t, 0, j), got, TOL, where);
                } else {
                    assertTrue(got == 0, () -> where.get() + ": padded, must be 0, got " + got);
                }
            }
        }
    }

    /** Row b of a packed state [L·D, B, H] equals the row's own [L·D, 1, H]. */
    private static void assertRowOfState(String what, Tensor own, Tensor packed, int b) {
        for (int s = 0; s < packed.dim(0); s++) {
            for (int j = 0; j < packed.dim(2); j++) {
                assertEquals(own.get(s, 0, j), packed.get(s, b, j), TOL, what + " at slice " + s + ", column " + j);
            }
        }
    }

    // ---- central differences ----

    static Stream<Arguments> gradCheckCases() {
        // T = 5: with 1 and T; repeats; every row short of T
        int[][] patterns = {{2, 5, 1}, {5, 3, 3, 1}, {1, 4, 2}};
        List<Arguments> out = new ArrayList<>();
        int n = 0;
        for (Cell cell : Cell.values()) {
            for (int layers = 1; layers <= 2; layers++) {
                for (boolean bidir : new boolean[] {false, true}) {
                    for (boolean batchFirst : new boolean[] {false, true}) {
                        out.add(Arguments.of(cell, layers, bidir, batchFirst, n % 2 == 0, 0.0, patterns[n % 3]));
                        n++;
                    }
                }
            }
            // dropout between the layers: GradCheck reseeds it, so every evaluation has the same mask
            out.add(Arguments.of(cell, 2, cell.ordinal() % 2 == 0, cell.ordinal() >= 2, true, 0.3, patterns[1]));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} layers={1} bidir={2} batchFirst={3} state={4} dropout={5} lengths={6}")
    @MethodSource("gradCheckCases")
    void gradientsMatchFiniteDifferences(Cell cell, int layers, boolean bidirectional, boolean batchFirst,
                                         boolean withState, double dropout, int[] lengths) {
        long seed = 50_000 + cell.ordinal() * 1000L + layers * 100L + (bidirectional ? 40 : 0) + (batchFirst ? 20 : 0)
                + lengths.length;
        RecurrentLayer l = layer(cell, layers, bidirectional, batchFirst, dropout, seed, BE);
        Tensor x = TestData.uniform(BE, seed + 11, 1.0, shape(batchFirst, 5, lengths.length, INPUT));
        RecurrentState state = withState ? randomState(l, seed + 12, 0.5, lengths.length) : null;
        new GradCheck(l, x, state, lengths, seed).run();
    }

    // ---- bit for bit: infer, full rows, unread padding ----

    static Stream<Arguments> cellsBidirectionalAndPrecision() {
        List<Arguments> out = new ArrayList<>();
        for (Cell cell : Cell.values()) {
            for (boolean bidir : new boolean[] {false, true}) {
                for (boolean float64 : new boolean[] {true, false}) {
                    out.add(Arguments.of(cell, bidir, float64));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} bidir={1} float64={2}")
    @MethodSource("cellsBidirectionalAndPrecision")
    void inferGivesThePackedForwardsOutputAndStateBitForBit(Cell cell, boolean bidirectional, boolean float64) {
        Backend be = float64 ? BE : CpuBackend.float32();
        boolean batchFirst = bidirectional != float64;
        RecurrentLayer l = layer(cell, 2, bidirectional, batchFirst, 0.3, 17, be);
        int[] lengths = WITH_FULL;
        Tensor x = TestData.uniform(be, 1, 1.0, shape(batchFirst, STEPS, lengths.length, INPUT));
        RecurrentState state = randomState(l, 2, 0.5, lengths.length);

        l.seedDropout(5);
        RecurrentOutput trained = l.forward(x, state, lengths);
        l.seedDropout(5);   // the same masks: dropout follows the training flag in both
        RecurrentOutput inferred = l.infer(x, state, lengths);

        assertFalse(inferred.saved().keepsActivations());
        assertArrayEquals(trained.output().shape(), inferred.output().shape());
        assertSameBits(results(trained), results(inferred), "infer against forward");
    }

    @ParameterizedTest(name = "{0} bidir={1} float64={2}")
    @MethodSource("cellsBidirectionalAndPrecision")
    void fullLengthsAreTheOrdinaryPassBitForBit(Cell cell, boolean bidirectional, boolean float64) {
        Backend be = float64 ? BE : CpuBackend.float32();
        boolean batchFirst = bidirectional == float64;
        RecurrentLayer l = layer(cell, 2, bidirectional, batchFirst, 0.3, 23, be);
        int batch = 4;
        int[] full = {STEPS, STEPS, STEPS, STEPS};
        Tensor x = TestData.uniform(be, 1, 1.0, shape(batchFirst, STEPS, batch, INPUT));
        RecurrentState state = randomState(l, 2, 0.5, batch);
        Tensor dy = TestData.uniform(be, 3, 1.0, shape(batchFirst, STEPS, batch, outputWidth(l)));
        RecurrentState dState = randomState(l, 4, 1.0, batch);

        l.seedDropout(9);
        Map<String, double[]> ordinary = pass(l, l.forward(x, state), dy, dState);
        l.seedDropout(9);
        Map<String, double[]> allFull = pass(l, l.forward(x, state, full), dy, dState);
        l.seedDropout(9);
        Map<String, double[]> nullLengths = pass(l, l.forward(x, state, null), dy, dState);
        assertSameBits(ordinary, allFull, "every length T");
        assertSameBits(ordinary, nullLengths, "lengths null");
    }

    static Stream<Arguments> paddings() {
        return Arrays.stream(Cell.values()).flatMap(cell -> Stream.of("noise", "NaN", "Infinity")
                .map(padding -> Arguments.of(cell, padding)));
    }

    /**
     * x at a row's padded steps never reaches any result, in either direction, as under PyTorch's
     * packing (which drops it): overwriting it with other values (large noise, NaN, ∞, as padding
     * from uninitialised memory may hold) changes nothing, bit for bit. A reverse direction that
     * started at T − 1 instead of len_b − 1 would read it; so would a weight gradient that multiplies
     * x there by a zero.
     */
    @ParameterizedTest(name = "{0} padding={1}")
    @MethodSource("paddings")
    void thePaddedStepsOfXAreNeverRead(Cell cell, String padding) {
        boolean batchFirst = cell.ordinal() % 2 == 1;
        RecurrentLayer l = layer(cell, 2, true, batchFirst, 0, 31, BE);
        int[] lengths = WITH_FULL;
        int batch = lengths.length;
        Tensor x = TestData.uniform(BE, 1, 1.0, shape(batchFirst, STEPS, batch, INPUT));
        Tensor other = x.copy();
        Tensor noise = TestData.uniform(BE, 2, 100.0, other.shape());
        for (int b = 0; b < batch; b++) {
            for (int t = lengths[b]; t < STEPS; t++) {
                for (int j = 0; j < INPUT; j++) {
                    set(other, batchFirst, t, b, j, padding.equals("noise") ? at(noise, batchFirst, t, b, j)
                            : Double.parseDouble(padding));
                }
            }
        }
        RecurrentState state = randomState(l, 3, 0.5, batch);
        Tensor dy = TestData.uniform(BE, 4, 1.0, shape(batchFirst, STEPS, batch, outputWidth(l)));
        RecurrentState dState = randomState(l, 5, 1.0, batch);

        assertSameBits(pass(l, l.forward(x, state, lengths), dy, dState),
                pass(l, l.forward(other, state, lengths), dy, dState), padding + " at the padded steps of x");
    }

    // ---- bad lengths ----

    static Stream<Arguments> badLengths() {
        return Stream.of(
                Arguments.of(new int[] {3, 6, 1, 6}, "4"),            // one per row: B = 5
                Arguments.of(new int[] {3, 6, 1, 6, 4, 2}, "6"),
                Arguments.of(new int[] {}, "0"),
                Arguments.of(new int[] {3, 6, 0, 6, 4}, "0"),
                Arguments.of(new int[] {3, -1, 1, 6, 4}, "-1"),
                Arguments.of(new int[] {3, 6, 1, 6, 7}, "7"));         // T + 1
    }

    /**
     * A wrong count or a length outside [1, T] is an IllegalArgumentException naming lengths and the
     * bad value, from forward and infer alike, and the layer asks its backend for nothing first: no
     * buffer, no product, no dropout mask (so neither the gradients nor the dropout stream move).
     */
    @ParameterizedTest(name = "lengths={0}")
    @MethodSource("badLengths")
    void badLengthsFailBeforeAnyWork(int[] lengths, String bad) {
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        Backend spy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    try {
                        return method.invoke(BE, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        RecurrentLayer l = layer(Cell.LSTM, 2, true, false, 0.3, 41, spy);
        Tensor x = TestData.uniform(BE, 1, 1.0, STEPS, 5, INPUT);
        RecurrentState state = randomState(l, 2, 0.5, 5);
        Set<String> bookkeeping = Set.of("device", "dtype", "toString", "hashCode", "equals");
        for (boolean infer : new boolean[] {false, true}) {
            calls.clear();
            var e = assertThrows(IllegalArgumentException.class,
                    () -> {
                        if (infer) {
                            l.infer(x, state, lengths);
                        } else {
                            l.forward(x, state, lengths);
                        }
                    });
            String call = infer ? "infer" : "forward";
            assertTrue(e.getMessage().contains("lengths") && e.getMessage().contains(bad),
                    call + ": the message names lengths and " + bad + ": " + e.getMessage());
            assertEquals(List.of(), calls.stream().filter(c -> !bookkeeping.contains(c)).toList(),
                    call + " asked the backend for work before rejecting lengths " + Arrays.toString(lengths));
        }
    }

    @Test
    void theLastCallsLengthsWithAnotherBatchAreCountedAgain() {
        // the layer keeps the last packing for reuse: the same lengths with an input of another batch
        // skipped the count check and failed in a reshape, after allocating the packed input
        for (boolean infer : new boolean[] {false, true}) {
            RecurrentLayer l = layer(Cell.GRU, 1, false, false, 0.0, 43, BE);
            int[] lengths = {2, 3, 1};
            l.forward(TestData.uniform(BE, 1, 1.0, STEPS, 3, INPUT), null, lengths);
            Tensor wider = TestData.uniform(BE, 2, 1.0, STEPS, 4, INPUT);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> {
                        if (infer) {
                            l.infer(wider, null, lengths);
                        } else {
                            l.forward(wider, null, lengths);
                        }
                    });
            assertEquals("lengths must have one entry per batch row (4), got 3", e.getMessage());
        }
    }

    // ---- helpers ----

    private static RecurrentLayer layer(Cell cell, int layers, boolean bidirectional, boolean batchFirst,
                                        double dropout, long seed, Backend be) {
        var options = cell.options(INPUT, HIDDEN).numLayers(layers).bidirectional(bidirectional)
                .batchFirst(batchFirst).dropout(dropout).seed(seed).build();
        return cell.create(options, be);
    }

    private static int outputWidth(RecurrentLayer l) {
        return l.options().directions() * l.options().hiddenSize();
    }

    /** {@code [T, B, width]}, or {@code [B, T, width]} when batchFirst. */
    private static int[] shape(boolean batchFirst, int steps, int batch, int width) {
        return batchFirst ? new int[] {batch, steps, width} : new int[] {steps, batch, width};
    }

    /** A random state (or ∂L/∂ of one) for {@code batch} rows: h, and c for the LSTM, on the layer's backend. */
    private static RecurrentState randomState(RecurrentLayer l, long seed, double scale, int batch) {
        var o = l.options();
        int[] s = {o.numLayers() * o.directions(), batch, o.hiddenSize()};
        return new RecurrentState(TestData.uniform(l.backend(), seed, scale, s),
                l instanceof Lstm ? TestData.uniform(l.backend(), seed + 1, scale, s) : null);
    }

    /** Element (step, row, column) of a {@code [T, B, W]} tensor, or of a {@code [B, T, W]} one when batchFirst. */
    private static double at(Tensor t, boolean batchFirst, int step, int row, int col) {
        return batchFirst ? t.get(row, step, col) : t.get(step, row, col);
    }

    private static void set(Tensor t, boolean batchFirst, int step, int row, int col, double v) {
        t.set(v, batchFirst ? new int[] {row, step, col} : new int[] {step, row, col});
    }

    /** Row b's first {@code steps} steps of a sequence tensor, as a one-row sequence in the same layout. */
    private static Tensor rowPrefix(Tensor t, boolean batchFirst, int b, int steps) {
        Tensor out = Tensor.zeros(t.dtype(), shape(batchFirst, steps, 1, t.dim(2)));
        for (int s = 0; s < steps; s++) {
            for (int j = 0; j < t.dim(2); j++) {
                set(out, batchFirst, s, 0, j, at(t, batchFirst, s, b, j));
            }
        }
        return out;
    }

    /** Row b of a state, {@code [L·D, 1, H]}; null stays null. */
    private static RecurrentState stateRow(RecurrentState state, int b) {
        return state == null ? null : new RecurrentState(stateRow(state.h(), b), stateRow(state.c(), b));
    }

    private static Tensor stateRow(Tensor s, int b) {
        if (s == null) {
            return null;
        }
        Tensor out = Tensor.zeros(s.dtype(), s.dim(0), 1, s.dim(2));
        for (int k = 0; k < s.dim(0); k++) {
            out.select(k).copyFrom(s.select(k).select(b));
        }
        return out;
    }

    /** A copy of each parameter's gradient, by name. */
    private static Map<String, double[]> gradients(RecurrentLayer l) {
        Map<String, double[]> m = new LinkedHashMap<>();
        l.gradients().forEach((name, g) -> m.put(name, g.toDoubleArray()));
        return m;
    }

    /** Output, h_n and (LSTM) c_n, by name. */
    private static Map<String, double[]> results(RecurrentOutput o) {
        Map<String, double[]> m = new LinkedHashMap<>();
        put(m, "output", o.output());
        put(m, "h_n", o.state().h());
        put(m, "c_n", o.state().c());
        return m;
    }

    /** {@link #results}, then a backward's dx, dh0, (dc0) and the parameter gradients it alone gives. */
    private static Map<String, double[]> pass(RecurrentLayer l, RecurrentOutput out, Tensor dy, RecurrentState dState) {
        l.zeroGradients();
        RecurrentGradients g = l.backward(out.saved(), dy, dState);
        Map<String, double[]> m = results(out);
        put(m, "dx", g.dx());
        put(m, "dh0", g.dState().h());
        put(m, "dc0", g.dState().c());
        m.putAll(gradients(l));
        return m;
    }

    private static void put(Map<String, double[]> m, String name, Tensor t) {
        if (t != null) {
            m.put(name, t.toDoubleArray());
        }
    }

    /** The same results, every one bit for bit. */
    private static void assertSameBits(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((name, e) -> assertArrayEquals(e, actual.get(name), what + ": " + name));
    }
}
