package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaBackend#wrap}: tensors over memory the backend did not allocate (here a borrowed view
 * of a buffer of its own context, as the JCuda interop makes them) compute in place, and the
 * checks reject memory that is too small or misaligned.
 */
@Tag("gpu")
class CudaBackendWrapGpuTest {

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    @Test
    void aWrappedTensorComputesInTheBorrowedMemory() {
        CudaBackend cuda = CudaBackend.float32();
        try (DeviceBuffer owner = DeviceBuffer.allocateFloats(cuda.context(), 12)) {
            owner.copyFromHost(new float[12]);
            DeviceBuffer view = DeviceBuffer.wrap(cuda.context(), owner.address() + 4 * Float.BYTES, 8 * Float.BYTES);
            assertFalse(view.isOwned());
            Tensor t = cuda.wrap(view, 2, 4);
            assertEquals(Device.CUDA, t.device());
            cuda.fill(t, 3.0);
            cuda.scale(t, 2.0);
            Tensor copied = cuda.copyOf(t);          // device to device out of the borrowed memory
            assertArrayEquals(new float[] {6, 6, 6, 6, 6, 6, 6, 6}, copied.to(Device.CPU).toFloatArray());
            cuda.synchronize();
            float[] all = owner.toFloatArray(12);
            assertArrayEquals(new float[] {0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6}, all);
            view.close(); // frees nothing: the owner still reads its memory
            assertEquals(6f, owner.toFloatArray(12)[11]);
        }
    }

    /**
     * The buffer given stays the caller's, borrowed as well as owned: a borrowed one used to become the tensor's
     * storage itself, so releasing one tensor closed the caller's object and every other tensor over it.
     */
    @Test
    void releasingOneWrappedTensorLeavesTheBorrowedBufferAndItsOtherTensors() {
        CudaBackend cuda = CudaBackend.float32();
        try (DeviceBuffer owner = DeviceBuffer.allocateFloats(cuda.context(), 16)) {
            DeviceBuffer view = DeviceBuffer.wrap(cuda.context(), owner.address(), 16 * Float.BYTES);
            Tensor whole = cuda.wrap(view, 16);
            Tensor square = cuda.wrap(view, 4, 4);
            cuda.release(whole);
            cuda.zeros(1);   // an allocation drains the runtime's release queue
            cuda.fill(square, 5.0);
            float[] fives = new float[16];
            java.util.Arrays.fill(fives, 5f);
            assertArrayEquals(fives, square.to(Device.CPU).toFloatArray(), "the other tensor over the buffer works");
            assertFalse(view.isClosed(), "the caller's buffer stays open");
            Tensor again = cuda.wrap(view, 2);
            assertArrayEquals(new float[] {5, 5}, again.to(Device.CPU).toFloatArray());
        }
    }

    @Test
    void tooSmallOrMisalignedMemoryIsRejected() {
        CudaBackend cuda = CudaBackend.float32();
        try (DeviceBuffer owner = DeviceBuffer.allocateFloats(cuda.context(), 8)) {
            DeviceBuffer view = DeviceBuffer.wrap(cuda.context(), owner.address(), 8 * Float.BYTES);
            var small = assertThrows(IllegalArgumentException.class, () -> cuda.wrap(view, 3, 3));
            assertTrue(small.getMessage().contains("needs 9 floats"), small.getMessage());
            DeviceBuffer odd = DeviceBuffer.wrap(cuda.context(), owner.address() + 2, 16);
            var misaligned = assertThrows(IllegalArgumentException.class, () -> cuda.wrap(odd, 2));
            assertTrue(misaligned.getMessage().contains("4-byte aligned"), misaligned.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cuda.wrap(null, 2));
            assertThrows(IllegalArgumentException.class, () -> DeviceBuffer.wrap(cuda.context(), 0L, 16));
            view.close();
            odd.close();
        }
    }

    /** A buffer the caller owns stays the caller's: releasing the tensor over it once freed it. */
    @Test
    void anOwnedBufferIsNeverFreedByTheTensorOverIt() {
        CudaBackend cuda = CudaBackend.float32();
        try (DeviceBuffer mine = DeviceBuffer.allocateFloats(cuda.context(), 4)) {
            Tensor t = cuda.wrap(mine, 4);
            cuda.fill(t, 2.0);
            cuda.release(t);
            cuda.zeros(1);   // the next allocation drains the runtime's releases
            assertFalse(mine.isClosed(), "the caller's buffer is still open");
            float[] back = new float[4];
            mine.copyToHost(back);
            assertArrayEquals(new float[] {2, 2, 2, 2}, back);
        }
    }
}
