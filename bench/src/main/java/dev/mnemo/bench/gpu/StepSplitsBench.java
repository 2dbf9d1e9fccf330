package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.CudaEvent;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Nonlinearity;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.StepSplits;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-step loop of the anchors (float32 and TF32), {@code h_{t−1}·W_hhᵀ} then the cell's pointwise kernel,
 * with the product whole (S = 1) and in S = 2, 4, 8 partials ({@link StepSplits}): microseconds per
 * step, the kernels alone ({@value #STEPS} steps recorded in one CUDA Graph, each step reading the
 * h the step before wrote). The table says which S is fastest per shape and what {@code auto}
 * picks, which is what deciding the default needs.
 *
 * <pre>
 *   ... GpuBenchmarkRunner stepsplits [--repeats N] [--shapes small,mid,large,bigbatch] [--dims B,H]
 * </pre>
 * {@code --dims} replaces the anchors with one row per cell at batch B and hidden size H. A
 * {@code --torch FILE} (as gpu-bench.sh passes every extra table) is accepted and unused: this
 * table compares Mnemo with itself.
 */
final class StepSplitsBench {
    static final int STEPS = 50;
    static final int[] SPLITS = {1, 2, 4, 8};

    private StepSplitsBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int repeats = 10;
        List<String> shapes = List.of("small", "mid", "large", "bigbatch");
        int[] dims = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (List.of("--repeats", "--shapes", "--dims", "--torch").contains(a) && i + 1 == args.length) {
                err.println("gpu-bench: " + a + " needs a value");
                return 2;
            }
            switch (a) {
                case "--torch" -> i++;
                case "--dims" -> {
                    dims = parseBatchHidden(args[++i]);
                    if (dims == null) {
                        err.println("gpu-bench: --dims must be B,H (integers >= 1), got " + args[i]);
                        return 2;
                    }
                }
                case "--repeats" -> {
                    repeats = BenchArgs.atLeastOne(a, args[++i], err);
                    if (repeats < 1) {
                        return 2;
                    }
                }
                case "--shapes" -> {
                    try {   // each name stripped and known: " mid" and a typo were dropped silently
                        shapes = BenchArgs.names("--shapes", args[++i],
                                BenchShape.ANCHORS.stream().map(BenchShape::shape).distinct().toList());
                    } catch (IllegalArgumentException e) {
                        err.println("gpu-bench: stepsplits " + e.getMessage());
                        return 2;
                    }
                }
                default -> {
                    err.println("gpu-bench: unknown stepsplits option " + a);
                    return 2;
                }
            }
        }
        if (selected(shapes, dims).isEmpty()) {   // an unknown shape made a table of no rows
            err.println("gpu-bench: stepsplits --shapes must name some of "
                    + BenchShape.ANCHORS.stream().map(BenchShape::shape).distinct().toList() + ", got " + shapes);
            return 2;
        }
        if (GpuBenchmarkRunner.skippedWithoutCuda(out)) {
            return 0;
        }
        CudaBackend gpu = CudaBackend.float32();
        int sms = CudaDevice.query(gpu.context().ordinal()).multiprocessors();
        out.println("# Per-step recurrent product whole (S = 1) or in S partials: µs per step (product + cell kernel, "
                + STEPS + " steps in one CUDA Graph, median of " + repeats + ")");
        out.println();
        out.println("| cell | shape | math | B | H | S=1 | S=2 | S=4 | S=8 | fastest | auto picks | S=1 / fastest |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        try (CudaEvent start = CudaEvent.create(gpu.context()); CudaEvent end = CudaEvent.create(gpu.context())) {
            for (BenchShape shape : selected(shapes, dims)) {
                CudaBackend be = shape.math().equals("tf32") ? CudaBackend.tf32() : gpu;
                out.println(row(be, shape, sms, repeats, start, end));
            }
        }
        return 0;
    }

    /** The anchors named in {@code shapes}, or with {@code dims} one float32 custom row per cell. */
    static List<BenchShape> selected(List<String> shapes, int[] dims) {
        List<BenchShape> rows = new ArrayList<>();
        for (BenchShape shape : BenchShape.ANCHORS) {
            if (shapes.contains(shape.shape()) && (dims == null || shape.math().equals("fp32"))) {
                rows.add(dims == null ? shape : shape.withDims(STEPS, dims[0], dims[1], dims[1]));
            }
        }
        return dims == null ? rows : rows.stream().filter(distinctCells()).toList();
    }

    private static java.util.function.Predicate<BenchShape> distinctCells() {
        var seen = new java.util.HashSet<String>();
        return shape -> seen.add(shape.cell());
    }

    private static int[] parseBatchHidden(String v) {
        String[] parts = v.split(",", -1);
        try {
            int b = Integer.parseInt(parts[0].strip());
            int h = Integer.parseInt(parts[parts.length - 1].strip());
            return parts.length == 2 && b >= 1 && h >= 1 ? new int[] {b, h} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String row(CudaBackend gpu, BenchShape shape, int sms, int repeats, CudaEvent start,
                              CudaEvent end) {
        int width = gateCount(shape.cell()) * shape.hidden();
        List<String> cells = new ArrayList<>();
        double[] us = new double[SPLITS.length];
        int fastest = 0;
        for (int k = 0; k < SPLITS.length; k++) {
            int s = SPLITS[k];
            if (shape.hidden() % s != 0) {
                us[k] = Double.NaN;
                cells.add("–");
                continue;
            }
            us[k] = microsPerStep(gpu, shape, s, repeats, start, end);
            cells.add(String.format(Locale.ROOT, "%.2f", us[k]));
            if (!(us[k] >= us[fastest])) {
                fastest = k;
            }
        }
        int auto = StepSplits.splits(StepSplits.AUTO, shape.batch(), width, shape.hidden(), shape.math().equals("tf32"),
                sms);
        return String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %s | S=%d | S=%d | %.2f× |", shape.cell(),
                shape.shape(), shape.math(), shape.batch(), shape.hidden(), String.join(" | ", cells), SPLITS[fastest],
                auto, us[0] / us[fastest]);
    }

    static int gateCount(String cell) {
        return switch (cell) {
            case "LSTM" -> 4;
            case "GRU" -> 3;
            default -> 1;
        };
    }

    /** One graph of {@link #STEPS} steps with the product in {@code splits} partials, replayed: µs per step. */
    static double microsPerStep(CudaBackend gpu, BenchShape shape, int splits, int repeats, CudaEvent start,
                                CudaEvent end) {
        StepLoop loop = StepLoop.build(gpu, shape, splits);
        try (Backend.Recording recording = gpu.record(loop::run)) {
            return MemnetReadBench.time(start, end, gpu.stream(), recording::replay, repeats) * 1e3 / STEPS;
        }
    }

    /** The buffers of one cell's step loop: h ping-pongs between two buffers, so each step reads the last. */
    private record StepLoop(CudaBackend gpu, String cell, Tensor wx, Tensor wHh, Tensor bias, Tensor rh,
                            Tensor[] h, Tensor c, Tensor gates, Tensor hn) {

        static StepLoop build(CudaBackend gpu, BenchShape shape, int splits) {
            int b = shape.batch();
            int hidden = shape.hidden();
            int width = gateCount(shape.cell()) * hidden;
            Tensor rh = splits == 1 ? gpu.zeros(b, width) : gpu.zeros(splits, b, width);
            Tensor[] h = {filled(gpu, 0.1f, b, hidden), gpu.zeros(b, hidden)};
            return new StepLoop(gpu, shape.cell(), filled(gpu, 0.05f, b, width),
                    filled(gpu, 0.01f, width, hidden), filled(gpu, 0.02f, width), rh, h,
                    filled(gpu, 0.1f, b, hidden), gpu.zeros(b, width), gpu.zeros(b, hidden));
        }

        void run() {
            for (int t = 0; t < STEPS; t++) {
                Tensor hPrev = h[t % 2];
                Tensor hNext = h[(t + 1) % 2];
                gpu.recurrentProduct(hPrev, wHh, rh);
                switch (cell) {
                    case "LSTM" -> gpu.lstmCellForward(wx, rh, bias, bias, c, gates, c, hNext);
                    case "GRU" -> gpu.gruCellForward(wx, rh, bias, bias, hPrev, gates, hn, hNext);
                    default -> gpu.rnnCellForward(Nonlinearity.TANH, wx, rh, bias, bias, hNext);
                }
            }
        }
    }

    /** A tensor of {@code shape} with every element {@code value}. */
    static Tensor filled(CudaBackend gpu, float value, int... shape) {
        Tensor t = gpu.zeros(shape);
        gpu.fill(t, value);
        return t;
    }
}
