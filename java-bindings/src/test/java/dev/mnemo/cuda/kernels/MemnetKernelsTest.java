package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memnet launchers without a GPU: plans, geometry, the path choice, struct bytes, every check. */
class MemnetKernelsTest {
    private final RecordingTarget target = new RecordingTarget();
    private final MemnetKernels kernels = new MemnetKernels(target);

    /** Disjoint fake buffers: each at its own 1 MiB-aligned address. */
    private static long next = 1L << 20;

    private static FakeMemory floats(long count) {
        FakeMemory m = new FakeMemory(next, count * Float.BYTES);
        next += Math.max(1L << 20, (count * Float.BYTES + (1L << 20)) & ~((1L << 20) - 1));
        return m;
    }

    /** A dense [B, M, d] read with buffers of exactly the needed size. */
    private static MemnetKernels.FwdParams dense(long b, long m, long empty, long d, DeviceMemory partials) {
        return new MemnetKernels.FwdParams(floats(b * d), floats(b * m * d), floats(b * m * d), floats(b * d),
                floats(b), partials, b, m, empty, d, d, d, m * d, d, m * d, d, 0, 0, 0.125);
    }

    private static MemnetKernels.BwdParams denseBwd(long b, long m, long d, DeviceMemory partials) {
        return new MemnetKernels.BwdParams(floats(b * d), floats(b * m * d), floats(b * m * d), floats(b * d), floats(b),
                floats(b * d), floats(b * d), floats(b * m * d), floats(b * m * d), partials, b, m, d, d, d, m * d, d,
                m * d, d, d, m * d, d, m * d, d, 0, 0, 1.0);
    }

    private static long fwdLong(MemorySegment s, String field) {
        return ParamsStructs.getLong(s, MemnetKernels.FWD_PARAMS_LAYOUT, field);
    }

    @Test
    void theSplitPlansFollowTheHeader() {
        // forward: about 128 blocks, runs of at most 1024 slots where B allows, at most 128 splits
        assertEquals(new MemnetKernels.SplitPlan(8, 1024), MemnetKernels.splitPlan(64, 8192));
        assertEquals(new MemnetKernels.SplitPlan(2, 512), MemnetKernels.splitPlan(64, 1024));
        assertEquals(new MemnetKernels.SplitPlan(128, 512), MemnetKernels.splitPlan(1, 65536)); // at most 128 splits
        assertEquals(new MemnetKernels.SplitPlan(98, 1021), MemnetKernels.splitPlan(2, 100_000));
        assertEquals(new MemnetKernels.SplitPlan(1, 256), MemnetKernels.splitPlan(1024, 256));
        assertEquals(new MemnetKernels.SplitPlan(3, 100), MemnetKernels.splitPlan(3, 300)); // the harness check's "d 64 split plan" case
        assertEquals(new MemnetKernels.SplitPlan(1, 1024), MemnetKernels.splitPlan(256, 1024));
        assertEquals(new MemnetKernels.SplitPlan(2, 1000), MemnetKernels.splitPlan(256, 2000));
        assertEquals(new MemnetKernels.SplitPlan(1, 1), MemnetKernels.splitPlan(4, 0));
        // backward: about 128 blocks, no cap on a split's run (run 8's sweep: the fastest count on every row)
        assertEquals(new MemnetKernels.SplitPlan(2, 4096), MemnetKernels.backwardSplitPlan(64, 8192));
        assertEquals(new MemnetKernels.SplitPlan(2, 512), MemnetKernels.backwardSplitPlan(64, 1024));
        assertEquals(new MemnetKernels.SplitPlan(128, 512), MemnetKernels.backwardSplitPlan(1, 65536));
        assertEquals(new MemnetKernels.SplitPlan(1, 256), MemnetKernels.backwardSplitPlan(1024, 256));
        assertEquals(new MemnetKernels.SplitPlan(1, 1024), MemnetKernels.backwardSplitPlan(256, 1024));
        assertEquals(new MemnetKernels.SplitPlan(3, 100), MemnetKernels.backwardSplitPlan(3, 300));
        assertEquals(new MemnetKernels.SplitPlan(1, 1), MemnetKernels.backwardSplitPlan(4, 0));
        for (long b : new long[] {1, 3, 64, 1000, 5000}) {
            for (long m : new long[] {1, 63, 64, 65, 129, 1000, 8191, 100_000}) {
                for (MemnetKernels.SplitPlan p : List.of(MemnetKernels.splitPlan(b, m),
                        MemnetKernels.backwardSplitPlan(b, m))) {
                    assertEquals((m + p.slotsPerSplit() - 1) / p.slotsPerSplit(), p.splits(), "splits covers slots once");
                    assertTrue(p.splits() >= 1 && (p.splits() - 1) * p.slotsPerSplit() < m, "no empty split");
                    assertTrue(p.splits() <= MemnetKernels.SPLIT_MAX_SPLITS, "at most 128 splits");
                }
            }
        }
        assertEquals(0, MemnetKernels.fwdPartialsCount(64, 64, 64), "small path needs no scratch");
        assertEquals(64L * 66, MemnetKernels.fwdPartialsCount(64, 65, 64), "past 64 slots: one split");
        assertEquals(64L * 8 * 66, MemnetKernels.fwdPartialsCount(64, 8192, 64));
        assertEquals(64L * 2 * 32, MemnetKernels.bwdPartialsCount(64, 8192, 32));
        assertEquals(2L * 1 * 7, MemnetKernels.fwdKvbf16PartialsCount(2, 50, 5));
    }

