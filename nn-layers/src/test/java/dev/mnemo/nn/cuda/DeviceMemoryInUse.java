package dev.mnemo.nn.cuda;

/**
 * The device bytes a test measures around a call: what the allocator holds for live tensors, once the
 * blocks already released (queued for it) are handed over, with no collection.
 */
final class DeviceMemoryInUse {

    private DeviceMemoryInUse() {
    }

    /**
     * Hands the blocks of earlier calls' unreachable tensors back now: the cleaner queues them after a
     * collection and the next backend call frees them, which would show as a drop during the call
     * measured. No collection follows the call, so a buffer the call forgets to release still shows.
     */
    static void settle(CudaBackend gpu) {
        for (int round = 0; round < 4; round++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            gpu.rt().drainReleases();
        }
    }

    /** Bytes in use once the blocks released so far are handed to the allocator; no collection. */
    static long bytes(CudaBackend gpu) {
        gpu.rt().drainReleases();
        return gpu.memoryStats().inUseBytes();
    }
}
