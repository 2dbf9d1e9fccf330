package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's caching allocator on a device: the block of an unreachable tensor serves the
 * next tensor of its size class, zeroed; {@link CudaBackend#emptyCache} frees the cache but not live
 * tensors; wrapped memory is closed, never cached. The runtime is shared by the whole test run, so
 * counters are compared as differences.
 */
@Tag("gpu")
class CudaAllocatorGpuTest {
    /** 4000 bytes: the 4096-byte size class. */
    static final int FLOATS = 1000;

    CudaBackend gpu;
    CudaRuntime rt;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
        rt = gpu.runtimeForTests();
        Assumptions.assumeTrue(gpu.memoryStats().caching(), AllocatorSetting.PROPERTY + "=direct: nothing is cached");
    }

    /** Drops a filled tensor of {@link #FLOATS} floats and waits until a block of its class is cached. */
    void releaseFilledTensor() throws InterruptedException {
        Tensor t = gpu.zeros(FLOATS);
        gpu.fill(t, 7f);
        t = null;
        waitFor(() -> {
            rt.drainReleases();
            return rt.cachedBlocksForTests(FLOATS) > 0;
        }, "the dropped tensor's block never reached the cache");
    }

    static void waitFor(BooleanSupplier condition, String failure) throws InterruptedException {
        boolean done = false;
        for (int i = 0; i < 200 && !(done = condition.getAsBoolean()); i++) {
            System.gc();
            Thread.sleep(5);
        }
        assertTrue(done, failure);
    }

    @Test
    void theBlockOfAnUnreachableTensorServesTheNextOneZeroed() throws InterruptedException {
        releaseFilledTensor();
        CudaMemoryStats before = gpu.memoryStats();
        Tensor u = gpu.zeros(FLOATS);
        CudaMemoryStats after = gpu.memoryStats();
        assertEquals(before.reuses() + 1, after.reuses(), "served from the cache");
        assertEquals(before.deviceAllocations(), after.deviceAllocations(), "no cuMemAlloc");
        float[] host = u.to(Device.CPU).toFloatArray();
        for (int i = 0; i < FLOATS; i++) {
            assertEquals(0f, host[i], "element " + i + " of a reused block is zeroed");
        }
    }

    /**
     * A thread that does not own the device is refused before the allocator is touched, even where a
     * cached block would serve it without the driver. Before, it took the owner's block unchecked, and
     * beside the owner's own allocations two live tensors came to share one block.
     */
    @Test
    void anotherThreadCannotTakeACachedBlock() throws Exception {
        releaseFilledTensor();
        int cached = rt.cachedBlocksForTests(FLOATS);
        CudaMemoryStats before = gpu.memoryStats();
        assertRefusedOnAnotherThread(() -> gpu.empty(FLOATS));
        assertEquals(cached, rt.cachedBlocksForTests(FLOATS), "the cached block is still there");
        assertEquals(before.reuses(), gpu.memoryStats().reuses());
    }

    @Test
    void anotherThreadCannotReleaseATensor() throws Exception {
        // a release hands the block back for reuse: from another thread, in the middle of the owner's call
        Tensor live = gpu.zeros(FLOATS);
        gpu.fill(live, 3f);
        assertRefusedOnAnotherThread(() -> gpu.release(live));
        assertEquals(3f, live.to(Device.CPU).toFloatArray()[FLOATS - 1], "still live");
    }

    /** Runs {@code call} on a thread that does not own the device: it must be refused, naming that thread. */
    private static void assertRefusedOnAnotherThread(Runnable call) throws InterruptedException {
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread other = new Thread(() -> {
            try {
                call.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "not-the-owner");
        other.start();
        other.join();
        assertTrue(failure.get() instanceof IllegalStateException, "got " + failure.get());
        assertTrue(failure.get().getMessage().contains("called from thread 'not-the-owner'"), failure.get().getMessage());
    }

    @Test
    void emptyCacheFreesTheCachedBlocksButNotLiveTensors() throws InterruptedException {
        Tensor live = gpu.zeros(FLOATS);
        gpu.fill(live, 3f);
        releaseFilledTensor();
        gpu.emptyCache();
        CudaMemoryStats s = gpu.memoryStats();
        assertEquals(0, s.cachedBytes());
        assertEquals(0, rt.cachedBlocksForTests(FLOATS));
        assertTrue(s.inUseBytes() >= 4096, "the live tensor keeps its block: " + s);
        assertEquals(3f, live.to(Device.CPU).toFloatArray()[FLOATS - 1]);
    }

    /** One call hands a dropped tensor's block to the cache; a live tensor keeps its block and values. */
    @Test
    void reclaimUnreachableTakesBackDroppedTensorsInOneCall() {
        gpu.reclaimUnreachable();   // earlier tests' garbage
        gpu.emptyCache();
        Tensor live = gpu.zeros(FLOATS);
        gpu.fill(live, 5f);
        Tensor dropped = gpu.zeros(3 * FLOATS);   // the 12,288-byte class, apart from live's
        long before = gpu.memoryStats().inUseBytes();
        assertEquals(0, rt.cachedBlocksForTests(3 * FLOATS));
        dropped = null;
        CudaMemoryStats after = gpu.reclaimUnreachable();
        assertTrue(before - after.inUseBytes() >= 3 * FLOATS * Float.BYTES, "in use " + before + " -> " + after);
        assertEquals(1, rt.cachedBlocksForTests(3 * FLOATS), "the dropped tensor's block is cached");
        assertEquals(after, gpu.memoryStats());
        assertEquals(5f, live.to(Device.CPU).toFloatArray()[FLOATS - 1]);
    }

    @Test
    void outOfMemoryReclaimsTheBlocksOfUnreachableTensors() {
        gpu.emptyCache();
        Tensor t = gpu.zeros(FLOATS);
        t = null;
        // what an allocation does once cuMemAlloc has failed twice: a collection, then the release queue
        for (int i = 0; i < 20 && rt.cachedBlocksForTests(FLOATS) == 0; i++) {
            rt.reclaimUnreachableForTests();
        }
        assertTrue(rt.cachedBlocksForTests(FLOATS) > 0, "the unreachable tensor's block came back");
    }

    /** Memory a tensor only borrows goes neither into the cache nor back to the driver: its owner frees it. */
    @Test
    void wrappedMemoryIsNeitherCachedNorFreed() {
        try (DeviceBuffer own = DeviceBuffer.allocateFloats(gpu.context(), FLOATS)) {
            Tensor t = gpu.wrap(own, FLOATS);
            long inUse = gpu.memoryStats().inUseBytes();
            int cached = rt.cachedBlocksForTests(FLOATS);
            gpu.release(t);
            rt.drainReleases();
            assertFalse(own.isClosed(), "the owner's buffer stays open");
            assertEquals(cached, rt.cachedBlocksForTests(FLOATS), "a borrowed block never enters the cache");
            assertTrue(gpu.memoryStats().inUseBytes() <= inUse, "borrowed memory never counts as the allocator's");
        }
    }

    /**
     * A workspace whose growth fails is gone, not closed in place: the old buffer was freed first and
     * stayed in the map, so every later use of that workspace failed with "closed".
     */
    @Test
    void aFailedWorkspaceGrowthLeavesNoClosedWorkspace() {
        CudaRuntime rt = gpu.runtimeForTests();
        assertTrue(!rt.workspace(CudaRuntime.Workspace.COPY, 1024).isClosed());
        org.junit.jupiter.api.Assertions.assertThrows(dev.mnemo.cuda.CudaException.class,
                () -> rt.workspace(CudaRuntime.Workspace.COPY, 1L << 45));
        Tensor a = gpu.copyOf(Tensor.of(new float[] {1, 2, 3, 4}, 4));
        gpu.multiply(a, a, a);   // aliased: it stages through the COPY workspace
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 4, 9, 16}, a.to(Device.CPU).toFloatArray());
    }
}
