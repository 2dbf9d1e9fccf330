package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaEvent;
import dev.mnemo.cuda.kernels.PersistentWeights;
import dev.mnemo.cuda.kernels.PersistentWideKernels;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.PersistentPolicy;
import dev.mnemo.nn.cuda.PersistentVariant;
import dev.mnemo.nn.cuda.PersistentWeightsSetting;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The persistent-kernel rows: each latency-bound shape timed twice on the same card in the same run,
 * once with {@code mnemo.recurrent.path=per-step} and once with {@code =persistent}, beside
 * PyTorch/cuDNN's numbers for the same key when {@code --torch} is given (from
 * {@code bench/torch/rnn_bench.py} run on {@code --emit-shapes}'s file). Shapes: the anchors'
 * {@code latency_b1} and {@code pixelMNIST} rows (fp32), gpu-anchors.md's per-step-latency rows
 * (T = 200, I = H, B ∈ {1, 8}), named {@code step_b<B>_h<H>}, and the variable-length
 * {@code packed_b8} rows (each path with the rows' lengths).
 *
 * <pre>
 *   GpuBenchmarkRunner --persistent [--cells LSTM,GRU] [--repeats N] [--warmup N]
 *                      [--persistent-variant auto|cluster|grid|both] [--persistent-weights fp32|bf16|both]
 *                      [--out FILE.md] [--torch FILE.json] [--emit-shapes FILE.json] [--dims T,B,I,H]
 * </pre>
 * {@code --dims} replaces the shapes by one row per cell at those dimensions (shape {@code custom}).
 * Timing as {@link GpuBenchmarkRunner}'s (CUDA events, median, warm-up); the Markdown has per row
 * the path {@code auto} would take, which persistent kernel ran ({@code persistent} = the
 * cooperative grid variant, {@code persistent-cluster} = the sm_90+ cluster variant, with its
 * geometry), both paths' forward (inference, as torch's in eval() under inference_mode) and forward+backward
 * medians, µs per step of the persistent forward, and torch / persistent ratios. {@code --persistent-variant} sets
 * {@code mnemo.persistent.variant} for the persistent timings ({@code auto}, the default: the
 * cluster variant where it runs, else the grid one); {@code both} times the grid and the cluster
 * variant of each shape as two rows beside one per-step timing, on the same card in the same run.
 * {@code --persistent-weights} sets {@code mnemo.persistent.weights} for the persistent timings
 * ({@code fp32}, the default; {@code bf16}: the cluster kernels hold W_hh as bfloat16); {@code both}
 * times each variant with each precision, one row each, the precision in the kernel column
 * ({@code , bf16 W_hh}); the grid variant has no bf16 kernel, so with {@code both} its bf16 row is
 * left out. The per-step timing always runs float32.
 */
final class PersistentBenchmark {
    private PersistentBenchmark() {
    }

