package dev.mnemo.nn.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The CUDA backend's caching allocator: the device blocks of freed tensors wait in free lists, one
 * per rounded size, and serve the next request of that size, instead of a {@code cuMemFree} and a
 * {@code cuMemAlloc} each time. Both are slow host calls (a forward allocates its traces anew on
 * every call), and {@code cuMemFree} waits for the device. PyTorch's caching allocator exists for
 * the same reason.
 *
 * <p><b>Why reuse needs no synchronization.</b> Every block is used only by work on the runtime's
 * one stream. A block comes back when its last tensor is unreachable; work still reading it is
 * already queued, and the next owner's work is queued after it on the same stream. Work on another
 * stream must keep its tensors reachable until it has finished (see the README).
 *
 * <p><b>Sizes.</b> A request is rounded up to a multiple of 512 bytes up to 1 MiB, and above that to
 * a multiple of an eighth of its power of two (at most 12.5 % more), so shapes that differ a
 * little (a bucketed sequence length) still share blocks. Blocks are never split.
 *
 * <p><b>Out of memory.</b> A failed allocation frees the cached blocks and tries again; then it asks
 * the runtime to reclaim unreachable tensors (a garbage collection), frees the cache once more and
 * tries again, and last asks for the exact size instead of the rounded one. The final failure keeps
 * its {@code CUDA_ERROR_OUT_OF_MEMORY} and says what the allocator held.
 *
 * <p>{@code caching = false} (the {@code direct} mode) allocates and frees every block at once,
 * for tools such as compute-sanitizer that check accesses against the exact allocation.
 *
 * <p>One thread at a time: the runtime's owner thread.
 *
 * @param <B> the block type: {@code DeviceBuffer} in the runtime, a plain record in the tests
 */
final class CachingAllocator<B> {

    /** What the allocator needs from the device. */
    interface Device<B> {
        /** A new block of exactly {@code bytes} bytes; throws when the device cannot. */
        B allocate(long bytes);

        /** Frees {@code block}; queued work on it has finished. */
        void free(B block);

        /** The size {@code block} was allocated with. */
        long bytes(B block);

        /** Whether {@code e}, thrown by {@link #allocate}, means out of memory. */
        boolean isOutOfMemory(RuntimeException e);

        /** Waits for all work queued so far, so cached blocks may be freed. */
        void synchronize();

        /**
         * Returns the blocks of unreachable tensors (a garbage collection, then their release);
         * called only when the device is out of memory.
         */
        void reclaimUnreachable();

        /** {@code e} with {@code detail} added to its message, of the same type and code. */
        RuntimeException withDetail(RuntimeException e, String detail);
    }

    static final long SMALL_LIMIT = 1L << 20;
    static final long SMALL_STEP = 512;

    private final Device<B> device;
    private final boolean caching;
    private final Map<Long, ArrayDeque<B>> free = new HashMap<>();
    private long inUseBytes;
    private long cachedBytes;
    private long peakReservedBytes;
    private long deviceAllocations;
    private long reuses;

    CachingAllocator(Device<B> device, boolean caching) {
        this.device = device;
        this.caching = caching;
    }

    /** Whether freed blocks are kept for reuse (false: the direct mode). */
    boolean caching() {
        return caching;
    }

    /** {@code bytes} rounded up to its size class (see the class comment); 0 stays 0. */
    static long roundedBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
        long step = bytes <= SMALL_LIMIT ? SMALL_STEP : Long.highestOneBit(bytes) / 8;
        return Math.ceilDiv(bytes, step) * step;
    }

    /** A block of at least {@code bytes} bytes: a cached one of the same size class, or a new one. */
    B take(long bytes) {
        long size = caching ? roundedBytes(bytes) : bytes;
        ArrayDeque<B> list = size == 0 ? null : free.get(size);
        if (list != null && !list.isEmpty()) {
            B block = list.pop();
            cachedBytes -= size;
            inUseBytes += size;
            reuses++;
            return block;
        }
        B block = allocate(size, bytes);
        inUseBytes += device.bytes(block);
        peakReservedBytes = Math.max(peakReservedBytes, inUseBytes + cachedBytes);
        return block;
    }

    /**
     * A block of exactly {@code bytes} that stays outside the cache and its counters (a workspace, freed
     * by its owner): when out of memory it frees the cache and reclaims unreachable tensors first, as
     * {@link #take} does, so cached blocks never make it fail.
     */
    B allocateOutside(long bytes) {
        long counted = deviceAllocations;
        B block = allocate(bytes, bytes);
        deviceAllocations = counted;   // not one of the cache's own
        return block;
    }

    /**
     * Returns {@code block}, a block {@link #take} handed out: cached for reuse, or freed in the
     * direct mode (the caller has synchronized then).
     */
    void give(B block) {
        long size = device.bytes(block);
        inUseBytes -= size;
        if (!caching || size == 0) {
            device.free(block);
            return;
        }
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block);
        cachedBytes += size;
    }

    /** Frees every cached block, after the queued work (which may still use them) has finished. */
    void releaseCached() {
        if (cachedBytes == 0) {
            return;
        }
        device.synchronize();
        for (ArrayDeque<B> list : free.values()) {
            for (B block; (block = list.poll()) != null; ) {
                cachedBytes -= device.bytes(block);
                device.free(block);
            }
        }
        free.clear();
    }

    /** How many free blocks of {@code bytes}' size class are cached. */
    int cachedBlocks(long bytes) {
        ArrayDeque<B> list = free.get(caching ? roundedBytes(bytes) : bytes);
        return list == null ? 0 : list.size();
    }

    /** The counters now. */
    CudaMemoryStats stats() {
        return new CudaMemoryStats(caching, inUseBytes, cachedBytes, peakReservedBytes, deviceAllocations, reuses);
    }

    /**
     * A new block of {@code size} bytes; when out of memory: free the cache, retry, reclaim
     * unreachable tensors, free, retry, and last the exact {@code bytes} asked for (a block of its
     * own size, which only that size reuses), so rounding never makes a fitting request fail.
     */
    private B allocate(long size, long bytes) {
        RuntimeException failure;
        for (int attempt = 0; ; attempt++) {
            try {
                B block = device.allocate(attempt == 3 ? bytes : size);
                deviceAllocations++;
                return block;
            } catch (RuntimeException e) {
                if (!device.isOutOfMemory(e)) {
                    throw e;
                }
                failure = e;
            }
            if (attempt == 3 || (attempt == 2 && size == bytes)) {
                break;
            }
            if (attempt == 1) {
                device.reclaimUnreachable();
            }
            if (attempt < 2) {
                releaseCached();
            }
        }
        throw device.withDetail(failure, "the caching allocator asked for " + bytes + " bytes with " + inUseBytes
                + " bytes in use by live tensors after freeing its cache and a garbage collection");
    }
}
