package dev.mnemo.nn.cuda;

/**
 * The device bytes a test measures around a call: what the allocator holds for live tensors, once the
 * blocks already released (queued for it) are handed over, with no collection. Tests call
 * {@link CudaBackend#reclaimUnreachable} before the call, so earlier calls' garbage cannot be handed
 * back during it; no collection follows, so a buffer the call forgets to release still shows.
 */
final class DeviceMemoryInUse {

    private DeviceMemoryInUse() {
    }

    /** Bytes in use once the blocks released so far are handed to the allocator; no collection. */
    static long bytes(CudaBackend gpu) {
        gpu.rt().drainReleases();
        return gpu.memoryStats().inUseBytes();
    }
}
