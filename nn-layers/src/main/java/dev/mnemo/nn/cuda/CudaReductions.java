package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.ClipKernels;
import dev.mnemo.nn.Tensor;

import java.util.List;

/**
 * The CUDA backend's whole-tensor reductions to a host value (gradient clipping's norm, the
 * finiteness checks): the clip kernels' per-block partials (sums of squares in double, which float32
 * squares cannot overflow), read back, so these calls wait for the stream; and
 * {@link #clipGlobalNorm}, which keeps the norm on the device and waits for nothing. A partial that
 * is not finite means a NaN or infinite element: {@link #firstNonFinite} then finds it on the host
 * (the slow path, taken only then).
 */
final class CudaReductions extends CudaOps {
    CudaReductions(CudaRuntime rt, CudaArgs args) {
        super(rt, args);
    }

    /** {@link dev.mnemo.nn.Backend#firstNonFinite}: the device sum of squares first, the host scan only past it. */
    long firstNonFinite(Tensor t) {
        DeviceMemory x = mem("t", t);
        long n = t.numel();
        if (n == 0) {
            return -1;
        }
        // A NaN or infinite element, and only one, makes its block's Σx² non-finite.
        if (allFinite(partialSumsOfSquares(x, n))) {
            return -1;
        }
        // slow path: download and scan on the host (only when something is not finite).
        for (long base = 0; base < n; base += DOWNLOAD_CHUNK) {
            float[] host = download(t, base);
            for (int i = 0; i < host.length; i++) {
                if (!Float.isFinite(host[i])) {
                    return base + i;
                }
            }
        }
        return -1;
    }

    /**
     * {@link dev.mnemo.nn.Backend#sumOfSquares}: the per-block double partials, summed in a fixed order
     * (deterministic). NaN when an element is NaN, else +∞ when one is infinite: squares are never
     * negative, so an infinite partial cannot cancel.
     */
    double sumOfSquares(Tensor t) {
        DeviceMemory x = mem("t", t);
        long n = t.numel();
        if (n == 0) {
            return 0;
        }
        double sum = 0;
        for (double p : partialSumsOfSquares(x, n)) {   // fixed order over a grid fixed by n
            sum += p;
        }
        return sum;
    }

    /**
     * Global-norm clipping of {@code gradients} together, queued: pass 1 of the clip kernels per
     * buffer into one partials array (each buffer's grid cut to its share of the
     * {@value ClipKernels#MAX_PARTIALS} the second pass takes), then pass 2 per buffer, which sums
     * every buffer's partials in the same order and scales its own buffer by
     * {@code min(1, maxNorm / (norm + 1e-6))}; a non-finite norm scales nothing. {@code norm} [1]
     * receives the norm before clipping. Nothing is read back.
     */
    void clipGlobalNorm(List<Tensor> gradients, double maxNorm, Tensor norm) {
        if (gradients.size() > ClipKernels.MAX_PARTIALS) {
            throw new IllegalArgumentException("at most " + ClipKernels.MAX_PARTIALS + " gradient buffers are "
                    + "clipped together on the device, got " + gradients.size());
        }
        DeviceMemory[] xs = new DeviceMemory[gradients.size()];
        int[] blocks = new int[xs.length];
        int share = ClipKernels.MAX_PARTIALS / Math.max(1, xs.length);
        int total = 0;
        for (int i = 0; i < xs.length; i++) {
            Tensor g = gradients.get(i);
            xs[i] = mem("gradients[" + i + "]", g);
            blocks[i] = Math.min(ClipKernels.partialsCount(g.numel()), share);
            total += blocks[i];
        }
        DeviceMemory out = mem("norm", norm);
        if (xs.length == 0) {
            rt.tensor.fill(out, 1, 0f);
            return;
        }
        DeviceBuffer partials = rt.workspace(CudaRuntime.Workspace.CLIP_PARTIALS, 2L * total);   // doubles
        int at = 0;
        for (int i = 0; i < xs.length; i++) {
            rt.clip.sumsq(xs[i], gradients.get(i).numel(), partials.sliceFloats(2L * at, 2L * blocks[i]), blocks[i]);
            at += blocks[i];
        }
        // a maxNorm below float's least subnormal (finite and > 0, so valid) rounds to 0, which the kernel
        // refuses: it clips to that least value instead, scaling by ~1e-45 / norm as the blocking path's factor
        // rounds to in float32
        float maxNormF = Math.max((float) maxNorm, Float.MIN_VALUE);
        for (int i = 0; i < xs.length; i++) {
            gradients.get(i).storage().recordWrite();
            rt.clip.scale(xs[i], gradients.get(i).numel(), partials, total, maxNormF, out);
        }
        norm.storage().recordWrite();
    }

    /** Pass 1 of the clip kernels into a workspace, read back (waits for the stream). */
    private double[] partialSumsOfSquares(DeviceMemory x, long n) {
        int count = ClipKernels.partialsCount(n);
        DeviceBuffer partials = rt.workspace(CudaRuntime.Workspace.PARTIALS, 2L * count);   // doubles
        rt.clip.sumsq(x, n, partials);
        double[] host = new double[count];
        partials.copyToHost(0, host, 0, count);
        return host;
    }

    private static boolean allFinite(double[] values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Elements per host copy of the slow path: a tensor may pass 2^31 elements, a Java array may not. */
    static final int DOWNLOAD_CHUNK = 1 << 24;

    /** Elements {@code [base, base + DOWNLOAD_CHUNK)} of {@code t} (fewer at its end), on the host. */
    private float[] download(Tensor t, long base) {
        int n = (int) Math.min(DOWNLOAD_CHUNK, t.numel() - base);
        float[] host = new float[n];
        storage("t", t).buffer().copyToHost(t.offset() + base, host, 0, n);
        return host;
    }
}
