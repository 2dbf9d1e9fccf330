package dev.mnemo.cuda.kernels;

import static dev.mnemo.cuda.kernels.KernelParameter.of;

import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.List;

/**
 * Launcher of the header's family "scatter": {@code table[rows[i], :] += src[i, :]} with repeated
 * rows accumulated in order of {@code i}, deterministic and equal to the sequential loop bit for
 * bit. The host groups the indices first ({@link ScatterPlan}).
 */
public final class ScatterKernels {
    /** Threads per block. */
    public static final int BLOCK_THREADS = 256;

    /**
     * {@code mnemo_scatter_add_rows_f32(float* table, const float* src, const int* order,
     * const int* segStart, const int* segRow, long long segments, long long width)}.
     */
    public static final KernelSignature ADD_ROWS = KernelSignature.of("mnemo_scatter_add_rows_f32",
            of("float*", "table"), of("const float*", "src"), of("const int*", "order"),
            of("const int*", "segStart"), of("const int*", "segRow"), of("long long", "segments"),
            of("long long", "width"));

    private final LaunchTarget target;

    /** Launchers for the kernels of {@code module}, queued on {@code stream}. */
    public ScatterKernels(CudaModule module, CudaStream stream) {
        this(new ModuleLaunchTarget(module, stream, signatures()));
    }

    ScatterKernels(LaunchTarget target) {
        this.target = target;
    }

    /** The signatures of this family, in header order. */
    public static List<KernelSignature> signatures() {
        return List.of(ADD_ROWS);
    }

    /** Block 256, grid ceil(segments·width / 256) capped at 65535, at least 1. */
    public static LaunchGeometry geometry(long segments, long width) {
        LaunchChecks.count("segments", segments);
        LaunchChecks.count("width", width);
        return TensorKernels.geometry(Math.multiplyExact(segments, width));
    }

    /**
     * The grouped scatter-add. The index arrays are not read here (they live on the device): the
     * caller uploads a {@link ScatterPlan} built for the same rows.
     *
     * @param table [R, width] in-out; must not overlap src
     * @param src [n, width] in
     * @param order [n] ints: the i's grouped by row
     * @param segStart [segments + 1] ints
     * @param segRow [segments] ints, distinct rows in [0, R)
     * @param segments number of groups, >= 0
     * @param width columns, >= 0
     */
    public void addRows(DeviceMemory table, DeviceMemory src, DeviceMemory order, DeviceMemory segStart,
                        DeviceMemory segRow, long segments, long width) {
        LaunchGeometry geometry = geometry(segments, width);
        LaunchChecks.holds("segStart", segStart, segments + 1, "segments + 1 ints");
        LaunchChecks.holds("segRow", segRow, segments, "segments ints");
        LaunchChecks.holds("table", table, Math.multiplyExact(segments, width), "at least segments·width");
        target.launch(ADD_ROWS, geometry, table, src, order, segStart, segRow, segments, width);
    }

    /**
     * {@link #addRows} for a plan uploaded as one int array ({@link ScatterPlan#packed()}) into
     * {@code planOnDevice}; checks the sizes of table and src against the plan.
     *
     * @param tableRows R
     */
    public void addRows(DeviceMemory table, long tableRows, DeviceMemory src, ScatterPlan plan, DeviceMemory planOnDevice,
                        long width) {
        LaunchChecks.count("width", width);
        LaunchChecks.holds("table", table, Math.multiplyExact(tableRows, width), "tableRows·width");
        LaunchChecks.holds("src", src, Math.multiplyExact((long) plan.n(), width), "n·width");
        LaunchChecks.holds("planOnDevice", planOnDevice, plan.packed().length, "the plan's ints");
        LaunchChecks.disjoint("table", table, tableRows * width, "src", src, (long) plan.n() * width);
        addRows(table, src, planOnDevice.sliceFloats(plan.orderOffset(), plan.n()),
                planOnDevice.sliceFloats(plan.segStartOffset(), plan.segments() + 1L),
                planOnDevice.sliceFloats(plan.segRowOffset(), plan.segments()), plan.segments(), width);
    }
}
