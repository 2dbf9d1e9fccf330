package dev.mnemo.nn.layers;

import dev.mnemo.nn.CpuBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link MemNetFarScoresCheck} on the CPU, float32 and float64 (whose reads sum in double: −800 < −709). */
class MemNetFarScoresTest {

    @ParameterizedTest(name = "M={0} masked={1}")
    @CsvSource({"4, false", "4, true", "1, false"})
    void scoresFarBelowZeroReadTheMeanValueOnceNoSlotIsEmpty(int slots, boolean masked) {
        MemNetFarScoresCheck.run(CpuBackend.float32(), slots, masked);
        MemNetFarScoresCheck.run(CpuBackend.float64(), slots, masked);
    }
}