    @Test
    void geometry() {
        assertEquals(LaunchGeometry.linear(1, 256), MemnetKernels.rowGeometry(0));
        assertEquals(LaunchGeometry.linear(2, 256), MemnetKernels.rowGeometry(9));
        assertEquals(LaunchGeometry.linear(1, 256), MemnetKernels.mergeGeometry(0));
        assertEquals(LaunchGeometry.linear(9, 256), MemnetKernels.mergeGeometry(9));
        assertEquals(LaunchGeometry.linear(1024, 256), MemnetKernels.splitGeometry(64, 16));
        assertEquals(LaunchGeometry.linear(65535, 256), MemnetKernels.ringGeometry(1 << 20, 32, 32));
        assertEquals(LaunchGeometry.linear(1, 256), MemnetKernels.ringGeometry(0, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> MemnetKernels.splitGeometry(1L << 20, 1L << 12));
    }

    @Test
    void smallReadsLaunchOneFusedKernel() {
        MemnetKernels.FwdParams p = dense(9, 64, 3, 64, null);
        kernels.readForward(p);
        assertEquals(1, target.launches.size());
        RecordingTarget.Launch l = target.launches.getFirst();
        assertEquals(MemnetKernels.READ_FWD_SMALL, l.kernel());
        assertEquals(LaunchGeometry.linear(2, 256), l.geometry());
        MemorySegment s = (MemorySegment) l.arguments().getFirst();
        assertEquals(p.keys().address(), fwdLong(s, "keys"));
        assertEquals(9, fwdLong(s, "batch"));
        assertEquals(64, fwdLong(s, "slots"));
        assertEquals(3, fwdLong(s, "emptySlots"));
        assertEquals(64 * 64, fwdLong(s, "keyBatchStride"));
        assertEquals(0.125, s.get(ValueLayout.JAVA_DOUBLE, 144));
    }

    @Test
    void largeReadsSplitThenMergeWithTheHeadersPlan() {
        long b = 64, m = 8192, d = 64;
        MemnetKernels.FwdParams p = dense(b, m, 0, d, floats(MemnetKernels.fwdPartialsCount(b, m, d)));
        kernels.readForward(p);
        assertEquals(List.of(MemnetKernels.READ_FWD_SPLIT, MemnetKernels.READ_FWD_MERGE),
                target.launches.stream().map(RecordingTarget.Launch::kernel).toList());
        assertEquals(LaunchGeometry.linear(64 * 8, 256), target.launches.get(0).geometry());
        assertEquals(LaunchGeometry.linear(64, 256), target.launches.get(1).geometry(), "merge: a block per row");
        MemorySegment s = (MemorySegment) target.launches.get(0).arguments().getFirst();
        assertEquals(8, fwdLong(s, "splits"));
        assertEquals(1024, fwdLong(s, "slotsPerSplit"));
        target.launches.clear();
        kernels.readForwardKvbf16(new MemnetKernels.FwdParams(floats(b * d), new FakeMemory(1L << 40, b * m * d * 2),
                new FakeMemory(1L << 41, b * m * d * 2), floats(b * d), floats(b),
                floats(MemnetKernels.fwdKvbf16PartialsCount(b, m, d)), b, m, 0, d, d, d, m * d, d, m * d, d, 0, 0, 1));
        assertEquals(List.of(MemnetKernels.READ_FWD_SPLIT_KVBF16, MemnetKernels.READ_FWD_MERGE),
                target.launches.stream().map(RecordingTarget.Launch::kernel).toList());
    }

    @Test
    void aOneSplitReadIsOneLaunchForwardAndBackward() {
        long b = 256, m = 1024, d = 64;
        kernels.readForward(dense(b, m, 2, d, floats(MemnetKernels.fwdPartialsCount(b, m, d))));
        assertEquals(List.of(MemnetKernels.READ_FWD_SPLIT), target.launches.stream().map(RecordingTarget.Launch::kernel)
                .toList(), "the split kernel finishes the rows itself");
        MemorySegment s = (MemorySegment) target.launches.getFirst().arguments().getFirst();
        assertEquals(1, fwdLong(s, "splits"));
        assertEquals(LaunchGeometry.linear(256, 256), target.launches.getFirst().geometry());
        target.launches.clear();
        kernels.readBackward(denseBwd(b, m, d, floats(MemnetKernels.bwdPartialsCount(b, m, d))));
        assertEquals(List.of(MemnetKernels.READ_BWD_SPLIT), target.launches.stream().map(RecordingTarget.Launch::kernel)
                .toList(), "the split kernel writes dq itself");
        assertEquals(LaunchGeometry.linear(256, 256), target.launches.getFirst().geometry(), "one split a row");
        assertEquals(1, ParamsStructs.getLong((MemorySegment) target.launches.getFirst().arguments().getFirst(),
                MemnetKernels.BWD_PARAMS_LAYOUT, "splits"));
        target.launches.clear();
        kernels.readBackward(denseBwd(64, m, d, floats(MemnetKernels.bwdPartialsCount(64, m, d))));
        assertEquals(List.of(MemnetKernels.READ_BWD_SPLIT, MemnetKernels.READ_BWD_MERGE),
                target.launches.stream().map(RecordingTarget.Launch::kernel).toList(), "two splits: the merge too");
        assertEquals(LaunchGeometry.linear(64 * 2, 256), target.launches.getFirst().geometry());
    }

    @Test
    void rowsPastSixtyFourSlotsTakeTheOneSplitReadBothWays() {
        // a block per row instead of a warp: B 64, N 128, d 64 read 1.2-1.6x faster so on the H200 (runs 6-8)
        long b = 64, m = 128, d = 64;
        kernels.readForward(dense(b, m, 0, d, floats(MemnetKernels.fwdPartialsCount(b, m, d))));
        assertEquals(List.of(MemnetKernels.READ_FWD_SPLIT), target.launches.stream().map(RecordingTarget.Launch::kernel)
                .toList());
        assertEquals(LaunchGeometry.linear(64, 256), target.launches.getFirst().geometry(), "a block per row");
        target.launches.clear();
        kernels.readBackward(denseBwd(b, m, d, floats(MemnetKernels.bwdPartialsCount(b, m, d))));
        assertEquals(List.of(MemnetKernels.READ_BWD_SPLIT), target.launches.stream().map(RecordingTarget.Launch::kernel)
                .toList());
        assertEquals(LaunchGeometry.linear(64, 256), target.launches.getFirst().geometry());
        target.launches.clear();
        kernels.readForward(dense(b, MemnetKernels.SMALL_MAX_SLOTS, 0, d, null));
        assertEquals(MemnetKernels.READ_FWD_SMALL, target.launches.getFirst().kernel(), "64 slots: a warp per row");
    }

    @Test
    void withCountersASplitReadIsOneLaunchBothWays() {
        long b = 64, m = 8192, d = 64;
        FakeMemory counters = floats(MemnetKernels.countersCount(b));
        MemnetKernels.FwdParams p = dense(b, m, 0, d, floats(MemnetKernels.fwdPartialsCount(b, m, d)));
        kernels.readForward(withCounters(p, counters));
        assertEquals(List.of(MemnetKernels.READ_FWD_SPLIT), target.launches.stream().map(RecordingTarget.Launch::kernel)
                .toList(), "the split kernel's last block of a row merges it");
        MemorySegment s = (MemorySegment) target.launches.getFirst().arguments().getFirst();
        assertEquals(counters.address(), fwdLong(s, "counters"));
        assertEquals(8, fwdLong(s, "splits"));
        target.launches.clear();
        MemnetKernels.BwdParams bp = denseBwd(b, m, d, floats(MemnetKernels.bwdPartialsCount(b, m, d)));
        kernels.readBackward(new MemnetKernels.BwdParams(bp.q(), bp.keys(), bp.values(), bp.c(), bp.lse(), bp.dc(),
                bp.dq(), bp.dKeys(), bp.dValues(), bp.partials(), b, m, d, d, d, m * d, d, m * d, d, d, m * d, d, m * d,
                d, 0, 0, 1.0, counters));
        assertEquals(List.of(MemnetKernels.READ_BWD_SPLIT), target.launches.stream().map(RecordingTarget.Launch::kernel)
                .toList());
        assertEquals(counters.address(), ParamsStructs.getLong((MemorySegment) target.launches.getFirst().arguments()
                .getFirst(), MemnetKernels.BWD_PARAMS_LAYOUT, "counters"));
        target.launches.clear();
        kernels.readForward(withCounters(dense(9, 64, 0, 64, null), counters));
        assertEquals(List.of(MemnetKernels.READ_FWD_SMALL), target.launches.stream().map(RecordingTarget.Launch::kernel)
                .toList(), "the small path ignores counters");
        assertMessage("counters must hold >= 64 floats (countersCount: a word per batch row), got 63",
                () -> kernels.readForward(withCounters(p, floats(63))));
        assertMessage("counters must not overlap partials", () -> kernels.readForward(withCounters(p, p.partials())));
        assertEquals(64, MemnetKernels.countersCount(64));
    }

    private static MemnetKernels.FwdParams withCounters(MemnetKernels.FwdParams p, DeviceMemory counters) {
        return new MemnetKernels.FwdParams(p.q(), p.keys(), p.values(), p.c(), p.lse(), p.partials(), p.batch(),
                p.slots(), p.emptySlots(), p.keyWidth(), p.valueWidth(), p.qBatchStride(), p.keyBatchStride(),
                p.keySlotStride(), p.valueBatchStride(), p.valueSlotStride(), p.slotsPerSplit(), p.splits(), p.scale(),
                counters);
    }

    @Test
    void backwardPicksThePathLikeTheForward() {
        kernels.readBackward(denseBwd(5, 37, 32, null));
        assertEquals(MemnetKernels.READ_BWD_SMALL, target.launches.getFirst().kernel());
        target.launches.clear();
        kernels.readBackward(denseBwd(3, 300, 64, floats(MemnetKernels.bwdPartialsCount(3, 300, 64))));
        assertEquals(List.of(MemnetKernels.READ_BWD_SPLIT, MemnetKernels.READ_BWD_MERGE),
                target.launches.stream().map(RecordingTarget.Launch::kernel).toList());
        assertEquals(LaunchGeometry.linear(9, 256), target.launches.getFirst().geometry());
        assertEquals(LaunchGeometry.linear(3, 256), target.launches.get(1).geometry(), "merge: a block per row");
        MemorySegment s = (MemorySegment) target.launches.getFirst().arguments().getFirst();
        assertEquals(100, ParamsStructs.getLong(s, MemnetKernels.BWD_PARAMS_LAYOUT, "slotsPerSplit"));
    }

    @Test
    void badSizesAndBuffersAreRejectedBeforeAnyLaunch() {
        assertMessage("keyWidth must be in [1, 256], got 257", () -> kernels.readForward(dense(2, 8, 0, 257, null)));
        assertMessage("keyWidth must be in [1, 256], got 0", () -> kernels.readForward(dense(2, 8, 0, 0, null)));
        assertMessage("emptySlots must be >= 0, got -1", () -> kernels.readForward(dense(2, 8, -1, 4, null)));
        MemnetKernels.FwdParams ok = dense(2, 8, 0, 4, null);
        assertMessage("keys must hold >= 64 floats", () -> kernels.readForward(new MemnetKernels.FwdParams(ok.q(),
                floats(63), ok.values(), ok.c(), ok.lse(), null, 2, 8, 0, 4, 4, 4, 32, 4, 32, 4, 0, 0, 1)));
        assertMessage("keySlotStride must be >= 0, got -4", () -> kernels.readForward(new MemnetKernels.FwdParams(ok.q(),
                ok.keys(), ok.values(), ok.c(), ok.lse(), null, 2, 8, 0, 4, 4, 4, 32, -4, 32, 4, 0, 0, 1)));
        assertMessage("c must not overlap keys", () -> kernels.readForward(new MemnetKernels.FwdParams(ok.q(),
                ok.keys(), ok.values(), ok.keys(), ok.lse(), null, 2, 8, 0, 4, 4, 4, 32, 4, 32, 4, 0, 0, 1)));
        assertMessage("partials must not be null", () -> kernels.readForward(dense(2, 200, 0, 4, null)));
        assertMessage("partials must hold >= 24 floats",
                () -> kernels.readForward(dense(2, 200, 0, 4, floats(23))));
        MemnetKernels.BwdParams bwd = denseBwd(2, 8, 4, null);
        assertMessage("dKeys must not overlap keys", () -> kernels.readBackward(new MemnetKernels.BwdParams(bwd.q(),
                bwd.keys(), bwd.values(), bwd.c(), bwd.lse(), bwd.dc(), bwd.dq(), bwd.keys(), bwd.dValues(), null, 2, 8,
                4, 4, 4, 32, 4, 32, 4, 4, 32, 4, 32, 4, 0, 0, 1)));
        assertMessage("dq must hold >= 8 floats", () -> kernels.readBackward(new MemnetKernels.BwdParams(bwd.q(),
                bwd.keys(), bwd.values(), bwd.c(), bwd.lse(), bwd.dc(), floats(7), bwd.dKeys(), bwd.dValues(), null, 2,
                8, 4, 4, 4, 32, 4, 32, 4, 4, 32, 4, 32, 4, 0, 0, 1)));
        assertEquals(0, target.launches.size());
    }

    @Test
    void rawStructsAreCheckedToo() {
        assertMessage("p must be a mnemo_memnet_read_fwd_params of 160 bytes, got 8 bytes",
                () -> kernels.readFwdSmall(MemorySegment.ofArray(new long[1])));
        MemorySegment s = MemorySegment.ofArray(new long[20]);
        dense(2, 300, 0, 4, floats(100)).withPlan(new MemnetKernels.SplitPlan(4, 60)).writeTo(s);
        assertMessage("splits must be ceil(slots / slotsPerSplit) = 5, got 4", () -> kernels.readFwdSplit(s));
        MemorySegment b = MemorySegment.ofArray(new long[28]);
        denseBwd(2, 8, 4, null).writeTo(b);
        assertMessage("p.partials must not be null", () -> kernels.readBwdSplit(b));
        kernels.readBwdSmall(b);
        assertEquals(MemnetKernels.READ_BWD_SMALL, target.launches.getFirst().kernel());
    }

    @Test
    void withNoFilledSlotKeysAndValuesMayBeNull() {
        // An empty history (slots 0: only empty slots, or none) has no key or value memory at all.
        FakeMemory none = new FakeMemory(0, 0);
        kernels.readForward(new MemnetKernels.FwdParams(floats(8), none, none, floats(8), floats(2), null, 2, 0, 3, 4, 4,
                4, 0, 0, 0, 0, 0, 0, 1));
        assertEquals(MemnetKernels.READ_FWD_SMALL, target.launches.getFirst().kernel());
        MemorySegment s = MemorySegment.ofArray(new long[20]);
        new MemnetKernels.FwdParams(floats(8), none, none, floats(8), floats(2), null, 2, 1, 0, 4, 4, 4, 4, 4, 4, 4, 0, 0, 1)
                .writeTo(s);
        assertMessage("p.keys must not be null", () -> kernels.readFwdSmall(s));
    }

    @Test
    void ringWriteChecksAndLaunches() {
        FakeMemory keys = floats(3 * 5 * 4), values = floats(3 * 5 * 3), k = floats(3 * 6), v = floats(3 * 5);
        kernels.ringWrite(keys, values, k, 6, v, 5, 3, 5, 4, 3, 7);
        RecordingTarget.Launch l = target.launches.getFirst();
        assertEquals(MemnetKernels.RING_WRITE, l.kernel());
        assertEquals(LaunchGeometry.linear(1, 256), l.geometry());
        assertEquals(List.of(keys, values, k, 6L, v, 5L, 3L, 5L, 4L, 3L, 7L), l.arguments());
        assertMessage("ldk must be >= keyWidth (4), got 3", () -> kernels.ringWrite(keys, values, k, 3, v, 5, 3, 5, 4, 3, 7));
        assertMessage("slots must be >= 1, got 0", () -> kernels.ringWrite(keys, values, k, 6, v, 5, 3, 0, 4, 3, 7));
        assertMessage("keys must not overlap values",
                () -> kernels.ringWrite(keys, keys, k, 6, v, 5, 3, 5, 4, 3, 7));
        assertMessage("step must be >= 0, got -1", () -> kernels.ringWrite(keys, values, k, 6, v, 5, 3, 5, 4, 3, -1));
    }

    @Test
    void ringWriteAtAStepOnTheDevicePassesItsPointer() {
        FakeMemory keys = floats(3 * 5 * 4), values = floats(3 * 5 * 3), k = floats(3 * 6), v = floats(3 * 5);
        FakeMemory step = new FakeMemory(0x7000_0000L, 8);
        kernels.ringWriteAt(keys, values, k, 6, v, 5, 3, 5, 4, 3, step);
        RecordingTarget.Launch l = target.launches.getFirst();
        assertEquals(MemnetKernels.RING_WRITE_AT, l.kernel());
        assertEquals(LaunchGeometry.linear(1, 256), l.geometry());
        assertEquals(List.of(keys, values, k, 6L, v, 5L, 3L, 5L, 4L, 3L, step), l.arguments());
        assertMessage("step must hold >= 1 doubles (one int64), got 0",
                () -> kernels.ringWriteAt(keys, values, k, 6, v, 5, 3, 5, 4, 3, new FakeMemory(0x7000_0000L, 4)));
        assertMessage("step must be 8-byte aligned, got address 0x70000004",
                () -> kernels.ringWriteAt(keys, values, k, 6, v, 5, 3, 5, 4, 3, new FakeMemory(0x7000_0004L, 8)));
        assertMessage("ldv must be >= valueWidth (3), got 2",
                () -> kernels.ringWriteAt(keys, values, k, 6, v, 2, 3, 5, 4, 3, step));
        assertEquals(1, target.launches.size());
    }

    @Test
    void typedRecordsWriteEveryFieldAtItsOffset() {
        MemorySegment s = MemorySegment.ofArray(new long[28]);
        new MemnetKernels.BwdParams(new FakeMemory(0x10, 4), new FakeMemory(0x20, 4), new FakeMemory(0x30, 4),
                new FakeMemory(0x40, 4), new FakeMemory(0x50, 4), new FakeMemory(0x60, 4), new FakeMemory(0x70, 4),
                new FakeMemory(0x80, 4), new FakeMemory(0x90, 4), null, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                15, 16, 0.5, new FakeMemory(0xA0, 4)).writeTo(s);
        long[] got = s.toArray(ValueLayout.JAVA_LONG);
        assertEquals(List.of(0x10L, 0x20L, 0x30L, 0x40L, 0x50L, 0x60L, 0x70L, 0x80L, 0x90L, 0L, 1L, 2L, 3L, 4L, 5L, 6L,
                7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L), java.util.Arrays.stream(got).limit(26).boxed().toList());
        assertEquals(0.5, s.get(ValueLayout.JAVA_DOUBLE, 208));
        assertEquals(0xA0L, got[27], "counters at 216");
    }

    private static void assertMessage(String expectedStart, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(expectedStart), () -> "message '" + e.getMessage() + "' should start with '"
                + expectedStart + "'");
    }
}
