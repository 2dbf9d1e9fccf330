package dev.mnemo.nn.cuda;

/**
 * What the CUDA backend's caching allocator holds, in bytes of whole blocks (requests are rounded up
 * to their size class).
 *
 * @param caching           whether freed blocks are kept for reuse ({@code mnemo.cuda.allocator=caching})
 * @param inUseBytes        blocks held by tensors not yet released (a tensor is released once the
 *                          garbage collector finds it unreachable)
 * @param cachedBytes       free blocks kept for reuse; {@link CudaBackend#emptyCache()} frees them
 * @param peakReservedBytes the most ever held at once, in use plus cached
 * @param deviceAllocations {@code cuMemAlloc} calls made for tensors
 * @param reuses            requests served from the cache instead
 */
public record CudaMemoryStats(boolean caching, long inUseBytes, long cachedBytes, long peakReservedBytes,
                              long deviceAllocations, long reuses) {

    /** In use plus cached: the device memory the allocator holds now. */
    public long reservedBytes() {
        return inUseBytes + cachedBytes;
    }
}
