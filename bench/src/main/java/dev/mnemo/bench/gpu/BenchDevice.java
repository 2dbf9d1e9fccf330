package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.nn.cuda.CudaBackend;

/**
 * The GPU the benchmarks run on: the default CUDA backend's device ({@code -Dmnemo.cuda.device}, which
 * {@code scripts/gpu-bench.sh} sets from {@code MNEMO_BENCH_DEVICE}, as the PyTorch side reads it).
 * Timing events must sit on that device: on another one they would bracket none of the work.
 */
final class BenchDevice {

    private BenchDevice() {
    }

    /** That device's context, for events; close it after use (the backend keeps its own). */
    static CudaContext open() {
        return CudaContext.open(CudaBackend.float32().context().ordinal());
    }
}
