package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.cuda.CudaEvent;
import dev.mnemo.nn.cuda.CudaBackend;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class DepthSplitsBenchGpuTest {

    @Test
    void aSmallProductIsTimedWholeAndSplitInAGraph() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no GPU: " + CudaBackend.unavailableReason().orElse(""));
        CudaBackend gpu = CudaBackend.float32();
        var small = new DepthSplitsBench.Row("small", 4, 3, 16, false);
        var transposed = new DepthSplitsBench.Row("small, transposed", 4, 3, 16, true);
        try (CudaEvent start = CudaEvent.create(gpu.context()); CudaEvent end = CudaEvent.create(gpu.context())) {
            for (int s : new int[] {1, 4}) {
                assertTrue(DepthSplitsBench.micros(gpu, small, s, 1, start, end) > 0, "S = " + s);
                assertTrue(DepthSplitsBench.micros(gpu, transposed, s, 1, start, end) > 0, "S = " + s + ", transposed");
            }
        }
    }
}
