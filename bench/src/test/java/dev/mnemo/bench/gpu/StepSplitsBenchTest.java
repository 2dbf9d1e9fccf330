package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The stepsplits table's options and rows, without a GPU. */
class StepSplitsBenchTest {

    @Test
    void badOptionsExitTwoAndSayWhy() {
        String[] r = EigenBenchTest.run("stepsplits", "--repeats", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--repeats must be an integer >= 1, got 0"), r[2]);
        r = EigenBenchTest.run("stepsplits", "--dims", "64");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--dims must be B,H (integers >= 1), got 64"), r[2]);
        r = EigenBenchTest.run("stepsplits", "--shapes");
        assertTrue(r[2].contains("--shapes needs a value"), r[2]);
        r = EigenBenchTest.run("stepsplits", "--fast");
        assertTrue(r[2].contains("unknown stepsplits option --fast"), r[2]);
        r = EigenBenchTest.run("stepsplits", "--shapes", "huge");   // was a table of no rows
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("stepsplits --shapes must name some of"), r[2]);
    }

    @Test
    void rowsAreTheAnchorsNamedOrOneCustomRowPerCell() {
        List<String> keys = StepSplitsBench.selected(List.of("large", "bigbatch"), null).stream()
                .map(BenchShape::key).toList();
        assertEquals(List.of("RNN/large/fp32", "RNN/bigbatch/fp32", "LSTM/large/fp32", "LSTM/bigbatch/fp32",
                "GRU/large/fp32", "GRU/bigbatch/fp32", "RNN/large/tf32", "LSTM/large/tf32", "GRU/large/tf32"), keys);
        List<BenchShape> custom = StepSplitsBench.selected(List.of("small", "mid"), new int[] {4, 16});
        assertEquals(List.of("RNN", "LSTM", "GRU"), custom.stream().map(BenchShape::cell).toList());
        assertTrue(custom.stream().allMatch(s -> s.batch() == 4 && s.hidden() == 16 && s.math().equals("fp32")),
                custom.toString());
    }
}
