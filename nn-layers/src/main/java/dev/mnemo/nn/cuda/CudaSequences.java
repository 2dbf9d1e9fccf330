package dev.mnemo.nn.cuda;

import static dev.mnemo.nn.BackendChecks.optionalShape;
import static dev.mnemo.nn.BackendChecks.shape;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.PersistentKernels;
import dev.mnemo.nn.Backend.RecurrentCell;
import dev.mnemo.nn.Backend.SequenceBackward;
import dev.mnemo.nn.Backend.SequenceForward;
import dev.mnemo.nn.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The CUDA backend's whole-sequence recurrent calls: every shape checked, then the
 * {@link PersistentPolicy} decides between one persistent launch ({@link PersistentPath}) and the
 * layer's per-step loop (the calls return false and launch nothing). A variable-length batch's row
 * lengths go to the kernels through a workspace, uploaded only when they change: a packed forward's
 * layers and directions and its backward share one upload.
 */
final class CudaSequences extends CudaOps {
    CudaSequences(CudaRuntime rt, CudaArgs args) {
        super(rt, args);
    }

    /** Made on first use: the device query, the launcher and the barrier words. */
    private PersistentPath persistentPath;

    private PersistentPath persistentPath() {
        if (persistentPath == null) {
            persistentPath = PersistentPath.open(rt);
        }
        return persistentPath;
    }

    /**
     * The path a recurrent forward of this shape takes here (persistent kernel or per-step loop) and
     * why, under the mode of {@link PersistentPolicy#PROPERTY} as now set.
     */
    PersistentPolicy.Choice forwardPath(RecurrentCell cell, long steps, long batch, long hidden) {
        return persistentPath().policy().choose(PersistentPolicy.cellOf(cell), steps, batch, hidden);
    }

    /** As {@link #forwardPath}, for the backward. */
    PersistentPolicy.Choice backwardPath(RecurrentCell cell, long steps, long batch, long hidden) {
        return persistentPath().policy().chooseBackward(PersistentPolicy.cellOf(cell), steps, batch, hidden);
    }

    /** One line for {@code mnemo info}: the recurrent path mode and what it means on this device. */
    String description() {
        return persistentPath().policy().describe();
    }

    /**
     * Runs the whole sequence in one persistent launch when {@link #forwardPath} chooses it;
     * false (nothing done) otherwise. Shapes are checked first, whatever the path. When {@code f}
     * still has its input projection to form ({@code f.x()}), a kernel that projects one input feature
     * itself takes it where {@link InputProjectionSetting} allows, else {@code projection} (the GEMM)
     * runs first.
     */
    boolean forward(SequenceForward f, Runnable projection) {
        Dims d = Dims.of(f.cell(), f.h(), f.gates(), f.wHh(), f.h0());
        int steps = d.steps();
        int b = d.batch();
        int hs = d.hidden();
        int g = d.gateWidth();
        boolean lstm = f.cell() == RecurrentCell.LSTM;
        boolean gru = f.cell() == RecurrentCell.GRU;
        optionalShape("bih", f.bih(), g);
        optionalShape("bhh", f.bhh(), g);
        if (lstm) {
            shape("c0", f.c0(), b, hs);
            if (f.saves()) {
                shape("c", f.c(), steps, b, hs);
            } else {
                shape("c", f.c(), b, hs);   // inference: the running c
            }
        }
        if (gru) {
            optionalShape("hn", f.hn(), steps, b, hs);
        }
        checkLengths(f.lengths(), steps, b);
        if (f.x() != null) {   // the projection still to form: x [T, B, I], W_ih [G·H, I]
            int inputs = f.x().rank() == 3 ? f.x().dim(2) : f.wIh().dim(-1);
            shape("x", f.x(), steps, b, inputs);
            shape("wIh", f.wIh(), g, inputs);
        }
        PersistentPolicy.Choice choice = forwardPath(f.cell(), steps, b, hs);
        if (!choice.persistent()) {
            return false;
        }
        boolean inKernel = f.x() != null && InputProjectionSetting.takes(choice, f.x().dim(2));
        if (f.x() != null && !inKernel) {
            projection.run();
        }
        persistentPath().forward(d.cell(), choice, mem("gates", f.gates()), mem("wHh", f.wHh()), memOrNull("bih", f.bih()),
                memOrNull("bhh", f.bhh()), mem("h0", f.h0()), lstm ? mem("c0", f.c0()) : null, mem("h", f.h()),
                lstm ? mem("c", f.c()) : null, gru ? memOrNull("hn", f.hn()) : null, steps, b, hs, f.reverse(),
                f.saves(), lengthsOnDevice(f.lengths()), inKernel ? mem("x", f.x()) : null,
                inKernel ? mem("wIh", f.wIh()) : null);
        return true;
    }

