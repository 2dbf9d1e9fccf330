package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Launcher of the memnet family's one-launch loops: MemNet's teacher-forced forward or backward over all
 * T steps ({@code mnemo_memnet_seq_fwd_f32}, {@code mnemo_memnet_seq_bwd_f32}), and its streaming
 * inference steps over a ring-buffer memory ({@code mnemo_memnet_stream_f32}: a step of a stream, or a
 * prefix and a free-running continuation), each a block of {@value #THREADS} threads per batch row, the
 * cell's weight in shared memory. They replace the layer's step loops (seven launches a step forward,
 * nine backward, about fourteen a streaming step) where the weight fits the device's shared memory
 * ({@link #fits}, {@link #streamFits}) and the memory has at most {@value #MAX_SLOTS} slots.
 * {@link #forward}, {@link #backward} and {@link #stream} check every size, span and overlap, then queue
 * one launch.
 *
 * <p>Not thread-safe (one stream, one thread, like its context).
 */
public final class MemnetSequenceKernels {
    /** {@code MNEMO_MEMNET_SEQ_THREADS}: threads per block (one block per batch row). */
    public static final int THREADS = 256;
    /** {@code MNEMO_MEMNET_SEQ_MAX_PARTS}: the most threads that share one output of a matrix–vector product. */
    public static final int MAX_PARTS = 8;
    /**
     * {@code MNEMO_MEMNET_SEQ_MAX_SLOTS}: the largest memory the loops read. A step's window is read from the
     * history in global memory, so the limit is the loops' per-step work, not shared memory (2 KiB at 256).
     */
    public static final int MAX_SLOTS = 256;

    /** {@code mnemo_memnet_seq_fwd_params}: 160 bytes, 8-byte aligned, no padding. */
    public static final StructLayout FWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("weight"), ParamsStructs.pointer("bias"), ParamsStructs.pointer("h0"),
            ParamsStructs.pointer("c0"), ParamsStructs.pointer("u"), ParamsStructs.pointer("o"),
            ParamsStructs.pointer("r"), ParamsStructs.pointer("c"), ParamsStructs.pointer("lse"),
            ParamsStructs.int64("steps"), ParamsStructs.int64("batch"), ParamsStructs.int64("inputWidth"),
            ParamsStructs.int64("keyWidth"), ParamsStructs.int64("valueWidth"), ParamsStructs.int64("slots"),
            ParamsStructs.int64("maskEmptySlots"), ParamsStructs.int64("dropoutSeed"),
            ParamsStructs.int64("dropoutOffset"), ParamsStructs.float64("dropoutP"), ParamsStructs.float64("scale"))
            .withName("mnemo_memnet_seq_fwd_params");

    /** {@code mnemo_memnet_seq_bwd_params}: 168 bytes, 8-byte aligned, no padding. */
    public static final StructLayout BWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("weight"), ParamsStructs.pointer("stateOutWeight"),
            ParamsStructs.pointer("readOutWeight"), ParamsStructs.pointer("o"), ParamsStructs.pointer("r"),
            ParamsStructs.pointer("c"), ParamsStructs.pointer("lse"), ParamsStructs.pointer("dy"),
            ParamsStructs.pointer("dO"), ParamsStructs.pointer("dU"), ParamsStructs.pointer("dh0"),
            ParamsStructs.pointer("dc0"), ParamsStructs.int64("steps"), ParamsStructs.int64("batch"),
            ParamsStructs.int64("inputWidth"), ParamsStructs.int64("keyWidth"), ParamsStructs.int64("valueWidth"),
            ParamsStructs.int64("outputWidth"), ParamsStructs.int64("slots"), ParamsStructs.float64("dropoutScale"),
            ParamsStructs.float64("scale"))
            .withName("mnemo_memnet_seq_bwd_params");

    /** {@code mnemo_memnet_stream_params}: 184 bytes, 8-byte aligned, no padding. */
    public static final StructLayout STREAM_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("weight"), ParamsStructs.pointer("bias"), ParamsStructs.pointer("stateOutWeight"),
            ParamsStructs.pointer("stateOutBias"), ParamsStructs.pointer("readOutWeight"),
            ParamsStructs.pointer("readOutBias"), ParamsStructs.pointer("x"), ParamsStructs.pointer("y"),
            ParamsStructs.pointer("h"), ParamsStructs.pointer("c"), ParamsStructs.pointer("keys"),
            ParamsStructs.pointer("values"), ParamsStructs.int64("steps"), ParamsStructs.int64("prefix"),
            ParamsStructs.int64("batch"), ParamsStructs.int64("inputWidth"), ParamsStructs.int64("keyWidth"),
            ParamsStructs.int64("valueWidth"), ParamsStructs.int64("outputWidth"), ParamsStructs.int64("slots"),
            ParamsStructs.int64("stepsBefore"), ParamsStructs.int64("maskEmptySlots"), ParamsStructs.float64("scale"))
            .withName("mnemo_memnet_stream_params");

    /** {@code mnemo_memnet_seq_fwd_f32(mnemo_memnet_seq_fwd_params p)}. */
    public static final KernelSignature SEQ_FWD = KernelSignature.of("mnemo_memnet_seq_fwd_f32",
            KernelParameter.of("mnemo_memnet_seq_fwd_params", "p"));
    /** {@code mnemo_memnet_seq_bwd_f32(mnemo_memnet_seq_bwd_params p)}. */
    public static final KernelSignature SEQ_BWD = KernelSignature.of("mnemo_memnet_seq_bwd_f32",
            KernelParameter.of("mnemo_memnet_seq_bwd_params", "p"));

    /** {@code mnemo_memnet_stream_f32(mnemo_memnet_stream_params p)}. */
    public static final KernelSignature STREAM = KernelSignature.of("mnemo_memnet_stream_f32",
            KernelParameter.of("mnemo_memnet_stream_params", "p"));

    /** The cell's sizes: d_in, d_k, d_v, d_out and M. */
    public record Sizes(long inputWidth, long keyWidth, long valueWidth, long outputWidth, long slots) {
        /** S = 2·d_k + d_v, the state's width. */
        public long stateWidth() {
            return 2 * keyWidth + valueWidth;
        }

        /** W = d_in + S + d_v, the cell input's width. */
        public long cellWidth() {
            return inputWidth + stateWidth() + valueWidth;
        }

        void check() {
            LaunchChecks.atLeastOne("inputWidth", inputWidth);
            LaunchChecks.between("keyWidth", keyWidth, 1, MemnetKernels.MAX_WIDTH);
            LaunchChecks.between("valueWidth", valueWidth, 1, MemnetKernels.MAX_WIDTH);
            LaunchChecks.atLeastOne("outputWidth", outputWidth);
            LaunchChecks.between("slots", slots, 0, MAX_SLOTS);
            // the shared-memory formulas below stay far from overflow: W < 2^31 floats
            LaunchChecks.between("inputWidth", inputWidth, 1, Integer.MAX_VALUE / 8);
        }
    }

    /** The fields of {@code mnemo_memnet_seq_fwd_params} (names and order as in C). */
    public record FwdParams(DeviceMemory weight, DeviceMemory bias, DeviceMemory h0, DeviceMemory c0, DeviceMemory u,
                            DeviceMemory o, DeviceMemory r, DeviceMemory c, DeviceMemory lse, long steps, long batch,
                            Sizes sizes, boolean maskEmptySlots, long dropoutSeed, long dropoutOffset, double dropoutP,
                            double scale) {

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = FWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "weight", ParamsStructs.addressOf(weight));
            ParamsStructs.putLong(s, l, "bias", ParamsStructs.addressOf(bias));
            ParamsStructs.putLong(s, l, "h0", ParamsStructs.addressOf(h0));
            ParamsStructs.putLong(s, l, "c0", ParamsStructs.addressOf(c0));
            ParamsStructs.putLong(s, l, "u", ParamsStructs.addressOf(u));
            ParamsStructs.putLong(s, l, "o", ParamsStructs.addressOf(o));
            ParamsStructs.putLong(s, l, "r", ParamsStructs.addressOf(r));
            ParamsStructs.putLong(s, l, "c", ParamsStructs.addressOf(c));
            ParamsStructs.putLong(s, l, "lse", ParamsStructs.addressOf(lse));
            ParamsStructs.putLong(s, l, "steps", steps);
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "inputWidth", sizes.inputWidth());
            ParamsStructs.putLong(s, l, "keyWidth", sizes.keyWidth());
            ParamsStructs.putLong(s, l, "valueWidth", sizes.valueWidth());
            ParamsStructs.putLong(s, l, "slots", sizes.slots());
            ParamsStructs.putLong(s, l, "maskEmptySlots", maskEmptySlots ? 1 : 0);
            ParamsStructs.putLong(s, l, "dropoutSeed", dropoutSeed);
            ParamsStructs.putLong(s, l, "dropoutOffset", dropoutOffset);
            ParamsStructs.putDouble(s, l, "dropoutP", dropoutP);
            ParamsStructs.putDouble(s, l, "scale", scale);
        }
    }

    /** The fields of {@code mnemo_memnet_seq_bwd_params} (names and order as in C). */
    public record BwdParams(DeviceMemory weight, DeviceMemory stateOutWeight, DeviceMemory readOutWeight,
                            DeviceMemory o, DeviceMemory r, DeviceMemory c, DeviceMemory lse, DeviceMemory dy,
                            DeviceMemory dO, DeviceMemory dU, DeviceMemory dh0, DeviceMemory dc0, long steps,
                            long batch, Sizes sizes, double dropoutScale, double scale) {

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = BWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "weight", ParamsStructs.addressOf(weight));
            ParamsStructs.putLong(s, l, "stateOutWeight", ParamsStructs.addressOf(stateOutWeight));
            ParamsStructs.putLong(s, l, "readOutWeight", ParamsStructs.addressOf(readOutWeight));
            ParamsStructs.putLong(s, l, "o", ParamsStructs.addressOf(o));
            ParamsStructs.putLong(s, l, "r", ParamsStructs.addressOf(r));
            ParamsStructs.putLong(s, l, "c", ParamsStructs.addressOf(c));
            ParamsStructs.putLong(s, l, "lse", ParamsStructs.addressOf(lse));
            ParamsStructs.putLong(s, l, "dy", ParamsStructs.addressOf(dy));
            ParamsStructs.putLong(s, l, "dO", ParamsStructs.addressOf(dO));
            ParamsStructs.putLong(s, l, "dU", ParamsStructs.addressOf(dU));
            ParamsStructs.putLong(s, l, "dh0", ParamsStructs.addressOf(dh0));
            ParamsStructs.putLong(s, l, "dc0", ParamsStructs.addressOf(dc0));
            ParamsStructs.putLong(s, l, "steps", steps);
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "inputWidth", sizes.inputWidth());
            ParamsStructs.putLong(s, l, "keyWidth", sizes.keyWidth());
            ParamsStructs.putLong(s, l, "valueWidth", sizes.valueWidth());
            ParamsStructs.putLong(s, l, "outputWidth", sizes.outputWidth());
            ParamsStructs.putLong(s, l, "slots", sizes.slots());
            ParamsStructs.putDouble(s, l, "dropoutScale", dropoutScale);
            ParamsStructs.putDouble(s, l, "scale", scale);
        }
    }

    /**
     * The fields of {@code mnemo_memnet_stream_params} (names and order as in C): T steps of a stream whose first P
     * inputs are {@code x} and the rest the previous outputs, from state (h, c, keys, values) after
     * {@code stepsBefore} steps, advanced in place.
     */
    public record StreamParams(DeviceMemory weight, DeviceMemory bias, DeviceMemory stateOutWeight,
                               DeviceMemory stateOutBias, DeviceMemory readOutWeight, DeviceMemory readOutBias,
                               DeviceMemory x, DeviceMemory y, DeviceMemory h, DeviceMemory c, DeviceMemory keys,
                               DeviceMemory values, long steps, long prefix, long batch, Sizes sizes, long stepsBefore,
                               boolean maskEmptySlots, double scale) {

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = STREAM_PARAMS_LAYOUT;
            String[] pointers = {"weight", "bias", "stateOutWeight", "stateOutBias", "readOutWeight", "readOutBias",
                "x", "y", "h", "c", "keys", "values"};
            DeviceMemory[] mem = {weight, bias, stateOutWeight, stateOutBias, readOutWeight, readOutBias, x, y, h, c,
                keys, values};
            for (int i = 0; i < pointers.length; i++) {
                ParamsStructs.putLong(s, l, pointers[i], ParamsStructs.addressOf(mem[i]));
            }
            ParamsStructs.putLong(s, l, "steps", steps);
            ParamsStructs.putLong(s, l, "prefix", prefix);
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "inputWidth", sizes.inputWidth());
            ParamsStructs.putLong(s, l, "keyWidth", sizes.keyWidth());
            ParamsStructs.putLong(s, l, "valueWidth", sizes.valueWidth());
            ParamsStructs.putLong(s, l, "outputWidth", sizes.outputWidth());
            ParamsStructs.putLong(s, l, "slots", sizes.slots());
            ParamsStructs.putLong(s, l, "stepsBefore", stepsBefore);
            ParamsStructs.putLong(s, l, "maskEmptySlots", maskEmptySlots ? 1 : 0);
            ParamsStructs.putDouble(s, l, "scale", scale);
        }
    }

    private final LaunchTarget target;
    private final MemorySegment streamParams = ParamsStructs.allocate(STREAM_PARAMS_LAYOUT);
    private final MemorySegment fwdParams = ParamsStructs.allocate(FWD_PARAMS_LAYOUT);
    private final MemorySegment bwdParams = ParamsStructs.allocate(BWD_PARAMS_LAYOUT);

    MemnetSequenceKernels(LaunchTarget target) {
        this.target = target;
    }

    // ───────────────────────────── shared memory and fit ─────────────────────────────

    /** The header's P(n): threads sharing one output of a product of n outputs. */
    static long parts(long n) {
        return Math.max(1, Math.min(MAX_PARTS, THREADS / n));
    }

    /** The weight's shared-memory row stride: W rounded up to odd. */
    static long weightStride(long cellWidth) {
        return cellWidth | 1;
    }

    /** Dynamic shared memory of the forward, bytes: {@code 4·(S·ldw + W + S + d_v + P(S)·S + M + 1)}. */
    public static long forwardSharedBytes(Sizes z) {
        long s = z.stateWidth();
        long w = z.cellWidth();
        return Float.BYTES * (s * weightStride(w) + w + s + z.valueWidth() + parts(s) * s + z.slots() + 1);
    }

    /** Dynamic shared memory of the backward, bytes: {@code 4·(S·ldw + W + 2·S + d_v + P(W)·W + 2·M)}. */
    public static long backwardSharedBytes(Sizes z) {
        long s = z.stateWidth();
        long w = z.cellWidth();
        return Float.BYTES * (s * weightStride(w) + w + 2 * s + z.valueWidth() + parts(w) * w + 2 * z.slots());
    }

    /** Dynamic shared memory of the streaming steps, bytes: the forward's plus {@code 4·d_out}. */
    public static long streamSharedBytes(Sizes z) {
        return forwardSharedBytes(z) + Float.BYTES * z.outputWidth();
    }

    /** Whether the streaming steps run these sizes (as {@link #fits}, with at least one slot: the memory is a ring). */
    public static boolean streamFits(Sizes z, long sharedBytesOptin) {
        return fits(z, sharedBytesOptin) && z.slots() >= 1 && streamSharedBytes(z) <= sharedBytesOptin;
    }

    /**
     * Whether the loop runs these sizes on a device that lets a block have {@code sharedBytesOptin} of shared
     * memory: widths within {@link MemnetKernels#MAX_WIDTH}, at most {@value #MAX_SLOTS} slots, and both
     * directions' shared memory within the limit (d_in = 1, d_k = d_v = 32: 50.2 KB and 50.3 KB).
     */
    public static boolean fits(Sizes z, long sharedBytesOptin) {
        if (z.inputWidth() < 1 || z.outputWidth() < 1 || z.keyWidth() < 1 || z.valueWidth() < 1
                || z.keyWidth() > MemnetKernels.MAX_WIDTH || z.valueWidth() > MemnetKernels.MAX_WIDTH
                || z.slots() < 0 || z.slots() > MAX_SLOTS || z.inputWidth() > Integer.MAX_VALUE / 8) {
            return false;
        }
        return forwardSharedBytes(z) <= sharedBytesOptin && backwardSharedBytes(z) <= sharedBytesOptin;
    }

    /** A block per batch row, {@value #THREADS} threads, {@code sharedBytes} of dynamic shared memory. */
    static LaunchGeometry geometry(long batch, long sharedBytes) {
        LaunchChecks.between("batch", batch, 1, Integer.MAX_VALUE);
        LaunchChecks.between("shared memory bytes", sharedBytes, 0, Integer.MAX_VALUE);
        return new LaunchGeometry((int) batch, 1, 1, THREADS, 1, 1, (int) sharedBytes);
    }

    // ───────────────────────────── typed launches ─────────────────────────────

    /** The forward loop: checks, then one launch. */
    public void forward(FwdParams p) {
        Sizes z = p.sizes();
        checkCommon(p.steps(), p.batch(), z);
        LaunchChecks.probability("dropoutP", p.dropoutP());
        long s = z.stateWidth();
        long w = z.cellWidth();
        long rows = p.steps() * p.batch();
        String[] names = {"weight", "bias", "h0", "c0", "u", "o", "r", "c", "lse"};
        DeviceMemory[] mem = {p.weight(), p.bias(), p.h0(), p.c0(), p.u(), p.o(), p.r(), p.c(), p.lse()};
        long[] floats = {s * w, s, s, z.valueWidth(), rows * w, rows * s, rows * s, rows * z.valueWidth(), rows};
        String[] why = {"S·W", "S", "S", "d_v", "T·B·W", "T·B·S", "T·B·S", "T·B·d_v", "T·B"};
        checkBuffers(names, mem, floats, why, 4);
        p.writeTo(fwdParams);
        target.launch(SEQ_FWD, geometry(p.batch(), forwardSharedBytes(z)), fwdParams);
    }

    /** The backward loop: checks, then one launch. */
    public void backward(BwdParams p) {
        Sizes z = p.sizes();
        checkCommon(p.steps(), p.batch(), z);
        checkDropoutScale(p.dropoutScale());
        long s = z.stateWidth();
        long w = z.cellWidth();
        long d = z.outputWidth();
        long rows = p.steps() * p.batch();
        String[] names = {"weight", "stateOutWeight", "readOutWeight", "o", "r", "c", "lse", "dy", "dO", "dU", "dh0",
            "dc0"};
        DeviceMemory[] mem = {p.weight(), p.stateOutWeight(), p.readOutWeight(), p.o(), p.r(), p.c(), p.lse(), p.dy(),
            p.dO(), p.dU(), p.dh0(), p.dc0()};
        long[] floats = {s * w, d * s, d * z.valueWidth(), rows * s, rows * s, rows * z.valueWidth(), rows, rows * d,
            rows * s, rows * w, p.batch() * s, p.batch() * z.valueWidth()};
        String[] why = {"S·W", "d_out·S", "d_out·d_v", "T·B·S", "T·B·S", "T·B·d_v", "T·B", "T·B·d_out", "T·B·S",
            "T·B·W", "B·S", "B·d_v"};
        checkBuffers(names, mem, floats, why, 8);
        p.writeTo(bwdParams);
        target.launch(SEQ_BWD, geometry(p.batch(), backwardSharedBytes(z)), bwdParams);
    }

    /** The streaming steps: checks, then one launch. */
    public void stream(StreamParams p) {
        Sizes z = p.sizes();
        checkStream(p.steps(), p.prefix(), p.batch(), p.stepsBefore(), z);
        long s = z.stateWidth();
        long w = z.cellWidth();
        long d = z.outputWidth();
        long b = p.batch();
        String[] names = {"weight", "bias", "stateOutWeight", "stateOutBias", "readOutWeight", "readOutBias", "x", "y",
            "h", "c", "keys", "values"};
        DeviceMemory[] mem = {p.weight(), p.bias(), p.stateOutWeight(), p.stateOutBias(), p.readOutWeight(),
            p.readOutBias(), p.x(), p.y(), p.h(), p.c(), p.keys(), p.values()};
        long[] floats = {s * w, s, d * s, d, d * z.valueWidth(), d, p.prefix() * b * z.inputWidth(), p.steps() * b * d,
            b * s, b * z.valueWidth(), b * z.slots() * z.keyWidth(), b * z.slots() * z.valueWidth()};
        String[] why = {"S·W", "S", "d_out·S", "d_out", "d_out·d_v", "d_out", "P·B·d_in", "T·B·d_out", "B·S", "B·d_v",
            "B·M·d_k", "B·M·d_v"};
        checkBuffers(names, mem, floats, why, 7);
        p.writeTo(streamParams);
        target.launch(STREAM, geometry(b, streamSharedBytes(z)), streamParams);
    }

    // ───────────────────────────── raw launches (MemnetKernels' mirror methods) ─────────────────────────────

    void streamRaw(MemorySegment p) {
        LaunchChecks.structSize("p", p, STREAM_PARAMS_LAYOUT);
        StructLayout l = STREAM_PARAMS_LAYOUT;
        Sizes z = sizesOf(p, l, ParamsStructs.getLong(p, l, "outputWidth"));
        long batch = ParamsStructs.getLong(p, l, "batch");
        checkStream(ParamsStructs.getLong(p, l, "steps"), ParamsStructs.getLong(p, l, "prefix"), batch,
                ParamsStructs.getLong(p, l, "stepsBefore"), z);
        checkFlag(p, l, "maskEmptySlots");
        requireNonZero(p, l, "weight", "bias", "stateOutWeight", "stateOutBias", "readOutWeight", "readOutBias", "x",
                "y", "h", "c", "keys", "values");
        target.launch(STREAM, geometry(batch, streamSharedBytes(z)), p);
    }

    void forwardRaw(MemorySegment p) {
        LaunchChecks.structSize("p", p, FWD_PARAMS_LAYOUT);
        StructLayout l = FWD_PARAMS_LAYOUT;
        Sizes z = sizesOf(p, l, 1);   // the forward has no output layer
        long batch = ParamsStructs.getLong(p, l, "batch");
        checkCommon(ParamsStructs.getLong(p, l, "steps"), batch, z);
        checkFlag(p, l, "maskEmptySlots");
        LaunchChecks.probability("dropoutP", ParamsStructs.getDouble(p, l, "dropoutP"));
        requireNonZero(p, l, "weight", "bias", "h0", "c0", "u", "o", "r", "c", "lse");
        target.launch(SEQ_FWD, geometry(batch, forwardSharedBytes(z)), p);
    }

    void backwardRaw(MemorySegment p) {
        LaunchChecks.structSize("p", p, BWD_PARAMS_LAYOUT);
        StructLayout l = BWD_PARAMS_LAYOUT;
        Sizes z = sizesOf(p, l, ParamsStructs.getLong(p, l, "outputWidth"));
        long batch = ParamsStructs.getLong(p, l, "batch");
        checkCommon(ParamsStructs.getLong(p, l, "steps"), batch, z);
        checkDropoutScale(ParamsStructs.getDouble(p, l, "dropoutScale"));
        requireNonZero(p, l, "weight", "stateOutWeight", "readOutWeight", "o", "r", "c", "lse", "dy", "dO", "dU", "dh0",
                "dc0");
        target.launch(SEQ_BWD, geometry(batch, backwardSharedBytes(z)), p);
    }

    // ───────────────────────────── checks ─────────────────────────────

    private static void checkCommon(long steps, long batch, Sizes z) {
        LaunchChecks.atLeastOne("steps", steps);
        LaunchChecks.between("batch", batch, 1, Integer.MAX_VALUE);
        z.check();
        try {
            Math.multiplyExact(Math.multiplyExact(steps, batch), z.cellWidth());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("T·B·W must fit in 64 bits, got " + steps + "·" + batch + "·"
                    + z.cellWidth());
        }
    }

    private static void checkStream(long steps, long prefix, long batch, long stepsBefore, Sizes z) {
        checkCommon(steps, batch, z);
        LaunchChecks.atLeastOne("slots (a ring of slots)", z.slots());
        LaunchChecks.between("prefix", prefix, 1, steps);
        LaunchChecks.count("stepsBefore", stepsBefore);
        if (prefix < steps && z.inputWidth() != z.outputWidth()) {
            throw new IllegalArgumentException("free-running steps (prefix " + prefix + " < steps " + steps
                    + ") feed y back as x and need inputWidth == outputWidth, got " + z.inputWidth() + " and "
                    + z.outputWidth());
        }
    }

    private static void checkDropoutScale(double scale) {
        if (!(scale == 0 || scale >= 1 && Double.isFinite(scale))) {
            throw new IllegalArgumentException("dropoutScale must be 1/(1 − p) (finite, >= 1) or 0 (p = 1), got "
                    + scale);
        }
    }

    /** Every buffer present and large enough; the first {@code inputs} are inputs (u, in-out, counts as an output). */
    private static void checkBuffers(String[] names, DeviceMemory[] mem, long[] floats, String[] why, int inputs) {
        for (int i = 0; i < names.length; i++) {
            LaunchChecks.present(names[i], mem[i]);
            LaunchChecks.holds(names[i], mem[i], floats[i], why[i]);
        }
        for (int a = inputs; a < names.length; a++) {   // no output overlaps an input or another output
            for (int b = 0; b < names.length; b++) {
                if (b != a) {
                    LaunchChecks.disjoint(names[a], mem[a], floats[a], names[b], mem[b], floats[b]);
                }
            }
        }
    }

    private static void requireNonZero(MemorySegment p, StructLayout l, String... names) {
        for (String name : names) {
            if (ParamsStructs.getLong(p, l, name) == 0) {
                throw new IllegalArgumentException("p." + name + " must not be null");
            }
        }
    }

    /** A struct's cell sizes; {@code outputWidth} where the struct has none. */
    private static Sizes sizesOf(MemorySegment p, StructLayout l, long outputWidth) {
        return new Sizes(ParamsStructs.getLong(p, l, "inputWidth"), ParamsStructs.getLong(p, l, "keyWidth"),
                ParamsStructs.getLong(p, l, "valueWidth"), outputWidth, ParamsStructs.getLong(p, l, "slots"));
    }

    /** A struct's 0/1 field (a long in C). */
    private static void checkFlag(MemorySegment p, StructLayout l, String name) {
        long v = ParamsStructs.getLong(p, l, name);
        LaunchChecks.flag(name, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v)));
    }
}
