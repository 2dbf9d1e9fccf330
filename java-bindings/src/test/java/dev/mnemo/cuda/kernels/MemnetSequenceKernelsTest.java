package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import dev.mnemo.cuda.kernels.MemnetSequenceKernels.BwdParams;
import dev.mnemo.cuda.kernels.MemnetSequenceKernels.FwdParams;
import dev.mnemo.cuda.kernels.MemnetSequenceKernels.Sizes;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** MemNet's one-launch loop without a GPU: shared memory, the fit, geometry, struct bytes and every check. */
class MemnetSequenceKernelsTest {
    private final RecordingTarget target = new RecordingTarget();
    private final MemnetKernels kernels = new MemnetKernels(target);
    /** The paper's cell: d_in = d_out = 1, d_k = d_v = 32, M = 8 (S 96, W 129). */
    private static final Sizes PAPER = new Sizes(1, 32, 32, 1, 8);
    private static final long H100_OPTIN = 227 * 1024;

    /** Disjoint fake buffers, each at its own 1 MiB-aligned address. */
    private static long next = 1L << 20;

    private static FakeMemory floats(long count) {
        FakeMemory m = new FakeMemory(next, count * Float.BYTES);
        next += Math.max(1L << 20, (count * Float.BYTES + (1L << 20)) & ~((1L << 20) - 1));
        return m;
    }

    private static FwdParams forward(long steps, long batch, Sizes z, double dropoutP) {
        long s = z.stateWidth();
        long w = z.cellWidth();
        long rows = steps * batch;
        return new FwdParams(floats(s * w), floats(s), floats(s), floats(z.valueWidth()), floats(rows * w),
                floats(rows * s), floats(rows * s), floats(rows * z.valueWidth()), floats(rows), steps, batch, z, true,
                7, 11, dropoutP, 0.5);
    }

    private static BwdParams backward(long steps, long batch, Sizes z, double dropoutScale) {
        long s = z.stateWidth();
        long w = z.cellWidth();
        long d = z.outputWidth();
        long rows = steps * batch;
        return new BwdParams(floats(s * w), floats(d * s), floats(d * z.valueWidth()), floats(rows * s),
                floats(rows * s), floats(rows * z.valueWidth()), floats(rows), floats(rows * d), floats(rows * s),
                floats(rows * w), floats(batch * s), floats(batch * z.valueWidth()), steps, batch, z, dropoutScale, 1.0);
    }

    @Test
    void sharedMemoryFollowsTheHeader() {
        // forward: 4·(S·ldw + W + S + d_v + P(S)·S + M + 1), ldw = 129, P(96) = 2
        assertEquals(4L * (96 * 129 + 129 + 96 + 32 + 2 * 96 + 8 + 1), MemnetSequenceKernels.forwardSharedBytes(PAPER));
        // backward: 4·(S·ldw + W + 2·S + d_v + P(W)·W + 2·M), P(129) = 1
        assertEquals(4L * (96 * 129 + 129 + 2 * 96 + 32 + 129 + 16), MemnetSequenceKernels.backwardSharedBytes(PAPER));
        // an even W is padded to an odd row stride; a narrow product is shared by at most 8 threads
        Sizes even = new Sizes(2, 3, 2, 1, 0);   // S 8, W 12
        assertEquals(4L * (8 * 13 + 12 + 8 + 2 + 8 * 8 + 0 + 1), MemnetSequenceKernels.forwardSharedBytes(even));
        assertEquals(4L * (8 * 13 + 12 + 16 + 2 + 8 * 12), MemnetSequenceKernels.backwardSharedBytes(even));
        assertEquals(1, MemnetSequenceKernels.parts(300));
        assertEquals(2, MemnetSequenceKernels.parts(128));
        assertEquals(8, MemnetSequenceKernels.parts(3));
    }

