package dev.mnemo.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Round to nearest-even bfloat16, as the bf16-weight kernels round W_hh, on known values. */
class PersistentWeightsTest {
    static float bits(int b) {
        return Float.intBitsToFloat(b);
    }

    @Test
    void exactValuesStay() {
        assertEquals(1.0f, PersistentWeights.roundToBf16(1.0f));
        assertEquals(-2.5f, PersistentWeights.roundToBf16(-2.5f));
        assertEquals(0.0f, PersistentWeights.roundToBf16(0.0f));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(PersistentWeights.roundToBf16(-0.0f)));
        assertEquals(1 + 0x1p-7f, PersistentWeights.roundToBf16(1 + 0x1p-7f), "8 significant bits are exact");
    }

    @Test
    void tiesGoToEven() {
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: the even neighbour is 1
        assertEquals(1.0f, PersistentWeights.roundToBf16(1 + 0x1p-8f));
        // 1 + 2^-7 + 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up
        assertEquals(1 + 0x1p-6f, PersistentWeights.roundToBf16(1 + 0x1p-7f + 0x1p-8f));
        assertEquals(-1.0f, PersistentWeights.roundToBf16(-(1 + 0x1p-8f)));
    }

    @Test
    void nearestOtherwise() {
        // 1 + 3·2^-9 is above the midpoint 1 + 2^-8: up to 1 + 2^-7
        assertEquals(1 + 0x1p-7f, PersistentWeights.roundToBf16(1 + 3 * 0x1p-9f));
        assertEquals(-(1 + 0x1p-7f), PersistentWeights.roundToBf16(-(1 + 3 * 0x1p-9f)));
        // just below the midpoint: down
        assertEquals(1.0f, PersistentWeights.roundToBf16(Math.nextDown(1 + 0x1p-8f)));
        // 0.1f = 0x3DCCCCCD: upper half 0x3DCC, lower 0xCCCD > 0x8000, so 0x3DCD
        assertEquals(bits(0x3DCD_0000), PersistentWeights.roundToBf16(0.1f));
        // a subnormal: 0x0000_8001 rounds up to 0x0001_0000
        assertEquals(bits(0x0001_0000), PersistentWeights.roundToBf16(bits(0x0000_8001)));
        // half a step of 8 significant bits: relative error at most 2^-8 (2^-9 only near the top of a binade)
        for (float x = -3f; x < 3f; x += 0.0137f) {
            float r = PersistentWeights.roundToBf16(x);
            assertTrue(Math.abs(r - x) <= Math.abs(x) * 0x1p-8f, x + " → " + r);
            assertEquals(0, Float.floatToRawIntBits(r) & 0xFFFF, "the lower 16 bits are zero");
        }
    }

    @Test
    void infinityAndNanAndOverflow() {
        assertEquals(Float.POSITIVE_INFINITY, PersistentWeights.roundToBf16(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, PersistentWeights.roundToBf16(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(PersistentWeights.roundToBf16(Float.NaN)));
        // a NaN whose payload is only in the lower 16 bits must not become infinity
        assertTrue(Float.isNaN(PersistentWeights.roundToBf16(bits(0x7F80_0001))));
        assertTrue(Float.isNaN(PersistentWeights.roundToBf16(bits(0xFF80_0001))));
        // above the largest bfloat16 (0x7F7F_0000) by more than half a step: infinity, as RNE says
        assertEquals(Float.POSITIVE_INFINITY, PersistentWeights.roundToBf16(Float.MAX_VALUE));
        assertEquals(Float.NEGATIVE_INFINITY, PersistentWeights.roundToBf16(-Float.MAX_VALUE));
        assertEquals(bits(0x7F7F_0000), PersistentWeights.roundToBf16(bits(0x7F7F_7FFF)));
    }

    @Test
    void applyAndNames() {
        assertEquals(1 + 0x1p-8f, PersistentWeights.FP32.apply(1 + 0x1p-8f));
        assertEquals(1.0f, PersistentWeights.BF16.apply(1 + 0x1p-8f));
        assertEquals("", PersistentWeights.FP32.nativeSuffix());
        assertEquals("_bf16w", PersistentWeights.BF16.nativeSuffix());
        assertEquals("bf16", PersistentWeights.BF16.toString());
    }
}
