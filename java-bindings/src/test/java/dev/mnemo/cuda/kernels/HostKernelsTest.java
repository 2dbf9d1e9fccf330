package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The CPU reference itself, on constructed inputs with exact answers. */
class HostKernelsTest {

    @Test
    void fillWritesTheFirstNOnly() {
        float[] x = {9, 9, 9, 9};
        HostKernels.fill(x, 3, 1.5f);
        assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f, 9}, x);
    }

    @Test
    void axpbyCombines() {
        float[] y = {1, 2, 3};
        HostKernels.axpby(y, new float[] {10, 20, 30}, 3, 0.5f, 2f);
        assertArrayEquals(new float[] {7, 14, 21}, y);
    }

    @Test
    void axpbyWithBetaZeroIgnoresNaNInY() {
        float[] y = {Float.NaN, Float.POSITIVE_INFINITY};
        HostKernels.axpby(y, new float[] {1, 2}, 2, 3f, 0f);
        assertArrayEquals(new float[] {3, 6}, y);
    }

    @Test
    void sumRowsAddsColumnsAndScalesOut() {
        float[] out = {100, Float.NaN};
        HostKernels.sumRows(out, new float[] {1, 2, 3, 4, 5, 6}, 3, 2, 0f);
        assertArrayEquals(new float[] {9, 12}, out);
        HostKernels.sumRows(out, new float[] {1, 2, 3, 4, 5, 6}, 3, 2, 1f);
        assertArrayEquals(new float[] {18, 24}, out);
    }

    @Test
    void clipScalesThreeFourToUnitNorm() {
        float[] x = {3, 4};
        double norm = HostKernels.clipGlobalNorm(x, 2, 1f);
        assertEquals(5.0, norm, 0);
        assertArrayEquals(new float[] {0.6f, 0.8f}, x, 1e-6f);
    }

    @Test
    void clipBelowMaxLeavesXUnchanged() {
        float[] x = {3, 4};
        double norm = HostKernels.clipGlobalNorm(x, 2, 10f);
        assertEquals(5.0, norm, 0);
        assertArrayEquals(new float[] {3, 4}, x);
    }

    @Test
    void clipOfZerosIsZero() {
        float[] x = new float[8];
        assertEquals(0.0, HostKernels.clipGlobalNorm(x, 8, 1f));
        assertArrayEquals(new float[8], x);
    }
}
