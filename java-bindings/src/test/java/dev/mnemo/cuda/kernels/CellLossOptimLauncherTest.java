package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rnn, lstm, gru, loss and optim launchers without a GPU: the header's grids, arguments in
 * header order, and every bad size, stride, null or overlap rejected with a message before a launch.
 */
class CellLossOptimLauncherTest {
    final RecordingTarget target = new RecordingTarget();
    final RnnKernels rnn = new RnnKernels(target);
    final LstmKernels lstm = new LstmKernels(target);
    final GruKernels gru = new GruKernels(target);
    final LossKernels loss = new LossKernels(target);
    final OptimKernels optim = new OptimKernels(target);

    /** Buffers at distinct, far-apart addresses. */
    private long next = 0x100000;

    DeviceMemory floats(long n) {
        FakeMemory m = new FakeMemory(next, n * Float.BYTES);
        next += Math.max(4096, n * Float.BYTES * 2);
        return m;
    }

    void rejected(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
        assertTrue(target.launches.isEmpty(), "nothing may launch after a rejected call");
    }

    @ParameterizedTest
    @CsvSource({"0, 1, 1", "1, 1, 1", "6, 7, 1", "1, 256, 1", "1, 257, 2", "6, 33, 1", "64, 512, 128", "100, 1000, 391"})
    void cellGridIsCeilBHOver256AtLeast1(long batch, long hidden, int grid) {
        LaunchGeometry expected = LaunchGeometry.linear(grid, 256);
        assertEquals(expected, RnnKernels.geometry(batch, hidden));
        assertEquals(expected, LstmKernels.geometry(batch, hidden));
        assertEquals(expected, GruKernels.geometry(batch, hidden));
    }

    @Test
    void cellSizesAreValidated() {
        rejected("hidden must be >= 1, got 0", () -> RnnKernels.geometry(3, 0));
        rejected("batch must be >= 0, got -1", () -> LstmKernels.geometry(-1, 4));
        rejected("batch·hidden must be < 2^31·256, got 1099511627776",
                () -> GruKernels.geometry(1L << 20, 1L << 20));
    }

    @Test
    void rnnForwardLaunchesHeaderArgumentsInOrder() {
        DeviceMemory gx = floats(6 * 33);
        DeviceMemory gh = floats(6 * 33);
        DeviceMemory b = floats(33);
        DeviceMemory y = floats(6 * 66);
        DeviceMemory hOut = y.sliceFloats(33, 5 * 66 + 33);   // direction 1 of a bidirectional output
        rnn.pointwiseFwdRelu(gx, gh, b, null, hOut, 66, 6, 33);
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(RnnKernels.FWD_RELU, launch.kernel());
        assertEquals(LaunchGeometry.linear(1, 256), launch.geometry());
        assertEquals(Arrays.asList(gx, gh, b, null, hOut, 66L, 6L, 33L, 1L, 0L), launch.arguments());
    }

