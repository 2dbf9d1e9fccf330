package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaEvent;
import dev.mnemo.cuda.kernels.NarrowInputPlan;
import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.NarrowInputSetting;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The input side of a layer direction's backward ({@link Backend#inputGradients}: dW_ih, both biases,
 * ∂L/∂input over all T·B rows) at the anchors with few inputs (pixel MNIST: I = 1), with the narrow kernel
 * ({@code mnemo.cuda.narrowInput=on}, one read of dWx) and with the cuBLAS GEMMs and column sums
 * ({@code off}, four reads), side by side in one process: µs (median, on the backend's stream), the ratio,
 * and what the kernel's read of dWx comes to in GB/s. For scale, the layer's other work outside its time
 * loops at the same shape: the forward's input projection {@code x·W_ihᵀ} and the backward's
 * {@code dW_hh += dRhᵀ·H_prev} over all steps, one cuBLAS GEMM each.
 *
 * <pre>
 *   ... GpuBenchmarkRunner inputgrads [--repeats N] [--steps T]
 * </pre>
 * {@code --steps} replaces the anchors' T (a short run).
 * A {@code --torch FILE} (as gpu-bench.sh passes every extra table) is accepted and unused: this table
 * compares Mnemo with itself.
 */
final class InputGradientsBench {
    private InputGradientsBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int repeats = 20;
        int steps = 0;
        for (int i = 0; i < args.length; i++) {
            if (List.of("--repeats", "--torch", "--steps").contains(args[i]) && i + 1 == args.length) {
                err.println("gpu-bench: " + args[i] + " needs a value");
                return 2;
            }
            switch (args[i]) {
                case "--torch" -> i++;
                case "--repeats", "--steps" -> {
                    int value = BenchArgs.atLeastOne(args[i], args[++i], err);
                    if (value < 1) {
                        return 2;
                    }
                    if (args[i - 1].equals("--repeats")) {
                        repeats = value;
                    } else {
                        steps = value;
                    }
                }
                default -> {
                    err.println("gpu-bench: unknown inputgrads option " + args[i]);
                    return 2;
                }
            }
        }
        if (GpuBenchmarkRunner.skippedWithoutCuda(out)) {
            return 0;
        }
        CudaBackend gpu = CudaBackend.float32();
        out.println("# Input-side gradients (dW_ih, db_ih, db_hh, dx over all T·B rows): narrow kernel vs GEMMs + column "
                + "sums, µs (median of " + repeats + ", backend stream)");
        out.println();
        out.println("| cell | shape | T·B | G·H | I | narrow µs | GEMMs µs | GEMMs / narrow | narrow reads dWx at "
                + "| x·W_ihᵀ µs | dW_hh µs |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        try (CudaEvent start = CudaEvent.create(gpu.context()); CudaEvent end = CudaEvent.create(gpu.context())) {
            for (BenchShape shape : selected(steps)) {
                out.println(row(gpu, shape, repeats, start, end));
            }
        }
        return 0;
    }

    /** The float32 anchors the narrow kernel takes, with T = {@code steps} when it is not 0. */
    static List<BenchShape> selected(int steps) {
        List<BenchShape> rows = new ArrayList<>();
        for (BenchShape anchor : BenchShape.ANCHORS) {
            BenchShape s = steps == 0 ? anchor : anchor.withDims(steps, anchor.batch(), anchor.input(), anchor.hidden());
            int gates = StepSplitsBench.gateCount(s.cell()) * s.hidden();
            if (s.math().equals("fp32") && NarrowInputPlan.fits((long) s.steps() * s.batch(), gates, s.input())) {
                rows.add(s);
            }
        }
        return rows;
    }

    private static String row(CudaBackend gpu, BenchShape s, int repeats, CudaEvent start, CudaEvent end) {
        int rows = s.steps() * s.batch();
        int gates = StepSplitsBench.gateCount(s.cell()) * s.hidden();
        boolean shared = !s.cell().equals("GRU");   // RNN, LSTM: db_hh from the same sums
        Tensor dWx = StepSplitsBench.filled(gpu, 1e-3f, rows, gates);
        Tensor x = StepSplitsBench.filled(gpu, 0.5f, rows, s.input());
        Tensor w = StepSplitsBench.filled(gpu, 0.01f, gates, s.input());
        Tensor dw = gpu.zeros(gates, s.input());
        Tensor dbIh = gpu.zeros(gates);
        Tensor dbHh = gpu.zeros(gates);
        Tensor dIn = gpu.zeros(rows, s.input());
        var call = new Backend.InputGradients(dWx, x, w, dw, dbIh, shared ? dbHh : null, dIn, 0.0);
        double[] ms = new double[2];
        String[] settings = {"on", "off"};
        for (int k = 0; k < 2; k++) {
            ms[k] = SystemProperties.with(NarrowInputSetting.PROPERTY, settings[k],
                    () -> MemnetReadBench.time(start, end, gpu.stream(), () -> gpu.inputGradients(call), repeats));
        }
        // The other two GEMMs over all steps, as the layer calls them: x·W_ihᵀ into dWx's place, and
        // dW_hh from every step but the first (that one pairs with h0 in a small GEMM of its own).
        double projectionMs = MemnetReadBench.time(start, end, gpu.stream(),
                () -> gpu.gemm(false, true, 1.0, x, w, 0.0, dWx), repeats);
        Tensor hPrev = StepSplitsBench.filled(gpu, 0.1f, rows - s.batch(), s.hidden());
        Tensor dwHh = gpu.zeros(gates, s.hidden());
        Tensor dRest = dWx.slice(s.batch(), rows);
        double recurrentMs = MemnetReadBench.time(start, end, gpu.stream(),
                () -> gpu.gemm(true, false, 1.0, dRest, hPrev, 1.0, dwHh), repeats);
        for (Tensor t : new Tensor[] {dWx, x, w, dw, dbIh, dbHh, dIn, hPrev, dwHh}) {
            gpu.release(t);
        }
        double gbPerS = (double) rows * gates * Float.BYTES / (ms[0] * 1e-3) / 1e9;
        return String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %.1f | %.1f | %.2f× | %.0f GB/s | %.1f | %.1f |",
                s.cell(), s.shape(), rows, gates, s.input(), ms[0] * 1e3, ms[1] * 1e3, ms[1] / ms[0], gbPerS,
                projectionMs * 1e3, recurrentMs * 1e3);
    }
}
