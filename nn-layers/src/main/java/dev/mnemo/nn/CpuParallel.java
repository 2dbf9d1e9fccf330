package dev.mnemo.nn;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * How the CPU backend splits a call over threads: by rows (batch rows, matrix rows, chunks of
 * elements) on the common fork-join pool when the work is large enough to pay for the hand-off;
 * small calls run on the caller's thread.
 */
final class CpuParallel {

    /** Elements of elementwise work below which a call stays on the caller's thread. */
    static final long PARALLEL_ELEMENTS = 1L << 15;

    /** Elements per chunk of the elementwise passes (and per partial sum of a reduction). */
    static final int ELEMENT_CHUNK = 1 << 13;

    private CpuParallel() {
    }

    /** A half-open range of rows. */
    @FunctionalInterface
    interface RowRange {
        void run(int from, int to);
    }

    /** Chunks of {@link #ELEMENT_CHUNK} that cover {@code n} elements. */
    static int chunkCount(int n) {
        return (int) (((long) n + ELEMENT_CHUNK - 1) / ELEMENT_CHUNK);   // long: n near 2^31 wrapped negative
    }

    /**
     * Threads a parallel stream on the common pool runs on: its workers plus the calling thread,
     * which takes chunks too. (The pool has cores − 1 workers, so on a 2-core machine asking for
     * its parallelism alone said 1 and every elementwise pass ran serially.)
     */
    static int parallelThreads() {
        return Math.min(Runtime.getRuntime().availableProcessors(), ForkJoinPool.getCommonPoolParallelism() + 1);
    }

    /** Runs {@code body} over element ranges covering {@code [0, n)}, in parallel when n is large. */
    static void forElements(int n, RowRange body) {
        forRows(chunkCount(n), ELEMENT_CHUNK, PARALLEL_ELEMENTS, (c0, c1) ->
                body.run(c0 * ELEMENT_CHUNK, (int) Math.min(n, (long) c1 * ELEMENT_CHUNK)));
    }

    /**
     * Runs {@code body} over {@code [0, rows)}: on the caller's thread when {@code rows · workPerRow}
     * is under {@code threshold}, else in chunks on the common fork-join pool.
     */
    static void forRows(int rows, long workPerRow, long threshold, RowRange body) {
        int threads = parallelThreads();
        if (rows < 2 || threads < 2 || rows * workPerRow < threshold) {
            body.run(0, rows);
            return;
        }
        int chunks = Math.min(rows, 4 * threads);
        IntStream.range(0, chunks).parallel().forEach(ch -> {
            long from = (long) rows * ch / chunks;
            long to = (long) rows * (ch + 1) / chunks;
            body.run((int) from, (int) to);
        });
    }
}
