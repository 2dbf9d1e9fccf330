package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.RecurrentLayer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class ProfiledRunsGpuTest {

    @Test
    void runsEachRowEagerlyAndLeavesTheGraphSettingAsItWas() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no GPU: " + CudaBackend.unavailableReason().orElse(""));
        assumeTrue(System.getProperty(RecurrentLayer.GRAPHS_PROPERTY) == null, "-Dmnemo.cuda.graphs is set");
        String[] r = EigenBenchTest.run("profile", "--cells", "RNN", "--shapes", "small", "--runs", "1");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("profiled RNN/small/fp32 (T=100 B=64 I=256 H=256): 1 forward + backward, path "),
                r[1]);
        assertTrue(r[1].strip().endsWith(", graphs false"), r[1]);
        assertNull(System.getProperty(RecurrentLayer.GRAPHS_PROPERTY), "the graph setting is restored");
    }
}
