package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.nn.linalg.Eigen;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class EigenBenchGpuTest {

    @Test
    void aShortRunPrintsEveryColumnOfTheBatchedAndSingleRows() {
        assumeTrue(Eigen.gpuUnavailableReason().isEmpty(), () -> "no GPU: " + Eigen.gpuUnavailableReason().orElse(""));
        String[] r = EigenBenchTest.run("eigen", "--repeats", "1", "--max-order", "64", "--batch-count", "4");
        assertEquals("0", r[0], r[2]);
        List<String> rows = r[1].lines().filter(l -> l.startsWith("| batch/") || l.startsWith("| single/")).toList();
        assertEquals(List.of("batch/4x16/fp32", "batch/4x16/fp64", "batch/4x64/fp32", "batch/4x64/fp64",
                "single/64/fp32", "single/64/fp64"), rows.stream().map(l -> l.split("\\|")[1].strip()).toList(), r[1]);
        for (String row : rows) {
            assertEquals(13, row.split("\\|", -1).length - 1, "twelve cells: " + row);
        }
        String[] single = rows.get(4).split("\\|");
        assertTrue(Double.parseDouble(single[7].strip()) > 0, "bare Xgeev timed: " + rows.get(4));
        double ratio = Double.parseDouble(single[8].strip());
        assertTrue(ratio > 0, "API / bare: " + rows.get(4));
        String[] spread = single[9].strip().split("–");
        assertTrue(Double.parseDouble(spread[0]) <= ratio && ratio <= Double.parseDouble(spread[1]),
                "the median lies within p25–p75: " + rows.get(4));
        assertTrue(Double.parseDouble(single[10].strip()) > 0, "CPU timed at n = 64: " + rows.get(4));
        assertTrue(single[11].strip().equals("CPU") || single[11].strip().equals("GPU"), rows.get(4));
        assertTrue(Double.parseDouble(single[12].strip()) > 0, "AUTO / bare: " + rows.get(4));
    }
}
