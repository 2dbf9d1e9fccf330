package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * Launchers of the header's family "memnet": MemNet's key-value memory read (one query per batch
 * row, dot-product softmax attention over strided memory slots plus zero "empty" slots), forward
 * and backward, and the ring-buffer write of the streaming path.
 *
 * <p>Two read paths: <em>small</em> (slots {@code <=} {@link #SMALL_MAX_SLOTS}: one warp per row,
 * fused) and <em>split</em> (flash-decoding: blocks of slot chunks write partials, a merge kernel
 * combines them, a block per row). {@link #readForward}, {@link #readForwardKvbf16} and
 * {@link #readBackward} take a typed {@link FwdParams} / {@link BwdParams}, check every size,
 * stride and overlap, choose the path and the split plan ({@link #splitPlan}, {@link #backwardSplitPlan};
 * overriding the record's {@code slotsPerSplit} and {@code splits}), and queue one or two launches
 * (one when a read has one split, or counters: its split kernel then finishes the rows). The mirror
 * methods ({@code readFwdSmall(MemorySegment)}, ...) launch one kernel from the struct's bytes.
 *
 * <p>Not thread-safe (one stream, one thread, like its context).
 */
public final class MemnetKernels {
    /** Threads per block of every memnet kernel. */
    public static final int BLOCK_THREADS = 256;
    /** Rows per block of the small path (a warp per row). */
    public static final int ROWS_PER_BLOCK = BLOCK_THREADS / 32;
    /** {@code MNEMO_MEMNET_MAX_WIDTH}: the widest key or value row. */
    public static final int MAX_WIDTH = 256;
    /**
     * {@code MNEMO_MEMNET_SMALL_MAX_SLOTS}: the small path's slot limit. Longer rows read faster a block per
     * row (the one-split read) than a warp per row: 1.2–1.6× at B 64, N 128, d 64 on the H200 (runs 6–8).
     */
    public static final int SMALL_MAX_SLOTS = 64;
    /** {@code MNEMO_MEMNET_SPLIT_TARGET_BLOCKS}: the forward's, about one block per SM (H200, run 7). */
    public static final int SPLIT_TARGET_BLOCKS = 128;
    /** {@code MNEMO_MEMNET_SPLIT_MAX_SLOTS}: the forward's longest run of slots per split, where B allows. */
    public static final int SPLIT_MAX_SLOTS = 1024;
    /** {@code MNEMO_MEMNET_BWD_SPLIT_TARGET_BLOCKS}: the backward's, about one block per SM too (H200, run 8). */
    public static final int BWD_SPLIT_TARGET_BLOCKS = 128;
    /** {@code MNEMO_MEMNET_SPLIT_MIN_SLOTS}. */
    public static final int SPLIT_MIN_SLOTS = 128;
    /** {@code MNEMO_MEMNET_SPLIT_MAX_SPLITS}: more splits of a row only lengthen the read (H200, run 6). */
    public static final int SPLIT_MAX_SPLITS = 128;
    /** The ring write's grid cap (grid-stride). */
    public static final int MAX_GRID = 65535;

    /** {@code mnemo_memnet_read_fwd_params}: 160 bytes, 8-byte aligned, no padding. */
    public static final StructLayout FWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("q"), ParamsStructs.pointer("keys"), ParamsStructs.pointer("values"),
            ParamsStructs.pointer("c"), ParamsStructs.pointer("lse"), ParamsStructs.pointer("partials"),
            ParamsStructs.int64("batch"), ParamsStructs.int64("slots"), ParamsStructs.int64("emptySlots"),
            ParamsStructs.int64("keyWidth"), ParamsStructs.int64("valueWidth"), ParamsStructs.int64("qBatchStride"),
            ParamsStructs.int64("keyBatchStride"), ParamsStructs.int64("keySlotStride"),
            ParamsStructs.int64("valueBatchStride"), ParamsStructs.int64("valueSlotStride"),
            ParamsStructs.int64("slotsPerSplit"), ParamsStructs.int64("splits"), ParamsStructs.float64("scale"),
            ParamsStructs.pointer("counters"))
            .withName("mnemo_memnet_read_fwd_params");

    /** {@code mnemo_memnet_read_bwd_params}: 224 bytes, 8-byte aligned, no padding. */
    public static final StructLayout BWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("q"), ParamsStructs.pointer("keys"), ParamsStructs.pointer("values"),
            ParamsStructs.pointer("c"), ParamsStructs.pointer("lse"), ParamsStructs.pointer("dc"),
            ParamsStructs.pointer("dq"), ParamsStructs.pointer("dKeys"), ParamsStructs.pointer("dValues"),
            ParamsStructs.pointer("partials"), ParamsStructs.int64("batch"), ParamsStructs.int64("slots"),
            ParamsStructs.int64("keyWidth"), ParamsStructs.int64("valueWidth"), ParamsStructs.int64("qBatchStride"),
            ParamsStructs.int64("keyBatchStride"), ParamsStructs.int64("keySlotStride"),
            ParamsStructs.int64("valueBatchStride"), ParamsStructs.int64("valueSlotStride"),
            ParamsStructs.int64("dqBatchStride"), ParamsStructs.int64("dKeyBatchStride"),
            ParamsStructs.int64("dKeySlotStride"), ParamsStructs.int64("dValueBatchStride"),
            ParamsStructs.int64("dValueSlotStride"), ParamsStructs.int64("slotsPerSplit"),
            ParamsStructs.int64("splits"), ParamsStructs.float64("scale"), ParamsStructs.pointer("counters"))
            .withName("mnemo_memnet_read_bwd_params");

    private static final KernelParameter FWD = of("mnemo_memnet_read_fwd_params", "p");
    private static final KernelParameter BWD = of("mnemo_memnet_read_bwd_params", "p");

    /** {@code mnemo_memnet_read_fwd_small_f32(mnemo_memnet_read_fwd_params p)}. */
    public static final KernelSignature READ_FWD_SMALL = KernelSignature.of("mnemo_memnet_read_fwd_small_f32", FWD);
    /** {@code mnemo_memnet_read_fwd_split_f32(mnemo_memnet_read_fwd_params p)}. */
    public static final KernelSignature READ_FWD_SPLIT = KernelSignature.of("mnemo_memnet_read_fwd_split_f32", FWD);
    /** {@code mnemo_memnet_read_fwd_split_kvbf16_f32(mnemo_memnet_read_fwd_params p)}. */
    public static final KernelSignature READ_FWD_SPLIT_KVBF16 =
            KernelSignature.of("mnemo_memnet_read_fwd_split_kvbf16_f32", FWD);
    /** {@code mnemo_memnet_read_fwd_merge_f32(mnemo_memnet_read_fwd_params p)}. */
    public static final KernelSignature READ_FWD_MERGE = KernelSignature.of("mnemo_memnet_read_fwd_merge_f32", FWD);
    /** {@code mnemo_memnet_read_bwd_small_f32(mnemo_memnet_read_bwd_params p)}. */
    public static final KernelSignature READ_BWD_SMALL = KernelSignature.of("mnemo_memnet_read_bwd_small_f32", BWD);
    /** {@code mnemo_memnet_read_bwd_split_f32(mnemo_memnet_read_bwd_params p)}. */
    public static final KernelSignature READ_BWD_SPLIT = KernelSignature.of("mnemo_memnet_read_bwd_split_f32", BWD);
    /** {@code mnemo_memnet_read_bwd_merge_f32(mnemo_memnet_read_bwd_params p)}. */
    public static final KernelSignature READ_BWD_MERGE = KernelSignature.of("mnemo_memnet_read_bwd_merge_f32", BWD);
    /**
     * {@code mnemo_memnet_ring_write_f32(float* keys, float* values, const float* k, long long ldk,
     * const float* v, long long ldv, long long batch, long long slots, long long keyWidth,
     * long long valueWidth, long long step)}.
     */
    public static final KernelSignature RING_WRITE = KernelSignature.of("mnemo_memnet_ring_write_f32",
            of("float*", "keys"), of("float*", "values"), of("const float*", "k"), of("long long", "ldk"),
            of("const float*", "v"), of("long long", "ldv"), of("long long", "batch"), of("long long", "slots"),
            of("long long", "keyWidth"), of("long long", "valueWidth"), of("long long", "step"));
    /**
     * {@code mnemo_memnet_ring_write_at_f32(float* keys, float* values, const float* k, long long ldk,
     * const float* v, long long ldv, long long batch, long long slots, long long keyWidth,
     * long long valueWidth, const long long* step)}.
     */
    public static final KernelSignature RING_WRITE_AT = KernelSignature.of("mnemo_memnet_ring_write_at_f32",
            of("float*", "keys"), of("float*", "values"), of("const float*", "k"), of("long long", "ldk"),
            of("const float*", "v"), of("long long", "ldv"), of("long long", "batch"), of("long long", "slots"),
            of("long long", "keyWidth"), of("long long", "valueWidth"), of("const long long*", "step"));

    /** The header's split of a row's slots: {@code splits} chunks of {@code slotsPerSplit}. */
    public record SplitPlan(long splits, long slotsPerSplit) {
    }

    /**
     * The fields of {@code mnemo_memnet_read_fwd_params} (names and order as in C). Each pointer is
     * at its operand's first element; {@code keys} and {@code values} hold floats, or bf16 values
     * for {@link #readForwardKvbf16}. {@code counters} ({@link #countersCount} words, all zero, or
     * null): given, a split read is one launch (the split kernel merges each row itself).
     */
    public record FwdParams(DeviceMemory q, DeviceMemory keys, DeviceMemory values, DeviceMemory c, DeviceMemory lse,
                            DeviceMemory partials, long batch, long slots, long emptySlots, long keyWidth,
                            long valueWidth, long qBatchStride, long keyBatchStride, long keySlotStride,
                            long valueBatchStride, long valueSlotStride, long slotsPerSplit, long splits,
                            double scale, DeviceMemory counters) {

        /** Without counters: a split read of more than one split is the split kernel and the merge. */
        public FwdParams(DeviceMemory q, DeviceMemory keys, DeviceMemory values, DeviceMemory c, DeviceMemory lse,
                         DeviceMemory partials, long batch, long slots, long emptySlots, long keyWidth,
                         long valueWidth, long qBatchStride, long keyBatchStride, long keySlotStride,
                         long valueBatchStride, long valueSlotStride, long slotsPerSplit, long splits,
                         double scale) {
            this(q, keys, values, c, lse, partials, batch, slots, emptySlots, keyWidth, valueWidth, qBatchStride,
                    keyBatchStride, keySlotStride, valueBatchStride, valueSlotStride, slotsPerSplit, splits, scale,
                    null);
        }

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = FWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "q", ParamsStructs.addressOf(q));
            ParamsStructs.putLong(s, l, "keys", ParamsStructs.addressOf(keys));
            ParamsStructs.putLong(s, l, "values", ParamsStructs.addressOf(values));
            ParamsStructs.putLong(s, l, "c", ParamsStructs.addressOf(c));
            ParamsStructs.putLong(s, l, "lse", ParamsStructs.addressOf(lse));
            ParamsStructs.putLong(s, l, "partials", ParamsStructs.addressOf(partials));
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "slots", slots);
            ParamsStructs.putLong(s, l, "emptySlots", emptySlots);
            ParamsStructs.putLong(s, l, "keyWidth", keyWidth);
            ParamsStructs.putLong(s, l, "valueWidth", valueWidth);
            ParamsStructs.putLong(s, l, "qBatchStride", qBatchStride);
            ParamsStructs.putLong(s, l, "keyBatchStride", keyBatchStride);
            ParamsStructs.putLong(s, l, "keySlotStride", keySlotStride);
            ParamsStructs.putLong(s, l, "valueBatchStride", valueBatchStride);
            ParamsStructs.putLong(s, l, "valueSlotStride", valueSlotStride);
            ParamsStructs.putLong(s, l, "slotsPerSplit", slotsPerSplit);
            ParamsStructs.putLong(s, l, "splits", splits);
            ParamsStructs.putDouble(s, l, "scale", scale);
            ParamsStructs.putLong(s, l, "counters", ParamsStructs.addressOf(counters));
        }

        FwdParams withPlan(SplitPlan plan) {
            return new FwdParams(q, keys, values, c, lse, partials, batch, slots, emptySlots, keyWidth, valueWidth,
                    qBatchStride, keyBatchStride, keySlotStride, valueBatchStride, valueSlotStride,
                    plan.slotsPerSplit(), plan.splits(), scale, counters);
        }
    }

    /** The fields of {@code mnemo_memnet_read_bwd_params} (names and order as in C); counters as the forward's. */
    public record BwdParams(DeviceMemory q, DeviceMemory keys, DeviceMemory values, DeviceMemory c, DeviceMemory lse,
                            DeviceMemory dc, DeviceMemory dq, DeviceMemory dKeys, DeviceMemory dValues,
                            DeviceMemory partials, long batch, long slots, long keyWidth, long valueWidth,
                            long qBatchStride, long keyBatchStride, long keySlotStride, long valueBatchStride,
                            long valueSlotStride, long dqBatchStride, long dKeyBatchStride, long dKeySlotStride,
                            long dValueBatchStride, long dValueSlotStride, long slotsPerSplit, long splits,
                            double scale, DeviceMemory counters) {

        /** Without counters: a split read of more than one split is the split kernel and the merge. */
        public BwdParams(DeviceMemory q, DeviceMemory keys, DeviceMemory values, DeviceMemory c, DeviceMemory lse,
                         DeviceMemory dc, DeviceMemory dq, DeviceMemory dKeys, DeviceMemory dValues,
                         DeviceMemory partials, long batch, long slots, long keyWidth, long valueWidth,
                         long qBatchStride, long keyBatchStride, long keySlotStride, long valueBatchStride,
                         long valueSlotStride, long dqBatchStride, long dKeyBatchStride, long dKeySlotStride,
                         long dValueBatchStride, long dValueSlotStride, long slotsPerSplit, long splits,
                         double scale) {
            this(q, keys, values, c, lse, dc, dq, dKeys, dValues, partials, batch, slots, keyWidth, valueWidth,
                    qBatchStride, keyBatchStride, keySlotStride, valueBatchStride, valueSlotStride, dqBatchStride,
                    dKeyBatchStride, dKeySlotStride, dValueBatchStride, dValueSlotStride, slotsPerSplit, splits, scale,
                    null);
        }

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = BWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "q", ParamsStructs.addressOf(q));
            ParamsStructs.putLong(s, l, "keys", ParamsStructs.addressOf(keys));
            ParamsStructs.putLong(s, l, "values", ParamsStructs.addressOf(values));
            ParamsStructs.putLong(s, l, "c", ParamsStructs.addressOf(c));
            ParamsStructs.putLong(s, l, "lse", ParamsStructs.addressOf(lse));
            ParamsStructs.putLong(s, l, "dc", ParamsStructs.addressOf(dc));
            ParamsStructs.putLong(s, l, "dq", ParamsStructs.addressOf(dq));
            ParamsStructs.putLong(s, l, "dKeys", ParamsStructs.addressOf(dKeys));
            ParamsStructs.putLong(s, l, "dValues", ParamsStructs.addressOf(dValues));
            ParamsStructs.putLong(s, l, "partials", ParamsStructs.addressOf(partials));
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "slots", slots);
            ParamsStructs.putLong(s, l, "keyWidth", keyWidth);
            ParamsStructs.putLong(s, l, "valueWidth", valueWidth);
            ParamsStructs.putLong(s, l, "qBatchStride", qBatchStride);
            ParamsStructs.putLong(s, l, "keyBatchStride", keyBatchStride);
            ParamsStructs.putLong(s, l, "keySlotStride", keySlotStride);
            ParamsStructs.putLong(s, l, "valueBatchStride", valueBatchStride);
            ParamsStructs.putLong(s, l, "valueSlotStride", valueSlotStride);
            ParamsStructs.putLong(s, l, "dqBatchStride", dqBatchStride);
            ParamsStructs.putLong(s, l, "dKeyBatchStride", dKeyBatchStride);
            ParamsStructs.putLong(s, l, "dKeySlotStride", dKeySlotStride);
            ParamsStructs.putLong(s, l, "dValueBatchStride", dValueBatchStride);
            ParamsStructs.putLong(s, l, "dValueSlotStride", dValueSlotStride);
            ParamsStructs.putLong(s, l, "slotsPerSplit", slotsPerSplit);
            ParamsStructs.putLong(s, l, "splits", splits);
            ParamsStructs.putDouble(s, l, "scale", scale);
            ParamsStructs.putLong(s, l, "counters", ParamsStructs.addressOf(counters));
        }

        BwdParams withPlan(SplitPlan plan) {
            return new BwdParams(q, keys, values, c, lse, dc, dq, dKeys, dValues, partials, batch, slots, keyWidth,
                    valueWidth, qBatchStride, keyBatchStride, keySlotStride, valueBatchStride, valueSlotStride,
                    dqBatchStride, dKeyBatchStride, dKeySlotStride, dValueBatchStride, dValueSlotStride,
                    plan.slotsPerSplit(), plan.splits(), scale, counters);
        }
    }

    private final LaunchTarget target;
    private final MemnetSequenceKernels sequence;
    private final MemorySegment fwdParams = ParamsStructs.allocate(FWD_PARAMS_LAYOUT);
    private final MemorySegment bwdParams = ParamsStructs.allocate(BWD_PARAMS_LAYOUT);

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public MemnetKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    MemnetKernels(LaunchTarget target) {
        this.target = target;
        this.sequence = new MemnetSequenceKernels(target);
    }

    /** The whole-sequence loop of MemNet's layer, on this launcher's stream. */
    public MemnetSequenceKernels sequence() {
        return sequence;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(READ_FWD_SMALL, READ_FWD_SPLIT, READ_FWD_SPLIT_KVBF16, READ_FWD_MERGE, READ_BWD_SMALL,
                READ_BWD_SPLIT, READ_BWD_MERGE, RING_WRITE, RING_WRITE_AT, MemnetSequenceKernels.SEQ_FWD, MemnetSequenceKernels.SEQ_BWD,
                MemnetSequenceKernels.STREAM);
    }

    // ───────────────────────────── plans and geometry ─────────────────────────────

    /** Whether a read of {@code slots} slots takes the small path. */
    public static boolean smallPath(long slots) {
        return slots <= SMALL_MAX_SLOTS;
    }

    /**
     * The header's forward plan: {@code splits = min(max(ceil(128 / B), ceil(slots / 1024)), ceil(slots / 128),
     * 128)} (at least 1), {@code slotsPerSplit = ceil(slots / splits)}, then
     * {@code splits = ceil(slots / slotsPerSplit)}. One split (every B &gt;= 128 up to 1024 slots) is one
     * launch: the split kernel then finishes the rows itself.
     */
    public static SplitPlan splitPlan(long batch, long slots) {
        LaunchChecks.count("batch", batch);
        LaunchChecks.count("slots", slots);
        return cappedPlan(Math.max(ceilDiv(SPLIT_TARGET_BLOCKS, Math.max(1, batch)), ceilDiv(slots, SPLIT_MAX_SLOTS)),
                slots);
    }

    /**
     * The header's backward plan: {@code splits = min(max(1, ceil(128 / B)), ceil(slots / 128), 128)}, then as above;
     * no cap on a split's run of slots. One split (every B &gt;= 128) is one launch: the split kernel writes dq.
     */
    public static SplitPlan backwardSplitPlan(long batch, long slots) {
        LaunchChecks.count("batch", batch);
        LaunchChecks.count("slots", slots);
        return cappedPlan(ceilDiv(BWD_SPLIT_TARGET_BLOCKS, Math.max(1, batch)), slots);
    }

    /** {@code wanted} splits of {@code slots}, within the caps both plans share. */
    private static SplitPlan cappedPlan(long wanted, long slots) {
        if (slots == 0) {
            return new SplitPlan(1, 1);
        }
        long splits = Math.max(1, Math.min(Math.min(wanted, ceilDiv(slots, SPLIT_MIN_SLOTS)), SPLIT_MAX_SPLITS));
        long perSplit = ceilDiv(slots, splits);
        return new SplitPlan(ceilDiv(slots, perSplit), perSplit);
    }

    /** Floats of forward scratch {@link #readForward} needs: {@code B·splits·(2 + d_v)}, 0 on the small path. */
    public static long fwdPartialsCount(long batch, long slots, long valueWidth) {
        return smallPath(slots) ? 0 : Math.multiplyExact(Math.multiplyExact(batch, splitPlan(batch, slots).splits()),
                2 + valueWidth);
    }

    /** As {@link #fwdPartialsCount} for {@link #readForwardKvbf16}, which always takes the split path. */
    public static long fwdKvbf16PartialsCount(long batch, long slots, long valueWidth) {
        return Math.multiplyExact(Math.multiplyExact(batch, splitPlan(batch, slots).splits()), 2 + valueWidth);
    }

    /** Floats of backward scratch {@link #readBackward} needs: {@code B·splits·d_k}, 0 on the small path. */
    public static long bwdPartialsCount(long batch, long slots, long keyWidth) {
        return smallPath(slots) ? 0 : Math.multiplyExact(
                Math.multiplyExact(batch, backwardSplitPlan(batch, slots).splits()), keyWidth);
    }

    /**
     * The 32-bit words of counters a split read of {@code batch} rows takes to merge its rows in the split kernel
     * (one launch): a word per row, all zero before the first read (each read leaves them zero).
     */
    public static long countersCount(long batch) {
        LaunchChecks.count("batch", batch);
        return batch;
    }

    /** Small path: block 256 (a warp per row), grid ceil(B / 8), at least 1. */
    public static LaunchGeometry rowGeometry(long batch) {
        LaunchChecks.count("batch", batch);
        return LaunchGeometry.linear(Math.max(1, LaunchChecks.blocksFor(batch, ROWS_PER_BLOCK)), BLOCK_THREADS);
    }

    /** Merges: block 256 (a block per row, so a row's many splits fold 256 threads wide), grid B, at least 1. */
    public static LaunchGeometry mergeGeometry(long batch) {
        LaunchChecks.count("batch", batch);
        return LaunchGeometry.linear(Math.max(1, batch), BLOCK_THREADS);
    }

    /** Split kernels: block 256, grid B·splits, at least 1. */
    public static LaunchGeometry splitGeometry(long batch, long splits) {
        LaunchChecks.count("batch", batch);
        LaunchChecks.atLeastOne("splits", splits);
        long blocks;
        try {
            blocks = Math.multiplyExact(batch, splits);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("batch·splits must fit in 64 bits, got " + batch + "·" + splits);
        }
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch·splits must be < 2^31, got " + blocks);
        }
        return LaunchGeometry.linear(Math.max(1, blocks), BLOCK_THREADS);
    }

    /** The ring write: block 256, grid ceil(B·(d_k + d_v) / 256) capped at 65535, at least 1. */
    public static LaunchGeometry ringGeometry(long batch, long keyWidth, long valueWidth) {
        long n = Math.multiplyExact(batch, Math.addExact(keyWidth, valueWidth));
        return LaunchGeometry.linear(Math.max(1, Math.min(LaunchChecks.blocksFor(n, BLOCK_THREADS), MAX_GRID)),
                BLOCK_THREADS);
    }

    // ───────────────────────────── the mirror methods (struct bytes) ─────────────────────────────

    /** Small-path forward from the struct's bytes (scalars and required pointers checked). */
    public void readFwdSmall(MemorySegment p) {
        long batch = checkRawFwd(p, false);
        target.launch(READ_FWD_SMALL, rowGeometry(batch), p);
    }

    /** Split pass of the forward (K, V float) from the struct's bytes. */
    public void readFwdSplit(MemorySegment p) {
        long batch = checkRawFwd(p, true);
        target.launch(READ_FWD_SPLIT, splitGeometry(batch, ParamsStructs.getLong(p, FWD_PARAMS_LAYOUT, "splits")), p);
    }

    /** Split pass of the forward with K, V stored as bf16, from the struct's bytes. */
    public void readFwdSplitKvbf16(MemorySegment p) {
        long batch = checkRawFwd(p, true);
        target.launch(READ_FWD_SPLIT_KVBF16,
                splitGeometry(batch, ParamsStructs.getLong(p, FWD_PARAMS_LAYOUT, "splits")), p);
    }

    /** Merge pass of the forward (partials → c, lse) from the struct's bytes. */
    public void readFwdMerge(MemorySegment p) {
        long batch = checkRawFwd(p, true);
        target.launch(READ_FWD_MERGE, mergeGeometry(batch), p);
    }

    /** Small-path backward from the struct's bytes. */
    public void readBwdSmall(MemorySegment p) {
        long batch = checkRawBwd(p, false);
        target.launch(READ_BWD_SMALL, rowGeometry(batch), p);
    }

    /** Split pass of the backward from the struct's bytes. */
    public void readBwdSplit(MemorySegment p) {
        long batch = checkRawBwd(p, true);
        target.launch(READ_BWD_SPLIT, splitGeometry(batch, ParamsStructs.getLong(p, BWD_PARAMS_LAYOUT, "splits")), p);
    }

    /** Merge pass of the backward (partials → dq) from the struct's bytes. */
    public void readBwdMerge(MemorySegment p) {
        long batch = checkRawBwd(p, true);
        target.launch(READ_BWD_MERGE, mergeGeometry(batch), p);
    }

    /**
     * {@code keys[b, step mod M, :] = k[b, :]}, {@code values[b, step mod M, :] = v[b, :]}.
     *
     * @param keys [B, M, d_k] in-out
     * @param values [B, M, d_v] in-out
     * @param k [B, ldk] in
     * @param ldk row stride of k, {@code >= keyWidth}
     * @param v [B, ldv] in
     * @param ldv row stride of v, {@code >= valueWidth}
     * @param batch B {@code >= 0}
     * @param slots M {@code >= 1}
     * @param keyWidth d_k {@code >= 1}
     * @param valueWidth d_v {@code >= 1}
     * @param step t {@code >= 0}
     */
    public void ringWrite(DeviceMemory keys, DeviceMemory values, DeviceMemory k, long ldk, DeviceMemory v, long ldv,
                          long batch, long slots, long keyWidth, long valueWidth, long step) {
        LaunchChecks.count("step", step);
        LaunchGeometry geometry = checkRingWrite(keys, values, k, ldk, v, ldv, batch, slots, keyWidth, valueWidth);
        target.launch(RING_WRITE, geometry, keys, values, k, ldk, v, ldv, batch, slots, keyWidth, valueWidth, step);
    }

    /**
     * As {@link #ringWrite}, the step an int64 in device memory read when the kernel runs (a recorded streaming
     * step writes the slot of the count set before each replay).
     *
     * @param step one int64 (8 bytes) in device memory, 8-byte aligned, {@code >= 0} when the kernel runs; must not
     *             overlap keys or values
     */
    public void ringWriteAt(DeviceMemory keys, DeviceMemory values, DeviceMemory k, long ldk, DeviceMemory v,
                            long ldv, long batch, long slots, long keyWidth, long valueWidth, DeviceMemory step) {
        LaunchGeometry geometry = checkRingWrite(keys, values, k, ldk, v, ldv, batch, slots, keyWidth, valueWidth);
        LaunchChecks.position("step", step);
        LaunchChecks.disjoint("step", step, 2, "keys", keys, Math.multiplyExact(Math.multiplyExact(batch, slots),
                keyWidth));
        LaunchChecks.disjoint("step", step, 2, "values", values, Math.multiplyExact(Math.multiplyExact(batch, slots),
                valueWidth));
        target.launch(RING_WRITE_AT, geometry, keys, values, k, ldk, v, ldv, batch, slots, keyWidth, valueWidth, step);
    }

    private LaunchGeometry checkRingWrite(DeviceMemory keys, DeviceMemory values, DeviceMemory k, long ldk,
                                          DeviceMemory v, long ldv, long batch, long slots, long keyWidth,
                                          long valueWidth) {
        LaunchChecks.count("batch", batch);
        LaunchChecks.atLeastOne("slots", slots);
        LaunchChecks.atLeastOne("keyWidth", keyWidth);
        LaunchChecks.atLeastOne("valueWidth", valueWidth);
        if (ldk < keyWidth) {
            throw new IllegalArgumentException("ldk must be >= keyWidth (" + keyWidth + "), got " + ldk);
        }
        if (ldv < valueWidth) {
            throw new IllegalArgumentException("ldv must be >= valueWidth (" + valueWidth + "), got " + ldv);
        }
        LaunchGeometry geometry = ringGeometry(batch, keyWidth, valueWidth);
        LaunchChecks.present("keys", keys);
        LaunchChecks.present("values", values);
        LaunchChecks.present("k", k);
        LaunchChecks.present("v", v);
        long keysFloats = Math.multiplyExact(Math.multiplyExact(batch, slots), keyWidth);
        long valuesFloats = Math.multiplyExact(Math.multiplyExact(batch, slots), valueWidth);
        long kSpan = LaunchChecks.span(batch, ldk, keyWidth);
        long vSpan = LaunchChecks.span(batch, ldv, valueWidth);
        LaunchChecks.holds("keys", keys, keysFloats, "batch·slots·keyWidth");
        LaunchChecks.holds("values", values, valuesFloats, "batch·slots·valueWidth");
        LaunchChecks.holds("k", k, kSpan, "(batch−1)·ldk + keyWidth");
        LaunchChecks.holds("v", v, vSpan, "(batch−1)·ldv + valueWidth");
        LaunchChecks.disjoint("keys", keys, keysFloats, "values", values, valuesFloats);
        LaunchChecks.disjoint("keys", keys, keysFloats, "k", k, kSpan);
        LaunchChecks.disjoint("keys", keys, keysFloats, "v", v, vSpan);
        LaunchChecks.disjoint("values", values, valuesFloats, "k", k, kSpan);
        LaunchChecks.disjoint("values", values, valuesFloats, "v", v, vSpan);
        return geometry;
    }

    /** The sequence forward from the struct's bytes (see {@link MemnetSequenceKernels}). */
    public void seqFwd(MemorySegment p) {
        sequence.forwardRaw(p);
    }

    /** The sequence backward from the struct's bytes (see {@link MemnetSequenceKernels}). */
    public void seqBwd(MemorySegment p) {
        sequence.backwardRaw(p);
    }

    /** The streaming steps from the struct's bytes (see {@link MemnetSequenceKernels}). */
    public void stream(MemorySegment p) {
        sequence.streamRaw(p);
    }

    // ───────────────────────────── the typed reads ─────────────────────────────

    /**
     * The forward read with K, V float: small path for {@code slots <= 64}, else split + merge with
     * the header's plan ({@code partials} must then hold {@link #fwdPartialsCount} floats).
     */
    public void readForward(FwdParams p) {
        checkFwd(p, Float.BYTES);
        if (smallPath(p.slots())) {
            p.withPlan(new SplitPlan(1, 1)).writeTo(fwdParams);
            readFwdSmall(fwdParams);
            return;
        }
        launchSplitForward(p, false);
    }

    /** The forward read with K, V stored as bf16 (2-byte elements): always split + merge. */
    public void readForwardKvbf16(FwdParams p) {
        checkFwd(p, 2);
        launchSplitForward(p, true);
    }

    /**
     * The backward read: dq overwritten, dK and dV accumulated; small path for {@code slots <= 64},
     * else split + merge ({@code partials} must then hold {@link #bwdPartialsCount} floats).
     */
    public void readBackward(BwdParams p) {
        checkBwd(p);
        if (smallPath(p.slots())) {
            p.withPlan(new SplitPlan(1, 1)).writeTo(bwdParams);
            readBwdSmall(bwdParams);
            return;
        }
        SplitPlan plan = backwardSplitPlan(p.batch(), p.slots());
        long needed = Math.multiplyExact(Math.multiplyExact(p.batch(), plan.splits()), p.keyWidth());
        LaunchChecks.present("partials", p.partials());
        LaunchChecks.holds("partials", p.partials(), needed, "bwdPartialsCount: batch·splits·keyWidth");
        checkScratchDisjoint(p.partials(), needed, new String[] {"q", "keys", "values", "c", "lse", "dc", "dq", "dKeys",
            "dValues"}, new DeviceMemory[] {p.q(), p.keys(), p.values(), p.c(), p.lse(), p.dc(), p.dq(), p.dKeys(),
            p.dValues()});
        if (p.batch() == 0) {
            return;
        }
        checkCounters(p.counters(), p.batch(), new String[] {"q", "keys", "values", "c", "lse", "dc", "dq", "dKeys",
            "dValues", "partials"}, new DeviceMemory[] {p.q(), p.keys(), p.values(), p.c(), p.lse(), p.dc(), p.dq(),
            p.dKeys(), p.dValues(), p.partials()});
        p.withPlan(plan).writeTo(bwdParams);
        readBwdSplit(bwdParams);
        if (plan.splits() > 1 && p.counters() == null) {  // one split, or counters: the split kernel wrote dq
            readBwdMerge(bwdParams);
        }
    }

    private void launchSplitForward(FwdParams p, boolean bf16) {
        SplitPlan plan = splitPlan(p.batch(), p.slots());
        long needed = Math.multiplyExact(Math.multiplyExact(p.batch(), plan.splits()), 2 + p.valueWidth());
        LaunchChecks.present("partials", p.partials());
        LaunchChecks.holds("partials", p.partials(), needed, "fwdPartialsCount: batch·splits·(2 + valueWidth)");
        checkScratchDisjoint(p.partials(), needed, new String[] {"q", "keys", "values", "c", "lse"},
                new DeviceMemory[] {p.q(), p.keys(), p.values(), p.c(), p.lse()});
        checkCounters(p.counters(), p.batch(), new String[] {"q", "keys", "values", "c", "lse", "partials"},
                new DeviceMemory[] {p.q(), p.keys(), p.values(), p.c(), p.lse(), p.partials()});
        if (p.batch() == 0) {
            return;
        }
        p.withPlan(plan).writeTo(fwdParams);
        if (bf16) {
            readFwdSplitKvbf16(fwdParams);
        } else {
            readFwdSplit(fwdParams);
        }
        if (plan.splits() > 1 && p.counters() == null) {  // one split, or counters: the split kernel finished the rows
            readFwdMerge(fwdParams);
        }
    }

    // ───────────────────────────── checks ─────────────────────────────

    /** Elements spanned by a strided [B, M, width] operand: (B−1)·bs + (M−1)·ss + width, 0 if empty. */
    static long span(long batch, long slots, long width, long batchStride, long slotStride) {
        if (batch == 0 || slots == 0) {
            return 0;
        }
        return Math.addExact(Math.addExact(Math.multiplyExact(batch - 1, batchStride),
                Math.multiplyExact(slots - 1, slotStride)), width);
    }

    private static void checkSizes(long batch, long slots, long keyWidth, long valueWidth) {
        LaunchChecks.count("batch", batch);
        LaunchChecks.count("slots", slots);
        LaunchChecks.between("keyWidth", keyWidth, 1, MAX_WIDTH);
        LaunchChecks.between("valueWidth", valueWidth, 1, MAX_WIDTH);
    }

    private static void strides(String[] names, long... values) {
        for (int i = 0; i < values.length; i++) {
            LaunchChecks.count(names[i], values[i]);
        }
    }

    /** The element count of a buffer of {@code elementBytes}-byte elements must reach {@code needed}. */
    private static void holdsElements(String name, DeviceMemory m, long needed, int elementBytes, String why) {
        long capacity = m.byteSize() / elementBytes;
        if (capacity < needed) {
            throw new IllegalArgumentException(name + " must hold >= " + needed + (elementBytes == 2 ? " bf16 values (" : " floats (")
                    + why + "), got " + capacity);
        }
    }

    private static void disjointBytes(String aName, DeviceMemory a, long aBytes, String bName, DeviceMemory b, long bBytes) {
        if (a == null || b == null || aBytes == 0 || bBytes == 0) {
            return;
        }
        long as = a.address();
        long bs = b.address();
        if (as < bs + bBytes && bs < as + aBytes) {
            throw new IllegalArgumentException(aName + " must not overlap " + bName + ", got " + a.describe() + " and "
                    + b.describe());
        }
    }

    /**
     * Counters, when given, hold a 32-bit word per row and overlap nothing else (the kernels count on them and
     * set them back to 0; they must be 0 on entry: {@link #countersCount}).
     */
    private static void checkCounters(DeviceMemory counters, long batch, String[] names, DeviceMemory[] others) {
        if (counters == null) {
            return;
        }
        LaunchChecks.holds("counters", counters, countersCount(batch), "countersCount: a word per batch row");
        for (int i = 0; i < names.length; i++) {
            disjointBytes("counters", counters, batch * Integer.BYTES, names[i], others[i],
                    others[i] == null ? 0 : others[i].byteSize());
        }
    }

    private static void checkScratchDisjoint(DeviceMemory partials, long floats, String[] names, DeviceMemory[] others) {
        for (int i = 0; i < names.length; i++) {
            disjointBytes("partials", partials, floats * Float.BYTES, names[i], others[i],
                    others[i] == null ? 0 : others[i].byteSize());
        }
    }

    private static void checkFwd(FwdParams p, int kvBytes) {
        checkSizes(p.batch(), p.slots(), p.keyWidth(), p.valueWidth());
        LaunchChecks.count("emptySlots", p.emptySlots());
        strides(new String[] {"qBatchStride", "keyBatchStride", "keySlotStride", "valueBatchStride", "valueSlotStride"},
                p.qBatchStride(), p.keyBatchStride(), p.keySlotStride(), p.valueBatchStride(), p.valueSlotStride());
        LaunchChecks.present("q", p.q());
        LaunchChecks.present("keys", p.keys());
        LaunchChecks.present("values", p.values());
        LaunchChecks.present("c", p.c());
        LaunchChecks.present("lse", p.lse());
        long qSpan = span(p.batch(), 1, p.keyWidth(), p.qBatchStride(), 0);
        long kSpan = span(p.batch(), p.slots(), p.keyWidth(), p.keyBatchStride(), p.keySlotStride());
        long vSpan = span(p.batch(), p.slots(), p.valueWidth(), p.valueBatchStride(), p.valueSlotStride());
        long cFloats = Math.multiplyExact(p.batch(), p.valueWidth());
        LaunchChecks.holds("q", p.q(), qSpan, "(batch−1)·qBatchStride + keyWidth");
        holdsElements("keys", p.keys(), kSpan, kvBytes, "(batch−1)·keyBatchStride + (slots−1)·keySlotStride + keyWidth");
        holdsElements("values", p.values(), vSpan, kvBytes,
                "(batch−1)·valueBatchStride + (slots−1)·valueSlotStride + valueWidth");
        LaunchChecks.holds("c", p.c(), cFloats, "batch·valueWidth");
        LaunchChecks.holds("lse", p.lse(), p.batch(), "batch");
        String[] outs = {"c", "lse"};
        DeviceMemory[] outMem = {p.c(), p.lse()};
        long[] outBytes = {cFloats * Float.BYTES, p.batch() * Float.BYTES};
        String[] ins = {"q", "keys", "values"};
        DeviceMemory[] inMem = {p.q(), p.keys(), p.values()};
        long[] inBytes = {qSpan * Float.BYTES, kSpan * kvBytes, vSpan * kvBytes};
        for (int o = 0; o < outs.length; o++) {
            for (int i = 0; i < ins.length; i++) {
                disjointBytes(outs[o], outMem[o], outBytes[o], ins[i], inMem[i], inBytes[i]);
            }
        }
        disjointBytes("c", p.c(), outBytes[0], "lse", p.lse(), outBytes[1]);
    }

    private static void checkBwd(BwdParams p) {
        checkSizes(p.batch(), p.slots(), p.keyWidth(), p.valueWidth());
        strides(new String[] {"qBatchStride", "keyBatchStride", "keySlotStride", "valueBatchStride", "valueSlotStride",
            "dqBatchStride", "dKeyBatchStride", "dKeySlotStride", "dValueBatchStride", "dValueSlotStride"},
                p.qBatchStride(), p.keyBatchStride(), p.keySlotStride(), p.valueBatchStride(), p.valueSlotStride(),
                p.dqBatchStride(), p.dKeyBatchStride(), p.dKeySlotStride(), p.dValueBatchStride(),
                p.dValueSlotStride());
        String[] names = {"q", "keys", "values", "c", "lse", "dc", "dq", "dKeys", "dValues"};
        DeviceMemory[] mem = {p.q(), p.keys(), p.values(), p.c(), p.lse(), p.dc(), p.dq(), p.dKeys(), p.dValues()};
        long cFloats = Math.multiplyExact(p.batch(), p.valueWidth());
        long[] spans = {
            span(p.batch(), 1, p.keyWidth(), p.qBatchStride(), 0),
            span(p.batch(), p.slots(), p.keyWidth(), p.keyBatchStride(), p.keySlotStride()),
            span(p.batch(), p.slots(), p.valueWidth(), p.valueBatchStride(), p.valueSlotStride()),
            cFloats, p.batch(), cFloats,
            span(p.batch(), 1, p.keyWidth(), p.dqBatchStride(), 0),
            span(p.batch(), p.slots(), p.keyWidth(), p.dKeyBatchStride(), p.dKeySlotStride()),
            span(p.batch(), p.slots(), p.valueWidth(), p.dValueBatchStride(), p.dValueSlotStride())};
        for (int i = 0; i < names.length; i++) {
            LaunchChecks.present(names[i], mem[i]);
            LaunchChecks.holds(names[i], mem[i], spans[i], "the span of its strides and sizes");
        }
        // The outputs dq, dKeys, dValues overlap no input and each other. dKeys and dValues may be
        // interleaved windows of one gradient history (element-disjoint); that is allowed when
        // they share no element, which their byte ranges cannot show: only dq is range-checked
        // against them, and dKeys / dValues against the inputs.
        for (int o = 6; o < names.length; o++) {
            for (int i = 0; i < 6; i++) {
                disjointBytes(names[o], mem[o], spans[o] * Float.BYTES, names[i], mem[i], spans[i] * Float.BYTES);
            }
        }
        disjointBytes("dq", mem[6], spans[6] * Float.BYTES, "dKeys", mem[7], spans[7] * Float.BYTES);
        disjointBytes("dq", mem[6], spans[6] * Float.BYTES, "dValues", mem[8], spans[8] * Float.BYTES);
    }

    private static long checkRawFwd(MemorySegment p, boolean split) {
        LaunchChecks.structSize("p", p, FWD_PARAMS_LAYOUT);
        StructLayout l = FWD_PARAMS_LAYOUT;
        long batch = ParamsStructs.getLong(p, l, "batch");
        long slots = ParamsStructs.getLong(p, l, "slots");
        checkSizes(batch, slots, ParamsStructs.getLong(p, l, "keyWidth"), ParamsStructs.getLong(p, l, "valueWidth"));
        LaunchChecks.count("emptySlots", ParamsStructs.getLong(p, l, "emptySlots"));
        for (String s : List.of("qBatchStride", "keyBatchStride", "keySlotStride", "valueBatchStride", "valueSlotStride")) {
            LaunchChecks.count(s, ParamsStructs.getLong(p, l, s));
        }
        requireNonZero(p, l, split ? List.of("q", "c", "lse", "partials") : List.of("q", "c", "lse"));
        if (slots > 0) { // with no filled slot the kernel reads no key or value: an empty history has none
            requireNonZero(p, l, List.of("keys", "values"));
        }
        if (split) {
            checkRawPlan(slots, ParamsStructs.getLong(p, l, "slotsPerSplit"), ParamsStructs.getLong(p, l, "splits"));
        }
        return batch;
    }

    private static long checkRawBwd(MemorySegment p, boolean split) {
        LaunchChecks.structSize("p", p, BWD_PARAMS_LAYOUT);
        StructLayout l = BWD_PARAMS_LAYOUT;
        long batch = ParamsStructs.getLong(p, l, "batch");
        long slots = ParamsStructs.getLong(p, l, "slots");
        checkSizes(batch, slots, ParamsStructs.getLong(p, l, "keyWidth"), ParamsStructs.getLong(p, l, "valueWidth"));
        for (String s : List.of("qBatchStride", "keyBatchStride", "keySlotStride", "valueBatchStride", "valueSlotStride",
                "dqBatchStride", "dKeyBatchStride", "dKeySlotStride", "dValueBatchStride", "dValueSlotStride")) {
            LaunchChecks.count(s, ParamsStructs.getLong(p, l, s));
        }
        requireNonZero(p, l, split ? List.of("q", "c", "lse", "dc", "dq", "partials") : List.of("q", "c", "lse", "dc", "dq"));
        if (slots > 0) {
            requireNonZero(p, l, List.of("keys", "values", "dKeys", "dValues"));
        }
        if (split) {
            checkRawPlan(slots, ParamsStructs.getLong(p, l, "slotsPerSplit"), ParamsStructs.getLong(p, l, "splits"));
        }
        return batch;
    }

    private static void checkRawPlan(long slots, long slotsPerSplit, long splits) {
        LaunchChecks.atLeastOne("slots (split path)", slots);
        LaunchChecks.atLeastOne("slotsPerSplit", slotsPerSplit);
        long expected = ceilDiv(slots, slotsPerSplit);
        if (splits != expected) {
            throw new IllegalArgumentException("splits must be ceil(slots / slotsPerSplit) = " + expected + ", got " + splits);
        }
    }

    private static void requireNonZero(MemorySegment p, StructLayout l, List<String> names) {
        for (String name : names) {
            if (ParamsStructs.getLong(p, l, name) == 0) {
                throw new IllegalArgumentException("p." + name + " must not be null");
            }
        }
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
