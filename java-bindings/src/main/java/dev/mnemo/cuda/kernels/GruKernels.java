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
 * Launchers of the header's family "gru" (gates r|z|n, reset applied after the recurrent product):
 * the fused per-step pointwise forward (training saves gates and {@code hn}; inference does not)
 * and backward of a GRU cell after the host's GEMMs. Both take a params struct by value.
 *
 * <p>The mirror methods take the struct's bytes and check what the bytes allow (scalars, non-null
 * pointers); the typed overloads take a {@link FwdParams} / {@link BwdParams} of buffers, check every
 * size and overlap, then write the struct into a segment this object reuses (the launch copies it).
 *
 * <p>Launch (every cell kernel): block 256, one thread per (b, j), grid ceil(B·H / 256), at least 1.
 * Not thread-safe (one stream, one thread, like its context).
 */
public final class GruKernels {
    /** Threads per block of every cell kernel. */
    public static final int BLOCK_THREADS = LaunchChecks.CELL_BLOCK_THREADS;
    /** Gates per cell. */
    public static final int GATES = 3;

    /** {@code mnemo_gru_pointwise_fwd_params}: 112 bytes, 8-byte aligned, no padding. */
    public static final StructLayout FWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("gx"), ParamsStructs.pointer("gh"), ParamsStructs.pointer("bIh"),
            ParamsStructs.pointer("bHh"), ParamsStructs.pointer("hPrev"), ParamsStructs.pointer("hOut"),
            ParamsStructs.pointer("gates"), ParamsStructs.pointer("hn"), ParamsStructs.int64("batch"),
            ParamsStructs.int64("hidden"), ParamsStructs.int64("ldhPrev"), ParamsStructs.int64("ldh"),
            ParamsStructs.int64("ghSplits"), ParamsStructs.int64("ghSplitStride"))
            .withName("mnemo_gru_pointwise_fwd_params");

    /** {@code mnemo_gru_pointwise_bwd_params}: 96 bytes, 8-byte aligned, no padding. */
    public static final StructLayout BWD_PARAMS_LAYOUT = MemoryLayout.structLayout(
            ParamsStructs.pointer("dy"), ParamsStructs.pointer("dhRec"), ParamsStructs.pointer("gates"),
            ParamsStructs.pointer("hn"), ParamsStructs.pointer("hPrev"), ParamsStructs.pointer("dgx"),
            ParamsStructs.pointer("dgh"), ParamsStructs.pointer("dhPrevDirect"), ParamsStructs.int64("batch"),
            ParamsStructs.int64("hidden"), ParamsStructs.int64("ldy"), ParamsStructs.int64("ldhPrev"))
            .withName("mnemo_gru_pointwise_bwd_params");

    /** {@code mnemo_gru_pointwise_fwd_train_f32(mnemo_gru_pointwise_fwd_params p)}. */
    public static final KernelSignature FWD_TRAIN = KernelSignature.of("mnemo_gru_pointwise_fwd_train_f32",
            of("mnemo_gru_pointwise_fwd_params", "p"));
    /** {@code mnemo_gru_pointwise_fwd_infer_f32(mnemo_gru_pointwise_fwd_params p)}. */
    public static final KernelSignature FWD_INFER = KernelSignature.of("mnemo_gru_pointwise_fwd_infer_f32",
            of("mnemo_gru_pointwise_fwd_params", "p"));
    /** {@code mnemo_gru_pointwise_bwd_f32(mnemo_gru_pointwise_bwd_params p)}. */
    public static final KernelSignature BWD = KernelSignature.of("mnemo_gru_pointwise_bwd_f32",
            of("mnemo_gru_pointwise_bwd_params", "p"));

    /**
     * The fields of {@code mnemo_gru_pointwise_fwd_params}, as buffers (names and order as in C).
     *
     * @param gx [B, 3H] in
     * @param gh [S, B, 3H] in: h_{t−1} W_hhᵀ as {@code ghSplits} partial products, summed in order
     * @param bIh [3H] in; nullable
     * @param bHh [3H] in; nullable
     * @param hPrev [B, ldhPrev] in: h_{t−1}
     * @param hOut [B, ldh] out: h_t; must not overlap hPrev or any input
     * @param gates [B, 3H] saved (train): activated r, z, n; may alias gx exactly (in place), must not
     *              overlap anything else; nullable for inference
     * @param hn [B, H] saved (train): gh_n + b_hn; nullable for inference
     * @param batch B >= 0
     * @param hidden H >= 1
     * @param ldhPrev row stride of hPrev, >= H
     * @param ldh row stride of hOut, >= H
     * @param ghSplits S >= 1: how many partial products gh holds
     * @param ghSplitStride floats between gh's partials, >= 3·B·H when S > 1 (ignored when S = 1)
     */
    public record FwdParams(DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh, DeviceMemory bHh,
                            DeviceMemory hPrev, DeviceMemory hOut, DeviceMemory gates, DeviceMemory hn,
                            long batch, long hidden, long ldhPrev, long ldh, long ghSplits, long ghSplitStride) {

        /** gh as one product. */
        public FwdParams(DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh, DeviceMemory bHh, DeviceMemory hPrev,
                         DeviceMemory hOut, DeviceMemory gates, DeviceMemory hn, long batch, long hidden, long ldhPrev,
                         long ldh) {
            this(gx, gh, bIh, bHh, hPrev, hOut, gates, hn, batch, hidden, ldhPrev, ldh, 1, 0);
        }

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = FWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "gx", ParamsStructs.addressOf(gx));
            ParamsStructs.putLong(s, l, "gh", ParamsStructs.addressOf(gh));
            ParamsStructs.putLong(s, l, "bIh", ParamsStructs.addressOf(bIh));
            ParamsStructs.putLong(s, l, "bHh", ParamsStructs.addressOf(bHh));
            ParamsStructs.putLong(s, l, "hPrev", ParamsStructs.addressOf(hPrev));
            ParamsStructs.putLong(s, l, "hOut", ParamsStructs.addressOf(hOut));
            ParamsStructs.putLong(s, l, "gates", ParamsStructs.addressOf(gates));
            ParamsStructs.putLong(s, l, "hn", ParamsStructs.addressOf(hn));
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "hidden", hidden);
            ParamsStructs.putLong(s, l, "ldhPrev", ldhPrev);
            ParamsStructs.putLong(s, l, "ldh", ldh);
            ParamsStructs.putLong(s, l, "ghSplits", ghSplits);
            ParamsStructs.putLong(s, l, "ghSplitStride", ghSplitStride);
        }
    }

    /**
     * The fields of {@code mnemo_gru_pointwise_bwd_params}, as buffers (names and order as in C).
     *
     * @param dy [B, ldy] in: ∂L/∂h_t from the output; nullable (0)
     * @param dhRec [B, H] in: ∂L/∂h_t from step t+1; nullable (0)
     * @param gates [B, 3H] in: r, z, n saved by the training forward
     * @param hn [B, H] in: saved by the forward
     * @param hPrev [B, ldhPrev] in: h_{t−1}
     * @param dgx [B, 3H] out: ∂L/∂gx_t
     * @param dgh [B, 3H] out: ∂L/∂gh_t
     * @param dhPrevDirect [B, H] out: dh ⊙ z; may alias dhRec exactly
     * @param batch B >= 0
     * @param hidden H >= 1
     * @param ldy row stride of dy, >= H (ignored when dy is null)
     * @param ldhPrev row stride of hPrev, >= H
     */
    public record BwdParams(DeviceMemory dy, DeviceMemory dhRec, DeviceMemory gates, DeviceMemory hn,
                            DeviceMemory hPrev, DeviceMemory dgx, DeviceMemory dgh, DeviceMemory dhPrevDirect,
                            long batch, long hidden, long ldy, long ldhPrev) {

        /** Writes the struct's bytes (device addresses, null as 0) into {@code s}. */
        public void writeTo(MemorySegment s) {
            StructLayout l = BWD_PARAMS_LAYOUT;
            ParamsStructs.putLong(s, l, "dy", ParamsStructs.addressOf(dy));
            ParamsStructs.putLong(s, l, "dhRec", ParamsStructs.addressOf(dhRec));
            ParamsStructs.putLong(s, l, "gates", ParamsStructs.addressOf(gates));
            ParamsStructs.putLong(s, l, "hn", ParamsStructs.addressOf(hn));
            ParamsStructs.putLong(s, l, "hPrev", ParamsStructs.addressOf(hPrev));
            ParamsStructs.putLong(s, l, "dgx", ParamsStructs.addressOf(dgx));
            ParamsStructs.putLong(s, l, "dgh", ParamsStructs.addressOf(dgh));
            ParamsStructs.putLong(s, l, "dhPrevDirect", ParamsStructs.addressOf(dhPrevDirect));
            ParamsStructs.putLong(s, l, "batch", batch);
            ParamsStructs.putLong(s, l, "hidden", hidden);
            ParamsStructs.putLong(s, l, "ldy", ldy);
            ParamsStructs.putLong(s, l, "ldhPrev", ldhPrev);
        }
    }

    private final LaunchTarget target;
    private final MemorySegment fwdParams = ParamsStructs.allocate(FWD_PARAMS_LAYOUT);
    private final MemorySegment bwdParams = ParamsStructs.allocate(BWD_PARAMS_LAYOUT);

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public GruKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    GruKernels(LaunchTarget target) {
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

    /**
     * Training forward from the struct's bytes: {@code r, z = σ(..)}, {@code hn = gh_n + b_hn},
     * {@code n = tanh(gx_n + b_in + r ⊙ hn)}, {@code h' = n + z ⊙ (h − n)}; saves gates and hn.
     * Checks the size, the scalars and the required pointers; use {@link #pointwiseFwdTrain(FwdParams)}
     * for buffer-size checks.
     */
    public void pointwiseFwdTrain(MemorySegment p) {
        target.launch(FWD_TRAIN, checkRawFwd(p, true), p);
    }

    /** Inference forward from the struct's bytes (gates and hn ignored; may be 0). */
    public void pointwiseFwdInfer(MemorySegment p) {
        target.launch(FWD_INFER, checkRawFwd(p, false), p);
    }

    /** Training forward: every size and overlap of {@code p} checked, then launched. */
    public void pointwiseFwdTrain(FwdParams p) {
        checkFwd(p, true);
        p.writeTo(fwdParams);
        pointwiseFwdTrain(fwdParams);
    }

    /** Inference forward: as {@link #pointwiseFwdTrain(FwdParams)}, gates and hn not written (may be null). */
    public void pointwiseFwdInfer(FwdParams p) {
        checkFwd(p, false);
        p.writeTo(fwdParams);
        pointwiseFwdInfer(fwdParams);
    }

    /**
     * Backward from the struct's bytes: with {@code dh = dy + dhRec} writes
     * {@code dgx = [dr | dz | dn]}, {@code dgh = [dr | dz | dn ⊙ r]}, {@code dhPrevDirect = dh ⊙ z}.
     * Checks the size, the scalars and the required pointers; use {@link #pointwiseBwd(BwdParams)}
     * for buffer-size checks.
     */
    public void pointwiseBwd(MemorySegment p) {
        LaunchChecks.structSize("p", p, BWD_PARAMS_LAYOUT);
        StructLayout l = BWD_PARAMS_LAYOUT;
        long batch = ParamsStructs.getLong(p, l, "batch");
        long hidden = ParamsStructs.getLong(p, l, "hidden");
        LaunchGeometry geometry = geometry(batch, hidden);
        if (ParamsStructs.getLong(p, l, "dy") != 0) {
            LaunchChecks.stride("ldy", ParamsStructs.getLong(p, l, "ldy"), hidden);
        }
        LaunchChecks.stride("ldhPrev", ParamsStructs.getLong(p, l, "ldhPrev"), hidden);
        requireNonZero(p, l, List.of("gates", "hn", "hPrev", "dgx", "dgh", "dhPrevDirect"));
        target.launch(BWD, geometry, p);
    }

    /** Backward: every size and overlap of {@code p} checked, then launched. */
    public void pointwiseBwd(BwdParams p) {
        geometry(p.batch(), p.hidden());
        LaunchChecks.stride("ldhPrev", p.ldhPrev(), p.hidden());
        long bh = p.batch() * p.hidden();
        long b3h = Math.multiplyExact(GATES, bh);
        long hpSpan = LaunchChecks.span(p.batch(), p.ldhPrev(), p.hidden());
        long dySpan = 0;
        if (p.dy() != null) {
            LaunchChecks.stride("ldy", p.ldy(), p.hidden());
            dySpan = LaunchChecks.span(p.batch(), p.ldy(), p.hidden());
            LaunchChecks.holds("dy", p.dy(), dySpan, "(batch−1)·ldy + hidden");
        }
        LaunchChecks.present("gates", p.gates());
        LaunchChecks.present("hn", p.hn());
        LaunchChecks.present("hPrev", p.hPrev());
        LaunchChecks.present("dgx", p.dgx());
        LaunchChecks.present("dgh", p.dgh());
        LaunchChecks.present("dhPrevDirect", p.dhPrevDirect());
        LaunchChecks.holdsIfPresent("dhRec", p.dhRec(), bh, "batch·hidden");
        LaunchChecks.holds("gates", p.gates(), b3h, "3·batch·hidden");
        LaunchChecks.holds("hn", p.hn(), bh, "batch·hidden");
        LaunchChecks.holds("hPrev", p.hPrev(), hpSpan, "(batch−1)·ldhPrev + hidden");
        LaunchChecks.holds("dgx", p.dgx(), b3h, "3·batch·hidden");
        LaunchChecks.holds("dgh", p.dgh(), b3h, "3·batch·hidden");
        LaunchChecks.holds("dhPrevDirect", p.dhPrevDirect(), bh, "batch·hidden");
        // dgx and dgh overlap nothing; dhPrevDirect overlaps nothing but (exactly) dhRec.
        String[] names = {"dy", "dhRec", "gates", "hn", "hPrev", "dgx", "dgh"};
        DeviceMemory[] buffers = {p.dy(), p.dhRec(), p.gates(), p.hn(), p.hPrev(), p.dgx(), p.dgh()};
        long[] spans = {dySpan, bh, b3h, bh, hpSpan, b3h, b3h};
        for (int i = 0; i < names.length; i++) {
            if (!names[i].equals("dgx")) {
                LaunchChecks.disjointIfPresent("dgx", p.dgx(), b3h, names[i], buffers[i], spans[i]);
            }
            if (!names[i].equals("dgh") && !names[i].equals("dgx")) {
                LaunchChecks.disjointIfPresent("dgh", p.dgh(), b3h, names[i], buffers[i], spans[i]);
            }
            boolean exactAlias = names[i].equals("dhRec") && ParamsStructs.sameStart(p.dhPrevDirect(), p.dhRec());
            if (!exactAlias) {
                LaunchChecks.disjointIfPresent("dhPrevDirect", p.dhPrevDirect(), bh, names[i], buffers[i], spans[i]);
            }
        }
        p.writeTo(bwdParams);
        pointwiseBwd(bwdParams);
    }

    private static LaunchGeometry checkRawFwd(MemorySegment p, boolean training) {
        LaunchChecks.structSize("p", p, FWD_PARAMS_LAYOUT);
        StructLayout l = FWD_PARAMS_LAYOUT;
        long batch = ParamsStructs.getLong(p, l, "batch");
        long hidden = ParamsStructs.getLong(p, l, "hidden");
        LaunchGeometry geometry = geometry(batch, hidden);
        LaunchChecks.stride("ldhPrev", ParamsStructs.getLong(p, l, "ldhPrev"), hidden);
        LaunchChecks.stride("ldh", ParamsStructs.getLong(p, l, "ldh"), hidden);
        LaunchChecks.splitSpan(ParamsStructs.getLong(p, l, "ghSplits"), ParamsStructs.getLong(p, l, "ghSplitStride"),
                Math.multiplyExact(GATES, Math.multiplyExact(batch, hidden)));
        requireNonZero(p, l, training ? List.of("gx", "gh", "hPrev", "hOut", "gates", "hn")
                : List.of("gx", "gh", "hPrev", "hOut"));
        return geometry;
    }

    /**
     * The pointers of {@code names} are not null, where there is a row to read (batch > 0): an empty tensor's
     * memory may sit at address 0, and a batch of 0 was refused as "p.gx must not be null" though it reads nothing.
     */
    private static void requireNonZero(MemorySegment p, StructLayout l, List<String> names) {
        if (ParamsStructs.getLong(p, l, "batch") == 0) {
            return;
        }
        for (String name : names) {
            if (ParamsStructs.getLong(p, l, name) == 0) {
                throw new IllegalArgumentException("p." + name + " must not be null");
            }
        }
    }

    private static void checkFwd(FwdParams p, boolean training) {
        geometry(p.batch(), p.hidden());
        LaunchChecks.stride("ldhPrev", p.ldhPrev(), p.hidden());
        LaunchChecks.stride("ldh", p.ldh(), p.hidden());
        long bh = p.batch() * p.hidden();
        long b3h = Math.multiplyExact(GATES, bh);
        long g = GATES * p.hidden();
        long hpSpan = LaunchChecks.span(p.batch(), p.ldhPrev(), p.hidden());
        long hSpan = LaunchChecks.span(p.batch(), p.ldh(), p.hidden());
        long ghSpan = LaunchChecks.splitSpan(p.ghSplits(), p.ghSplitStride(), b3h);
        LaunchChecks.present("gx", p.gx());
        LaunchChecks.present("gh", p.gh());
        LaunchChecks.present("hPrev", p.hPrev());
        LaunchChecks.present("hOut", p.hOut());
        LaunchChecks.holds("gx", p.gx(), b3h, "3·batch·hidden");
        LaunchChecks.holds("gh", p.gh(), ghSpan, "(ghSplits−1)·ghSplitStride + 3·batch·hidden");
        LaunchChecks.holdsIfPresent("bIh", p.bIh(), g, "3·hidden");
        LaunchChecks.holdsIfPresent("bHh", p.bHh(), g, "3·hidden");
        LaunchChecks.holds("hPrev", p.hPrev(), hpSpan, "(batch−1)·ldhPrev + hidden");
        LaunchChecks.holds("hOut", p.hOut(), hSpan, "(batch−1)·ldh + hidden");
        LaunchChecks.disjoint("hOut", p.hOut(), hSpan, "hPrev", p.hPrev(), hpSpan);
        LaunchChecks.disjoint("hOut", p.hOut(), hSpan, "gx", p.gx(), b3h);
        LaunchChecks.disjoint("hOut", p.hOut(), hSpan, "gh", p.gh(), ghSpan);
        LaunchChecks.disjointIfPresent("hOut", p.hOut(), hSpan, "bIh", p.bIh(), g);
        LaunchChecks.disjointIfPresent("hOut", p.hOut(), hSpan, "bHh", p.bHh(), g);
        if (training) {
            LaunchChecks.present("gates", p.gates());
            LaunchChecks.present("hn", p.hn());
            LaunchChecks.holds("gates", p.gates(), b3h, "3·batch·hidden");
            LaunchChecks.holds("hn", p.hn(), bh, "batch·hidden");
            String[] names = {"gx", "gh", "hPrev", "hOut"};
            DeviceMemory[] inputs = {p.gx(), p.gh(), p.hPrev(), p.hOut()};
            long[] spans = {b3h, ghSpan, hpSpan, hSpan};
            for (int i = 0; i < names.length; i++) {
                // gates may be gx itself (the activations overwrite the projection)
                if (i != 0 || !ParamsStructs.sameStart(p.gates(), p.gx())) {
                    LaunchChecks.disjoint("gates", p.gates(), b3h, names[i], inputs[i], spans[i]);
                }
                LaunchChecks.disjoint("hn", p.hn(), bh, names[i], inputs[i], spans[i]);
            }
            LaunchChecks.disjoint("gates", p.gates(), b3h, "hn", p.hn(), bh);
        }
    }
}
