package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The inputgrads table's options and rows, without a GPU. */
class InputGradientsBenchTest {

    @Test
    void badOptionsExitTwoAndSayWhy() {
        String[] r = EigenBenchTest.run("inputgrads", "--repeats", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--repeats must be an integer >= 1, got 0"), r[2]);
        r = EigenBenchTest.run("inputgrads", "--steps", "x");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--steps must be an integer >= 1, got x"), r[2]);
        r = EigenBenchTest.run("inputgrads", "--steps");
        assertTrue(r[2].contains("--steps needs a value"), r[2]);
        r = EigenBenchTest.run("inputgrads", "--fast");
        assertTrue(r[2].contains("unknown inputgrads option --fast"), r[2]);
    }

    @Test
    void rowsAreTheFloat32AnchorsWithFewInputs() {
        assertEquals(List.of("RNN/pixelMNIST/fp32", "LSTM/pixelMNIST/fp32", "GRU/pixelMNIST/fp32"),
                InputGradientsBench.selected(0).stream().map(BenchShape::key).toList());
        assertTrue(InputGradientsBench.selected(3).stream().allMatch(s -> s.steps() == 3 && s.input() == 1));
    }
}
