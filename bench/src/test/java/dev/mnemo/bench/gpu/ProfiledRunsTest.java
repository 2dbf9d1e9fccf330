package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProfiledRunsTest {

    @Test
    void badArgumentsExitTwoWithTheReason() {
        String[] r = EigenBenchTest.run("profile", "--runs");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("usage: profile [--cells ...] [--shapes ...] [--math ...] [--runs N]"), r[2]);
        r = EigenBenchTest.run("profile", "--runs", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--runs must be an integer >= 1, got 0"), r[2]);
        r = EigenBenchTest.run("profile", "--shapes", "huge");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("huge"), r[2]);
        assertEquals("2", EigenBenchTest.run("profile", "--fast", "1")[0]);
    }
}
