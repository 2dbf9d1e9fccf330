package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.nn.cuda.CudaBackend;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class StepSplitsBenchGpuTest {

    @Test
    void aShortRunTimesEverySplitOfEachCell() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no GPU: " + CudaBackend.unavailableReason().orElse(""));
        String[] r = EigenBenchTest.run("stepsplits", "--repeats", "1", "--shapes", "small", "--dims", "4,8");
        assertEquals("0", r[0], r[2]);
        List<String> rows = r[1].lines().filter(l -> l.startsWith("| RNN") || l.startsWith("| LSTM")
                || l.startsWith("| GRU")).toList();
        assertEquals(3, rows.size(), r[1]);
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertEquals(13, cells.length, row);
            for (int k = 6; k <= 9; k++) {
                assertTrue(Double.parseDouble(cells[k].strip()) > 0, "S column " + k + " timed: " + row);
            }
            assertTrue(cells[10].strip().matches("S=[1248]"), row);
        }
    }
}
