package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The caching allocator's bookkeeping against a fake device with a fixed capacity. */
class CachingAllocatorTest {

    record Block(int id, long bytes) {
    }

    static final class OutOfMemory extends RuntimeException {
        OutOfMemory(String m) {
            super(m);
        }
    }

    /** A device of {@code capacity} bytes that records what happens to it. */
    static final class FakeDevice implements CachingAllocator.Device<Block> {
        final long capacity;
        long used;
        int next;
        int syncs;
        int reclaims;
        final List<Block> freed = new ArrayList<>();
        /** What a reclaim finds: blocks of unreachable tensors, handed back to the allocator. */
        final List<Block> unreachable = new ArrayList<>();
        CachingAllocator<Block> allocator;
        RuntimeException failWith;

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Block allocate(long bytes) {
            if (failWith != null) {
                throw failWith;
            }
            if (used + bytes > capacity) {
                throw new OutOfMemory("out of memory: " + bytes + " bytes with " + used + " used");
            }
            used += bytes;
            return new Block(next++, bytes);
        }

        @Override
        public void free(Block block) {
            used -= block.bytes();
            freed.add(block);
        }

        @Override
        public long bytes(Block block) {
            return block.bytes();
        }

        @Override
        public boolean isOutOfMemory(RuntimeException e) {
            return e instanceof OutOfMemory;
        }

        @Override
        public void synchronize() {
            syncs++;
        }

        @Override
        public void reclaimUnreachable() {
            reclaims++;
            unreachable.forEach(allocator::give);
            unreachable.clear();
        }

        @Override
        public RuntimeException withDetail(RuntimeException e, String detail) {
            return new OutOfMemory(e.getMessage() + "; " + detail);
        }
    }

    static CachingAllocator<Block> caching(FakeDevice d) {
        d.allocator = new CachingAllocator<>(d, true);
        return d.allocator;
    }