    @Test
    void theRecurrentProductMayArriveInPartials() {
        DeviceMemory gh = floats(2 * 40 + 12);   // three [3, 4] partials, 40 floats apart
        rnn.pointwiseFwdTanh(floats(12), gh, null, null, floats(12), 4, 3, 4, 3, 40);
        assertEquals(Arrays.asList(3L, 40L), target.launches.getFirst().arguments().subList(8, 10));
        target.launches.clear();
        rejected("gh must hold >= 92 floats ((ghSplits−1)·ghSplitStride + batch·hidden), got 91",
                () -> rnn.pointwiseFwdTanh(floats(12), floats(91), null, null, floats(12), 4, 3, 4, 3, 40));
        rejected("ghSplitStride must be >= one partial's 12 floats with 2 partials, got 11",
                () -> rnn.pointwiseFwdTanh(floats(12), gh, null, null, floats(12), 4, 3, 4, 2, 11));
        rejected("ghSplits must be >= 1, got 0",
                () -> rnn.pointwiseFwdTanh(floats(12), gh, null, null, floats(12), 4, 3, 4, 0, 40));

        DeviceMemory gh4 = floats(48 + 48);
        DeviceMemory c = floats(12);
        lstm.pointwiseFwdTrain(new LstmKernels.FwdParams(floats(48), gh4, null, null, c, floats(12), c, floats(48), 3, 4,
                4, 2, 48));
        long[] words = ((MemorySegment) target.launches.getFirst().arguments().getFirst()).toArray(ValueLayout.JAVA_LONG);
        assertEquals(List.of(2L, 48L), Arrays.stream(words).boxed().toList().subList(11, 13));
        target.launches.clear();
        DeviceMemory hOut = gh4.sliceFloats(60, 12);   // inside the second partial
        rejected("hOut must not overlap gh, got FakeMemory(384 bytes)[240, +48 bytes] and FakeMemory(384 bytes)",
                () -> lstm.pointwiseFwdTrain(new LstmKernels.FwdParams(floats(48), gh4, null, null, c, hOut, c,
                        floats(48), 3, 4, 4, 2, 48)));
        rejected("ghSplitStride must be >= one partial's 36 floats with 2 partials, got 35",
                () -> gru.pointwiseFwdTrain(new GruKernels.FwdParams(floats(36), floats(72), null, null, floats(12),
                        floats(12), floats(36), floats(12), 3, 4, 4, 4, 2, 35)));
    }

    @Test
    void rnnBadInputsAreRejected() {
        DeviceMemory gx = floats(12);
        DeviceMemory gh = floats(12);
        rejected("gx must hold >= 12 floats (batch·hidden), got 11",
                () -> rnn.pointwiseFwdTanh(floats(11), gh, null, null, floats(12), 4, 3, 4));
        rejected("ldh must be >= hidden (4), got 3", () -> rnn.pointwiseFwdTanh(gx, gh, null, null, floats(12), 3, 3, 4));
        rejected("hOut must hold >= 14 floats ((batch−1)·ldh + hidden), got 12",
                () -> rnn.pointwiseFwdTanh(gx, gh, null, null, floats(12), 5, 3, 4));
        rejected("bIh must hold >= 4 floats (hidden), got 3",
                () -> rnn.pointwiseFwdTanh(gx, gh, floats(3), null, floats(12), 4, 3, 4));
        rejected("hOut must not overlap gx, got FakeMemory(48 bytes) and FakeMemory(48 bytes)",
                () -> rnn.pointwiseFwdTanh(gx, gh, null, null, gx, 4, 3, 4));
        rejected("gx must not be null", () -> rnn.pointwiseFwdTanh(null, gh, null, null, floats(12), 4, 3, 4));
        rejected("dgates must not overlap h, got FakeMemory(48 bytes) and FakeMemory(48 bytes)",
                () -> rnn.pointwiseBwdTanh(null, 0, null, gx, 4, gx, 3, 4));
        rejected("ldy must be >= hidden (4), got 2",
                () -> rnn.pointwiseBwdRelu(floats(12), 2, null, gx, 4, floats(12), 3, 4));
    }

    @Test
    void rnnBackwardAcceptsNullGradientsAndIgnoresLdyThen() {
        DeviceMemory h = floats(12);
        DeviceMemory dgates = floats(12);
        rnn.pointwiseBwdTanh(null, 0, null, h, 4, dgates, 3, 4);
        assertEquals(Arrays.asList(null, 0L, null, h, 4L, dgates, 3L, 4L), target.launches.getFirst().arguments());
    }

