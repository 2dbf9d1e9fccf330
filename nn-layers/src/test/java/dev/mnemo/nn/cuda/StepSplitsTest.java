package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The per-step product's split: the setting and the rule (on an H100's 132 SMs). */
class StepSplitsTest {
    static final int SMS = 132;

    @Test
    void parsesAutoOrOneToSixteen() {
        assertEquals(StepSplits.AUTO, StepSplits.parse(" Auto "));
        assertEquals(1, StepSplits.parse("1"));
        assertEquals(16, StepSplits.parse("16"));
        for (String bad : new String[] {"0", "17", "two", ""}) {
            var e = assertThrows(IllegalArgumentException.class, () -> StepSplits.parse(bad));
            assertEquals("mnemo.cuda.stepSplits must be auto or 1..16, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void autoAddsPartialsUntilTheTilesCoverTheSmsKeepingSlicesOf128() {
        // gpu-anchors.md's per-step shapes: batch, G·H, H
        assertEquals(8, StepSplits.splits(StepSplits.AUTO, 64, 1024, 1024, SMS), "RNN large: 8 tiles");
        assertEquals(8, StepSplits.splits(StepSplits.AUTO, 64, 4096, 1024, SMS), "LSTM large: 32 tiles");
        assertEquals(4, StepSplits.splits(StepSplits.AUTO, 256, 2048, 512, SMS), "LSTM bigbatch: slices of 128");
        assertEquals(4, StepSplits.splits(StepSplits.AUTO, 256, 512, 512, SMS), "RNN bigbatch");
        assertEquals(2, StepSplits.splits(StepSplits.AUTO, 64, 256, 256, SMS), "RNN small: slices of 128");
        assertEquals(1, StepSplits.splits(StepSplits.AUTO, 64, 512, 128, SMS), "H 128: one slice");
        assertEquals(1, StepSplits.splits(StepSplits.AUTO, 4096, 4096, 1024, SMS), "enough tiles already");
    }

    @Test
    void aSplitBecomesTheLargestDivisorOfHNotAboveIt() {
        assertEquals(4, StepSplits.splits(4, 64, 400, 100, SMS));
        assertEquals(3, StepSplits.splits(4, 64, 99, 33, SMS));
        assertEquals(1, StepSplits.splits(8, 64, 97, 97, SMS), "a prime H cannot split");
        assertEquals(5, StepSplits.splits(16, 1, 5, 5, SMS), "never more partials than columns");
        assertEquals(1, StepSplits.splits(1, 64, 1024, 1024, SMS));
    }
}
