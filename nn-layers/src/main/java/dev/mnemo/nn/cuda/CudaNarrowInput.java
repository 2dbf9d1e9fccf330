package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.kernels.NarrowInputPlan;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.BackendChecks;

/**
 * {@link Backend#inputGradients} in one read of dWx where the layer has few inputs: the narrow kernel
 * writes dIn and per-split partial sums, then one column-sum launch per gradient adds them in
 * (db_ih, db_hh when shared, dW_ih). At pixel MNIST's LSTM (dWx 205 MB) the cuBLAS path reads dWx four
 * times: dW_ih's GEMM, the two column sums and dIn's GEMM. Deterministic, as the column sums are.
 */
final class CudaNarrowInput extends CudaOps {
    CudaNarrowInput(CudaRuntime rt, CudaArgs args) {
        super(rt, args);
    }

    /** Whether {@code g} takes the narrow kernel: the setting is on and the shape fits it. */
    static boolean takes(Backend.InputGradients g) {
        return g.dWx().rank() == 2 && g.x().rank() == 2
                && NarrowInputPlan.fits(g.dWx().dim(0), g.dWx().dim(1), g.x().dim(1)) && NarrowInputSetting.configured();
    }

    /** Runs {@code g} (after {@link #takes}). */
    void run(Backend.InputGradients g) {
        BackendChecks.inputGradients(g);
        int rows = g.dWx().dim(0);
        int gates = g.dWx().dim(1);
        int inputs = g.x().dim(1);
        NarrowInputPlan plan = NarrowInputPlan.of(rows, gates, inputs);
        DeviceBuffer partials = rt.workspace(CudaRuntime.Workspace.NARROW_INPUT_PARTIALS, plan.partialsFloats());
        rt.input.narrowBwd(mem("dIn", g.dIn()), partials, mem("dWx", g.dWx()), mem("x", g.x()), mem("wIh", g.wIh()),
                rows, gates, inputs, plan.rowsPerSplit(), (float) g.beta());
        long splits = plan.splits();
        if (g.dbIh() != null) {
            rt.tensor.sumRows(mem("dbIh", g.dbIh()), partials, splits, gates, 1f);
        }
        if (g.dbHh() != null) {
            rt.tensor.sumRows(mem("dbHh", g.dbHh()), partials, splits, gates, 1f);
        }
        rt.tensor.sumRows(mem("dwIh", g.dwIh()), partials.sliceFloats(plan.weightPartialsOffset(), splits * gates * inputs),
                splits, (long) gates * inputs, 1f);
    }
}
