package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.nn.cuda.CudaBackend;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class HostCostBenchGpuTest {

    @Test
    void aShortRunTimesEveryColumnOnTheEmulatorAndExplainsItselfElsewhere() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no GPU: " + CudaBackend.unavailableReason().orElse(""));
        String[] r = EigenBenchTest.run("hostcost", "--cells", "LSTM", "--shapes", "small", "--repeats", "1",
                "--warmup-ms", "0");
        assertEquals("0", r[0], r[2]);
        if (HostCostBench.hostOnlySwitch().isEmpty()) {   // a real driver
            assertTrue(r[1].contains("hostcost needs Mnemo's emulated driver"), r[1]);
            return;
        }
        List<String> rows = r[1].lines().filter(l -> l.startsWith("| LSTM")).toList();
        assertEquals(1, rows.size(), r[1]);
        String[] cells = rows.getFirst().split("\\|");
        assertEquals(13, cells.length, rows.getFirst());
        for (int k : new int[] {6, 7, 8, 9, 11, 12}) {
            assertTrue(Double.parseDouble(cells[k].strip()) > 0, "column " + k + " timed: " + rows.getFirst());
        }
        // the MemNet table: the three ways, each column timed (M 8, M 128, a streaming step)
        for (String way : new String[] {"| the layer's step loops", "| the step loops recorded", "| one launch a call"}) {
            List<String> memnet = r[1].lines().filter(l -> l.startsWith(way)).toList();
            assertEquals(1, memnet.size(), r[1]);
            String[] columns = memnet.getFirst().split("\\|");
            assertEquals(5, columns.length, memnet.getFirst());
            for (int k = 2; k <= 4; k++) {
                assertTrue(Double.parseDouble(columns[k].strip()) > 0, "column " + k + " timed: " + memnet.getFirst());
            }
        }
        assertTrue(r[1].contains("training fwd+bwd, M 128, T 160, µs"), r[1]);
        // host-only mode is off again: a kernel runs
        var gpu = CudaBackend.float32();
        var t = gpu.zeros(4);
        gpu.fill(t, 2.0);
        assertEquals(2.0, t.to(dev.mnemo.nn.Device.CPU).getFlat(3));
    }
}
