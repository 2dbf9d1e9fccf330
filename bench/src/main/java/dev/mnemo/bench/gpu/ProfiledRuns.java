package dev.mnemo.bench.gpu;

import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.layers.RecurrentLayer;
import java.io.PrintStream;
import java.util.List;

/**
 * A few forward + backward runs of the selected rows and nothing else, for a profiler to attribute
 * their GPU time kernel by kernel ({@code scripts/gpu-ncu.sh} runs it under Nsight Compute and
 * {@code scripts/ncu-kernel-table.py} sums the launches by kernel). It times nothing itself.
 *
 * <pre>
 *   ... GpuBenchmarkRunner profile [--cells LSTM] [--shapes projected] [--math fp32] [--runs N]
 * </pre>
 *
 * <p>The time loops run eagerly unless {@code -Dmnemo.cuda.graphs} is given: each step's kernels are
 * then separate launches, which is what a per-launch profile reads best (a kernel's time is the same
 * in a graph). The first run is as cold as any first call; {@code --runs 2} (the default) gives the
 * profile a warm one too.
 */
final class ProfiledRuns {
    private ProfiledRuns() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> cells = null;
        List<String> shapes = null;
        List<String> maths = List.of("fp32");
        int runs = 2;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 == args.length) {
                err.println("gpu-bench: " + a + " needs a value; usage: profile [--cells ...] [--shapes ...] "
                        + "[--math ...] [--runs N]");
                return 2;
            }
            String v = args[++i];
            switch (a) {
                case "--cells" -> cells = List.of(v.split(","));
                case "--shapes" -> shapes = List.of(v.split(","));
                case "--math" -> maths = List.of(v.split(","));
                case "--runs" -> {
                    runs = BenchArgs.atLeastOne(a, v, err);
                    if (runs < 1) {
                        return 2;
                    }
                }
                default -> {
                    err.println("gpu-bench: unknown profile option " + a);
                    return 2;
                }
            }
        }
        List<BenchShape> rows;
        try {
            rows = BenchShape.select(cells, shapes, maths);
        } catch (IllegalArgumentException e) {
            err.println("gpu-bench: " + e.getMessage());
            return 2;
        }
        if (GpuBenchmarkRunner.skippedWithoutCuda(out)) {
            return 0;
        }
        String graphs = System.getProperty(RecurrentLayer.GRAPHS_PROPERTY, "false");
        String graphsBefore = System.setProperty(RecurrentLayer.GRAPHS_PROPERTY, graphs);
        try {
            for (BenchShape s : rows) {
                CudaBackend be = s.math().equals("tf32") ? CudaBackend.tf32() : CudaBackend.float32();
                RecurrentBenchCase c = RecurrentBenchCase.build(s, be);
                for (int r = 0; r < runs; r++) {
                    c.forwardBackward();
                }
                be.synchronize();
                out.println("profiled " + s.key() + " (" + s.dims() + "): " + runs + " forward + backward, path "
                        + RecurrentBenchCase.pathOf(s) + ", graphs " + graphs);
            }
        } finally {
            if (graphsBefore == null) {
                System.clearProperty(RecurrentLayer.GRAPHS_PROPERTY);
            }
        }
        return 0;
    }
}
