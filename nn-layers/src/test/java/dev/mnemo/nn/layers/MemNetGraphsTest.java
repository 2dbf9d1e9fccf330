package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.nn.Backend;
import org.junit.jupiter.api.Test;

/**
 * The recorded MemNet step loops' bookkeeping on the CPU, where a recording reruns its region: the copies in
 * and out, the keys and the dropout position give the eager loop's results bit for bit
 * ({@link MemNetGraphsCheck}).
 */
class MemNetGraphsTest {

    @Test
    void recordingAtOnceMatchesTheEagerLoopBitForBit() {
        // every call records or replays. Forward: T 6 B 2, T 4 B 3, T 6 B 2 again, the new seed, evaluation;
        // backward (the seed is not in its key): T 6 B 2, T 4 B 3, T 6 B 2 again
        assertEquals(8, MemNetGraphsCheck.run(Backend.cpu(), 1));
    }

    @Test
    void recordingOnTheSecondSightingMatchesTheEagerLoopBitForBit() {
        // forward: T 6 B 2 on its second call (replayed again after one eager T 4 B 3 call), the new seed on its
        // second call, evaluation on its second call; backward: T 6 B 2 once, replayed from then on
        assertEquals(4, MemNetGraphsCheck.run(Backend.cpu(), 2));
    }

    @Test
    void cpuLayersRunEagerlyByDefault() {
        assertEquals(false, new MemNet(MemNetGraphsCheck.options(), Backend.cpu()).usesStepGraphs());
    }
}