    @Test
    void theLoopTakesWhatFitsAndNothingElse() {
        assertTrue(MemnetSequenceKernels.fits(PAPER, H100_OPTIN));
        assertFalse(MemnetSequenceKernels.fits(PAPER, 48 * 1024), "49.5 KB of weight needs the opt-in");
        assertTrue(MemnetSequenceKernels.fits(new Sizes(1, 64, 64, 1, 64), H100_OPTIN), "S 192, W 257: 197 KB");
        assertFalse(MemnetSequenceKernels.fits(new Sizes(1, 64, 96, 1, 8), H100_OPTIN), "S 224, W 321: 281 KB");
        assertTrue(MemnetSequenceKernels.fits(new Sizes(1, 4, 4, 1, 256), H100_OPTIN), "the most slots");
        assertFalse(MemnetSequenceKernels.fits(new Sizes(1, 4, 4, 1, 257), H100_OPTIN), "past 256 slots");
        assertFalse(MemnetSequenceKernels.fits(new Sizes(1, 257, 1, 1, 8), Long.MAX_VALUE), "past the read's widths");
        assertFalse(MemnetSequenceKernels.fits(new Sizes(0, 4, 4, 1, 8), H100_OPTIN));
        assertTrue(MemnetSequenceKernels.fits(new Sizes(3, 1, 1, 2, 0), H100_OPTIN), "no slot at all");
    }

    @Test
    void oneBlockPerRowWithItsSharedMemory() {
        FwdParams p = forward(64, 256, PAPER, 0.1);
        kernels.sequence().forward(p);
        assertEquals(1, target.launches.size());
        RecordingTarget.Launch l = target.launches.getFirst();
        assertEquals(MemnetSequenceKernels.SEQ_FWD, l.kernel());
        assertEquals(new LaunchGeometry(256, 1, 1, 256, 1, 1, (int) MemnetSequenceKernels.forwardSharedBytes(PAPER)),
                l.geometry());
        MemorySegment s = (MemorySegment) l.arguments().getFirst();
        var layout = MemnetSequenceKernels.FWD_PARAMS_LAYOUT;
        assertEquals(p.u().address(), ParamsStructs.getLong(s, layout, "u"));
        assertEquals(64, ParamsStructs.getLong(s, layout, "steps"));
        assertEquals(1, ParamsStructs.getLong(s, layout, "maskEmptySlots"));
        assertEquals(11, ParamsStructs.getLong(s, layout, "dropoutOffset"));
        assertEquals(0.1, ParamsStructs.getDouble(s, layout, "dropoutP"));
        target.launches.clear();
        kernels.sequence().backward(backward(64, 256, PAPER, 1 / 0.9));
        l = target.launches.getFirst();
        assertEquals(MemnetSequenceKernels.SEQ_BWD, l.kernel());
        assertEquals(new LaunchGeometry(256, 1, 1, 256, 1, 1, (int) MemnetSequenceKernels.backwardSharedBytes(PAPER)),
                l.geometry());
        assertEquals(1 / 0.9, ParamsStructs.getDouble((MemorySegment) l.arguments().getFirst(),
                MemnetSequenceKernels.BWD_PARAMS_LAYOUT, "dropoutScale"));
    }

    @Test
    void theMirrorMethodsCheckTheStructAndLaunch() {
        FwdParams p = forward(3, 2, PAPER, 0);
        MemorySegment s = ParamsStructs.allocate(MemnetSequenceKernels.FWD_PARAMS_LAYOUT);
        p.writeTo(s);
        kernels.seqFwd(s);
        assertEquals(MemnetSequenceKernels.SEQ_FWD, target.launches.getFirst().kernel());
        ParamsStructs.putLong(s, MemnetSequenceKernels.FWD_PARAMS_LAYOUT, "lse", 0);
        assertMessage("p.lse must not be null", () -> kernels.seqFwd(s));
        p.writeTo(s);
        ParamsStructs.putLong(s, MemnetSequenceKernels.FWD_PARAMS_LAYOUT, "maskEmptySlots", 2);
        assertMessage("maskEmptySlots must be 0 or 1, got 2", () -> kernels.seqFwd(s));
        MemorySegment b = ParamsStructs.allocate(MemnetSequenceKernels.BWD_PARAMS_LAYOUT);
        backward(3, 2, PAPER, 1).writeTo(b);
        kernels.seqBwd(b);
        assertEquals(MemnetSequenceKernels.SEQ_BWD, target.launches.getLast().kernel());
        ParamsStructs.putDouble(b, MemnetSequenceKernels.BWD_PARAMS_LAYOUT, "dropoutScale", 0.5);
        assertMessage("dropoutScale must be 1/(1 − p) (finite, >= 1) or 0 (p = 1)", () -> kernels.seqBwd(b));
        assertMessage("p must be a mnemo_memnet_seq_bwd_params of 168 bytes",
                () -> kernels.seqBwd(ParamsStructs.allocate(MemnetSequenceKernels.FWD_PARAMS_LAYOUT)));
    }

