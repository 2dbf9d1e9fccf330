package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.OptimKernels;
import dev.mnemo.nn.Backend.AdamParams;
import dev.mnemo.nn.Backend.RmsPropParams;
import dev.mnemo.nn.Backend.SgdParams;
import dev.mnemo.nn.BackendChecks;
import dev.mnemo.nn.Tensor;

/**
 * The CUDA backend's optimizer steps: PyTorch's single-tensor SGD, Adam(W) and RMSprop, one
 * elementwise kernel each ({@code optim_*.cu}), the state buffers checked against the parameter
 * before the launch.
 */
final class CudaOptimizers extends CudaOps {
    CudaOptimizers(CudaRuntime rt, CudaArgs args) {
        super(rt, args);
    }

    /** {@link dev.mnemo.nn.Backend#sgdUpdate}. */
    void sgd(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams hp) {
        BackendChecks.sgdUpdate(param, grad, momentumBuffer, hp);
        boolean momentum = hp.momentum() != 0;
        DeviceMemory p = mem("param", param);
        DeviceMemory g = mem("grad", grad);
        DeviceMemory buf = momentum ? mem("momentumBuffer", momentumBuffer) : null;
        rt.optim.sgd(p, g, buf, param.numel(), new OptimKernels.SgdParams(hp.lr(), hp.momentum(), hp.dampening(), hp.weightDecay(),
                        hp.nesterov() ? 1 : 0, hp.firstStep() ? 1 : 0));
    }

    /** {@link dev.mnemo.nn.Backend#adamUpdate}. */
    void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamParams hp) {
        BackendChecks.adamUpdate(param, grad, expAvg, expAvgSq);
        if (hp.step() < 1 || hp.step() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("step must be in [1, " + Integer.MAX_VALUE + "] (the kernel's int), got "
                    + hp.step());
        }
        DeviceMemory p = mem("param", param);
        DeviceMemory g = mem("grad", grad);
        DeviceMemory m = mem("expAvg", expAvg);
        DeviceMemory v = mem("expAvgSq", expAvgSq);
        rt.optim.adam(p, g, m, v, param.numel(), new OptimKernels.AdamParams(hp.lr(), hp.beta1(), hp.beta2(), hp.eps(), hp.weightDecay(),
                        (int) hp.step(), hp.decoupled() ? 1 : 0));
    }

    /** {@link dev.mnemo.nn.Backend#rmsPropUpdate}. */
    void rmsProp(Tensor param, Tensor grad, Tensor squareAvg, Tensor momentumBuffer, Tensor gradAvg,
                 RmsPropParams hp) {
        BackendChecks.rmsPropUpdate(param, grad, squareAvg, momentumBuffer, gradAvg, hp);
        boolean momentum = hp.momentum() > 0;
        DeviceMemory p = mem("param", param);
        DeviceMemory g = mem("grad", grad);
        DeviceMemory sq = mem("squareAvg", squareAvg);
        DeviceMemory buf = momentum ? mem("momentumBuffer", momentumBuffer) : null;
        DeviceMemory avg = hp.centered() ? mem("gradAvg", gradAvg) : null;
        rt.optim.rmsprop(p, g, sq, buf, avg, param.numel(), new OptimKernels.RmspropParams(hp.lr(), hp.alpha(), hp.eps(), hp.weightDecay(),
                        hp.momentum(), hp.centered() ? 1 : 0));
    }
}
