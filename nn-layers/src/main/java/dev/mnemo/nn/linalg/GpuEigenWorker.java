package dev.mnemo.nn.linalg;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaProbe;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.Cusolver;
import dev.mnemo.cuda.KernelModule;
import dev.mnemo.cuda.kernels.EigenKernels;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The one thread that talks to cuSOLVER for {@link Eigen}. A CUDA context belongs to one thread at a
 * time, and {@code Eigen} is called from any thread (and from parallel batches), so every GPU
 * decomposition is queued to this daemon thread, which opens device {@code mnemo.eigen.device}
 * (default 0), a stream and a cuSOLVER handle on first use and keeps them for the life of the
 * process. Calls are served one at a time, in order. The batched eigenvalue kernels
 * ({@link GpuBatchedSolver}) run on the same thread, context and stream; their module is loaded on
 * first use.
 */
final class GpuEigenWorker {
    /** The device the worker's context is opened on (default 0). */
    static final String DEVICE_PROPERTY = "mnemo.eigen.device";

    private static volatile Optional<String> unavailable;
    private static GpuEigenWorker instance;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mnemo-eigen-gpu");
        t.setDaemon(true);
        return t;
    });
    // touched only on the worker thread
    private Cusolver cusolver;
    private RuntimeException openFailure;
    private EigenKernels kernels;
    private BatchedEigenBuffers buffers;

    private GpuEigenWorker() {
    }

    /** Why the GPU path cannot run (no driver, no device, no cuSOLVER or no Xgeev), or empty; probed once. */
    static Optional<String> unavailableReason() {
        Optional<String> u = unavailable;
        if (u == null) {
            synchronized (GpuEigenWorker.class) {
                if (unavailable == null) {
                    unavailable = probe();
                }
                u = unavailable;
            }
        }
        return u;
    }

    private static Optional<String> probe() {
        try {
            CudaProbe p = CudaProbe.probe();
            if (!p.available()) {
                return Optional.of("no CUDA GPU: " + p.unavailableReason());
            }
            if (!p.cublas().available()) {
                return Optional.of("no cuBLAS (cuSOLVER's transposes use it): " + p.cublas().detail());
            }
            if (!p.cusolver().available()) {
                return Optional.of("no cuSOLVER: " + p.cusolver().detail());
            }
            if (!Cusolver.library().hasSymbol("cusolverDnXgeev")) {
                return Optional.of("cuSOLVER " + p.cusolver().version() + " has no cusolverDnXgeev (needs CUDA 12.6+)");
            }
            return Optional.empty();
        } catch (RuntimeException | LinkageError e) {
            return Optional.of("CUDA probe failed: " + e);
        }
    }

    static synchronized GpuEigenWorker get() {
        if (instance == null) {
            instance = new GpuEigenWorker();
        }
        return instance;
    }

    /** Runs {@code work} with the cuSOLVER handle on the worker thread and waits for it. */
    <T> T call(Function<Cusolver, T> work) {
        Future<T> f = thread.submit(() -> work.apply(session()));
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("GPU eigen solver failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the GPU eigen solver", e);
        }
    }

    /** Work for the batched eigenvalue kernels: the launchers, their stream and the reused buffers. */
    interface KernelWork<T> {
        T run(EigenKernels kernels, CudaStream stream, BatchedEigenBuffers buffers);
    }

    /** Runs {@code work} with the batched eigenvalue kernels on the worker thread and waits for it. */
    <T> T callKernels(KernelWork<T> work) {
        return call(s -> {
            if (kernels == null) {
                kernels = new EigenKernels(KernelModule.loadMnemoKernels(s.stream().context()), s.stream());
                buffers = new BatchedEigenBuffers(s.stream().context());
            }
            return work.run(kernels, s.stream(), buffers);
        });
    }

    private Cusolver session() {
        if (openFailure != null) {
            throw openFailure;
        }
        if (cusolver == null) {
            CudaContext context = null;
            CudaStream stream = null;
            try {
                // as -Dmnemo.cuda.device is read: a stray blank or a typo silently meant device 0
                int device = dev.mnemo.nn.IntegerProperty.atLeast(DEVICE_PROPERTY, 0, 0);
                try {
                    context = CudaContext.open(device);
                } catch (IllegalArgumentException e) {   // "device 5 does not exist": say which setting chose it
                    throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + "=" + device + ": " + e.getMessage(), e);
                }
                stream = CudaStream.create(context);
                cusolver = Cusolver.create(stream);
            } catch (RuntimeException e) {
                if (stream != null) {
                    stream.close();
                }
                if (context != null) {
                    context.close();
                }
                openFailure = e;
                throw e;
            }
        }
        return cusolver;
    }
}
