package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.bench.gpu.PersistentBenchmark.Run;
import dev.mnemo.cuda.kernels.PersistentKernels.Cell;
import dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits;
import dev.mnemo.cuda.kernels.PersistentWeights;
import dev.mnemo.nn.cuda.PersistentPolicy;
import dev.mnemo.nn.cuda.PersistentVariant;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --persistent-weights}: parsing, which rows run, and how a row names its precision. No GPU needed. */
class PersistentBenchmarkWeightsTest {
    static final DeviceLimits H100 = new DeviceLimits(132, 232448, true, 9, 0);

    @Test
    void theOptionParses() {
        assertEquals(List.of(PersistentWeights.FP32, PersistentWeights.BF16), PersistentBenchmark.weights("both"));
        assertEquals(List.of(PersistentWeights.BF16), PersistentBenchmark.weights("BF16"));
        assertEquals(List.of(PersistentWeights.FP32), PersistentBenchmark.weights("fp32"));
        var err = new ByteArrayOutputStream();
        int rc = GpuBenchmarkRunner.run(new String[] {"--persistent", "--persistent-weights", "fp16"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--persistent-weights must be fp32, bf16 or both, "
                + "got 'fp16'"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void bothTimesEachVariantWithEachPrecisionButNoBf16Grid() {
        var both = PersistentBenchmark.weights("both");
        assertEquals(List.of(new Run(PersistentVariant.GRID, PersistentWeights.FP32),
                        new Run(PersistentVariant.CLUSTER, PersistentWeights.FP32),
                        new Run(PersistentVariant.CLUSTER, PersistentWeights.BF16)),
                PersistentBenchmark.runs(PersistentBenchmark.variants("both"), both));
        assertEquals(List.of(new Run(PersistentVariant.AUTO, PersistentWeights.FP32),
                        new Run(PersistentVariant.AUTO, PersistentWeights.BF16)),
                PersistentBenchmark.runs(List.of(PersistentVariant.AUTO), both));
        // asked for explicitly, a bf16 grid row runs (and says its weights stayed fp32)
        assertEquals(List.of(new Run(PersistentVariant.GRID, PersistentWeights.BF16)),
                PersistentBenchmark.runs(List.of(PersistentVariant.GRID), List.of(PersistentWeights.BF16)));
    }

    @Test
    void rowsNameTheirPrecision() {
        var bf16 = new PersistentPolicy(PersistentPolicy.Mode.PERSISTENT, PersistentVariant.CLUSTER,
                PersistentWeights.BF16, H100).choose(Cell.LSTM, 1000, 1, 600);
        assertEquals("cluster: 1 × S 16, J 38, Bc 1, bf16 W_hh", PersistentBenchmark.kernel(bf16, PersistentWeights.BF16));
        var fp32 = new PersistentPolicy(PersistentPolicy.Mode.PERSISTENT, H100).choose(Cell.LSTM, 1000, 1, 256);
        assertEquals("cluster: 1 × S 8, J 32, Bc 1", PersistentBenchmark.kernel(fp32, PersistentWeights.FP32));
        var grid = new PersistentPolicy(PersistentPolicy.Mode.PERSISTENT, PersistentVariant.GRID,
                PersistentWeights.BF16, H100).choose(Cell.LSTM, 1000, 1, 256);
        assertEquals("grid: 128 blocks × J 2 (bf16 asked: W_hh stays fp32 on the grid kernels)",
                PersistentBenchmark.kernel(grid, PersistentWeights.BF16));
    }
}
