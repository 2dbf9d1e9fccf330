package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persistent rows' shapes, the shapes file for rnn_bench.py, and the option errors: no GPU needed. */
class PersistentBenchmarkTest {

    @Test
    void rowsAreTheLatencyAnchorsSmallAndThePerStepLatencyShapes() {
        List<BenchShape> all = PersistentBenchmark.shapes(List.of());
        assertTrue(all.stream().anyMatch(s -> s.key().equals("LSTM/latency_b1/fp32") && s.steps() == 1000
                && s.batch() == 1 && s.hidden() == 256));
        assertTrue(all.stream().anyMatch(s -> s.key().equals("GRU/pixelMNIST/fp32") && s.batch() == 128));
        assertTrue(all.stream().anyMatch(s -> s.key().equals("RNN/small/fp32") && s.batch() == 64 && s.hidden() == 256));
        assertTrue(all.stream().anyMatch(s -> s.key().equals("LSTM/step_b8_h512/fp32") && s.steps() == 200
                && s.input() == 512));
        assertTrue(all.stream().allMatch(s -> s.math().equals("fp32")));
        assertTrue(all.stream().anyMatch(s -> s.key().equals("GRU/packed_b8/fp32") && s.lengths() != null
                && s.lengths().length == 8));
        assertEquals(9 + 12 + 3, all.size());
        assertTrue(PersistentBenchmark.shapes(List.of("RNN")).stream().allMatch(s -> s.cell().equals("RNN")));
    }

    @Test
    void emitShapesWritesEveryKeyForTheTorchScript(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("shapes.json");
        var out = new ByteArrayOutputStream();
        int rc = GpuBenchmarkRunner.run(new String[] {"--persistent", "--cells", "GRU", "--emit-shapes", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, rc);
        String json = Files.readString(file);
        assertTrue(json.contains("\"GRU/latency_b1/fp32\"") && json.contains("\"GRU/step_b1_h1024/fp32\""), json);
        assertTrue(!json.contains("LSTM/"), json);
    }

    @Test
    void badOptionsExitWith2() {
        var err = new ByteArrayOutputStream();
        int rc = GpuBenchmarkRunner.run(new String[] {"--persistent", "--bogus", "1"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--bogus"));
        var unknownCell = new ByteArrayOutputStream();   // was a report of no rows
        assertEquals(2, GpuBenchmarkRunner.run(new String[] {"--persistent", "--cells", "TCN"}, System.out,
                new PrintStream(unknownCell, true, StandardCharsets.UTF_8)));
        assertTrue(unknownCell.toString(StandardCharsets.UTF_8).contains("--cells must name some of RNN, LSTM, GRU"));
    }

    @Test
    void theVariantOptionNamesWhatRuns() {
        assertEquals(List.of(dev.mnemo.nn.cuda.PersistentVariant.GRID, dev.mnemo.nn.cuda.PersistentVariant.CLUSTER),
                PersistentBenchmark.variants("both"));
        assertEquals(List.of(dev.mnemo.nn.cuda.PersistentVariant.CLUSTER), PersistentBenchmark.variants("Cluster"));
        assertEquals(List.of(dev.mnemo.nn.cuda.PersistentVariant.AUTO), PersistentBenchmark.variants("auto"));
        var err = new ByteArrayOutputStream();
        int rc = GpuBenchmarkRunner.run(new String[] {"--persistent", "--persistent-variant", "fastest"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--persistent-variant"), err.toString());
        var h100 = new dev.mnemo.cuda.kernels.PersistentKernels.DeviceLimits(132, 232448, true, 9, 0);
        var cluster = new dev.mnemo.nn.cuda.PersistentPolicy(dev.mnemo.nn.cuda.PersistentPolicy.Mode.PERSISTENT, h100)
                .choose(dev.mnemo.cuda.kernels.PersistentKernels.Cell.LSTM, 1000, 1, 256);
        assertEquals("cluster: 1 × S 8, J 32, Bc 1", PersistentBenchmark.kernel(cluster));
        var grid = new dev.mnemo.nn.cuda.PersistentPolicy(dev.mnemo.nn.cuda.PersistentPolicy.Mode.PERSISTENT,
                dev.mnemo.nn.cuda.PersistentVariant.GRID, h100).choose(dev.mnemo.cuda.kernels.PersistentKernels.Cell.LSTM,
                1000, 1, 256);
        assertEquals("grid: 128 blocks × J 2", PersistentBenchmark.kernel(grid));
        var wide = new dev.mnemo.nn.cuda.PersistentPolicy(dev.mnemo.nn.cuda.PersistentPolicy.Mode.PERSISTENT,
                dev.mnemo.nn.cuda.PersistentVariant.AUTO, dev.mnemo.cuda.kernels.PersistentWeights.FP32,
                dev.mnemo.cuda.kernels.PersistentClusterPlan.AUTO_SIZE, true, h100)
                .choose(dev.mnemo.cuda.kernels.PersistentKernels.Cell.GRU, 784, 128, 128);
        assertEquals("wide-block: 128 blocks × 384 threads", PersistentBenchmark.kernel(wide));
    }
}