    /**
     * The rows, in order: anchors' latency_b1, pixelMNIST and small (fp32), the per-step-latency rows,
     * then the packed_b8 rows. small (B = 64, H = 256) is where {@code auto} stops at its batch limit
     * although a cluster plan exists: the row says whether that limit should move.
     */
    static List<BenchShape> shapes(List<String> cells) {
        List<BenchShape> out = new ArrayList<>();
        for (BenchShape s : BenchShape.ANCHORS) {
            if (s.math().equals("fp32") && List.of("latency_b1", "pixelMNIST", "small").contains(s.shape())) {
                out.add(s);
            }
        }
        int[][] bh = {{1, 128}, {1, 256}, {1, 512}, {1, 1024}, {8, 256}, {8, 512}};
        for (String cell : List.of("LSTM", "GRU")) {
            for (int[] r : bh) {
                out.add(new BenchShape(cell, "step_b" + r[0] + "_h" + r[1], 200, r[0], r[1], r[1], "fp32",
                        Double.NaN, Double.NaN));
            }
        }
        BenchShape.PACKED.stream().filter(s -> s.shape().equals(BenchShape.PACKED_B8_SHAPE)).forEach(out::add);
        return out.stream().filter(s -> cells.isEmpty() || cells.contains(s.cell())).toList();
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> cells = List.of();
        int repeats = GpuBenchmarkRunner.DEFAULT_REPEATS;
        int warmup = GpuBenchmarkRunner.DEFAULT_WARMUP;
        Path md = null;
        Path torchFile = null;
        Path emit = null;
        List<PersistentVariant> variants = List.of(PersistentVariant.AUTO);
        List<PersistentWeights> weights = List.of(PersistentWeights.FP32);
        int[] dims = null;
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "--cells" -> cells = BenchArgs.names("--cells", v, BenchShape.CELLS);
                    case "--repeats" -> repeats = BenchArgs.count("--repeats", v);
                    case "--warmup" -> warmup = BenchArgs.count("--warmup", v);
                    case "--out" -> md = Path.of(v);
                    case "--torch" -> torchFile = Path.of(v);
                    case "--emit-shapes" -> emit = Path.of(v);
                    case "--persistent-variant" -> variants = variants(v);
                    case "--persistent-weights" -> weights = weights(v);
                    case "--dims" -> dims = BenchShape.parseDims(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (warmup > GpuBenchmarkRunner.MAX_WARMUP) {   // both sides ran 200 while the shapes file said more
                throw new IllegalArgumentException("--warmup must be <= " + GpuBenchmarkRunner.MAX_WARMUP + ", got "
                        + warmup);
            }
            List<BenchShape> shapes = shapes(cells);
            if (shapes.isEmpty()) {   // an unknown cell made a report of no rows
                throw new IllegalArgumentException("--cells must name some of RNN, LSTM, GRU, got " + cells);
            }
            if (dims != null) { // the cells at your own dimensions, one "custom" row each
                int[] d = dims;
                shapes = shapes.stream().map(s -> s.withDims(d[0], d[1], d[2], d[3])).distinct().toList();
            }
            var options = new GpuBenchmarkRunner.Options(cells, List.of(), List.of(), repeats, warmup, null, null, null,
                    null);
            if (emit != null) {
                Files.writeString(emit, GpuBenchmarkRunner.shapesJson(shapes, options));
                out.println("gpu-bench --persistent: wrote " + shapes.size() + " shapes to " + emit);
                return 0;
            }
            String reason = CudaBackend.unavailableReason().orElse("");
            if (!reason.isEmpty()) {
                out.println(GpuBenchmarkRunner.SKIP_PREFIX + reason);
                return 0;
            }
            TorchResults torch = (torchFile != null && Files.isRegularFile(torchFile) ? TorchResults.read(torchFile)
                    : TorchResults.none("no --torch file")).comparableTo(shapes, GpuBenchmarkRunner.cardName(),
                    options.forwardRepeats(), options.forwardBackwardRepeats());
            String report = measure(shapes, options, runs(variants, weights), torch, out);
            if (md != null) {
                Files.writeString(md, report);
                out.println("gpu-bench --persistent: wrote " + md);
            } else {
                out.print(report);
            }
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("gpu-bench --persistent: " + e.getMessage());
            return 2;
        }
    }

    /** {@code auto}, {@code cluster}, {@code grid}, or {@code both} (grid then cluster). */
    static List<PersistentVariant> variants(String text) {
        if (text.trim().equalsIgnoreCase("both")) {
            return List.of(PersistentVariant.GRID, PersistentVariant.CLUSTER);
        }
        try {
            return List.of(PersistentVariant.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--persistent-variant must be auto, cluster, grid or both, got '" + text
                    + "'");
        }
    }

