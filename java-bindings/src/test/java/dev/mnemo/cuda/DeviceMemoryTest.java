package dev.mnemo.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Slices of device memory: pure address arithmetic, no CUDA. */
class DeviceMemoryTest {

    /** Device memory that is only numbers. */
    record FakeMemory(long address, long byteSize) implements DeviceMemory {
    }

    @Test
    void slicesOffsetTheAddressAndKeepTheirSize() {
        DeviceMemory base = new FakeMemory(0x1000, 1024);
        DeviceMemory slice = base.sliceFloats(10, 6);
        assertEquals(0x1000 + 40, slice.address());
        assertEquals(24, slice.byteSize());
        assertEquals(6, slice.floatCapacity());
        assertEquals(0x1000 + 44, slice.slice(4, 8).address());
        assertEquals("FakeMemory(1024 bytes)[40, +24 bytes]", slice.describe());
    }

    @Test
    void slicesMustLieWithin() {
        DeviceMemory base = new FakeMemory(0x1000, 1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.slice(1000, 100));
        assertEquals("slice [1000, +100) must lie within FakeMemory(1024 bytes)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> base.slice(-4, 4));
    }

    @Test
    void launchGeometryValidates() {
        assertEquals(256 * 4, LaunchGeometry.linear(4, 256).threads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.linear(0, 256));
        assertEquals("grid sizes must be >= 1, got (0, 1, 1)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.linear(1L << 31, 256));
    }

    @Test
    void matrixChecksNameTheOperandAndTheRule() {
        DeviceMemory small = new FakeMemory(0x1000, 1024); // 256 floats
        IllegalArgumentException ld = assertThrows(IllegalArgumentException.class,
                () -> MatrixChecks.matrix("A", small, Float.BYTES, Transpose.NONE, 8, 16, 8));
        assertEquals("ldA must be >= 16 (A stored 8 x 16, row-major), got 8", ld.getMessage());
        IllegalArgumentException transposedLd = assertThrows(IllegalArgumentException.class,
                () -> MatrixChecks.matrix("B", small, Float.BYTES, Transpose.TRANSPOSE, 8, 16, 4));
        assertEquals("ldB must be >= 8 (B stored 16 x 8, row-major), got 4", transposedLd.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> MatrixChecks.matrix("C", small, Float.BYTES, Transpose.NONE, 32, 16, 16));
        assertEquals("C must hold >= 512 floats (32 x 16, ld 16), got FakeMemory(1024 bytes) = 256", size.getMessage());
        assertEquals(15 * 20 + 16, MatrixChecks.matrix("A", new FakeMemory(0, 4096), Float.BYTES, Transpose.NONE, 16, 16, 20));
        assertEquals(0, MatrixChecks.matrix("A", new FakeMemory(0, 0), Float.BYTES, Transpose.NONE, 0, 16, 16));
    }

    @Test
    void batchedOutputsMustNotOverlap() {
        DeviceMemory big = new FakeMemory(0, 1 << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatrixChecks.batch("C", big, Float.BYTES, 64, 32, 3, true));
        assertEquals("strideC must be >= 64 (one output matrix, no overlap), got 32", e.getMessage());
        MatrixChecks.batch("A", big, Float.BYTES, 64, 0, 3, false); // broadcast input is fine
    }
}
