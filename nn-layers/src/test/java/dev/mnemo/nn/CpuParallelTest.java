package dev.mnemo.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The element chunks cover [0, n) up to the largest CPU tensor (n near 2^31 wrapped the count negative). */
class CpuParallelTest {

    @Test
    void chunksCoverEveryElementUpToTheTensorLimit() {
        int chunk = CpuParallel.ELEMENT_CHUNK;
        assertEquals(0, CpuParallel.chunkCount(0));
        assertEquals(1, CpuParallel.chunkCount(1));
        assertEquals(2, CpuParallel.chunkCount(chunk + 1));
        int largest = Integer.MAX_VALUE - 8;   // Tensor's element limit
        assertEquals((largest + (long) chunk - 1) / chunk, CpuParallel.chunkCount(largest));
        for (int n : new int[]{Integer.MAX_VALUE - chunk + 1, largest}) {
            AtomicLong visited = new AtomicLong();
            CpuParallel.forElements(n, (from, to) -> visited.addAndGet(to - from));
            assertEquals(n, visited.get(), "elements visited of " + n);
        }
    }
}
