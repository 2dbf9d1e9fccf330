package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.LossKernels;
import dev.mnemo.nn.BackendChecks;
import dev.mnemo.nn.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The CUDA backend's losses: the gradient is written on the device and the loss comes back to the
 * host as per-row losses (cross-entropy) or per-block double partials (MSE), summed in double in a
 * fixed order (so these calls wait for the stream).
 */
final class CudaLosses extends CudaOps {
    CudaLosses(CudaRuntime rt, CudaArgs args) {
        super(rt, args);
    }

    /** {@link dev.mnemo.nn.Backend#softmaxCrossEntropy}: per-row losses on the device, summed on the host. */
    double softmaxCrossEntropy(Tensor logits, int[] targets, double scale, Tensor dLogits) {
        BackendChecks.softmaxCrossEntropy(logits, targets, dLogits);
        int n = logits.dim(0);
        int classes = logits.dim(1);
        DeviceMemory lm = mem("logits", logits);
        DeviceMemory dm = mem("dLogits", dLogits);
        if (n == 0) {
            return 0;
        }
        if (classes == 0) {
            throw new IllegalArgumentException("logits must have at least one class, got " + Tensor.shapeString(logits.shape()));
        }
        DeviceBuffer t = rt.workspace(CudaRuntime.Workspace.TARGETS, n);
        DeviceBuffer loss = rt.workspace(CudaRuntime.Workspace.LOSS, n);
        DeviceBuffer stats = rt.workspace(CudaRuntime.Workspace.STATS, 2L * n);
        t.copyFromHost(MemorySegment.ofArray(targets), 0);
        rt.loss.softmaxXentFwd(lm, t, loss, stats, n, classes);
        rt.loss.softmaxXentBwd(dm, lm, t, stats, n, classes, (float) scale);
        float[] perRow = new float[n];
        loss.copyToHost(0, perRow, 0, n);
        double sum = 0;
        for (float v : perRow) {
            sum += v;
        }
        return sum;
    }

    /** {@link dev.mnemo.nn.Backend#squaredError}: per-block partials on the device, summed on the host. */
    double squaredError(Tensor pred, Tensor target, double scale, Tensor grad) {
        BackendChecks.squaredError(pred, target, grad);
        DeviceMemory p = mem("pred", pred);
        DeviceMemory t = mem("target", target);
        DeviceMemory g = mem("grad", grad);
        long n = pred.numel();
        int count = LossKernels.msePartialsCount(n);
        DeviceBuffer partials = rt.workspace(CudaRuntime.Workspace.PARTIALS, 2L * count);   // doubles
        rt.loss.mseFwd(p, t, n, partials);
        rt.loss.mseBwd(g, p, t, n, (float) scale);
        double[] host = new double[count];
        partials.copyToHost(0, host, 0, count);
        double sum = 0;
        for (double v : host) {
            sum += v;
        }
        return sum;
    }
}