    @Test
    void lstmTypedForwardWritesTheStructAndLaunchesIt() {
        DeviceMemory gx = floats(6 * 4 * 7);
        DeviceMemory gh = floats(6 * 4 * 7);
        DeviceMemory c = floats(6 * 7);
        DeviceMemory h = floats(6 * 7);
        DeviceMemory gates = floats(6 * 4 * 7);
        lstm.pointwiseFwdTrain(new LstmKernels.FwdParams(gx, gh, null, null, c, h, c, gates, 6, 7, 7));
        RecordingTarget.Launch launch = target.launches.getFirst();
        assertEquals(LstmKernels.FWD_TRAIN, launch.kernel());
        MemorySegment p = (MemorySegment) launch.arguments().getFirst();
        assertEquals(104, p.byteSize());
        long[] words = p.toArray(ValueLayout.JAVA_LONG);
        assertEquals(List.of(gx.address(), gh.address(), 0L, 0L, c.address(), h.address(), c.address(),
                gates.address(), 6L, 7L, 7L, 1L, 0L), Arrays.stream(words).boxed().toList());
    }

    @Test
    void lstmBadInputsAreRejected() {
        DeviceMemory gx = floats(48);
        DeviceMemory gh = floats(48);
        DeviceMemory c = floats(12);
        DeviceMemory wide = floats(49);
        DeviceMemory shifted = wide.sliceFloats(1, 48);
        rejected("gates must not overlap gx, got FakeMemory(196 bytes)[4, +192 bytes] and FakeMemory(196 bytes)[0, +192 bytes]",
                () -> lstm.pointwiseFwdTrain(new LstmKernels.FwdParams(wide.sliceFloats(0, 48), gh, null, null, c,
                        floats(12), c, shifted, 3, 4, 4)));
        rejected("gates must not be null",
                () -> lstm.pointwiseFwdTrain(new LstmKernels.FwdParams(gx, gh, null, null, c, floats(12), c, null, 3, 4, 4)));
        DeviceMemory cOut = c.sliceFloats(1, 11);
        rejected("cOut must hold >= 12 floats (batch·hidden), got 11",
                () -> lstm.pointwiseFwdInfer(new LstmKernels.FwdParams(gx, gh, null, null, c, floats(12), cOut, null, 3, 4, 4)));
        rejected("p must be a mnemo_lstm_pointwise_fwd_params of 104 bytes, got 80 bytes",
                () -> lstm.pointwiseFwdTrain(MemorySegment.ofArray(new long[10])));
        rejected("p.gx must not be null", () -> lstm.pointwiseFwdInfer(rawLstm(0, 3, 4, 4)));
        rejected("ldh must be >= hidden (4), got 2", () -> lstm.pointwiseFwdInfer(rawLstm(0x1000, 3, 4, 2)));
        rejected("dgates must not overlap gates, got FakeMemory(192 bytes) and FakeMemory(192 bytes)",
                () -> lstm.pointwiseBwd(null, 0, null, floats(12), gx, floats(12), floats(12), gx, 3, 4));
    }

    @Test
    void cellForwardsMayOverwriteTheProjectionWithTheGatesInPlace() {
        DeviceMemory gx = floats(48);
        DeviceMemory c = floats(12);
        lstm.pointwiseFwdTrain(new LstmKernels.FwdParams(gx, floats(48), null, null, c, floats(12), c, gx, 3, 4, 4));
        DeviceMemory gx3 = floats(36);
        gru.pointwiseFwdTrain(new GruKernels.FwdParams(gx3, floats(36), null, null, floats(12), floats(12), gx3,
                floats(12), 3, 4, 4, 4));
        assertEquals(List.of(LstmKernels.FWD_TRAIN, GruKernels.FWD_TRAIN),
                target.launches.stream().map(RecordingTarget.Launch::kernel).toList());
        target.launches.clear();
        DeviceMemory wide = floats(37);
        rejected("gates must not overlap gx, got FakeMemory(148 bytes)[4, +144 bytes] and FakeMemory(148 bytes)[0, +144 bytes]",
                () -> gru.pointwiseFwdTrain(new GruKernels.FwdParams(wide.sliceFloats(0, 36), floats(36), null, null,
                        floats(12), floats(12), wide.sliceFloats(1, 36), floats(12), 3, 4, 4, 4)));
    }

    @Test
    void lstmInferenceMayUpdateTheCellStateInPlace() {
        DeviceMemory c = floats(12);
        lstm.pointwiseFwdInfer(new LstmKernels.FwdParams(floats(48), floats(48), null, null, c, floats(12), c, null,
                3, 4, 4));
        assertEquals(LstmKernels.FWD_INFER, target.launches.getFirst().kernel());
    }

