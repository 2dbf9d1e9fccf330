package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;

/**
 * Launchers of the header's family "rnn": the fused per-step pointwise kernels of an Elman cell,
 * {@code h' = act((gx + b_ih) + (gh + b_hh))} forward and {@code dgates = (dy + dhRec) ⊙ act'(h')}
 * backward, with {@code act} tanh or relu (separate entry points, identical parameters). The host
 * does the GEMMs ({@code gx = x W_ihᵀ} for all steps, {@code gh = h_{t−1} W_hhᵀ} per step).
 *
 * <p>Launch (every cell kernel): block 256, one thread per (b, j), grid ceil(B·H / 256), at least 1.
 * Each call validates sizes, strides and overlaps first, then queues one launch.
 */
public final class RnnKernels {
    /** Threads per block of every cell kernel. */
    public static final int BLOCK_THREADS = LaunchChecks.CELL_BLOCK_THREADS;

    private static final KernelParameter[] FWD_PARAMS = {
        of("const float*", "gx"), of("const float*", "gh"), of("const float*", "bIh"), of("const float*", "bHh"),
        of("float*", "hOut"), of("long long", "ldh"), of("long long", "batch"), of("long long", "hidden"),
        of("long long", "ghSplits"), of("long long", "ghSplitStride")};
    private static final KernelParameter[] BWD_PARAMS = {
        of("const float*", "dy"), of("long long", "ldy"), of("const float*", "dhRec"), of("const float*", "h"),
        of("long long", "ldh"), of("float*", "dgates"), of("long long", "batch"), of("long long", "hidden")};

    /**
     * {@code mnemo_rnn_pointwise_fwd_tanh_f32(const float* gx, const float* gh, const float* bIh,
     * const float* bHh, float* hOut, long long ldh, long long batch, long long hidden, long long ghSplits,
     * long long ghSplitStride)}.
     */
    public static final KernelSignature FWD_TANH = KernelSignature.of("mnemo_rnn_pointwise_fwd_tanh_f32", FWD_PARAMS);
    /** {@code mnemo_rnn_pointwise_fwd_relu_f32}, parameters as {@link #FWD_TANH}. */
    public static final KernelSignature FWD_RELU = KernelSignature.of("mnemo_rnn_pointwise_fwd_relu_f32", FWD_PARAMS);
    /**
     * {@code mnemo_rnn_pointwise_bwd_tanh_f32(const float* dy, long long ldy, const float* dhRec,
     * const float* h, long long ldh, float* dgates, long long batch, long long hidden)}.
     */
    public static final KernelSignature BWD_TANH = KernelSignature.of("mnemo_rnn_pointwise_bwd_tanh_f32", BWD_PARAMS);
    /** {@code mnemo_rnn_pointwise_bwd_relu_f32}, parameters as {@link #BWD_TANH}. */
    public static final KernelSignature BWD_RELU = KernelSignature.of("mnemo_rnn_pointwise_bwd_relu_f32", BWD_PARAMS);

