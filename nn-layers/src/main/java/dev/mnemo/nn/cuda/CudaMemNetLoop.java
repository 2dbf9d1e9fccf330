package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.kernels.MemnetSequenceKernels;
import dev.mnemo.nn.Backend.MemNetBackward;
import dev.mnemo.nn.Backend.MemNetCell;
import dev.mnemo.nn.Backend.MemNetForward;
import dev.mnemo.nn.Backend.MemNetStream;
import dev.mnemo.nn.BackendChecks;
import dev.mnemo.nn.Tensor;

/**
 * {@link CudaBackend}'s MemNet sequence: the memnet family's one-launch loop
 * ({@link MemnetSequenceKernels}) where {@link MemNetLoopSetting} is on and the sizes fit this device's
 * shared memory; otherwise nothing, and the layer runs its step loop.
 */
final class CudaMemNetLoop extends CudaOps {
    CudaMemNetLoop(CudaRuntime rt, CudaArgs args) {
        super(rt, args);
    }

    /** Whether the loop runs {@code cell} here. */
    boolean takes(MemNetCell cell) {
        return MemNetLoopSetting.configured()
                && MemnetSequenceKernels.fits(sizes(cell), rt.device.sharedMemoryPerBlockOptin());
    }

    /**
     * Runs {@code s} in one launch where the setting is on and its cell fits ({@link MemnetSequenceKernels#streamFits});
     * false otherwise, with nothing done.
     */
    boolean stream(MemNetStream s) {
        MemNetCell cell = s.cell();
        if (!MemNetLoopSetting.configured()
                || !MemnetSequenceKernels.streamFits(sizes(cell), rt.device.sharedMemoryPerBlockOptin())) {
            return false;
        }
        int prefix = s.x().dim(0);
        int batch = s.x().dim(1);
        int steps = s.y().dim(0);
        int st = cell.stateWidth();
        int d = cell.outputWidth();
        BackendChecks.shape("weight", s.weight(), st, cell.cellWidth());
        BackendChecks.shape("bias", s.bias(), st);
        BackendChecks.shape("stateOutWeight", s.stateOutWeight(), d, st);
        BackendChecks.shape("stateOutBias", s.stateOutBias(), d);
        BackendChecks.shape("readOutWeight", s.readOutWeight(), d, cell.valueWidth());
        BackendChecks.shape("readOutBias", s.readOutBias(), d);
        BackendChecks.shape("x", s.x(), prefix, batch, cell.inputWidth());
        BackendChecks.shape("y", s.y(), steps, batch, d);
        BackendChecks.shape("h", s.h(), batch, st);
        BackendChecks.shape("c", s.c(), batch, cell.valueWidth());
        BackendChecks.shape("keys", s.keys(), batch, cell.slots(), cell.keyWidth());
        BackendChecks.shape("values", s.values(), batch, cell.slots(), cell.valueWidth());
        rt.memnet().sequence().stream(new MemnetSequenceKernels.StreamParams(mem("weight", s.weight()),
                mem("bias", s.bias()), mem("stateOutWeight", s.stateOutWeight()), mem("stateOutBias", s.stateOutBias()),
                mem("readOutWeight", s.readOutWeight()), mem("readOutBias", s.readOutBias()), mem("x", s.x()),
                mem("y", s.y()), mem("h", s.h()), mem("c", s.c()), mem("keys", s.keys()), mem("values", s.values()),
                steps, prefix, batch, sizes(cell), s.stepsBefore(), cell.maskEmptySlots(), cell.scale()));
        return true;
    }

    static MemnetSequenceKernels.Sizes sizes(MemNetCell cell) {
        return new MemnetSequenceKernels.Sizes(cell.inputWidth(), cell.keyWidth(), cell.valueWidth(),
                cell.outputWidth(), cell.slots());
    }

    /** Runs {@code f} when {@link #takes} its cell; false otherwise, with nothing done. */
    boolean forward(MemNetForward f) {
        MemNetCell cell = f.cell();
        if (!takes(cell)) {
            return false;
        }
        int steps = f.o().dim(0);
        int batch = f.o().dim(1);
        int s = cell.stateWidth();
        BackendChecks.shape("weight", f.weight(), s, cell.cellWidth());
        BackendChecks.shape("bias", f.bias(), s);
        BackendChecks.shape("h0", f.h0(), s);
        BackendChecks.shape("c0", f.c0(), cell.valueWidth());
        BackendChecks.shape("u", f.u(), steps, batch, cell.cellWidth());
        BackendChecks.shape("o", f.o(), steps, batch, s);
        BackendChecks.shape("r", f.r(), steps, batch, s);
        BackendChecks.shape("c", f.c(), steps, batch, cell.valueWidth());
        BackendChecks.shape("lse", f.lse(), steps, batch);
        rt.memnet().sequence().forward(new MemnetSequenceKernels.FwdParams(mem("weight", f.weight()),
                mem("bias", f.bias()), mem("h0", f.h0()), mem("c0", f.c0()), mem("u", f.u()), mem("o", f.o()),
                mem("r", f.r()), mem("c", f.c()), mem("lse", f.lse()), steps, batch, sizes(cell),
                cell.maskEmptySlots(), f.dropoutSeed(), f.dropoutOffset(), f.dropoutP(), cell.scale()));
        return true;
    }

    /** Runs {@code b} when {@link #takes} its cell; false otherwise, with nothing done. */
    boolean backward(MemNetBackward b) {
        MemNetCell cell = b.cell();
        if (!takes(cell)) {
            return false;
        }
        int steps = b.o().dim(0);
        int batch = b.o().dim(1);
        int s = cell.stateWidth();
        BackendChecks.shape("weight", b.weight(), s, cell.cellWidth());
        BackendChecks.shape("stateOutWeight", b.stateOutWeight(), cell.outputWidth(), s);
        BackendChecks.shape("readOutWeight", b.readOutWeight(), cell.outputWidth(), cell.valueWidth());
        BackendChecks.shape("o", b.o(), steps, batch, s);
        BackendChecks.shape("r", b.r(), steps, batch, s);
        BackendChecks.shape("c", b.c(), steps, batch, cell.valueWidth());
        BackendChecks.shape("lse", b.lse(), steps, batch);
        BackendChecks.shape("dy", b.dy(), steps, batch, cell.outputWidth());
        BackendChecks.shape("dO", b.dO(), steps, batch, s);
        BackendChecks.shape("dU", b.dU(), steps, batch, cell.cellWidth());
        BackendChecks.shape("dh", b.dh(), batch, s);
        BackendChecks.shape("dc", b.dc(), batch, cell.valueWidth());
        rt.memnet().sequence().backward(new MemnetSequenceKernels.BwdParams(mem("weight", b.weight()),
                mem("stateOutWeight", b.stateOutWeight()), mem("readOutWeight", b.readOutWeight()), mem("o", b.o()),
                mem("r", b.r()), mem("c", b.c()), mem("lse", b.lse()), mem("dy", b.dy()), mem("dO", b.dO()),
                mem("dU", b.dU()), mem("dh", b.dh()), mem("dc", b.dc()), steps, batch, sizes(cell),
                b.dropoutScale(), cell.scale()));
        return true;
    }
}