    /** {@code fp32}, {@code bf16}, or {@code both} (fp32 then bf16). */
    static List<PersistentWeights> weights(String text) {
        if (text.trim().equalsIgnoreCase("both")) {
            return List.of(PersistentWeights.FP32, PersistentWeights.BF16);
        }
        try {
            return List.of(PersistentWeightsSetting.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--persistent-weights must be fp32, bf16 or both, got '" + text + "'");
        }
    }

    /** One persistent timing: the variant and W_hh precision asked for. */
    record Run(PersistentVariant variant, PersistentWeights weights) {
    }

    /**
     * Every variant with every precision, variant-major; with more than one precision the grid
     * variant's bf16 run is dropped (the grid kernels have no bf16 weights: it would repeat its fp32 row).
     */
    static List<Run> runs(List<PersistentVariant> variants, List<PersistentWeights> weights) {
        List<Run> out = new ArrayList<>();
        for (PersistentVariant v : variants) {
            for (PersistentWeights w : weights) {
                if (weights.size() > 1 && v == PersistentVariant.GRID && w == PersistentWeights.BF16) {
                    continue;
                }
                out.add(new Run(v, w));
            }
        }
        return out;
    }

    private static String measure(List<BenchShape> shapes, GpuBenchmarkRunner.Options options,
                                  List<Run> runs, TorchResults torch, PrintStream out) {
        CudaBackend gpu = CudaBackend.float32();
        StringBuilder b = new StringBuilder();
        b.append("# Persistent vs per-step recurrent forward (").append(withPath("auto", gpu::recurrentPathDescription))
                .append(")\n\n");
        b.append("| key | dims | auto path | persistent kernel | per-step fwd ms | persistent fwd ms | µs/step | "
                + "torch fwd ms | torch/persistent fwd | per-step fwd+bwd ms | persistent fwd+bwd ms | torch fwd+bwd ms | "
                + "torch/persistent fwd+bwd |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        try (CudaContext context = BenchDevice.open();
             CudaEvent start = CudaEvent.create(context);
             CudaEvent end = CudaEvent.create(context)) {
            var timer = GpuBenchmarkRunner.EventTimer.onBackendStream(start, end);
            for (BenchShape s : shapes) {
                try {
                    var cell = s.recurrentCell();
                    var auto = withPath("auto", () -> gpu.recurrentPath(cell, s.steps(), s.batch(), s.hidden()));
                    RecurrentBenchCase c = RecurrentBenchCase.build(s, gpu);
                    Timing perStepF = withPath("per-step", () -> timer.time(c::infer, options.warmup(),
                            options.forwardRepeats()));
                    Timing perStepFb = withPath("per-step", () -> timer.time(c::forwardBackward, options.warmup(),
                            options.forwardBackwardRepeats()));
                    Timing tf = torch.forward().get(s.key());
                    Timing tfb = torch.forwardBackward().get(s.key());
                    for (Run run : runs) {
                        try {
                            String v = run.variant().toString();
                            String w = run.weights().toString();
                            var ran = withPath("persistent", v, w,
                                    () -> gpu.recurrentPath(cell, s.steps(), s.batch(), s.hidden()));
                            Timing persF = withPath("persistent", v, w, () -> timer.time(c::infer, options.warmup(),
                                    options.forwardRepeats()));
                            Timing persFb = withPath("persistent", v, w, () -> timer.time(c::forwardBackward,
                                    options.warmup(), options.forwardBackwardRepeats()));
                            b.append(String.format(Locale.ROOT,
                                    "| %s | %s | %s | %s | %.3f | %.3f | %.2f | %s | %s | %.3f | %.3f | %s | %s |%n",
                                    s.key(), s.dims(), auto.path(), kernel(ran, run.weights()), perStepF.medianMs(),
                                    persF.medianMs(), 1000 * persF.medianMs() / s.steps(), ms(tf), ratio(tf, persF),
                                    perStepFb.medianMs(), persFb.medianMs(), ms(tfb), ratio(tfb, persFb)));
                            out.printf(Locale.ROOT,
                                    "%-24s %-26s per-step %8.3f ms  %s (W_hh %s) %8.3f ms (%.2f µs/step)%n", s.key(),
                                    s.dims(), perStepF.medianMs(), ran.path(), ran.weights(), persF.medianMs(),
                                    1000 * persF.medianMs() / s.steps());
                        } catch (RuntimeException e) {
                            failed(b, out, s, "variant " + run.variant() + ", weights " + run.weights(), e);
                        }
                    }
                } catch (RuntimeException e) {
                    failed(b, out, s, "", e);
                }
                System.gc();
            }
        }
        // why a torch column is empty: no PyTorch side, or a row it did not time as ours ran
        List<String> notes = new ArrayList<>();
        if (!torch.available()) {
            notes.add("PyTorch side missing: " + torch.reason());
        }
        for (BenchShape s : shapes) {
            if (torch.errors().containsKey(s.key())) {
                notes.add(s.key() + ": torch: " + torch.errors().get(s.key()));
            }
        }
        if (!notes.isEmpty()) {
            b.append("\nNotes:\n\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    private static void failed(StringBuilder b, PrintStream out, BenchShape s, String what, RuntimeException e) {
        b.append("| ").append(s.key()).append(" | ").append(s.dims()).append(" | failed")
                .append(what.isEmpty() ? "" : " (" + what + ")").append(": ").append(e.getMessage())
                .append(" ||||||||||\n");
        out.println(s.key() + (what.isEmpty() ? "" : " " + what) + " failed: " + e);
    }

    /** Which persistent kernel a choice ran, with its geometry, for the table. */
    static String kernel(PersistentPolicy.Choice choice) {
        return switch (choice.path()) {
            case GRID -> "grid: " + choice.plan().grid() + " blocks × J " + choice.plan().unitsPerBlock();
            case WIDE -> {  // the plan it replaced names the shape
                var cluster = choice.clusterPlan();
                var grid = choice.plan();
                long batch = cluster != null ? cluster.batch() : grid.batch();
                var cell = cluster != null ? cluster.cell() : grid.cell();
                yield "wide-block: " + batch + " blocks × "
                        + PersistentWideKernels.blockThreads(cell, choice.unitsPerBlock()) + " threads";
            }
            case CLUSTER -> "cluster: " + choice.clusterPlan().clusters() + " × S " + choice.clusterPlan().clusterSize()
                    + ", J " + choice.clusterPlan().unitsPerBlock() + ", Bc " + choice.clusterPlan().rowsPerCluster()
                    + (choice.weights() == PersistentWeights.BF16 ? ", bf16 W_hh" : "");
            case PER_STEP -> "none";
        };
    }

    /** As {@link #kernel(PersistentPolicy.Choice)}, saying when bf16 was asked but the kernel ran fp32 weights. */
    static String kernel(PersistentPolicy.Choice choice, PersistentWeights asked) {
        String k = kernel(choice);
        return asked == PersistentWeights.BF16 && choice.weights() != PersistentWeights.BF16 && choice.persistent()
                ? k + " (bf16 asked: W_hh stays fp32 on the grid kernels)" : k;
    }

    private static String ms(Timing t) {
        return t == null ? "—" : String.format(Locale.ROOT, "%.3f", t.medianMs());
    }

    private static String ratio(Timing torch, Timing ours) {
        return torch == null ? "—" : String.format(Locale.ROOT, "%.2f×", torch.medianMs() / ours.medianMs());
    }

    static <T> T withPath(String path, Supplier<T> body) {
        return withPath(path, PersistentVariant.AUTO.toString(), body);
    }

    /** Runs {@code body} with the recurrent path and the persistent variant properties set, fp32 weights. */
    static <T> T withPath(String path, String variant, Supplier<T> body) {
        return withPath(path, variant, PersistentWeights.FP32.toString(), body);
    }

    /** Runs {@code body} with the recurrent path, the persistent variant and the cluster weight properties set. */
    static <T> T withPath(String path, String variant, String weights, Supplier<T> body) {
        String before = System.getProperty(PersistentPolicy.PROPERTY);
        String variantBefore = System.getProperty(PersistentVariant.PROPERTY);
        String weightsBefore = System.getProperty(PersistentWeightsSetting.PROPERTY);
        System.setProperty(PersistentPolicy.PROPERTY, path);
        System.setProperty(PersistentVariant.PROPERTY, variant);
        System.setProperty(PersistentWeightsSetting.PROPERTY, weights);
        try {
            return body.get();
        } finally {
            SystemProperties.restore(PersistentPolicy.PROPERTY, before);
            SystemProperties.restore(PersistentVariant.PROPERTY, variantBefore);
            SystemProperties.restore(PersistentWeightsSetting.PROPERTY, weightsBefore);
        }
    }
}
