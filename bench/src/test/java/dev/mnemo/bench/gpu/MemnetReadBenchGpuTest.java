package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.nn.cuda.CudaBackend;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class MemnetReadBenchGpuTest {

    @Test
    void aShortRunTimesEveryRowBothWays() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no GPU: " + CudaBackend.unavailableReason().orElse(""));
        String[] r = EigenBenchTest.run("memnet", "--repeats", "1", "--shapes", "2x16x8,3x300x16", "--sequence", "off");
        assertEquals("0", r[0], r[2]);
        List<String> rows = r[1].lines().filter(l -> l.matches("\\| \\d+ \\| \\d+ \\| \\d+ \\|.*")).toList();
        assertEquals(2, rows.size(), r[1]);
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertEquals(16, row.split("\\|", -1).length - 1, "fifteen cells: " + row);
            assertTrue(Double.parseDouble(cells[4].strip()) > 0, "ours µs, events on the backend's stream: " + row);
            assertTrue(Double.parseDouble(cells[12].strip()) > 0, "ours in a graph: " + row);
            assertTrue(Double.parseDouble(cells[15].strip()) > 0, "ours µs, legacy-stream events: " + row);
        }
        assertFalse(r[1].contains("MemNet read over a sequence"), "--sequence off: " + r[1]);
        assertFalse(r[1].contains("MemNet cell over a sequence"), "--sequence off: " + r[1]);
    }

    @Test
    void theCellCaseTrainsTheLayerAndHandsItsResultsBack() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no GPU: " + CudaBackend.unavailableReason().orElse(""));
        CudaBackend gpu = CudaBackend.float32();
        gpu.reclaimUnreachable();   // earlier tests' tensors, before the first step takes their blocks back
        MemNetCellCase cell = MemNetCellCase.build(gpu);
        assertEquals(12_738, cell.net().flatParameters().numel(), "memnet.md's code defaults");
        assertEquals("cell_loop_fwd_bwd/T64xB256xM8xd32xin1", cell.torchKey());
        MemNetCellCase wide = MemNetCellCase.wideMemory(gpu);
        assertEquals("cell_loop_fwd_bwd/T160xB256xM128xd32xin1", wide.torchKey(), "memnet_bench.py's second cell");
        assertEquals(128, wide.net().options().slots());
        assertEquals(12_738, wide.net().flatParameters().numel(), "M does not change the count");
        cell.forwardBackward();   // the first call may keep what lasts (workspaces, cached blocks)
        long before = gpu.memoryStats().inUseBytes();
        cell.forwardBackward();
        gpu.synchronize();
        long after = gpu.memoryStats().inUseBytes();
        assertTrue(after <= before, "a step hands back all it took: in use " + before + " then " + after);
        double[] g = cell.net().flatGradients().to(dev.mnemo.nn.Device.CPU).toDoubleArray();
        assertTrue(java.util.Arrays.stream(g).anyMatch(v -> v != 0), "the backward wrote gradients");

        MemNetStreamCase stream = MemNetStreamCase.build(gpu, cell.net());
        stream.step();
        long streaming = gpu.memoryStats().inUseBytes();
        stream.step();
        gpu.synchronize();
        long afterStep = gpu.memoryStats().inUseBytes();
        assertTrue(afterStep <= streaming, "a streaming step hands back its output: in use " + streaming + " then "
                + afterStep);
        assertEquals(2, stream.state().steps(), "each call is one step of every stream");
        assertTrue(cell.net().isTraining(), "the step leaves the layer's mode as it found it");
    }
}
