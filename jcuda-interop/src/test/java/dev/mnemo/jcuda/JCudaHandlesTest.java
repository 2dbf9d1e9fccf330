package dev.mnemo.jcuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import org.junit.jupiter.api.Test;

/** Reading JCuda's raw handle values needs no driver: these run everywhere. */
class JCudaHandlesTest {

    @Test
    void aFreshDevicePointerIsNull() {
        assertEquals(0L, JCudaHandles.address(new CUdeviceptr()));
        assertEquals(0L, JCudaHandles.address(null));
        assertEquals(0L, JCudaHandles.handle(null));
    }

    @Test
    void theByteOffsetCountsInTheAddress() {
        CUdeviceptr p = JCudaHandles.pointer(0x7f00_0000_1000L);
        assertEquals(0x7f00_0000_1000L, JCudaHandles.address(p));
        assertEquals(0x7f00_0000_1100L, JCudaHandles.address(p.withByteOffset(256)));
        assertEquals(0x7f00_0000_1104L, JCudaHandles.address(p.withByteOffset(256).withByteOffset(4)));
    }

    @Test
    void aStreamRoundTripsItsHandle() {
        CUstream s = JCudaHandles.stream(0x5555_1234L);
        assertEquals(0x5555_1234L, JCudaHandles.handle(s));
        assertEquals(0L, JCudaHandles.handle(JCudaHandles.stream(0)));
    }
}
