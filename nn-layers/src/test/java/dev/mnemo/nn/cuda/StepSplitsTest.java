package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mnemo.nn.SystemProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    @ParameterizedTest(name = "{5}")
    @CsvSource({
            // gpu-anchors.md's per-step shapes: batch, G·H, H, TF32, S; the H200 table's fastest S in ()
            "64, 1024, 1024, false, 8, RNN large (8)",
            "64, 256, 256, false, 8, RNN small: slices of 32 (8)",
            "256, 512, 512, false, 8, RNN bigbatch (8)",
            "64, 512, 512, true, 8, RNN mid tf32 (8)",
            "64, 4096, 1024, false, 8, LSTM large: 32 tiles (4)",
            "256, 2048, 512, false, 4, LSTM bigbatch: slices of 128 (2)",
            "64, 768, 256, false, 2, GRU small: slices of 128 (2)",
            "64, 4096, 1024, true, 1, LSTM large tf32 (1)",
            "64, 3072, 1024, true, 1, GRU large tf32 (1)",
            "64, 512, 128, false, 1, gated H 128: one slice",
            "64, 128, 128, false, 4, RNN H 128: slices of 32",
            "4096, 4096, 1024, false, 1, enough tiles already"})
    void autoFollowsTheMeasuredTable(int batch, int width, int hidden, boolean tf32, int expected, String row) {
        assertEquals(expected, StepSplits.splits(StepSplits.AUTO, batch, width, hidden, tf32, SMS), row);
    }

    @Test
    void autoIsTheDefaultAndOneIsAChoice() {
        SystemProperty.run(StepSplits.PROPERTY, null, () -> assertEquals(StepSplits.AUTO, StepSplits.configured()));
        SystemProperty.run(StepSplits.PROPERTY, " ", () -> assertEquals(StepSplits.AUTO, StepSplits.configured()));
        SystemProperty.run(StepSplits.PROPERTY, "1", () -> assertEquals(1, StepSplits.configured()));
        // what `mnemo info` and the GPU report print (they once printed 1 for an unset property)
        SystemProperty.run(StepSplits.PROPERTY, null, () -> assertEquals("auto", StepSplits.setting()));
        SystemProperty.run(StepSplits.PROPERTY, " 4 ", () -> assertEquals("4", StepSplits.setting()));
    }

    @Test
    void aSplitBecomesTheLargestDivisorOfHNotAboveIt() {
        assertEquals(4, StepSplits.splits(4, 64, 400, 100, false, SMS));
        assertEquals(3, StepSplits.splits(4, 64, 99, 33, false, SMS));
        assertEquals(1, StepSplits.splits(8, 64, 97, 97, false, SMS), "a prime H cannot split");
        assertEquals(5, StepSplits.splits(16, 1, 5, 5, false, SMS), "never more partials than columns");
        assertEquals(1, StepSplits.splits(1, 64, 1024, 1024, false, SMS));
    }
}
