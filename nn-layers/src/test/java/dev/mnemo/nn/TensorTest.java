package dev.mnemo.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest {

    static Tensor iota(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, i);
        }
        return t;
    }

    @Test
    void describesItself() {
        Tensor t = Tensor.zeros(5, 3, 8);
        assertArrayEquals(new int[]{5, 3, 8}, t.shape());
        assertEquals(3, t.rank());
        assertEquals(120, t.numel());
        assertEquals(8, t.dim(-1));
        assertEquals(DType.FLOAT32, t.dtype());
        assertEquals(Device.CPU, t.device());
        assertEquals("Tensor[5, 3, 8] float32 cpu", t.toString());
        assertEquals("Tensor[2] float64 cpu", Tensor.of(new double[]{1, 2}, 2).toString());
    }

    @Test
    void rowMajorIndexing() {
        Tensor t = iota(2, 3, 4);
        assertEquals(1 * 12 + 2 * 4 + 3, t.get(1, 2, 3));
        assertArrayEquals(new int[]{1, 2, 3}, t.unflatIndex(23));
        assertThrows(IndexOutOfBoundsException.class, () -> t.unflatIndex(24), "past the end wrapped to [0, 0, 0]");
        assertThrows(IndexOutOfBoundsException.class, () -> t.unflatIndex(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(0, 5).unflatIndex(0), "was a division by 0");
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0, 0));
        var e = assertThrows(IllegalArgumentException.class, () -> t.get(1, 2));
        assertEquals("index [1, 2] has 2 dimensions, tensor [2, 3, 4] has 3", e.getMessage());
    }

    @Test
    void viewsShareStorageWithoutCopying() {
        Tensor t = iota(4, 3, 2);
        Tensor r = t.reshape(12, -1);
        assertArrayEquals(new int[]{12, 2}, r.shape());
        Tensor s = t.slice(1, 3);
        assertArrayEquals(new int[]{2, 3, 2}, s.shape());
        assertEquals(6.0, s.get(0, 0, 0));
        Tensor row = t.select(3);
        assertArrayEquals(new int[]{3, 2}, row.shape());
        assertEquals(18.0, row.get(0, 0));
        assertTrue(r.sharesStorageWith(t) && s.sharesStorageWith(t) && row.sharesStorageWith(t));
        s.set(-1.0, 1, 2, 1);          // element 6 + 11 = 17 of t
        assertEquals(-1.0, t.getFlat(17));
        assertEquals(-1.0, r.get(8, 1));
        Tensor c = t.copy();
        assertFalse(c.sharesStorageWith(t));
        assertArrayEquals(t.toFloatArray(), c.toFloatArray());
    }

    @Test
    void badViewsAreRejectedWithShapes() {
        Tensor t = Tensor.zeros(4, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> t.reshape(5, 2));
        assertEquals("reshape of [4, 3] (12 elements) to [5, 2] (10 elements)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.reshape(5, -1));
        assertEquals("reshape of [4, 3] (12 elements) to [5, -1]: -1 cannot be inferred", e.getMessage());
        var ie = assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2, 5));
        assertEquals("slice [2, 5) of dimension 0 of [4, 3]", ie.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertEquals("data has 5 elements, shape [2, 3] needs 6", e.getMessage());
    }

    @Test
    void copiesConvertElementTypes() {
        Tensor d = Tensor.of(new double[]{0.1, 1e-50, -3}, 3);
        Tensor f = Tensor.zeros(3);
        f.copyFrom(d);
        assertArrayEquals(new float[]{0.1f, 0f, -3f}, f.toFloatArray());
        Tensor back = Tensor.zeros(DType.FLOAT64, 3);
        back.copyFrom(f);
        assertEquals((double) 0.1f, back.get(0));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(Tensor.zeros(4)));
    }

    @Test
    void movingBetweenDevicesIsExplicit() {
        Tensor t = Tensor.zeros(2, 2);
        assertSame(t, t.to(Device.CPU));
        var reason = dev.mnemo.nn.cuda.CudaBackend.unavailableReason();
        if (reason.isPresent()) {   // the GPU round trip is CudaBackendGpuTest's
            var e = assertThrows(UnsupportedOperationException.class, () -> t.to(Device.CUDA));
            assertTrue(e.getMessage().contains("CUDA backend is unavailable: " + reason.get()), e.getMessage());
        }
    }

    /** Offsets and element counts are checked without long overflow, and dim names the shape. */
    @Test
    void overflowingOffsetsCountsAndDimensionsAreRefusedClearly() {
        Storage storage = Tensor.zeros(4).storage();
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(storage, Long.MAX_VALUE, 2));
        assertEquals("a tensor of shape [2] at offset 9223372036854775807 does not fit a storage of 4 elements",
                e.getMessage());   // offset + numel wrapped negative and passed; the first read was at index -1
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(storage, 3, 2));
        assertEquals(2, Tensor.wrap(storage, 2, 2).numel());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1 << 30, 1 << 30, 1 << 30));
        assertEquals("shape [1073741824, 1073741824, 1073741824] has more than 9223372036854775807 elements",
                e.getMessage());   // was ArithmeticException: long overflow
        int max = Integer.MAX_VALUE;
        Tensor empty = Tensor.zeros(max, max, max, 0);   // 0 elements, however large the other sizes
        assertEquals(0, empty.numel());
        assertEquals(0, empty.reshape(0, max, max, max).numel());
        assertEquals(0, Tensor.zeros(0, max, max, max).slice(0, 0).numel());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(4).reshape(-1, 1 << 30, 1 << 30, 1 << 30));
        assertEquals("reshape of [4] (4 elements) to [-1, 1073741824, 1073741824, 1073741824]: -1 cannot be inferred",
                e.getMessage());

        Tensor t = Tensor.zeros(2, 3);
        assertEquals(3, t.dim(-1));
        assertEquals(2, t.dim(-2));
        e = assertThrows(IllegalArgumentException.class, () -> t.dim(5));   // was ArrayIndexOutOfBounds
        assertEquals("dimension must be in [-2, 2) for shape [2, 3], got 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.dim(-3));  // said "Index -1 out of bounds"
        assertEquals("dimension must be in [-2, 2) for shape [2, 3], got -3", e.getMessage());
    }
}
