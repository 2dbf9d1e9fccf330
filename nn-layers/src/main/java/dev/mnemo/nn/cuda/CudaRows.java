package dev.mnemo.nn.cuda;


import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.ScatterPlan;
import dev.mnemo.nn.BackendChecks;
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
        BackendChecks.gatherRows(table, rows, out);
        int w = table.dim(1);
        CudaStorage t = storage("table", table);
        CudaStorage o = storage("out", out);
        if (w == 0 || rows.length == 0) {
            return;
        }
        if (runs(rows) <= COPY_RUNS) {   // a few device copies cost less than uploading the indices
            for (int i = 0; i < rows.length; ) {
                int run = runLength(rows, i);
                o.buffer().copyFromDeviceAsync(t.buffer(), (table.offset() + (long) rows[i] * w) * Float.BYTES,
                        (out.offset() + (long) i * w) * Float.BYTES, (long) run * w * Float.BYTES, rt.stream);
                i += run;
            }
            return;
        }
        // One kernel, whatever the order: the indices go up through a reused workspace, or are there
        // already from an earlier gather with the same order (CudaRuntime#gatherIndices).
        DeviceBuffer onDevice = rt.gatherIndices(rows);
        rt.gather.rows(mem("table", table), onDevice, mem("out", out), rows.length, w);
    }

    /** {@link dev.mnemo.nn.Backend#carryFinishedRows}: one launch, the lengths read on the device. */
    void carryFinished(Tensor dst, Tensor src, Tensor lengths, int t) {
        BackendChecks.carryFinishedRows(dst, src, lengths, t);
        if (dst.numel() == 0) {
            return;
        }
        rt.gather.carryFinishedRows(mem("dst", dst), mem("src", src), mem("lengths", lengths), t, dst.dim(0),
                dst.dim(1));
    }

    /** {@link dev.mnemo.nn.Backend#zeroEndedSteps}: one launch, the lengths read on the device. */
    void zeroEndedSteps(Tensor x, Tensor lengths, boolean batchFirst) {
        BackendChecks.zeroEndedSteps(x, lengths, batchFirst);
        if (x.numel() == 0) {
            return;
        }
        long steps = x.dim(batchFirst ? 1 : 0);
        long rows = x.dim(batchFirst ? 0 : 1);
        long w = x.dim(2);
        rt.gather.zeroEndedSteps(mem("x", x), mem("lengths", lengths), steps, rows, w,
                batchFirst ? w : rows * w, batchFirst ? steps * w : w);
    }

    /** Runs of consecutive rows up to which {@link #gather} copies each run instead of launching the kernel. */
    static final int COPY_RUNS = 4;

    /** How many runs of consecutive source rows {@code rows} has (each a single device copy). */
    static int runs(int[] rows) {
        int runs = 0;
        for (int i = 0; i < rows.length; i += runLength(rows, i)) {
            runs++;
        }
        return runs;
    }

    private static int runLength(int[] rows, int i) {
        int run = 1;
        while (i + run < rows.length && rows[i + run] == rows[i] + run) {
            run++;
        }
        return run;
    }

    /** {@link dev.mnemo.nn.Backend#scatterAddRows}. */
    void scatterAdd(Tensor src, int[] rows, Tensor table) {
        BackendChecks.scatterAddRows(src, rows, table);
        int w = table.dim(1);
        DeviceMemory s = mem("src", src);
        DeviceMemory t = mem("table", table);
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
