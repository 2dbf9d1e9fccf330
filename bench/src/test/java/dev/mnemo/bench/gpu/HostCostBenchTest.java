package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostCostBenchTest {

    @Test
    void badArgumentsExitTwoWithTheReason() {
        String[] r = EigenBenchTest.run("hostcost", "--repeats");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("usage: hostcost [--cells ...] [--shapes ...] [--repeats N] [--warmup-ms MS]"), r[2]);
        r = EigenBenchTest.run("hostcost", "--repeats", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--repeats must be an integer >= 1, got 0"), r[2]);
        r = EigenBenchTest.run("hostcost", "--shapes", "huge");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("huge"), r[2]);
        assertEquals("2", EigenBenchTest.run("hostcost", "--fast", "1")[0]);
        r = EigenBenchTest.run("hostcost", "--cells", "RNN", "--shapes", "projected");   // crashed on getFirst
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("select no benchmark row"), r[2]);
    }
}
