package dev.mnemo.bench.gpu;

/**
 * For tests that compare the CUDA memory in use before and after a run: an earlier test's tensors are
 * garbage, and the cleaner hands their blocks back whenever a collection finds them, so the count can
 * drop in the middle of a measurement (CI once saw 181,248 bytes in use fall to 12,800). Collect them
 * first; the next allocation takes their blocks back. A run's own growth is what such tests fail on.
 */
final class UnreachableBlocks {
    private UnreachableBlocks() {
    }

    /** A few collections, each with time for the cleaner to queue what it found. */
    static void collect() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