    @Test
    void badSizesAndBuffersAreRejectedBeforeAnyLaunch() {
        var seq = kernels.sequence();
        assertMessage("steps must be >= 1, got 0", () -> seq.forward(forward(0, 2, PAPER, 0)));
        assertMessage("batch must be in [1, 2147483647], got 0", () -> seq.forward(forward(2, 0, PAPER, 0)));
        assertMessage("slots must be in [0, 256], got 257", () -> seq.forward(forward(2, 2, new Sizes(1, 4, 4, 1, 257), 0)));
        assertMessage("keyWidth must be in [1, 256], got 257",
                () -> seq.forward(forward(1, 1, new Sizes(1, 257, 4, 1, 8), 0)));
        assertMessage("outputWidth must be >= 1, got 0",
                () -> seq.backward(backward(2, 2, new Sizes(1, 4, 4, 0, 8), 1)));
        assertMessage("dropoutP must be in [0, 1], got 1.5", () -> seq.forward(forward(2, 2, PAPER, 1.5)));
        FwdParams ok = forward(2, 3, PAPER, 0);
        assertMessage("u must hold >= 774 floats (T·B·W)", () -> seq.forward(new FwdParams(ok.weight(), ok.bias(),
                ok.h0(), ok.c0(), floats(773), ok.o(), ok.r(), ok.c(), ok.lse(), 2, 3, PAPER, false, 0, 0, 0, 1)));
        assertMessage("h0 must not be null", () -> seq.forward(new FwdParams(ok.weight(), ok.bias(), null, ok.c0(),
                ok.u(), ok.o(), ok.r(), ok.c(), ok.lse(), 2, 3, PAPER, false, 0, 0, 0, 1)));
        assertMessage("u must not overlap o", () -> seq.forward(new FwdParams(ok.weight(), ok.bias(), ok.h0(), ok.c0(),
                ok.u(), ok.u(), ok.r(), ok.c(), ok.lse(), 2, 3, PAPER, false, 0, 0, 0, 1)));
        assertMessage("u must not overlap weight", () -> seq.forward(new FwdParams(ok.weight(), ok.bias(), ok.h0(),
                ok.c0(), ok.weight(), ok.o(), ok.r(), ok.c(), ok.lse(), 2, 3, PAPER, false, 0, 0, 0, 1)));
        BwdParams bok = backward(2, 3, PAPER, 1);
        DeviceMemory shortDy = floats(5);
        assertMessage("dy must hold >= 6 floats (T·B·d_out)", () -> seq.backward(new BwdParams(bok.weight(),
                bok.stateOutWeight(), bok.readOutWeight(), bok.o(), bok.r(), bok.c(), bok.lse(), shortDy, bok.dO(),
                bok.dU(), bok.dh0(), bok.dc0(), 2, 3, PAPER, 1, 1)));
        DeviceMemory dUOverDO = new FakeMemory(bok.dO().address() + 4, 774L * Float.BYTES);
        assertMessage("dO must not overlap dU", () -> seq.backward(new BwdParams(bok.weight(), bok.stateOutWeight(),
                bok.readOutWeight(), bok.o(), bok.r(), bok.c(), bok.lse(), bok.dy(), bok.dO(), dUOverDO, bok.dh0(),
                bok.dc0(), 2, 3, PAPER, 1, 1)));
        assertTrue(target.launches.isEmpty(), "no launch after a failed check");
    }

