package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DepthSplitsBenchTest {

    @Test
    void badArgumentsExitTwoWithTheReason() {
        String[] r = EigenBenchTest.run("depthsplits", "--repeats");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("usage: depthsplits [--repeats N]"), r[2]);
        r = EigenBenchTest.run("depthsplits", "--repeats", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--repeats must be an integer >= 1, got 0"), r[2]);
        assertEquals("2", EigenBenchTest.run("depthsplits", "--fast", "1")[0]);
    }

    @Test
    void everyRowSplitsIntoEverySliceCount() {
        for (DepthSplitsBench.Row r : DepthSplitsBench.ROWS) {
            for (int s : DepthSplitsBench.SPLITS) {
                assertEquals(0, r.depth() % s, r.name() + " in " + s + " slices");
            }
        }
    }
}
