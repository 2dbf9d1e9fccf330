package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** Idempotent close, use-after-close, and leak reports, without CUDA. */
class LifetimeTest {

    @Test
    void closeReleasesOnceAndUseAfterCloseNamesTheResource() {
        Object owner = new Object();
        Lifetime lifetime = new Lifetime(owner, "DeviceBuffer of 1024 bytes");
        AtomicInteger releases = new AtomicInteger();
        lifetime.ensureOpen();
        lifetime.close(releases::incrementAndGet);
        lifetime.close(releases::incrementAndGet);
        assertEquals(1, releases.get());
        IllegalStateException e = assertThrows(IllegalStateException.class, lifetime::ensureOpen);
        assertEquals("DeviceBuffer of 1024 bytes is closed", e.getMessage());
    }

    @Test
    void aFailedReleaseStillCountsAsClosed() {
        Lifetime lifetime = new Lifetime(new Object(), "CudaStream");
        assertThrows(IllegalStateException.class, () -> lifetime.close(() -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(lifetime.isClosed());
    }

    @Test
    void anUnclosedResourceIsReportedAsALeak() throws InterruptedException {
        List<String> messages = new CopyOnWriteArrayList<>();
        BiConsumer<String, Throwable> previous = Lifetime.leakSink;
        Lifetime.leakSink = (message, createdAt) -> messages.add(message); // assert, never print
        try {
            createAndDrop();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (messages.stream().noneMatch(m -> m.contains("leaked-resource-for-test")) && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue(messages.contains(
                    "leak: leaked-resource-for-test was never closed (close it, or use try-with-resources)"),
                    () -> "no leak report among " + messages);
        } finally {
            Lifetime.leakSink = previous;
        }
    }

    private static void createAndDrop() {
        new Lifetime(new Object(), "leaked-resource-for-test");
    }
}