    private static MemnetSequenceKernels.StreamParams stream(long steps, long prefix, long batch, Sizes z) {
        long s = z.stateWidth();
        long d = z.outputWidth();
        return new MemnetSequenceKernels.StreamParams(floats(s * z.cellWidth()), floats(s), floats(d * s), floats(d),
                floats(d * z.valueWidth()), floats(d), floats(prefix * batch * z.inputWidth()), floats(steps * batch * d),
                floats(batch * s), floats(batch * z.valueWidth()), floats(batch * z.slots() * z.keyWidth()),
                floats(batch * z.slots() * z.valueWidth()), steps, prefix, batch, z, 9, false, 1.0);
    }

    @Test
    void streamingStepsAreOneLaunchAndCheckTheirSizes() {
        var seq = kernels.sequence();
        MemnetSequenceKernels.StreamParams p = stream(10, 3, 4, PAPER);
        seq.stream(p);
        RecordingTarget.Launch l = target.launches.getFirst();
        assertEquals(MemnetSequenceKernels.STREAM, l.kernel());
        long smem = MemnetSequenceKernels.forwardSharedBytes(PAPER) + 4;
        assertEquals(smem, MemnetSequenceKernels.streamSharedBytes(PAPER));
        assertEquals(new LaunchGeometry(4, 1, 1, 256, 1, 1, (int) smem), l.geometry());
        MemorySegment s = (MemorySegment) l.arguments().getFirst();
        var layout = MemnetSequenceKernels.STREAM_PARAMS_LAYOUT;
        assertEquals(p.keys().address(), ParamsStructs.getLong(s, layout, "keys"));
        assertEquals(3, ParamsStructs.getLong(s, layout, "prefix"));
        assertEquals(9, ParamsStructs.getLong(s, layout, "stepsBefore"));
        assertEquals(184, layout.byteSize());
        kernels.stream(s);   // the mirror method launches the same struct
        assertEquals(2, target.launches.size());
        target.launches.clear();
        assertTrue(MemnetSequenceKernels.streamFits(PAPER, H100_OPTIN));
        assertFalse(MemnetSequenceKernels.streamFits(new Sizes(1, 4, 4, 1, 0), H100_OPTIN), "a ring needs a slot");
        Sizes wide = new Sizes(3, 4, 4, 2, 8);
        assertMessage("free-running steps (prefix 2 < steps 5) feed y back as x and need inputWidth == outputWidth",
                () -> seq.stream(stream(5, 2, 2, wide)));
        seq.stream(stream(5, 5, 2, wide));   // teacher-forced throughout: any widths
        assertMessage("prefix must be in [1, 4], got 0", () -> seq.stream(stream(4, 0, 2, PAPER)));
        assertMessage("slots (a ring of slots) must be >= 1, got 0",
                () -> seq.stream(stream(2, 2, 2, new Sizes(1, 4, 4, 1, 0))));
        MemnetSequenceKernels.StreamParams ok = stream(2, 2, 3, PAPER);
        assertMessage("y must not overlap h", () -> seq.stream(new MemnetSequenceKernels.StreamParams(ok.weight(),
                ok.bias(), ok.stateOutWeight(), ok.stateOutBias(), ok.readOutWeight(), ok.readOutBias(), ok.x(), ok.h(),
                ok.h(), ok.c(), ok.keys(), ok.values(), 2, 2, 3, PAPER, 0, false, 1.0)));
        assertEquals(1, target.launches.size(), "only the valid teacher-forced call launched");
    }

    private static void assertMessage(String expectedStart, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(expectedStart), () -> "message '" + e.getMessage() + "' should start with '"
                + expectedStart + "'");
    }
}
