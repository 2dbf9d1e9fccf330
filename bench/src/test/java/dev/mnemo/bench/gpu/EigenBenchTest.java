package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.nn.linalg.Eigen;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EigenBenchTest {

    static String[] run(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int rc = GpuBenchmarkRunner.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void badArgumentsExitTwoWithTheUsage() {
        String[] r = run("eigen", "--repeats");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("usage: eigen [--repeats N] [--torch FILE.json] [--max-order N] [--batch-count N]"), r[2]);
        assertEquals("2", run("eigen", "--torch", "/nonexistent/torch.json")[0]);
        // a count that is not one was a NumberFormatException's stack trace; 0 silently became 1
        for (String bad : new String[] {"x", "0", "-3"}) {
            r = run("eigen", "--repeats", bad);
            assertEquals("2", r[0], bad);
            assertEquals("gpu-bench: --repeats must be an integer >= 1, got " + bad, r[2].strip());
        }
        assertEquals("2", run("eigen", "--batch-count", "many")[0]);
    }

    @Test
    void theRatioSpreadIsTheInterquartileRangeAndSmallOrdersGetMorePairs() {
        assertEquals(2.0, EigenBench.quantile(new double[] {5, 1, 4, 2, 3}, 0.25), 1e-12);
        assertEquals(4.0, EigenBench.quantile(new double[] {5, 1, 4, 2, 3}, 0.75), 1e-12);
        assertEquals(1.75, EigenBench.quantile(new double[] {4, 3, 2, 1}, 0.25), 1e-12);
        assertEquals(7.0, EigenBench.quantile(new double[] {7}, 0.75), 1e-12);
        assertEquals(30, EigenBench.pairsFor(64, 10));
        assertEquals(30, EigenBench.pairsFor(256, 10));
        assertEquals(10, EigenBench.pairsFor(512, 10));
        assertEquals(5, EigenBench.pairsFor(2048, 10));
        assertEquals(10, EigenBench.pairsFor(1024, 20));
    }

    @Test
    void pairsAlternateWhichCallGoesFirstSoASecondCallPenaltyFallsOnBoth() {
        long[] now = {0};
        int[] calls = {0};
        StringBuilder order = new StringBuilder();
        // both take 2 ms, and whichever runs second in its pair 1 ms more
        java.util.function.Function<String, Runnable> call = name -> () -> {
            order.append(name);
            now[0] += 2_000_000L + (calls[0]++ % 2 == 1 ? 1_000_000L : 0);
        };
        double[] r = EigenBench.pairedMedians(4, call.apply("a"), call.apply("b"), () -> now[0]);
        assertEquals("ababab" + "abbaabba", order.toString());
        assertEquals(2.5, r[0], 1e-9);   // median ms of a: 2, 3, 2, 3
        assertEquals(2.5, r[1], 1e-9);   // of b: 3, 2, 3, 2
        assertEquals(2.0 / 3.0, r[3], 1e-9);
        assertEquals(1.5, r[4], 1e-9);
    }

    @Test
    void withoutAGpuItSaysWhyAndExitsZero() {
        assumeTrue(Eigen.gpuUnavailableReason().isPresent(), "a GPU is present: the eigen rows run instead");
        String[] r = run("eigen", "--repeats", "3");
        assertEquals("0", r[0], r[2]);
        assertEquals(GpuBenchmarkRunner.SKIP_PREFIX + Eigen.gpuUnavailableReason().orElseThrow(), r[1].strip());
    }
}
