package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The depth-split product ({@value DepthSplits#PROPERTY}) on a device: the buffer has the slices the
 * setting asks for, the split product equals one GEMM (either operand layout, fewer rows than the
 * buffer, float32 and TF32), and bad buffers are refused.
 */
@Tag("gpu")
class DepthSplitsGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    @Test
    void theBufferHoldsTheSlicesTheSettingAsksFor() {
        assertNull(SystemProperty.with(DepthSplits.PROPERTY, "1", () -> gpu.depthSplitBuffer(6, 9, 132)), "one GEMM");
        assertArrayEquals(new int[] {4, 6, 9}, SystemProperty.with(DepthSplits.PROPERTY, "4",
                () -> gpu.depthSplitBuffer(6, 9, 132).shape()));
        assertArrayEquals(new int[] {6, 6, 9}, SystemProperty.with(DepthSplits.PROPERTY, "7",
                () -> gpu.depthSplitBuffer(6, 9, 132).shape()), "the largest divisor of 132 up to 7");
    }

    @ParameterizedTest(name = "transB={0} rows={1} tf32={2}")
    @CsvSource({"false, 6, false", "true, 6, false", "false, 4, false", "true, 4, true"})
    void theSplitProductIsTheOneGemm(boolean transB, int rows, boolean tf32) {
        CudaBackend be = tf32 ? CudaBackend.tf32() : gpu;
        int depth = 132;
        int cols = 9;
        Tensor a = RecurrentCudaGpuTest.random(1, rows, depth).to(Device.CUDA);
        Tensor b = RecurrentCudaGpuTest.random(2, transB ? new int[] {cols, depth} : new int[] {depth, cols})
                .to(Device.CUDA);
        Tensor whole = be.zeros(rows, cols);
        be.gemm(false, transB, 1.0, a, b, 0.0, whole);
        Tensor split = be.zeros(rows, cols);
        be.fill(split, Double.NaN);   // overwritten, never read
        Tensor partials = be.zeros(3, 6, cols);
        be.depthSplitProduct(a, b, transB, split, partials);
        float[] want = whole.to(Device.CPU).toFloatArray();
        float[] got = split.to(Device.CPU).toFloatArray();
        double tol = tf32 ? 2e-2 : 1e-5;
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), "element " + i);
        }
        be.depthSplitProduct(a, b, transB, split, null);
        assertArrayEquals(want, split.to(Device.CPU).toFloatArray(), "no buffer: the one GEMM");
    }

    @Test
    void badBuffersAreRefused() {
        Tensor a = gpu.zeros(6, 12);
        Tensor b = gpu.zeros(12, 9);
        Tensor c = gpu.zeros(6, 9);
        for (int[] shape : new int[][] {{5, 6, 9}, {3, 5, 9}, {3, 6, 8}, {18, 9}}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> gpu.depthSplitProduct(a, b, false, c, gpu.zeros(shape)));
            assertTrue(e.getMessage().startsWith("partials must be [S, >= 6, 9] with S dividing the depth 12, got "),
                    e.getMessage());
        }
        Tensor block = gpu.zeros(60, 9);
        var e = assertThrows(IllegalArgumentException.class, () -> gpu.depthSplitProduct(a, b, false,
                block.slice(0, 6), block.slice(0, 54).reshape(3, 18, 9)));
        assertTrue(e.getMessage().startsWith("partials must not overlap"), e.getMessage());
    }
}
