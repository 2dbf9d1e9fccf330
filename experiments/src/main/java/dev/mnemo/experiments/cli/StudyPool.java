package dev.mnemo.experiments.cli;

import dev.mnemo.experiments.train.RunSettings;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.cuda.CudaBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The worker threads a study ({@code mnemo reproduce …}) runs its training runs on. The runs share the
 * cores, so the system BLAS gets each its share instead of a thread per core each (which
 * oversubscribed a 2-core machine). On CUDA the runs share one device, whose context one thread uses
 * at a time: one worker, which takes the device over for each run, and the caller takes it back once
 * every run is done. Closing it stops what is still running.
 */
final class StudyPool implements AutoCloseable {

    private final ExecutorService pool;
    private final boolean cuda;

    StudyPool(int threads, String device) {
        CpuBackend.setGemmThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / threads));
        this.pool = Executors.newFixedThreadPool(threads);
        this.cuda = onCuda(device);
    }

    /**
     * How many workers a study gets: {@code --threads}, else one per CPU core; on CUDA one, and more
     * is refused with the reason (values below 1 are passed on for the caller's message).
     */
    static int threads(Integer requested, String device) {
        if (!onCuda(device)) {
            return requested != null ? requested : Runtime.getRuntime().availableProcessors();
        }
        if (requested != null && requested > 1) {
            throw new IllegalArgumentException("--threads " + requested + " with --device " + device + ": the runs share "
                    + "one CUDA device, whose context one thread uses at a time; use --threads 1 (the default on CUDA)");
        }
        return requested != null ? requested : 1;
    }

    /** Whether runs on {@code device} (cpu, cuda, cuda:N, auto) compute on CUDA. */
    static boolean onCuda(String device) {
        String d = device == null ? "" : device.trim().toLowerCase(Locale.ROOT);
        return d.equals("auto") ? CudaBackend.isAvailable() : d.equals("cuda") || RunSettings.cudaOrdinal(d) >= 0;
    }

    <R> Future<R> submit(Callable<R> job) {
        if (!cuda) {
            return pool.submit(job);
        }
        return pool.submit(() -> {
            CudaBackend.claimForCurrentThread();   // the device may have been opened by the caller or an earlier worker
            return job.call();
        });
    }

    /**
     * Every run's result, in the order of {@code runs} and of each list; waits for all of them. A run
     * that failed rethrows its own exception (a clear message from the trainer, not a wrapper). On CUDA
     * the caller owns the device again afterwards (the results' tensors live there).
     */
    <K, R> Map<K, List<R>> awaitAll(Map<K, List<Future<R>>> runs) throws Exception {
        Map<K, List<R>> results = new LinkedHashMap<>();
        for (var e : runs.entrySet()) {
            List<R> list = new ArrayList<>();
            for (Future<R> f : e.getValue()) {
                try {
                    list.add(f.get());
                } catch (ExecutionException ex) {
                    throw ex.getCause() instanceof Exception x ? x : new RuntimeException(ex.getCause());
                }
            }
            results.put(e.getKey(), list);
        }
        if (cuda) {
            CudaBackend.claimForCurrentThread();
        }
        return results;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
