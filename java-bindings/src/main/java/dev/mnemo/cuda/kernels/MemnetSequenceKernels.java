package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Launcher of the memnet family's whole-sequence loop ({@code mnemo_memnet_seq_fwd_f32},
 * {@code mnemo_memnet_seq_bwd_f32}): MemNet's teacher-forced forward or backward over all T steps in
 * one launch, a block of {@value #THREADS} threads per batch row, the cell's weight in shared memory.
 * It replaces the layer's step loop (seven launches a step forward, nine backward) where the weight
 * fits the device's shared memory ({@link #fits}) and the memory has at most {@value #MAX_SLOTS} slots.
 * {@link #forward} and {@link #backward} check every size, span and overlap, then queue one launch.
 *
 * <p>Not thread-safe (one stream, one thread, like its context).
 */
public final class MemnetSequenceKernels {
    /** {@code MNEMO_MEMNET_SEQ_THREADS}: threads per block (one block per batch row). */
    public static final int THREADS = 256;
    /** {@code MNEMO_MEMNET_SEQ_MAX_PARTS}: the most threads that share one output of a matrix–vector product. */
    public static final int MAX_PARTS = 8;
    /** {@code MNEMO_MEMNET_SEQ_MAX_SLOTS}: the largest memory the loop reads (the small read's limit). */
    public static final int MAX_SLOTS = 64;

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

    /** {@code mnemo_memnet_seq_fwd_f32(mnemo_memnet_seq_fwd_params p)}. */
    public static final KernelSignature SEQ_FWD = KernelSignature.of("mnemo_memnet_seq_fwd_f32",
            KernelParameter.of("mnemo_memnet_seq_fwd_params", "p"));
    /** {@code mnemo_memnet_seq_bwd_f32(mnemo_memnet_seq_bwd_params p)}. */
    public static final KernelSignature SEQ_BWD = KernelSignature.of("mnemo_memnet_seq_bwd_f32",
            KernelParameter.of("mnemo_memnet_seq_bwd_params", "p"));

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

    private final LaunchTarget target;
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
        LaunchChecks.unitInterval("dropoutP", p.dropoutP());
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

    // ───────────────────────────── raw launches (MemnetKernels' mirror methods) ─────────────────────────────

    void forwardRaw(MemorySegment p) {
        LaunchChecks.structSize("p", p, FWD_PARAMS_LAYOUT);
        StructLayout l = FWD_PARAMS_LAYOUT;
        Sizes z = new Sizes(ParamsStructs.getLong(p, l, "inputWidth"), ParamsStructs.getLong(p, l, "keyWidth"),
                ParamsStructs.getLong(p, l, "valueWidth"), 1, ParamsStructs.getLong(p, l, "slots"));
        long batch = ParamsStructs.getLong(p, l, "batch");
        checkCommon(ParamsStructs.getLong(p, l, "steps"), batch, z);
        LaunchChecks.flag("maskEmptySlots", (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE,
                ParamsStructs.getLong(p, l, "maskEmptySlots"))));
        LaunchChecks.unitInterval("dropoutP", ParamsStructs.getDouble(p, l, "dropoutP"));
        for (String name : new String[] {"weight", "bias", "h0", "c0", "u", "o", "r", "c", "lse"}) {
            requireNonZero(p, l, name);
        }
        target.launch(SEQ_FWD, geometry(batch, forwardSharedBytes(z)), p);
    }

    void backwardRaw(MemorySegment p) {
        LaunchChecks.structSize("p", p, BWD_PARAMS_LAYOUT);
        StructLayout l = BWD_PARAMS_LAYOUT;
        Sizes z = new Sizes(ParamsStructs.getLong(p, l, "inputWidth"), ParamsStructs.getLong(p, l, "keyWidth"),
                ParamsStructs.getLong(p, l, "valueWidth"), ParamsStructs.getLong(p, l, "outputWidth"),
                ParamsStructs.getLong(p, l, "slots"));
        long batch = ParamsStructs.getLong(p, l, "batch");
        checkCommon(ParamsStructs.getLong(p, l, "steps"), batch, z);
        checkDropoutScale(ParamsStructs.getDouble(p, l, "dropoutScale"));
        for (String name : new String[] {"weight", "stateOutWeight", "readOutWeight", "o", "r", "c", "lse", "dy", "dO",
            "dU", "dh0", "dc0"}) {
            requireNonZero(p, l, name);
        }
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

    private static void checkDropoutScale(double scale) {
        if (!(scale >= 1 && Double.isFinite(scale))) {
            throw new IllegalArgumentException("dropoutScale must be finite and >= 1 (1/(1 − p)), got " + scale);
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

    private static void requireNonZero(MemorySegment p, StructLayout l, String name) {
        if (ParamsStructs.getLong(p, l, name) == 0) {
            throw new IllegalArgumentException("p." + name + " must not be null");
        }
    }
}