    /**
     * Runs the whole-sequence backward in one persistent launch when the policy chooses it (under
     * {@link PersistentPolicy#PROPERTY}, with the backward's shared-memory limit); false otherwise.
     */
    boolean backward(SequenceBackward f) {
        Dims d = Dims.of(f.cell(), f.h(), f.gates(), f.wHh(), f.h0());
        int steps = d.steps();
        int b = d.batch();
        int hs = d.hidden();
        int g = d.gateWidth();
        boolean lstm = f.cell() == RecurrentCell.LSTM;
        boolean gru = f.cell() == RecurrentCell.GRU;
        shape("dy", f.dy(), steps, b, hs);
        shape("dh", f.dh(), b, hs);
        shape("dWx", f.dWx(), steps, b, g);
        if (lstm) {
            shape("c0", f.c0(), b, hs);
            shape("c", f.c(), steps, b, hs);
            shape("dc", f.dc(), b, hs);
        }
        if (gru) {
            shape("hn", f.hn(), steps, b, hs);
            shape("dRh", f.dRh(), steps, b, g);
        }
        checkLengths(f.lengths(), steps, b);
        PersistentPolicy.Choice choice = backwardPath(f.cell(), steps, b, hs);
        if (!choice.persistent()) {
            return false;
        }
        persistentPath().backward(d.cell(), choice, lstm || gru ? mem("gates", f.gates()) : null, mem("wHh", f.wHh()),
                gru ? mem("h0", f.h0()) : null, lstm ? mem("c0", f.c0()) : null, mem("h", f.h()),
                lstm ? mem("c", f.c()) : null, gru ? mem("hn", f.hn()) : null, mem("dy", f.dy()), mem("dh", f.dh()),
                lstm ? mem("dc", f.dc()) : null, mem("dWx", f.dWx()), gru ? mem("dRh", f.dRh()) : null, steps, b, hs,
                f.reverse(), lengthsOnDevice(f.lengths()));
        return true;
    }

    /** Null, or one length in [1, T] per batch row. */
    private static void checkLengths(int[] lengths, int steps, int batch) {
        if (lengths == null) {
            return;
        }
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths must have one entry per batch row (" + batch + "), got "
                    + lengths.length);
        }
        for (int i = 0; i < batch; i++) {
            if (lengths[i] < 1 || lengths[i] > steps) {
                throw new IllegalArgumentException("lengths[" + i + "] must be in [1, " + steps + "], got " + lengths[i]);
            }
        }
    }

    /** The lengths on the device (null for none), through the runtime, which every view shares. */
    private DeviceMemory lengthsOnDevice(int[] lengths) {
        return lengths == null ? null : rt.sequenceLengths(lengths);
    }

    /**
     * T, B, H from {@code h} [T, B, H] (checked first: every other shape follows from it) and the
     * cell's G·H, after checking what both directions of the call share: gates, wHh and h0.
     */
    private record Dims(PersistentKernels.Cell cell, int steps, int batch, int hidden) {
        static Dims of(RecurrentCell cell, Tensor h, Tensor gates, Tensor wHh, Tensor h0) {
            if (h == null || h.rank() != 3) {
                throw new IllegalArgumentException("h must be [T, B, H], got "
                        + (h == null ? "null" : Tensor.shapeString(h.shape())));
            }
            Dims d = new Dims(PersistentPolicy.cellOf(cell), h.dim(0), h.dim(1), h.dim(2));
            shape("gates", gates, d.steps(), d.batch(), d.gateWidth());
            shape("wHh", wHh, d.gateWidth(), d.hidden());
            shape("h0", h0, d.batch(), d.hidden());
            return d;
        }

        int gateWidth() {
            return cell.gates() * hidden;
        }
    }
}
