package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Context, memory, streams and events on a real GPU. */
@Tag("gpu")
class CudaResourcesGpuTest {
    static CudaContext context;
    static CudaStream stream;

    @BeforeAll
    static void open() {
        if (Gpu.missing(Gpu.Need.DEVICE).isPresent()) {
            return; // each test is skipped with the reason, in assumeGpu()
        }
        context = CudaContext.open(0);
        stream = CudaStream.create(context);
    }

    @BeforeEach
    void assumeGpu() {
        Gpu.assume(Gpu.Need.DEVICE);
    }

    @AfterAll
    static void close() {
        if (stream != null) {
            stream.close();
        }
        if (context != null) {
            context.close();
        }
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextFloat() * 2 - 1;
        }
        return out;
    }

    @Test
    void deviceIsDescribed() {
        CudaDevice device = context.device();
        assertFalse(device.name().isBlank());
        assertTrue(device.multiprocessors() > 0);
        assertTrue(device.totalMemoryBytes() > 0);
        assertTrue(device.computeMajor() >= 7, device.toString());
    }

    @Test
    void floatsRoundTripWithOffsets() {
        float[] data = random(1000, 1);
        try (DeviceBuffer buffer = DeviceBuffer.of(context, data)) {
            assertArrayEquals(data, buffer.toFloatArray(1000));
            float[] part = new float[20];
            buffer.copyToHost(5, part, 0, 20);
            for (int i = 0; i < 20; i++) {
                assertEquals(data[5 + i], part[i]);
            }
            buffer.copyFromHost(new float[] {7, 8, 9}, 1, 998, 2);
            float[] tail = new float[2];
            buffer.copyToHost(998, tail, 0, 2);
            assertArrayEquals(new float[] {8, 9}, tail);
        }
    }

    @Test
    void doublesRoundTrip() {
        double[] data = {1.5, -2.25, Math.PI, Double.MIN_VALUE};
        try (DeviceBuffer buffer = DeviceBuffer.of(context, data)) {
            assertArrayEquals(data, buffer.toDoubleArray(4));
        }
    }

    @Test
    void segmentsRoundTripSyncAndAsync() {
        try (Arena arena = Arena.ofConfined(); DeviceBuffer buffer = DeviceBuffer.allocate(context, 4096)) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, random(1024, 2));
            buffer.copyFromHost(src);
            MemorySegment heap = MemorySegment.ofArray(new float[1024]);
            buffer.copyToHost(heap);
            assertEquals(-1, src.mismatch(heap));

            MemorySegment asyncSrc = arena.allocateFrom(ValueLayout.JAVA_FLOAT, random(1024, 3));
            MemorySegment asyncDst = arena.allocate(4096);
            buffer.copyFromHostAsync(asyncSrc, 0, stream);
            buffer.copyToHostAsync(0, asyncDst, stream);
            stream.synchronize();
            assertEquals(-1, asyncSrc.mismatch(asyncDst));
        }
    }

    @Test
    void deviceToDeviceCopies() {
        float[] data = random(64, 4);
        try (DeviceBuffer a = DeviceBuffer.of(context, data); DeviceBuffer b = DeviceBuffer.allocateFloats(context, 64)) {
            b.fill(0f);
            b.copyFromDevice(a, 16, 32, 64);
            float[] out = b.toFloatArray(64);
            for (int i = 0; i < 16; i++) {
                assertEquals(data[4 + i], out[8 + i]);
            }
            assertEquals(0f, out[0]);
        }
    }

    /** Into the last device (a second context of device 0 on a one-GPU machine), on its stream. */
    @Test
    void peerCopiesRunOnTheDestinationsStream() {
        float[] data = random(64, 5);
        int last = CudaDriver.deviceGetCount() - 1;
        try (CudaContext peer = CudaContext.open(last); CudaStream peerStream = CudaStream.create(peer);
             DeviceBuffer far = DeviceBuffer.allocateFloats(peer, 64);
             DeviceBuffer near = DeviceBuffer.of(context, data)) {
            far.fill(0f);
            far.copyFromPeerAsync(near, 16, 32, 64, peerStream);
            peerStream.synchronize();
            float[] out = far.toFloatArray(64);
            for (int i = 0; i < 16; i++) {
                assertEquals(data[4 + i], out[8 + i]);
            }
            assertEquals(0f, out[0]);
            var e = assertThrows(IllegalArgumentException.class, () -> far.copyFromPeerAsync(near, 0, 0, 64, stream));
            assertTrue(e.getMessage().startsWith("a peer copy runs on a stream of the destination's"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> far.copyFromPeerAsync(near, 0, 0, 257 * 4, peerStream));
        }
    }

    @Test
    void memsetWritesWords() {
        try (DeviceBuffer buffer = DeviceBuffer.allocateFloats(context, 16)) {
            buffer.fill(1.5f);
            buffer.memsetD32Async(2, Float.floatToRawIntBits(-3f), 3, stream);
            stream.synchronize();
            float[] out = buffer.toFloatArray(16);
            assertEquals(1.5f, out[0]);
            assertEquals(-3f, out[2]);
            assertEquals(-3f, out[4]);
            assertEquals(1.5f, out[5]);
        }
    }

    @Test
    void copyLargerThanTheBufferIsRejectedBeforeCuda() {
        try (DeviceBuffer buffer = DeviceBuffer.allocate(context, 1024)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> buffer.copyFromHost(new float[1024]));
            assertEquals("copy of 4096 bytes into DeviceBuffer of 1024 bytes", e.getMessage());
            IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
                    () -> buffer.copyToHost(512, MemorySegment.ofArray(new byte[1024])));
            assertEquals("copy of 1024 bytes at byte offset 512 out of DeviceBuffer of 1024 bytes", out.getMessage());
        }
    }

    @Test
    void useAfterCloseNamesTheResourceAndDoubleCloseIsHarmless() {
        DeviceBuffer buffer = DeviceBuffer.allocate(context, 1024);
        buffer.close();
        buffer.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> buffer.copyFromHost(new float[4]));
        assertEquals("DeviceBuffer of 1024 bytes is closed", e.getMessage());

        CudaStream s = CudaStream.create(context);
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, s::synchronize);

        CudaEvent event = CudaEvent.create(context);
        event.close();
        event.close();
        assertThrows(IllegalStateException.class, () -> event.record(stream));
    }

    @Test
    void resourcesClosedAfterTheirContextSkipTheDriverAndStillCountAsClosed() {
        // A second handle on the same primary context: closing it leaves the class's context usable.
        CudaContext other = CudaContext.open(0);
        DeviceBuffer buffer = DeviceBuffer.allocate(other, 256);
        CudaStream s = CudaStream.create(other);
        CudaEvent event = CudaEvent.create(other);
        other.close();
        // Each close would make the closed context current first and throw, were it not skipped.
        buffer.close();
        s.close();
        event.close();
        assertTrue(buffer.isClosed() && s.isClosed() && event.isClosed());
        context.use();  // the class's context is current again for the tests after this one
        stream.synchronize();
    }

    @Test
    void aDeviceThatDoesNotExistIsAClearError() {
        int count = Gpu.probe().devices().size();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaContext.open(count));
        assertEquals("device " + count + " does not exist: " + count + " CUDA device(s) present", e.getMessage());
    }

    @Test
    void aSecondThreadIsRefused() throws InterruptedException {
        try (DeviceBuffer buffer = DeviceBuffer.allocate(context, 64)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    buffer.copyFromHost(new float[16]);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            }, "second-thread");
            other.start();
            other.join();
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown.get());
            assertTrue(e.getMessage().startsWith("CudaContext(device 0) belongs to thread '"
                    + Thread.currentThread().getName() + "', called from thread 'second-thread'"), e.getMessage());
            buffer.copyFromHost(new float[16]); // the owner still can
        }
    }

    @Test
    void eventsMeasureElapsedTime() {
        try (CudaEvent start = CudaEvent.create(context); CudaEvent end = CudaEvent.create(context);
             DeviceBuffer big = DeviceBuffer.allocate(context, 64L << 20)) {
            start.record(stream);
            for (int i = 0; i < 4; i++) {
                big.memsetD32Async(0, i, big.byteSize() / 4, stream);
            }
            end.record(stream);
            float ms = end.elapsedMillisSince(start);
            assertTrue(ms > 0, "elapsed " + ms + " ms");
        }
    }
}
