package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;

/**
 * Launcher of the header's family "input": a recurrent layer's input-side gradients for few inputs
 * ({@link NarrowInputPlan}), where dIn and the partial sums of db and dW_ih come from one read of the
 * gate gradients instead of two GEMMs and two column sums that read them four times. The partials'
 * final sums are {@link TensorKernels#sumRows} launches (the caller's, see {@link NarrowInputPlan}).
 */
public final class InputKernels {
    /** Threads per block. */
    public static final int BLOCK_THREADS = 256;

    /**
     * {@code mnemo_input_narrow_bwd_f32(float* dIn, float* partials, const float* dWx, const float* x,
     * const float* wIh, long long rows, int gates, int inputs, long long rowsPerSplit, float beta)}.
     */
    public static final KernelSignature NARROW_BWD = KernelSignature.of("mnemo_input_narrow_bwd_f32",
            of("float*", "dIn"), of("float*", "partials"), of("const float*", "dWx"), of("const float*", "x"),
            of("const float*", "wIh"), of("long long", "rows"), of("int", "gates"), of("int", "inputs"),
            of("long long", "rowsPerSplit"), of("float", "beta"));

    private final LaunchTarget target;

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public InputKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    InputKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(NARROW_BWD);
    }

    /** Block 256, grid S = ceil(rows / rowsPerSplit). */
    public static LaunchGeometry narrowGeometry(long rows, long rowsPerSplit) {
        LaunchChecks.between("rows", rows, 1, Long.MAX_VALUE);
        LaunchChecks.between("rowsPerSplit", rowsPerSplit, 1, rows);
        long splits = NarrowInputPlan.ceil(rows, rowsPerSplit);
        LaunchChecks.between("S = ceil(rows / rowsPerSplit)", splits, 1, Integer.MAX_VALUE);
        return LaunchGeometry.linear((int) splits, BLOCK_THREADS);
    }

    /**
     * Pass 1: {@code dIn = dWx·wIh + beta·dIn}, and per split of rows the column sums of dWx and of
     * {@code dWxᵀ·x} into {@code partials} (layout: {@link NarrowInputPlan}).
     *
     * @param dIn [rows, inputs] in-out (out only when beta = 0); must not overlap the others
     * @param partials [S·gates·(1 + inputs)] out
     * @param dWx [rows, gates] in
     * @param x [rows, inputs] in
     * @param wIh [gates, inputs] in
     * @param rows >= 1
     * @param gates 1 .. {@value NarrowInputPlan#MAX_GATES}
     * @param inputs 1 .. {@value NarrowInputPlan#MAX_INPUTS}
     * @param rowsPerSplit 1 .. rows
     * @param beta 0 overwrites dIn, 1 accumulates
     */
    public void narrowBwd(DeviceMemory dIn, DeviceMemory partials, DeviceMemory dWx, DeviceMemory x, DeviceMemory wIh,
                          long rows, int gates, int inputs, long rowsPerSplit, float beta) {
        LaunchGeometry geometry = narrowGeometry(rows, rowsPerSplit);
        LaunchChecks.between("gates", gates, 1, NarrowInputPlan.MAX_GATES);
        LaunchChecks.between("inputs", inputs, 1, NarrowInputPlan.MAX_INPUTS);
        long splits = geometry.gridX();
        long dInFloats = Math.multiplyExact(rows, (long) inputs);
        long partialsFloats = NarrowInputPlan.partialsFloats(splits, gates, inputs);
        long dWxFloats = Math.multiplyExact(rows, (long) gates);
        long wFloats = (long) gates * inputs;
        LaunchChecks.holds("dIn", dIn, dInFloats, "rows·inputs");
        LaunchChecks.holds("partials", partials, partialsFloats, "S·gates·(1 + inputs)");
        LaunchChecks.holds("dWx", dWx, dWxFloats, "rows·gates");
        LaunchChecks.holds("x", x, dInFloats, "rows·inputs");
        LaunchChecks.holds("wIh", wIh, wFloats, "gates·inputs");
        LaunchChecks.disjoint("dIn", dIn, dInFloats, "partials", partials, partialsFloats);
        LaunchChecks.disjoint("dIn", dIn, dInFloats, "dWx", dWx, dWxFloats);
        LaunchChecks.disjoint("dIn", dIn, dInFloats, "x", x, dInFloats);
        LaunchChecks.disjoint("dIn", dIn, dInFloats, "wIh", wIh, wFloats);
        LaunchChecks.disjoint("partials", partials, partialsFloats, "dWx", dWx, dWxFloats);
        LaunchChecks.disjoint("partials", partials, partialsFloats, "x", x, dInFloats);
        LaunchChecks.disjoint("partials", partials, partialsFloats, "wIh", wIh, wFloats);
        target.launch(NARROW_BWD, geometry, dIn, partials, dWx, x, wIh, rows, gates, inputs, rowsPerSplit, beta);
    }
}
