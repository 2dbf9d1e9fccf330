package dev.mnemo.experiments.cli;

import dev.mnemo.nn.CpuBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The worker threads a study ({@code mnemo reproduce …}) runs its training runs on. The runs share the
 * cores, so the system BLAS gets each its share instead of a thread per core each (which
 * oversubscribed a 2-core machine). Closing it stops what is still running.
 */
final class StudyPool implements AutoCloseable {

    private final ExecutorService pool;

    StudyPool(int threads) {
        CpuBackend.setGemmThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / threads));
        this.pool = Executors.newFixedThreadPool(threads);
    }

    <R> Future<R> submit(Callable<R> job) {
        return pool.submit(job);
    }

    /**
     * Every run's result, in the order of {@code runs} and of each list; waits for all of them. A run
     * that failed rethrows its own exception (a clear message from the trainer, not a wrapper).
     */
    static <K, R> Map<K, List<R>> awaitAll(Map<K, List<Future<R>>> runs) throws Exception {
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
        return results;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
