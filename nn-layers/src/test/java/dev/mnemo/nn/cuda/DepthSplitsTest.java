package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.nn.SystemProperty;
import org.junit.jupiter.api.Test;

/** The depth split's rule ({@link DepthSplits}): the shapes it is for, its limits, and the setting. */
class DepthSplitsTest {
    static final int H200_SMS = 132;

    @Test
    void autoSplitsNarrowDeepProductsWhileTheTilesStayUnderTheSms() {
        // the projected LSTM bench row: B 64, P 256, H 1024
        assertEquals(16, DepthSplits.splits(StepSplits.AUTO, 64, 256, 4096, H200_SMS), "dh = dGates·W_hh over 4H");
        assertEquals(8, DepthSplits.splits(StepSplits.AUTO, 64, 256, 1024, H200_SMS), "h = m·W_hrᵀ over H");
        // slices keep 128 of the depth, and the tiles times S stay at most the SMs
        assertEquals(1, DepthSplits.splits(StepSplits.AUTO, 64, 256, 255, H200_SMS));
        assertEquals(2, DepthSplits.splits(StepSplits.AUTO, 64, 256, 256, H200_SMS));
        assertEquals(1, DepthSplits.splits(StepSplits.AUTO, 1024, 2048, 4096, H200_SMS), "128 tiles: already wide");
        assertEquals(2, DepthSplits.splits(StepSplits.AUTO, 1024, 1024, 4096, H200_SMS), "64 tiles");
        assertEquals(4, DepthSplits.splits(StepSplits.AUTO, 512, 1024, 4096, H200_SMS), "32 tiles");
        assertEquals(1, DepthSplits.splits(StepSplits.AUTO, 64, 256, 4096, 3), "a GPU of 3 SMs");
    }

    @Test
    void aFixedSplitIsTheLargestDivisorOfTheDepthUpToIt() {
        assertEquals(5, DepthSplits.splits(5, 1, 1, 100, H200_SMS));
        assertEquals(5, DepthSplits.splits(7, 1, 1, 100, H200_SMS));
        assertEquals(8, DepthSplits.splits(16, 64, 256, 136, 1), "depth 136 = 8·17; the SMs do not matter");
        assertEquals(1, DepthSplits.splits(16, 64, 256, 17, H200_SMS), "a prime depth above 16");
    }

    @Test
    void theSettingIsReadAndCheckedUnderItsOwnName() {
        assertEquals("auto", SystemProperty.with(DepthSplits.PROPERTY, null, DepthSplits::setting));
        assertEquals("3", SystemProperty.with(DepthSplits.PROPERTY, " 3 ", DepthSplits::setting));
        var e = assertThrows(IllegalArgumentException.class,
                () -> SystemProperty.run(DepthSplits.PROPERTY, "17", DepthSplits::configured));
        assertEquals("mnemo.cuda.depthSplits must be auto or 1..16, got '17'", e.getMessage());
    }
}
