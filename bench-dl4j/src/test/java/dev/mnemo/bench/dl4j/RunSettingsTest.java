package dev.mnemo.bench.dl4j;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunSettingsTest {

    @Test
    void defaultsAreTheAnchorsWithOneDl4jThread() {
        RunSettings s = RunSettings.parse(new String[0]);
        assertEquals(BenchShape.ANCHORS, s.shapes());
        assertEquals(10, s.rounds());
        assertEquals(3, s.warmup());
        assertEquals(1, s.dl4jThreads());
        assertEquals(Runtime.getRuntime().availableProcessors(), s.mnemoThreads());
        assertEquals(OptimizerKind.SGD, s.optimizer());
        assertNull(s.out());
    }

    @Test
    void everyOptionIsRead() {
        RunSettings s = RunSettings.parse(new String[]{"--shapes", "7x2x3x4", "--rounds", "4", "--warmup", "0",
                "--dl4j-threads", "2", "--mnemo-threads", "1", "--optimizer", "Adam", "--seed", "9",
                "--out", "x/r.md"});
        assertEquals(List.of(new BenchShape(7, 2, 3, 4)), s.shapes());
        assertEquals(4, s.rounds());
        assertEquals(0, s.warmup());
        assertEquals(2, s.dl4jThreads());
        assertEquals(1, s.mnemoThreads());
        assertEquals(OptimizerKind.ADAM, s.optimizer());
        assertEquals(9, s.seed());
        assertEquals(Path.of("x/r.md"), s.out());
    }

    @Test
    void badInputIsNamed() {
        assertMessage("unknown option --round", "--round", "3");
        assertMessage("--rounds needs a value", "--rounds");
        assertMessage("--rounds must be an integer, got 'x'", "--rounds", "x");
        assertMessage("rounds, dl4j-threads and mnemo-threads must be >= 1", "--rounds", "0");
        assertMessage("optimizer must be sgd or adam, got 'rmsprop'", "--optimizer", "rmsprop");
        assertThrows(RunSettings.HelpRequested.class, () -> RunSettings.parse(new String[]{"--help"}));
    }

    private static void assertMessage(String expected, String... args) {
        var e = assertThrows(IllegalArgumentException.class, () -> RunSettings.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