    private final LaunchTarget target;

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public RnnKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    RnnKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(FWD_TANH, FWD_RELU, BWD_TANH, BWD_RELU);
    }

    /** The cell launch: block 256, grid ceil(batch·hidden / 256), at least 1. */
    public static LaunchGeometry geometry(long batch, long hidden) {
        return LaunchChecks.cellGeometry(batch, hidden);
    }

    /**
     * {@code hOut = tanh((gx + bIh) + (gh + bHh))}.
     *
     * @param gx [B, H] in: step t's input projection
     * @param gh [B, H] in: h_{t−1} W_hhᵀ
     * @param bIh [H] in; MAY BE NULL (no bias)
     * @param bHh [H] in; MAY BE NULL (no bias)
     * @param hOut [B, ldh] out; must not overlap any input
     * @param ldh row stride of hOut, {@code >= hidden}
     * @param batch B {@code >= 0}
     * @param hidden H {@code >= 1}
     */
    public void pointwiseFwdTanh(DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh, DeviceMemory bHh,
                                 DeviceMemory hOut, long ldh, long batch, long hidden) {
        forward(FWD_TANH, gx, gh, bIh, bHh, hOut, ldh, batch, hidden, 1, 0);
    }

    /**
     * As {@link #pointwiseFwdTanh(DeviceMemory, DeviceMemory, DeviceMemory, DeviceMemory, DeviceMemory, long, long,
     * long)} with gh as {@code ghSplits} partial products {@code [S, B, H]}, partial s at
     * {@code gh + s·ghSplitStride} floats, summed in order of s.
     *
     * @param ghSplits S {@code >= 1}
     * @param ghSplitStride floats between partials, {@code >= batch·hidden} when S > 1
     */
    public void pointwiseFwdTanh(DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh, DeviceMemory bHh,
                                 DeviceMemory hOut, long ldh, long batch, long hidden, long ghSplits,
                                 long ghSplitStride) {
        forward(FWD_TANH, gx, gh, bIh, bHh, hOut, ldh, batch, hidden, ghSplits, ghSplitStride);
    }

    /** As {@link #pointwiseFwdTanh} with {@code act = relu}. */
    public void pointwiseFwdRelu(DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh, DeviceMemory bHh,
                                 DeviceMemory hOut, long ldh, long batch, long hidden) {
        forward(FWD_RELU, gx, gh, bIh, bHh, hOut, ldh, batch, hidden, 1, 0);
    }

    /** As {@link #pointwiseFwdTanh} with partials and {@code act = relu}. */
    public void pointwiseFwdRelu(DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh, DeviceMemory bHh,
                                 DeviceMemory hOut, long ldh, long batch, long hidden, long ghSplits,
                                 long ghSplitStride) {
        forward(FWD_RELU, gx, gh, bIh, bHh, hOut, ldh, batch, hidden, ghSplits, ghSplitStride);
    }

    /**
     * {@code dgates = (dy + dhRec) ⊙ (1 − h²)}: the pre-activation gradient (of gx and of gh).
     *
     * @param dy [B, ldy] in: ∂L/∂h_t from the output; MAY BE NULL (0)
     * @param ldy row stride of dy, {@code >= hidden} (ignored when dy is null)
     * @param dhRec [B, H] in: ∂L/∂h_t from step t+1; MAY BE NULL (0)
     * @param h [B, ldh] in: h_t as the forward wrote it
     * @param ldh row stride of h, {@code >= hidden}
     * @param dgates [B, H] out (overwritten); must not overlap any input
     * @param batch B {@code >= 0}
     * @param hidden H {@code >= 1}
     */
    public void pointwiseBwdTanh(DeviceMemory dy, long ldy, DeviceMemory dhRec, DeviceMemory h, long ldh,
                                 DeviceMemory dgates, long batch, long hidden) {
        backward(BWD_TANH, dy, ldy, dhRec, h, ldh, dgates, batch, hidden);
    }

    /** As {@link #pointwiseBwdTanh} with {@code act' = [h > 0]}. */
    public void pointwiseBwdRelu(DeviceMemory dy, long ldy, DeviceMemory dhRec, DeviceMemory h, long ldh,
                                 DeviceMemory dgates, long batch, long hidden) {
        backward(BWD_RELU, dy, ldy, dhRec, h, ldh, dgates, batch, hidden);
    }

    private void forward(KernelSignature kernel, DeviceMemory gx, DeviceMemory gh, DeviceMemory bIh,
                         DeviceMemory bHh, DeviceMemory hOut, long ldh, long batch, long hidden, long ghSplits,
                         long ghSplitStride) {
        LaunchGeometry geometry = geometry(batch, hidden);
        LaunchChecks.stride("ldh", ldh, hidden);
        long bh = batch * hidden;
        long hSpan = LaunchChecks.span(batch, ldh, hidden);
        long ghSpan = LaunchChecks.splitSpan(ghSplits, ghSplitStride, bh);
        LaunchChecks.present("gx", gx);
        LaunchChecks.present("gh", gh);
        LaunchChecks.present("hOut", hOut);
        LaunchChecks.holds("gx", gx, bh, "batch·hidden");
        LaunchChecks.holds("gh", gh, ghSpan, "(ghSplits−1)·ghSplitStride + batch·hidden");
        LaunchChecks.holdsIfPresent("bIh", bIh, hidden, "hidden");
        LaunchChecks.holdsIfPresent("bHh", bHh, hidden, "hidden");
        LaunchChecks.holds("hOut", hOut, hSpan, "(batch−1)·ldh + hidden");
        LaunchChecks.disjoint("hOut", hOut, hSpan, "gx", gx, bh);
        LaunchChecks.disjoint("hOut", hOut, hSpan, "gh", gh, ghSpan);
        LaunchChecks.disjointIfPresent("hOut", hOut, hSpan, "bIh", bIh, hidden);
        LaunchChecks.disjointIfPresent("hOut", hOut, hSpan, "bHh", bHh, hidden);
        target.launch(kernel, geometry, gx, gh, bIh, bHh, hOut, ldh, batch, hidden, ghSplits, ghSplitStride);
    }

    private void backward(KernelSignature kernel, DeviceMemory dy, long ldy, DeviceMemory dhRec, DeviceMemory h,
                          long ldh, DeviceMemory dgates, long batch, long hidden) {
        LaunchGeometry geometry = geometry(batch, hidden);
        LaunchChecks.stride("ldh", ldh, hidden);
        long bh = batch * hidden;
        long hSpan = LaunchChecks.span(batch, ldh, hidden);
        long dySpan = 0;
        if (dy != null) {
            LaunchChecks.stride("ldy", ldy, hidden);
            dySpan = LaunchChecks.span(batch, ldy, hidden);
            LaunchChecks.holds("dy", dy, dySpan, "(batch−1)·ldy + hidden");
        }
        LaunchChecks.present("h", h);
        LaunchChecks.present("dgates", dgates);
        LaunchChecks.holdsIfPresent("dhRec", dhRec, bh, "batch·hidden");
        LaunchChecks.holds("h", h, hSpan, "(batch−1)·ldh + hidden");
        LaunchChecks.holds("dgates", dgates, bh, "batch·hidden");
        LaunchChecks.disjointIfPresent("dgates", dgates, bh, "dy", dy, dySpan);
        LaunchChecks.disjointIfPresent("dgates", dgates, bh, "dhRec", dhRec, bh);
        LaunchChecks.disjoint("dgates", dgates, bh, "h", h, hSpan);
        target.launch(kernel, geometry, dy, ldy, dhRec, h, ldh, dgates, batch, hidden);
    }
}
