package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import org.junit.jupiter.api.Test;

/** The recorded streaming step's bookkeeping on the CPU, where a recording reruns its region. */
class MemNetStepGraphTest {

    @Test
    void recordingAtOnceMatchesTheEagerStepBitForBit() {
        MemNetStepGraphCheck.run(Backend.cpu(), 1);
    }

    @Test
    void recordingOnTheSecondFullStepMatchesTheEagerStepBitForBit() {
        MemNetStepGraphCheck.run(Backend.cpu(), 2);
    }
}
