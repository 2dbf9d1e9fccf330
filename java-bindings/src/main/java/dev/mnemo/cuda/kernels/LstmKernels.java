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
 * Launchers of the header's family "lstm" (gates i|f|g|o): the fused per-step pointwise forward
 * (training writes the activated gates; inference does not) and backward of an LSTM cell after the
 * host's GEMMs.
 *
 * <p>The forward takes {@code mnemo_lstm_pointwise_fwd_params} by value. The mirror methods
 * ({@link #pointwiseFwdTrain(MemorySegment)}) take the struct's bytes and check what the bytes
 * allow (scalars, non-null pointers); the typed overloads take a {@link FwdParams} of buffers,
 * check every size and overlap, then write the struct into a segment this object reuses (the launch
 * copies it), so a step allocates no struct memory.
 *
 * <p>Launch (every cell kernel): block 256, one thread per (b, j), grid ceil(B·H / 256), at least 1.
 * Not thread-safe (one stream, one thread, like its context).
 */
public final class LstmKernels {
    /** Threads per block of every cell kernel. */
    public static final int BLOCK_THREADS = LaunchChecks.CELL_BLOCK_THREADS;
    /** Gates per cell. */
    public static final int GATES = 4;

    /** {@code mnemo_lstm_pointwise_fwd_params}: 104 bytes, 8-byte aligned, no padding. */
    public static final StructLayout FWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("gx"), ParamsStructs.pointer("gh"), ParamsStructs.pointer("bIh"),
            ParamsStructs.pointer("bHh"), ParamsStructs.pointer("cPrev"), ParamsStructs.pointer("hOut"),
            ParamsStructs.pointer("cOut"), ParamsStructs.pointer("gates"), ParamsStructs.int64("batch"),
            ParamsStructs.int64("hidden"), ParamsStructs.int64("ldh"), ParamsStructs.int64("ghSplits"),
            ParamsStructs.int64("ghSplitStride"))
            .withName("mnemo_lstm_pointwise_fwd_params");

    /** {@code mnemo_lstm_pointwise_fwd_train_f32(mnemo_lstm_pointwise_fwd_params p)}. */
    public static final KernelSignature FWD_TRAIN = KernelSignature.of("mnemo_lstm_pointwise_fwd_train_f32",
            of("mnemo_lstm_pointwise_fwd_params", "p"));
    /** {@code mnemo_lstm_pointwise_fwd_infer_f32(mnemo_lstm_pointwise_fwd_params p)}. */
    public static final KernelSignature FWD_INFER = KernelSignature.of("mnemo_lstm_pointwise_fwd_infer_f32",
            of("mnemo_lstm_pointwise_fwd_params", "p"));
    /**
     * {@code mnemo_lstm_pointwise_bwd_f32(const float* dy, long long ldy, const float* dhRec, float* dc,
     * const float* gates, const float* cPrev, const float* cCur, float* dgates, long long batch,
     * long long hidden)}.
     */
    public static final KernelSignature BWD = KernelSignature.of("mnemo_lstm_pointwise_bwd_f32",
            of("const float*", "dy"), of("long long", "ldy"), of("const float*", "dhRec"), of("float*", "dc"),
            of("const float*", "gates"), of("const float*", "cPrev"), of("const float*", "cCur"),
            of("float*", "dgates"), of("long long", "batch"), of("long long", "hidden"));

    /**
     * The fields of {@code mnemo_lstm_pointwise_fwd_params}, as buffers (names and order as in C).
     *
     * @param gx [B, 4H] in: step t's x_t W_ihᵀ
     * @param gh [S, B, 4H] in: h_{t−1} W_hhᵀ as {@code ghSplits} partial products, summed in order
     * @param bIh [4H] in; nullable (no bias)
     * @param bHh [4H] in; nullable (no bias)
     * @param cPrev [B, H] in: c_{t−1}
     * @param hOut [B, ldh] out: h_t; must not overlap any input
     * @param cOut [B, H] out: c_t; may alias cPrev exactly, must not overlap anything else
     * @param gates [B, 4H] saved (train): activated i, f, g, o; may alias gx exactly (in place), must
     *              not overlap anything else; ignored and nullable for inference
     * @param batch B >= 0
     * @param hidden H >= 1
     * @param ldh row stride of hOut, >= H
     * @param ghSplits S >= 1: how many partial products gh holds
     * @param ghSplitStride floats between gh's partials, >= 4·B·H when S > 1 (ignored when S = 1)
     */
    public record FwdParams(DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh, DeviceMemory bHh,
                            DeviceMemory cPrev, DeviceMemory hOut, DeviceMemory cOut, DeviceMemory gates,
                            long batch, long hidden, long ldh, long ghSplits, long ghSplitStride) {

        /** gh as one product. */
        public FwdParams(DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh, DeviceMemory bHh, DeviceMemory cPrev,
                         DeviceMemory hOut, DeviceMemory cOut, DeviceMemory gates, long batch, long hidden, long ldh) {
            this(gx, gh, bIh, bHh, cPrev, hOut, cOut, gates, batch, hidden, ldh, 1, 0);
        }

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = FWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "gx", ParamsStructs.addressOf(gx));
            ParamsStructs.putLong(s, l, "gh", ParamsStructs.addressOf(gh));
            ParamsStructs.putLong(s, l, "bIh", ParamsStructs.addressOf(bIh));
            ParamsStructs.putLong(s, l, "bHh", ParamsStructs.addressOf(bHh));
            ParamsStructs.putLong(s, l, "cPrev", ParamsStructs.addressOf(cPrev));
            ParamsStructs.putLong(s, l, "hOut", ParamsStructs.addressOf(hOut));
            ParamsStructs.putLong(s, l, "cOut", ParamsStructs.addressOf(cOut));
            ParamsStructs.putLong(s, l, "gates", ParamsStructs.addressOf(gates));
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "hidden", hidden);
            ParamsStructs.putLong(s, l, "ldh", ldh);
            ParamsStructs.putLong(s, l, "ghSplits", ghSplits);
            ParamsStructs.putLong(s, l, "ghSplitStride", ghSplitStride);
        }
    }

    private final LaunchTarget target;
    private final MemorySegment fwdParams = ParamsStructs.allocate(FWD_PARAMS_LAYOUT);

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public LstmKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    LstmKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(FWD_TRAIN, FWD_INFER, BWD);
    }

    /** The cell launch: block 256, grid ceil(batch·hidden / 256), at least 1. */
    public static LaunchGeometry geometry(long batch, long hidden) {
        return LaunchChecks.cellGeometry(batch, hidden);
    }

    /** Saved floats per step of the training forward: the gates, 4·B·H (c_t and c_{t−1} are the states). */
    public static long savedGateFloats(long batch, long hidden) {
        return Math.multiplyExact(GATES, Math.multiplyExact(batch, hidden));
    }

    /**
     * Training forward from the struct's bytes: {@code pre = gx + gh + b_ih + b_hh}, i f g o
     * activated, {@code c' = f ⊙ c + i ⊙ g}, {@code h' = o ⊙ tanh(c')}; writes the gates.
     * Checks the size, the scalars and that the required pointers are not null; use
     * {@link #pointwiseFwdTrain(FwdParams)} for buffer-size checks.
     */
    public void pointwiseFwdTrain(MemorySegment p) {
        target.launch(FWD_TRAIN, checkRaw(p, true), p);
    }

    /** Inference forward from the struct's bytes (gates ignored; may be 0). */
    public void pointwiseFwdInfer(MemorySegment p) {
        target.launch(FWD_INFER, checkRaw(p, false), p);
    }

    /** Training forward: every size and overlap of {@code p} checked, then launched. */
    public void pointwiseFwdTrain(FwdParams p) {
        check(p, true);
        p.writeTo(fwdParams);
        pointwiseFwdTrain(fwdParams);
    }

    /** Inference forward: as {@link #pointwiseFwdTrain(FwdParams)}, gates not written (may be null). */
    public void pointwiseFwdInfer(FwdParams p) {
        check(p, false);
        p.writeTo(fwdParams);
        pointwiseFwdInfer(fwdParams);
    }

    /**
     * With {@code dh = dy + dhRec}, {@code tc = tanh(c_t)}, {@code dcT = dc + dh ⊙ o ⊙ (1 − tc²)}:
     * writes the gate pre-activation gradients and {@code dc ← dcT ⊙ f}.
     *
     * @param dy [B, ldy] in: ∂L/∂h_t from the output; MAY BE NULL (0)
     * @param ldy row stride of dy, {@code >= hidden} (ignored when dy is null)
     * @param dhRec [B, H] in: ∂L/∂h_t from step t+1; MAY BE NULL (0)
     * @param dc [B, H] in-out: in ∂L/∂c_t, out ∂L/∂c_{t−1}
     * @param gates [B, 4H] in: saved by the training forward
     * @param cPrev [B, H] in: c_{t−1}
     * @param cCur [B, H] in: c_t
     * @param dgates [B, 4H] out (overwritten); must not overlap any other argument
     * @param batch B {@code >= 0}
     * @param hidden H {@code >= 1}
     */
    public void pointwiseBwd(DeviceMemory dy, long ldy, DeviceMemory dhRec, DeviceMemory dc, DeviceMemory gates,
                             DeviceMemory cPrev, DeviceMemory cCur, DeviceMemory dgates, long batch, long hidden) {
        LaunchGeometry geometry = geometry(batch, hidden);
        long bh = batch * hidden;
        long b4h = savedGateFloats(batch, hidden);
        long dySpan = 0;
        if (dy != null) {
            LaunchChecks.stride("ldy", ldy, hidden);
            dySpan = LaunchChecks.span(batch, ldy, hidden);
            LaunchChecks.holds("dy", dy, dySpan, "(batch−1)·ldy + hidden");
        }
        LaunchChecks.present("dc", dc);
        LaunchChecks.present("gates", gates);
        LaunchChecks.present("cPrev", cPrev);
        LaunchChecks.present("cCur", cCur);
        LaunchChecks.present("dgates", dgates);
        LaunchChecks.holdsIfPresent("dhRec", dhRec, bh, "batch·hidden");
        LaunchChecks.holds("dc", dc, bh, "batch·hidden");
        LaunchChecks.holds("gates", gates, b4h, "4·batch·hidden");
        LaunchChecks.holds("cPrev", cPrev, bh, "batch·hidden");
        LaunchChecks.holds("cCur", cCur, bh, "batch·hidden");
        LaunchChecks.holds("dgates", dgates, b4h, "4·batch·hidden");
        LaunchChecks.disjointIfPresent("dgates", dgates, b4h, "dy", dy, dySpan);
        LaunchChecks.disjointIfPresent("dgates", dgates, b4h, "dhRec", dhRec, bh);
        LaunchChecks.disjoint("dgates", dgates, b4h, "dc", dc, bh);
        LaunchChecks.disjoint("dgates", dgates, b4h, "gates", gates, b4h);
        LaunchChecks.disjoint("dgates", dgates, b4h, "cPrev", cPrev, bh);
        LaunchChecks.disjoint("dgates", dgates, b4h, "cCur", cCur, bh);
        target.launch(BWD, geometry, dy, ldy, dhRec, dc, gates, cPrev, cCur, dgates, batch, hidden);
    }

    private static LaunchGeometry checkRaw(MemorySegment p, boolean training) {
        LaunchChecks.structSize("p", p, FWD_PARAMS_LAYOUT);
        StructLayout l = FWD_PARAMS_LAYOUT;
        long batch = ParamsStructs.getLong(p, l, "batch");
        long hidden = ParamsStructs.getLong(p, l, "hidden");
        LaunchGeometry geometry = geometry(batch, hidden);
        LaunchChecks.stride("ldh", ParamsStructs.getLong(p, l, "ldh"), hidden);
        LaunchChecks.splitSpan(ParamsStructs.getLong(p, l, "ghSplits"), ParamsStructs.getLong(p, l, "ghSplitStride"),
                savedGateFloats(batch, hidden));
        // with no row (batch 0) nothing is read, and an empty tensor's memory may sit at address 0
        for (String name : batch == 0 ? List.<String>of() : training ? List.of("gx", "gh", "cPrev", "hOut", "cOut", "gates")
                : List.of("gx", "gh", "cPrev", "hOut", "cOut")) {
            if (ParamsStructs.getLong(p, l, name) == 0) {
                throw new IllegalArgumentException("p." + name + " must not be null");
            }
        }
        return geometry;
    }

    private static void check(FwdParams p, boolean training) {
        geometry(p.batch(), p.hidden());
        LaunchChecks.stride("ldh", p.ldh(), p.hidden());
        long bh = p.batch() * p.hidden();
        long b4h = savedGateFloats(p.batch(), p.hidden());
        long g = GATES * p.hidden();
        long hSpan = LaunchChecks.span(p.batch(), p.ldh(), p.hidden());
        long ghSpan = LaunchChecks.splitSpan(p.ghSplits(), p.ghSplitStride(), b4h);
        LaunchChecks.present("gx", p.gx());
        LaunchChecks.present("gh", p.gh());
        LaunchChecks.present("cPrev", p.cPrev());
        LaunchChecks.present("hOut", p.hOut());
        LaunchChecks.present("cOut", p.cOut());
        LaunchChecks.holds("gx", p.gx(), b4h, "4·batch·hidden");
        LaunchChecks.holds("gh", p.gh(), ghSpan, "(ghSplits−1)·ghSplitStride + 4·batch·hidden");
        LaunchChecks.holdsIfPresent("bIh", p.bIh(), g, "4·hidden");
        LaunchChecks.holdsIfPresent("bHh", p.bHh(), g, "4·hidden");
        LaunchChecks.holds("cPrev", p.cPrev(), bh, "batch·hidden");
        LaunchChecks.holds("hOut", p.hOut(), hSpan, "(batch−1)·ldh + hidden");
        LaunchChecks.holds("cOut", p.cOut(), bh, "batch·hidden");
        // hOut must not overlap any input; cOut may alias cPrev exactly and nothing else.
        LaunchChecks.disjoint("hOut", p.hOut(), hSpan, "gx", p.gx(), b4h);
        LaunchChecks.disjoint("hOut", p.hOut(), hSpan, "gh", p.gh(), ghSpan);
        LaunchChecks.disjointIfPresent("hOut", p.hOut(), hSpan, "bIh", p.bIh(), g);
        LaunchChecks.disjointIfPresent("hOut", p.hOut(), hSpan, "bHh", p.bHh(), g);
        LaunchChecks.disjoint("hOut", p.hOut(), hSpan, "cPrev", p.cPrev(), bh);
        LaunchChecks.disjoint("hOut", p.hOut(), hSpan, "cOut", p.cOut(), bh);
        if (!ParamsStructs.sameStart(p.cOut(), p.cPrev())) {
            LaunchChecks.disjoint("cOut", p.cOut(), bh, "cPrev", p.cPrev(), bh);
        }
        LaunchChecks.disjoint("cOut", p.cOut(), bh, "gx", p.gx(), b4h);
        LaunchChecks.disjoint("cOut", p.cOut(), bh, "gh", p.gh(), ghSpan);
        if (training) {
            LaunchChecks.present("gates", p.gates());
            LaunchChecks.holds("gates", p.gates(), b4h, "4·batch·hidden");
            // gates may be gx itself (the activations overwrite the projection); nothing else may overlap.
            if (!ParamsStructs.sameStart(p.gates(), p.gx())) {
                LaunchChecks.disjoint("gates", p.gates(), b4h, "gx", p.gx(), b4h);
            }
            LaunchChecks.disjoint("gates", p.gates(), b4h, "gh", p.gh(), ghSpan);
            LaunchChecks.disjoint("gates", p.gates(), b4h, "cPrev", p.cPrev(), bh);
            LaunchChecks.disjoint("gates", p.gates(), b4h, "hOut", p.hOut(), hSpan);
            LaunchChecks.disjoint("gates", p.gates(), b4h, "cOut", p.cOut(), bh);
        }
    }
}
