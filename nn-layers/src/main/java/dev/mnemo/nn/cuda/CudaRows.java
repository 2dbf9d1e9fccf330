package dev.mnemo.nn.cuda;

import static dev.mnemo.nn.cuda.CudaArgs.indices;
import static dev.mnemo.nn.cuda.CudaArgs.matrix;
import static dev.mnemo.nn.cuda.CudaArgs.overlap;
import static dev.mnemo.nn.cuda.CudaArgs.shape;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.ScatterPlan;
import dev.mnemo.nn.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The CUDA backend's row gathers and scatters (embedding lookups and their gradients): host row
 * indices, checked against the table before anything is queued.
 */
final class CudaRows extends CudaOps {
    CudaRows(CudaRuntime rt, CudaArgs args) {
        super(rt, args);
    }

    /** {@link dev.mnemo.nn.Backend#gatherRows}. */
    void gather(Tensor table, int[] rows, Tensor out) {
        matrix("table", table);
        int w = table.dim(1);
        indices("rows", rows, table.dim(0), "table rows");
        shape("out", out, rows.length, w);
        CudaStorage t = storage("table", table);
        CudaStorage o = storage("out", out);
        if (overlap(table, out)) {
            throw new IllegalArgumentException("out must not overlap table in gatherRows");
        }
        if (w == 0) {
            return;
        }
        // slow path: one device copy per run of consecutive source rows (no gather kernel yet).
        for (int i = 0; i < rows.length; ) {
            int run = 1;
            while (i + run < rows.length && rows[i + run] == rows[i] + run) {
                run++;
            }
            long bytes = (long) run * w * Float.BYTES;
            o.buffer().copyFromDeviceAsync(t.buffer(), (table.offset() + (long) rows[i] * w) * Float.BYTES,
                    (out.offset() + (long) i * w) * Float.BYTES, bytes, rt.stream);
            i += run;
        }
    }

    /** {@link dev.mnemo.nn.Backend#scatterAddRows}. */
    void scatterAdd(Tensor src, int[] rows, Tensor table) {
        matrix("table", table);
        int w = table.dim(1);
        indices("rows", rows, table.dim(0), "table rows");
        shape("src", src, rows.length, w);
        DeviceMemory s = mem("src", src);
        DeviceMemory t = mem("table", table);
        if (overlap(table, src)) {
            throw new IllegalArgumentException("src must not overlap table in scatterAddRows");
        }
        if (w == 0) {
            return;
        }
        if (rows.length == 0) {
            return;
        }
        // Group the indices by row on the host (stable), upload the grouping, and let one thread
        // per (row, column) add its rows in order of i: the sequential loop's sums, bit for bit.
        ScatterPlan plan = ScatterPlan.of(rows, table.dim(0));
        DeviceBuffer planOnDevice = rt.workspace(CudaRuntime.Workspace.SCATTER_PLAN, plan.packed().length);
        planOnDevice.copyFromHost(MemorySegment.ofArray(plan.packed()), 0);
        rt.scatter.addRows(t, table.dim(0), s, plan, planOnDevice, w);
    }
}
