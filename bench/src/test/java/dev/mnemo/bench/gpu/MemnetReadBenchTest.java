package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemnetReadBenchTest {

    @Test
    void shapesParseAsRowsOfBatchSlotsAndWidth() {
        assertArrayEquals(new long[][] {{64, 128, 64}, {1, 65536, 64}}, MemnetReadBench.parseShapes("64x128x64, 1x65536x64"));
    }

    @Test
    void badArgumentsExitTwoWithTheReason() {
        String[] r = EigenBenchTest.run("memnet", "--shapes", "64x128");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--shapes wants BxNxd items, got '64x128'"), r[2]);
        r = EigenBenchTest.run("memnet", "--shapes", "0x8x8");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("each of B, N, d must be in [1, 2^31), got '0x8x8'"), r[2]);
        r = EigenBenchTest.run("memnet", "--sequence", "maybe");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--sequence takes on or off, got maybe"), r[2]);
        r = EigenBenchTest.run("memnet", "--nonsense", "1");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown option --nonsense; usage: GpuBenchmarkRunner memnet"), r[2]);
    }
}
