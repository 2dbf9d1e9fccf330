package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.nn.cuda.CudaBackend;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class InputGradientsBenchGpuTest {

    @Test
    void aShortRunTimesBothPathsOfEachCell() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no GPU: " + CudaBackend.unavailableReason().orElse(""));
        String[] r = EigenBenchTest.run("inputgrads", "--repeats", "1", "--steps", "2");
        assertEquals("0", r[0], r[2]);
        List<String> rows = r[1].lines().filter(l -> l.startsWith("| RNN") || l.startsWith("| LSTM")
                || l.startsWith("| GRU")).toList();
        assertEquals(3, rows.size(), r[1]);
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertEquals(12, cells.length, row);
            assertEquals("256", cells[3].strip(), "T·B = 2·128: " + row);
            assertTrue(Double.parseDouble(cells[6].strip()) > 0 && Double.parseDouble(cells[7].strip()) > 0, row);
            assertTrue(cells[8].strip().endsWith("×") && cells[9].strip().endsWith("GB/s"), row);
            assertTrue(Double.parseDouble(cells[10].strip()) > 0 && Double.parseDouble(cells[11].strip()) > 0, row);
        }
    }
}
