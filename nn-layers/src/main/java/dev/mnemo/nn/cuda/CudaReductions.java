package dev.mnemo.nn.cuda;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.kernels.ClipKernels;
import dev.mnemo.nn.Tensor;

/**
 * The CUDA backend's whole-tensor reductions to a host value (gradient clipping's norm, the
 * finiteness checks): the clip kernels' per-block partials, read back, so these calls wait for the
 * stream. A partial that is not finite sends the call to an exact host pass over the downloaded
 * tensor (the slow path, taken only when something overflowed or is not finite).
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
        // A NaN or infinite element makes its block's Σx² non-finite; overflowing finite squares
        // can too, so a non-finite partial only sends us to the exact host scan.
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

    /** {@link dev.mnemo.nn.Backend#sumOfSquares}: per-block float32 partials, summed in double in a fixed order. */
    double sumOfSquares(Tensor t) {
        DeviceMemory x = mem("t", t);
        long n = t.numel();
        if (n == 0) {
            return 0;
        }
        float[] partials = partialSumsOfSquares(x, n);
        double sum = 0;
        for (float p : partials) {      // fixed order over a grid fixed by n: deterministic
            sum += p;
        }
        if (Double.isFinite(sum)) {
            return sum;
        }
        // slow path: a float32 partial overflowed or an element is not finite: the exact double sum
        // on the host (NaN if an element is NaN, infinite if one is infinite, as the contract says).
        double exact = 0;
        for (long base = 0; base < n; base += DOWNLOAD_CHUNK) {
            for (float v : download(t, base)) {
                exact += (double) v * v;
            }
        }
        return exact;
    }

    /** Pass 1 of the clip kernels into a workspace, read back (waits for the stream). */
    private float[] partialSumsOfSquares(DeviceMemory x, long n) {
        int count = ClipKernels.partialsCount(n);
        DeviceBuffer partials = rt.workspace(CudaRuntime.Workspace.PARTIALS, count);
        rt.clip.sumsq(x, n, partials);
        float[] host = new float[count];
        partials.copyToHost(0, host, 0, count);
        return host;
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Elements per host copy of the slow paths: a tensor may pass 2^31 elements, a Java array may not. */
    static final int DOWNLOAD_CHUNK = 1 << 24;

    /** Elements {@code [base, base + DOWNLOAD_CHUNK)} of {@code t} (fewer at its end), on the host. */
    private float[] download(Tensor t, long base) {
        int n = (int) Math.min(DOWNLOAD_CHUNK, t.numel() - base);
        float[] host = new float[n];
        storage("t", t).buffer().copyToHost(t.offset() + base, host, 0, n);
        return host;
    }
}
