package dev.mnemo.jcuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.jcuda.DriverQueries.Allocation;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** The interop's checks, with the driver's answers made up: no GPU needed. */
class PointerChecksTest {
    static final long PRIMARY = 0x5000L;
    static final long OTHER = 0x6000L;
    static final long BASE = 0x7f00_0000_0000L;

    @Test
    void nullPointerObjectIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> PointerChecks.address("x", null, 16));
        assertEquals("x must not be null", e.getMessage());
    }

    @Test
    void negativeSizeIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PointerChecks.address("x", JCudaHandles.pointer(BASE), -4));
        assertTrue(e.getMessage().contains("byteSize must be >= 0, got -4"), e.getMessage());
    }

    @Test
    void aPointerNeverAllocatedIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> PointerChecks.address("x", new CUdeviceptr(), 16));
        assertTrue(e.getMessage().contains("null device pointer"), e.getMessage());
        assertTrue(e.getMessage().contains("cuMemAlloc"), e.getMessage());
    }

    @Test
    void misalignedPointersAreRejected() {
        CUdeviceptr p = JCudaHandles.pointer(BASE).withByteOffset(2);
        var e = assertThrows(IllegalArgumentException.class, () -> PointerChecks.address("x", p, 16));
        assertTrue(e.getMessage().contains("not 4-byte aligned"), e.getMessage());
        assertEquals(BASE + 8, PointerChecks.address("x", JCudaHandles.pointer(BASE).withByteOffset(8), 16));
    }

    @Test
    void theShapeMustFitTheBytes() {
        assertEquals(24, PointerChecks.floatsFor("x", 96, 2, 3, 4));
        assertEquals(24, PointerChecks.floatsFor("x", 100, 2, 3, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> PointerChecks.floatsFor("x", 95, 2, 3, 4));
        assertTrue(e.getMessage().contains("needs 96 bytes, the memory has 95"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PointerChecks.floatsFor("x", 96, 2, -3, 4));
        assertThrows(IllegalArgumentException.class, () -> PointerChecks.floatsFor("x", 96, (int[]) null));
        assertEquals(0, PointerChecks.floatsFor("x", 0, 0, 5));
        // an element count past long was ArithmeticException's bare "long overflow"
        e = assertThrows(IllegalArgumentException.class,
                () -> PointerChecks.floatsFor("x", 64, Integer.MAX_VALUE, Integer.MAX_VALUE, 4));
        assertEquals("x: a float32 tensor of shape [2147483647, 2147483647, 4] needs more than 9223372036854775807 "
                + "bytes", e.getMessage());
    }

    @Test
    void memoryTheDriverDoesNotKnowIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PointerChecks.allocation("x", BASE, 16, null, PRIMARY, 0));
        assertTrue(e.getMessage().contains("not device memory the CUDA driver knows"), e.getMessage());
    }

    @Test
    void memoryOfAnotherContextIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PointerChecks.allocation("x", BASE, 16, new Allocation(OTHER, 0, BASE, 1024), PRIMARY, 0));
        assertTrue(e.getMessage().contains("was allocated in context 0x6000"), e.getMessage());
        assertTrue(e.getMessage().contains("not cuCtxCreate"), e.getMessage());
    }

    @Test
    void memoryOfAnotherDeviceIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PointerChecks.allocation("x", BASE, 16, new Allocation(0, 1, BASE, 1024), PRIMARY, 0));
        assertTrue(e.getMessage().contains("lives on device 1"), e.getMessage());
    }

    @Test
    void aRangePastTheAllocationIsRejected() {
        Allocation a = new Allocation(PRIMARY, 0, BASE, 1024);
        assertDoesNotThrow(() -> PointerChecks.allocation("x", BASE, 1024, a, PRIMARY, 0));
        assertDoesNotThrow(() -> PointerChecks.allocation("x", BASE + 512, 512, a, PRIMARY, 0));
        var e = assertThrows(IllegalArgumentException.class,
                () -> PointerChecks.allocation("x", BASE + 512, 516, a, PRIMARY, 0));
        assertTrue(e.getMessage().contains("runs past the end of its allocation"), e.getMessage());
        assertTrue(e.getMessage().contains("512 bytes are left"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PointerChecks.allocation("x", BASE, 1025, a, PRIMARY, 0));
    }

    @Test
    void theContextIsCheckedBeforeTheRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> PointerChecks.allocation("x", BASE, 16,
                new Allocation(OTHER, 0, BASE, Allocation.UNKNOWN_SIZE), PRIMARY, 0));
        assertTrue(e.getMessage().contains("was allocated in context"), e.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> PointerChecks.allocation("x", BASE, 16,
                new Allocation(PRIMARY, 0, BASE, Allocation.UNKNOWN_SIZE), PRIMARY, 0));
        assertTrue(unknown.getMessage().contains("no allocation range"), unknown.getMessage());
    }

    @Test
    void poolMemoryWithoutAContextIsCheckedByDevice() {
        assertDoesNotThrow(() -> PointerChecks.allocation("x", BASE, 64, new Allocation(0, 0, BASE, 64), PRIMARY, 0));
    }

    @Test
    void openingWithoutABackendSaysSo() {
        var e = assertThrows(IllegalArgumentException.class, () -> JCudaInterop.open(null));
        assertTrue(e.getMessage().contains("CudaBackend.float32()"), e.getMessage());
    }
}
