package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;

/**
 * Launcher of the header's family "gather": {@code out[i, :] = table[rows[i], :]} in one launch,
 * whatever the order of the rows (embedding lookups, the row permutations of packed recurrent
 * passes), and the carry of a packed step's finished rows. The counterpart of {@link ScatterKernels}.
 */
public final class GatherKernels {
    /** Threads per block. */
    public static final int BLOCK_THREADS = 256;

    /**
     * {@code mnemo_gather_rows_f32(const float* table, const int* rows, float* out, long long n,
     * long long width)}.
     */
    public static final KernelSignature ROWS = KernelSignature.of("mnemo_gather_rows_f32",
            of("const float*", "table"), of("const int*", "rows"), of("float*", "out"), of("long long", "n"),
            of("long long", "width"));

    /**
     * {@code mnemo_gather_carry_finished_rows_f32(float* dst, const float* src, const float* lengths,
     * long long t, long long rows, long long width)}.
     */
    public static final KernelSignature CARRY_FINISHED_ROWS = KernelSignature.of(
            "mnemo_gather_carry_finished_rows_f32", of("float*", "dst"), of("const float*", "src"),
            of("const float*", "lengths"), of("long long", "t"), of("long long", "rows"), of("long long", "width"));

    /**
     * {@code mnemo_gather_zero_ended_steps_f32(float* x, const float* lengths, long long steps, long long rows,
     * long long width, long long stepStride, long long rowStride)}.
     */
    public static final KernelSignature ZERO_ENDED_STEPS = KernelSignature.of(
            "mnemo_gather_zero_ended_steps_f32", of("float*", "x"), of("const float*", "lengths"),
            of("long long", "steps"), of("long long", "rows"), of("long long", "width"), of("long long", "stepStride"),
            of("long long", "rowStride"));

    private final LaunchTarget target;

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public GatherKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    GatherKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(ROWS, CARRY_FINISHED_ROWS, ZERO_ENDED_STEPS);
    }

    /** Block 256, grid ceil(n·width / 256) capped at 65535, at least 1. */
    public static LaunchGeometry geometry(long n, long width) {
        LaunchChecks.count("n", n);
        LaunchChecks.count("width", width);
        return TensorKernels.geometry(Math.multiplyExact(n, width));
    }

    /**
     * The gather. The indices are not read here (they live on the device): the caller checks them
     * against the table's rows before uploading, and that the table does not overlap {@code out}.
     *
     * @param table [R, width] in
     * @param rows [n] ints in [0, R)
     * @param out [n, width] out
     * @param n rows gathered, >= 0
     * @param width columns, >= 0
     */
    public void rows(DeviceMemory table, DeviceMemory rows, DeviceMemory out, long n, long width) {
        LaunchGeometry geometry = geometry(n, width);
        LaunchChecks.holds("rows", rows, n, "n ints");
        LaunchChecks.holds("out", out, Math.multiplyExact(n, width), "n·width");
        target.launch(ROWS, geometry, table, rows, out, n, width);
    }

    /**
     * {@code dst[b, :] = src[b, :]} for every row b with {@code t >= lengths[b]}. The lengths are not
     * read here (they live on the device, as floats); the caller checks that src does not overlap dst.
     *
     * @param dst [rows, width] in/out
     * @param src [rows, width] in
     * @param lengths [rows] floats
     * @param t the step, >= 0
     * @param rows rows, >= 0
     * @param width columns, >= 0
     */
    public void carryFinishedRows(DeviceMemory dst, DeviceMemory src, DeviceMemory lengths, long t, long rows,
                                  long width) {
        LaunchChecks.count("t", t);
        LaunchGeometry geometry = geometry(rows, width);
        long n = Math.multiplyExact(rows, width);
        LaunchChecks.holds("dst", dst, n, "rows·width");
        LaunchChecks.holds("src", src, n, "rows·width");
        LaunchChecks.holds("lengths", lengths, rows, "rows floats");
        target.launch(CARRY_FINISHED_ROWS, geometry, dst, src, lengths, t, rows, width);
    }

    /**
     * {@code x[t, b, :] = 0} for every step {@code t >= lengths[b]}, element (t, b, c) at
     * {@code t·stepStride + b·rowStride + c}. The lengths are not read here (they live on the device).
     *
     * @param x the tensor, at least its last element's index + 1 floats
     * @param lengths [rows] floats
     * @param steps steps, >= 0
     * @param rows rows, >= 0
     * @param width columns, >= 0
     * @param stepStride floats between steps, >= 0
     * @param rowStride floats between rows, >= 0
     */
    public void zeroEndedSteps(DeviceMemory x, DeviceMemory lengths, long steps, long rows, long width,
                               long stepStride, long rowStride) {
        LaunchChecks.count("steps", steps);
        LaunchChecks.count("rows", rows);
        LaunchChecks.count("stepStride", stepStride);
        LaunchChecks.count("rowStride", rowStride);
        LaunchGeometry geometry = geometry(Math.multiplyExact(steps, rows), width);
        if (steps > 0 && rows > 0 && width > 0) {
            long last = Math.addExact(Math.addExact(Math.multiplyExact(steps - 1, stepStride),
                    Math.multiplyExact(rows - 1, rowStride)), width);
            LaunchChecks.holds("x", x, last, "(steps−1)·stepStride + (rows−1)·rowStride + width");
        }
        LaunchChecks.holds("lengths", lengths, rows, "rows floats");
        target.launch(ZERO_ENDED_STEPS, geometry, x, lengths, steps, rows, width, stepStride, rowStride);
    }
}