    static MemorySegment rawLstm(long pointers, long batch, long hidden, long ldh) {
        MemorySegment s = MemorySegment.ofArray(new long[13]);
        for (int i = 0; i < 8; i++) {
            s.setAtIndex(ValueLayout.JAVA_LONG, i, pointers == 0 ? 0 : pointers + 0x1000L * i);
        }
        s.setAtIndex(ValueLayout.JAVA_LONG, 8, batch);
        s.setAtIndex(ValueLayout.JAVA_LONG, 9, hidden);
        s.setAtIndex(ValueLayout.JAVA_LONG, 10, ldh);
        s.setAtIndex(ValueLayout.JAVA_LONG, 11, 1);   // ghSplits
        return s;
    }

    @Test
    void gruBackwardMayCarryDhInOneBufferButNothingElseOverlaps() {
        DeviceMemory dh = floats(12);
        DeviceMemory gates = floats(36);
        DeviceMemory dgx = floats(36);
        gru.pointwiseBwd(new GruKernels.BwdParams(floats(12), dh, gates, floats(12), floats(12), dgx, floats(36), dh,
                3, 4, 4, 4));
        assertEquals(GruKernels.BWD, target.launches.getFirst().kernel());
        assertEquals(96, ((MemorySegment) target.launches.getFirst().arguments().getFirst()).byteSize());
        target.launches.clear();
        rejected("dgx must not overlap gates, got FakeMemory(144 bytes) and FakeMemory(144 bytes)",
                () -> gru.pointwiseBwd(new GruKernels.BwdParams(null, dh, gates, floats(12), floats(12), gates,
                        floats(36), floats(12), 3, 4, 4, 4)));
        rejected("hOut must not overlap hPrev, got FakeMemory(48 bytes) and FakeMemory(48 bytes)",
                () -> gru.pointwiseFwdInfer(new GruKernels.FwdParams(floats(36), floats(36), null, null, dh, dh, null,
                        null, 3, 4, 4, 4)));
        rejected("hn must not be null", () -> gru.pointwiseFwdTrain(new GruKernels.FwdParams(floats(36), floats(36),
                null, null, floats(12), floats(12), floats(36), null, 3, 4, 4, 4)));
    }

    @ParameterizedTest
    @CsvSource({"0, 10, 1", "1, 10, 1", "8, 10, 1", "9, 1024, 2", "9, 1025, 9", "1000000, 10, 65535", "100000, 5000, 65535"})
    void crossEntropyGridFollowsTheHeader(long rows, long classes, int grid) {
        assertEquals(LaunchGeometry.linear(grid, 256), LossKernels.softmaxXentFwdGeometry(rows, classes));
    }

    @ParameterizedTest
    @CsvSource({"0, 1", "1, 1", "256, 1", "257, 2", "262144, 1024", "100000000, 1024"})
    void msePartialsFollowTheHeader(long n, int partials) {
        assertEquals(partials, LossKernels.msePartialsCount(n));
        assertEquals(LaunchGeometry.linear(partials, 256), LossKernels.mseFwdGeometry(n));
    }