    @Test
    void roundsSmallRequestsTo512BytesAndLargeOnesToAnEighthOfTheirPowerOfTwo() {
        assertEquals(0, CachingAllocator.roundedBytes(0));
        assertEquals(512, CachingAllocator.roundedBytes(1));
        assertEquals(512, CachingAllocator.roundedBytes(512));
        assertEquals(1024, CachingAllocator.roundedBytes(513));
        assertEquals(1 << 20, CachingAllocator.roundedBytes(1 << 20));
        assertEquals((1 << 20) + (1 << 17), CachingAllocator.roundedBytes((1 << 20) + 1));
        // a [100, 64, 4096] float trace, 100 MiB: the power of two below is 64 MiB, the step 8 MiB
        assertEquals(104L << 20, CachingAllocator.roundedBytes(100L << 20));
        // 25 MiB + 4 bytes: the power of two below is 16 MiB, so the step is 2 MiB
        assertEquals(26L << 20, CachingAllocator.roundedBytes((25L << 20) + 4));
        for (long b = 1; b < 1L << 40; b = b * 3 + 7) {
            long r = CachingAllocator.roundedBytes(b);
            assertTrue(r >= b && r <= Math.max(b + 511, b + b / 8), "rounding " + b + " to " + r + " wastes at most 12.5 %");
        }
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.roundedBytes(-1));
    }

    @Test
    void aGivenBackBlockServesTheNextRequestOfItsSizeClassWithoutTheDevice() {
        FakeDevice d = new FakeDevice(1 << 20);
        CachingAllocator<Block> a = caching(d);
        Block first = a.take(1000);
        assertEquals(1024, first.bytes());
        a.give(first);
        assertEquals(new CudaMemoryStats(true, 0, 1024, 1024, 1, 0), a.stats());
        Block again = a.take(900);
        assertSame(first, again, "same size class: the cached block");
        Block other = a.take(2000);
        assertNotSame(first, other, "another size class: a new block");
        assertEquals(new CudaMemoryStats(true, 1024 + 2048, 0, 1024 + 2048, 2, 1), a.stats());
        assertEquals(0, d.syncs, "reuse on the one stream needs no synchronization");
        assertTrue(d.freed.isEmpty());
    }

    @Test
    void theLatestBlockGivenBackIsReusedFirst() {
        CachingAllocator<Block> a = caching(new FakeDevice(1 << 20));
        Block b1 = a.take(512);
        Block b2 = a.take(512);
        a.give(b1);
        a.give(b2);
        assertSame(b2, a.take(512), "most recently freed: likeliest still in L2");
        assertSame(b1, a.take(512));
    }

    @Test
    void releasingTheCacheWaitsForTheStreamOnceAndFreesEveryCachedBlock() {
        FakeDevice d = new FakeDevice(1 << 20);
        CachingAllocator<Block> a = caching(d);
        Block live = a.take(512);
        Block b1 = a.take(4096);
        Block b2 = a.take(8192);
        a.give(b1);
        a.give(b2);
        a.releaseCached();
        assertEquals(1, d.syncs);
        assertEquals(List.of(b1, b2).size(), d.freed.size());
        assertTrue(d.freed.containsAll(List.of(b1, b2)));
        assertFalse(d.freed.contains(live));
        assertEquals(new CudaMemoryStats(true, 512, 0, 512 + 4096 + 8192, 3, 0), a.stats());
        a.releaseCached();
        assertEquals(1, d.syncs, "nothing cached: no wait");
    }

    @Test
    void outOfMemoryFreesTheCacheAndTriesAgain() {
        FakeDevice d = new FakeDevice(4096);
        CachingAllocator<Block> a = caching(d);
        a.give(a.take(2048));
        a.give(a.take(1024));
        Block big = a.take(4096);   // needs the 3072 cached bytes back
        assertEquals(4096, big.bytes());
        assertEquals(2, d.freed.size());
        assertEquals(0, d.reclaims, "the cache sufficed");
        assertEquals(new CudaMemoryStats(true, 4096, 0, 4096, 3, 0), a.stats());
    }

    @Test
    void thenReclaimsUnreachableTensorsBeforeGivingUp() {
        FakeDevice d = new FakeDevice(4096);
        CachingAllocator<Block> a = caching(d);
        Block garbage = a.take(4096);   // held by a tensor the collector has not found yet
        d.unreachable.add(garbage);
        Block b = a.take(2048);
        assertEquals(1, d.reclaims);
        assertTrue(d.freed.contains(garbage), "reclaimed into the cache, then freed for the new size");
        assertEquals(2048, b.bytes());
        assertEquals(2048, a.stats().inUseBytes());
    }

    @Test
    void aFinalFailureKeepsItsTypeAndSaysWhatWasHeld() {
        FakeDevice d = new FakeDevice(4096);
        CachingAllocator<Block> a = caching(d);
        a.take(3000);
        OutOfMemory e = assertThrows(OutOfMemory.class, () -> a.take(2048));
        assertTrue(e.getMessage().contains("asked for 2048 bytes with 3072 bytes in use"), e.getMessage());
        assertEquals(1, d.reclaims);
        assertEquals(3072, a.stats().inUseBytes(), "a failed request holds nothing");
    }

    @Test
    void lastTheExactSizeIsTriedSoRoundingNeverMakesAFittingRequestFail() {
        long capacity = (9L << 20) + 4096;
        FakeDevice d = new FakeDevice(capacity);
        CachingAllocator<Block> a = caching(d);
        long exact = (9L << 20) + 1;      // rounds to 10 MiB, more than the device has
        Block b = a.take(exact);
        assertEquals(exact, b.bytes(), "the exact size, after the rounded one failed");
        assertEquals(exact, a.stats().inUseBytes());
        assertEquals(1, d.reclaims, "only after the cache and a collection");
        a.give(b);
        assertEquals(0, a.stats().inUseBytes());
        assertEquals(exact, a.stats().cachedBytes(), "cached under its own size");
    }

    @Test
    void otherDeviceErrorsPassThroughAtOnce() {
        FakeDevice d = new FakeDevice(4096);
        CachingAllocator<Block> a = caching(d);
        d.failWith = new IllegalStateException("context destroyed");
        assertSame(d.failWith, assertThrows(IllegalStateException.class, () -> a.take(16)));
        assertEquals(0, d.reclaims);
    }

    @Test
    void theDirectModeNeitherRoundsNorCaches() {
        FakeDevice d = new FakeDevice(1 << 20);
        CachingAllocator<Block> a = new CachingAllocator<>(d, false);
        Block b = a.take(1000);
        assertEquals(1000, b.bytes());
        a.give(b);
        assertEquals(List.of(b), d.freed, "freed at once");
        assertNotSame(b, a.take(1000));
        assertEquals(new CudaMemoryStats(false, 1000, 0, 1000, 2, 0), a.stats());
    }

    @Test
    void theSettingAcceptsCachingOrDirectOnly() {
        assertTrue(AllocatorSetting.parseCaching(" Caching "));
        assertFalse(AllocatorSetting.parseCaching("direct"));
        var e = assertThrows(IllegalArgumentException.class, () -> AllocatorSetting.parseCaching("pooled"));
        assertEquals("mnemo.cuda.allocator must be caching or direct, got 'pooled'", e.getMessage());
    }
}
