package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.CudaEvent;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.DepthSplits;
import dev.mnemo.nn.cuda.StepSplits;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Narrow per-step products with a long depth, whole (S = 1) and split over their depth into S
 * slices summed by one kernel ({@link Backend#depthSplitProduct}, {@link DepthSplits}): microseconds
 * per product, the kernels alone ({@value #PRODUCTS} products recorded in one CUDA Graph). The first
 * two rows are the projected LSTM bench row's products (B 64, H 1024, P 256), which split by default;
 * the others are the unprojected backward's {@code dh = dRh·W_hh}, which does not split (yet), timed
 * so that the numbers can say whether it should.
 *
 * <pre>
 *   ... GpuBenchmarkRunner depthsplits [--repeats N]
 * </pre>
 * A {@code --torch FILE} (as gpu-bench.sh passes every extra table) is accepted and unused.
 */
final class DepthSplitsBench {
    static final int PRODUCTS = 50;
    static final int[] SPLITS = {1, 2, 4, 8, 16};

    /** A product {@code [rows, depth]·[depth, cols]} ({@code transB}: the second stored {@code [cols, depth]}). */
    record Row(String name, int rows, int cols, int depth, boolean transB) {
    }

    static final List<Row> ROWS = List.of(
            new Row("projected LSTM h = m·W_hrᵀ", 64, 256, 1024, true),
            new Row("projected LSTM dh = dGates·W_hh", 64, 256, 4096, false),
            new Row("LSTM large dh = dRh·W_hh", 64, 1024, 4096, false),
            new Row("GRU large dh = dRh·W_hh", 64, 1024, 3072, false),
            new Row("RNN large dh = dRh·W_hh", 64, 1024, 1024, false),
            new Row("LSTM small dh = dRh·W_hh", 64, 256, 1024, false));

    private DepthSplitsBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int repeats = 10;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 == args.length) {
                err.println("gpu-bench: " + a + " needs a value; usage: depthsplits [--repeats N]");
                return 2;
            }
            String v = args[++i];
            switch (a) {
                case "--torch" -> {
                    // accepted, unused: this table compares Mnemo with itself
                }
                case "--repeats" -> {
                    repeats = BenchArgs.atLeastOne(a, v, err);
                    if (repeats < 1) {
                        return 2;
                    }
                }
                default -> {
                    err.println("gpu-bench: unknown depthsplits option " + a);
                    return 2;
                }
            }
        }
        if (GpuBenchmarkRunner.skippedWithoutCuda(out)) {
            return 0;
        }
        CudaBackend gpu = CudaBackend.float32();
        int sms = CudaDevice.query(gpu.context().ordinal()).multiprocessors();
        out.println("# Narrow products split over their depth: µs per product (the batched GEMM and the sum of its S "
                + "partials, " + PRODUCTS + " products in one CUDA Graph, median of " + repeats + "), float32");
        out.println();
        out.println("| product | M × N over K | S=1 | S=2 | S=4 | S=8 | S=16 | fastest | auto picks | S=1 / fastest |");
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        try (CudaEvent start = CudaEvent.create(gpu.context()); CudaEvent end = CudaEvent.create(gpu.context())) {
            for (Row r : ROWS) {
                out.println(row(gpu, r, sms, repeats, start, end));
            }
        }
        return 0;
    }

    private static String row(CudaBackend gpu, Row r, int sms, int repeats, CudaEvent start, CudaEvent end) {
        List<String> cells = new ArrayList<>();
        double[] us = new double[SPLITS.length];
        int fastest = 0;
        for (int k = 0; k < SPLITS.length; k++) {
            us[k] = micros(gpu, r, SPLITS[k], repeats, start, end);
            cells.add(String.format(Locale.ROOT, "%.2f", us[k]));
            if (!(us[k] >= us[fastest])) {
                fastest = k;
            }
        }
        int auto = DepthSplits.splits(StepSplits.AUTO, r.rows(), r.cols(), r.depth(), sms);
        return String.format(Locale.ROOT, "| %s | %d × %d over %d | %s | S=%d | S=%d | %.2f× |", r.name(), r.rows(),
                r.cols(), r.depth(), String.join(" | ", cells), SPLITS[fastest], auto, us[0] / us[fastest]);
    }

    /** µs per product of {@code r} in {@code splits} slices (1: one GEMM), from one replayed graph. */
    static double micros(CudaBackend gpu, Row r, int splits, int repeats, CudaEvent start, CudaEvent end) {
        Tensor a = StepSplitsBench.filled(gpu, 0.01f, r.rows(), r.depth());
        Tensor b = StepSplitsBench.filled(gpu, 0.02f, r.transB() ? new int[] {r.cols(), r.depth()}
                : new int[] {r.depth(), r.cols()});
        Tensor c = gpu.zeros(r.rows(), r.cols());
        Tensor partials = splits == 1 ? null : gpu.zeros(splits, r.rows(), r.cols());
        try (Backend.Recording recording = gpu.record(() -> {
            for (int i = 0; i < PRODUCTS; i++) {
                gpu.depthSplitProduct(a, b, r.transB(), c, partials);
            }
        })) {
            return MemnetReadBench.time(start, end, gpu.stream(), recording::replay, repeats) * 1e3 / PRODUCTS;
        } finally {
            for (Tensor t : new Tensor[] {a, b, c, partials}) {
                if (t != null) {
                    gpu.release(t);
                }
            }
        }
    }
}