    @Test
    void lossLaunchesAndChecks() {
        DeviceMemory logits = floats(5 * 3);
        DeviceMemory targets = floats(5);
        DeviceMemory out = floats(5);
        DeviceMemory stats = floats(10);
        loss.softmaxXentFwd(logits, targets, out, stats, 5, 3);
        loss.softmaxXentBwd(logits, logits, targets, stats, 5, 3, 0.2f);
        assertEquals(Arrays.asList(logits, targets, out, stats, 5L, 3L), target.launches.get(0).arguments());
        assertEquals(Arrays.asList(logits, logits, targets, stats, 5L, 3L, 0.2f), target.launches.get(1).arguments());
        target.launches.clear();
        rejected("classes must be >= 1, got 0", () -> loss.softmaxXentFwd(logits, targets, out, null, 5, 0));
        rejected("stats must hold >= 10 floats (2·rows), got 9",
                () -> loss.softmaxXentFwd(logits, targets, out, floats(9), 5, 3));
        rejected("dlogits must not overlap stats, got FakeMemory(60 bytes) and FakeMemory(60 bytes)",
                () -> loss.softmaxXentBwd(logits, floats(15), targets, logits, 5, 3, 1f));
        rejected("partials must hold >= 4 doubles (msePartialsCount(n)), got 3",
                () -> loss.mseFwd(floats(1000), floats(1000), 1000, floats(7)));
        rejected("n must be <= target's capacity (10 floats), got 11",
                () -> loss.mseBwd(floats(11), floats(11), floats(10), 11, 1f));
    }

    @Test
    void optimizersCheckHyperParametersAndBuffers() {
        DeviceMemory p = floats(100);
        DeviceMemory g = floats(100);
        optim.sgd(p, g, null, 100, new OptimKernels.SgdParams(0.1, 0, 0, 0, 0, 1));
        MemorySegment hp = (MemorySegment) target.launches.getFirst().arguments().get(4);
        assertEquals(40, hp.byteSize());
        assertEquals(0.1, hp.get(ValueLayout.JAVA_DOUBLE, 0));
        assertEquals(1, hp.get(ValueLayout.JAVA_INT, 36));
        target.launches.clear();
        rejected("momentumBuffer must not be null when momentum != 0, got momentum 0.9",
                () -> optim.sgd(p, g, null, 100, new OptimKernels.SgdParams(0.1, 0.9, 0, 0, 0, 1)));
        rejected("nesterov needs momentum > 0 and dampening = 0, got momentum 0.9 and dampening 0.1",
                () -> optim.sgd(p, g, floats(100), 100, new OptimKernels.SgdParams(0.1, 0.9, 0.1, 0, 1, 0)));
        rejected("step must be in [1, 2147483647], got 0",
                () -> optim.adam(p, g, floats(100), floats(100), 100, new OptimKernels.AdamParams(1e-3, 0.9, 0.999, 1e-8, 0, 0, 0)));
        rejected("beta2 must be in [0, 1), got 1.0",
                () -> optim.adam(p, g, floats(100), floats(100), 100, new OptimKernels.AdamParams(1e-3, 0.9, 1, 1e-8, 0, 1, 0)));
        DeviceMemory m = floats(100);
        rejected("expAvg must not overlap expAvgSq, got FakeMemory(400 bytes) and FakeMemory(400 bytes)",
                () -> optim.adam(p, g, m, m, 100, new OptimKernels.AdamParams(1e-3, 0.9, 0.999, 1e-8, 0, 1, 0)));
    }

    @Test
    void rmspropNeedsTheBuffersItsOptionsUse() {
        DeviceMemory p = floats(10);
        DeviceMemory g = floats(10);
        DeviceMemory sq = floats(10);
        optim.rmsprop(p, g, sq, null, null, 10, new OptimKernels.RmspropParams(0.01, 0.99, 1e-8, 0, 0, 0));
        assertEquals(48, ((MemorySegment) target.launches.getFirst().arguments().get(6)).byteSize());
        target.launches.clear();
        rejected("gradAvg must not be null when centered = 1",
                () -> optim.rmsprop(p, g, sq, null, null, 10, new OptimKernels.RmspropParams(0.01, 0.99, 1e-8, 0, 0, 1)));
        rejected("centered must be 0 or 1, got 2",
                () -> optim.rmsprop(p, g, sq, null, null, 10, new OptimKernels.RmspropParams(0.01, 0.99, 1e-8, 0, 0, 2)));
        rejected("param must not overlap squareAvg, got FakeMemory(40 bytes) and FakeMemory(40 bytes)",
                () -> optim.rmsprop(p, g, p, null, null, 10, new OptimKernels.RmspropParams(0.01, 0.99, 1e-8, 0, 0, 0)));
    }
}
