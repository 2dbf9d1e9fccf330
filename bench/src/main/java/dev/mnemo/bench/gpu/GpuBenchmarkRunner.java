package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaDevice;
import dev.mnemo.cuda.CudaDriver;
import dev.mnemo.cuda.CudaEvent;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.CudaProbe;
import dev.mnemo.nn.cuda.AllocatorSetting;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.DepthSplits;
import dev.mnemo.nn.cuda.StepSplits;
import dev.mnemo.nn.layers.RecurrentLayer;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Times Mnemo's CUDA recurrent layers on the shapes of {@code gpu-anchors.md}'s cuDNN table
 * ({@link BenchShape#ANCHORS}), on variable-length batches ({@link BenchShape#PACKED}) and on a
 * projected LSTM ({@link BenchShape#PROJECTED}), and writes a JSON + Markdown report beside PyTorch/cuDNN's numbers
 * from {@code bench/torch/rnn_bench.py}, with the ratio torch / ours for each row.
 *
 * <h2>Usage</h2>
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp "jars/*" dev.mnemo.bench.gpu.GpuBenchmarkRunner [options]
 *     --cells RNN,LSTM,GRU      cells to run (default all)
 *     --shapes small,large      shape names: the anchors', "packed", "packed_b8" and "projected" (default all)
 *     --math fp32,tf32          GEMM precisions (default both)
 *     --repeats N               timed forward runs per row (default 20); forward+backward runs max(3, N/2)
 *     --warmup N                untimed runs first (default 5, and at least 250 ms of them)
 *     --out FILE.json           report (FILE.md beside it); without it, the Markdown goes to stdout
 *     --torch FILE.json         the PyTorch script's results, joined by key "CELL/shape/math"
 *     --emit-shapes FILE.json   write the selected shapes and the repeat policy for the script, and stop
 *   ... GpuBenchmarkRunner memnet [--torch TORCH.json] [--repeats N]   the MemNet read (MemnetReadBench)
 *   ... GpuBenchmarkRunner eigen [--repeats N] [--torch FILE.json]   eigenvalue rows instead ({@link EigenBench})
 *   ... GpuBenchmarkRunner stepsplits [--repeats N] [--shapes ...] [--dims B,H]   the per-step product whole or in
 *                                                         partials ({@link StepSplitsBench})
 *   ... GpuBenchmarkRunner depthsplits [--repeats N]   narrow per-step products whole or split over their depth
 *                                                         ({@link DepthSplitsBench})
 *   ... GpuBenchmarkRunner inputgrads [--repeats N]   the input-side gradients: the narrow kernel against the
 *                                                         GEMMs and column sums ({@link InputGradientsBench})
 *   ... GpuBenchmarkRunner hostcost [--cells ...] [--shapes ...] [--repeats N]   the host's µs per call on the
 *                                                         emulated driver, no GPU needed ({@link HostCostBench})
 *   ... GpuBenchmarkRunner profile [--cells ...] [--shapes ...] [--math ...] [--runs N]   forward + backward runs
 *                                                         for a profiler, timing nothing ({@link ProfiledRuns})
 * </pre>
 *
 * <h2>Timing</h2>
 * Each row builds the layer with seed 1 on {@link CudaBackend#float32()} or {@link CudaBackend#tf32()},
 * an input {@code [T, B, I]} of U(−1, 1) and ∂L/∂output = 1. Forward is {@code infer(x, null)}, as
 * PyTorch's side runs its layer in {@code eval()} mode under {@code inference_mode} (cuDNN's inference
 * forward; under {@code no_grad} alone a module in training mode runs cuDNN's training forward). The
 * training forward's time, which keeps the trace for a backward, is printed beside it; forward+backward is {@code forward(x, null)},
 * {@code zeroGradients()} and {@code backward(saved, dy, null)} (every weight gradient and ∂L/∂x). Each timed run sits between two CUDA events recorded on the
 * stream the backend queues its work on, as PyTorch's script records its events on the stream its
 * kernels run on; the report keeps the median and p10 / p90. Runs 1–9 (2026-11-27/28) recorded them on
 * the legacy default stream instead, which the backend's blocking stream waits for and is waited on
 * by, so each of those times held two cross-stream waits that torch's did not; the console line
 * still prints the forward timed that way, for continuity. Each run releases its own results as it
 * ends ({@link RecurrentBenchCase}), as PyTorch frees its results when the call returns, so each
 * run's allocations are timed and served from the caching allocator (unless
 * {@code -Dmnemo.cuda.allocator=direct}); the GPU is drained between runs, as in the PyTorch script.
 *
 * <p>Without CUDA (no driver, no device, no cuBLAS, or a jar built without kernels) it prints
 * "GPU benchmarks skipped: CUDA unavailable: REASON", still writes the report when {@code --out} is
 * given (PyTorch's rows only), and exits 0, so scripts may call it anywhere.
 */
public final class GpuBenchmarkRunner {

    /** The defaults, as in gpu-anchors.md: 20 forward and 10 forward+backward runs per row. */
    static final int DEFAULT_REPEATS = 20;
    static final int DEFAULT_WARMUP = 5;
    static final long MIN_WARMUP_MS = 250;
    static final int MAX_WARMUP = 200;
    static final String SKIP_PREFIX = "GPU benchmarks skipped: CUDA unavailable: ";

    private GpuBenchmarkRunner() {
    }

    /** The parsed command line. */
    record Options(List<String> cells, List<String> shapes, List<String> maths, int repeats, int warmup,
                   Path out, Path torch, Path emitShapes, int[] dims) {

        /** The selected anchor rows, or, with {@code --dims}, their cells and maths at those dimensions. */
        List<BenchShape> select() {
            List<BenchShape> rows = BenchShape.select(cells, shapes, maths);
            if (dims == null) {
                return rows;
            }
            // withDims keeps the cell and math only: a packed or projected row named in --shapes would silently
            // lose its lengths or projection; unnamed, those rows are just not the ones --dims resizes
            java.util.function.Predicate<BenchShape> special = s -> s.lengths() != null || s.projSize() > 0;
            if (rows.stream().anyMatch(special.and(s -> shapes.contains(s.shape())))) {
                throw new IllegalArgumentException("--dims sets plain rows' dimensions; it cannot keep the "
                        + "lengths of shape " + BenchShape.PACKED_SHAPE + " or the projection of shape "
                        + BenchShape.PROJECTED_SHAPE + ": choose other --shapes");
            }
            return rows.stream().filter(special.negate()).map(s -> s.withDims(dims[0], dims[1], dims[2], dims[3]))
                    .distinct().toList();
        }

        int forwardRepeats() {
            return repeats;
        }

        int forwardBackwardRepeats() {
            return Math.max(3, repeats / 2);
        }

        static Options parse(String... args) {
            List<String> cells = List.of();
            List<String> shapes = List.of();
            List<String> maths = List.of();
            int repeats = DEFAULT_REPEATS;
            int warmup = DEFAULT_WARMUP;
            Path out = null;
            Path torch = null;
            Path emit = null;
            int[] dims = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value (see --help)");
                }
                String v = args[++i];
                switch (a) {
                    case "--cells" -> cells = list(v);
                    case "--shapes" -> shapes = list(v);
                    case "--math" -> maths = list(v);
                    case "--repeats" -> repeats = positive(a, v);
                    case "--warmup" -> {
                        warmup = positive(a, v);
                        if (warmup > MAX_WARMUP) {   // was capped at MAX_WARMUP while the report said >= warmup
                            throw new IllegalArgumentException("--warmup must be <= " + MAX_WARMUP + ", got " + warmup);
                        }
                    }
                    case "--out" -> out = Path.of(v);
                    case "--torch" -> torch = Path.of(v);
                    case "--emit-shapes" -> emit = Path.of(v);
                    case "--dims" -> dims = BenchShape.parseDims(v);
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                }
            }
            return new Options(cells, shapes, maths, repeats, warmup, out, torch, emit, dims);
        }

        private static List<String> list(String v) {
            return Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }

        private static int positive(String name, String v) {
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an integer, got " + v);
            }
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + n);
            }
            return n;
        }
    }

    /** Whether CUDA cannot run here; then it says why on {@code out} (the subcommands then exit 0). */
    static boolean skippedWithoutCuda(PrintStream out) {
        String reason = CudaBackend.unavailableReason().orElse("");
        if (!reason.isEmpty()) {
            out.println(SKIP_PREFIX + reason);
        }
        return !reason.isEmpty();
    }

    public static void main(String[] args) {
        int rc = run(args, System.out, System.err);
        if (rc != 0) {
            System.exit(rc);
        }
    }

    /** Runs with {@code args}; returns the exit status (0 also when CUDA is unavailable; 2 on bad options or files). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("memnet")) {
            return MemnetReadBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("eigen")) { // eigenvalue timings: see EigenBench
            return EigenBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("stepsplits")) { // the per-step product in partials: StepSplitsBench
            return StepSplitsBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("inputgrads")) { // the narrow input backward vs GEMMs: InputGradientsBench
            return InputGradientsBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("hostcost")) { // the host's time per call, no GPU: HostCostBench
            return HostCostBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("depthsplits")) { // narrow products split over their depth
            return DepthSplitsBench.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("profile")) { // runs for a profiler, timing nothing: ProfiledRuns
            return ProfiledRuns.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(usage());
            return 0;
        }
        if (args.length > 0 && args[0].equals("--persistent")) {
            return PersistentBenchmark.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        Options options;
        List<BenchShape> shapes;
        try {
            options = Options.parse(args);
            shapes = options.select();
        } catch (IllegalArgumentException e) {
            err.println("gpu-bench: " + e.getMessage());
            return 2;
        }
        try {
            if (options.emitShapes() != null) {
                writeFile(options.emitShapes(), shapesJson(shapes, options));
                out.println("gpu-bench: wrote " + shapes.size() + " shapes to " + options.emitShapes());
                return 0;
            }
            TorchResults torch = loadTorch(options.torch()).comparableTo(shapes, cardName(),
                    options.forwardRepeats(), options.forwardBackwardRepeats());
            SequencedMap<String, String> env = environment(options, torch);
            Map<String, Timing> fwd = new LinkedHashMap<>();
            Map<String, Timing> fwdTrain = new LinkedHashMap<>();
            Map<String, Timing> fwdBwd = new LinkedHashMap<>();
            Map<String, String> errors = new LinkedHashMap<>();
            String skipped = CudaBackend.unavailableReason().orElse("");
            if (!skipped.isEmpty()) {
                out.println(SKIP_PREFIX + skipped);
            } else {
                measureAll(shapes, options, fwd, fwdTrain, fwdBwd, errors, out);
            }
            String torchNote = torch.available() ? "" : torch.reason();
            Report report = new Report(env, skipped, torchNote, Report.join(shapes, fwd, fwdTrain, fwdBwd, errors,
                    torch));
            if (options.out() != null) {
                Path md = markdownPath(options.out());
                report.write(options.out(), md);
                out.println("gpu-bench: wrote " + options.out() + " and " + md);
            } else if (skipped.isEmpty()) {
                out.print(report.toMarkdown());
            }
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("gpu-bench: " + e.getMessage());
            return 2;
        }
    }

    /** FILE.json → FILE.md (or FILE + ".md"). */
    static Path markdownPath(Path json) {
        String name = json.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(base + ".md");
    }

    /** The driver's version and the CUDA version it supports, as the reports print them. */
    static String driver(CudaProbe probe) {
        return probe.driverVersion() == 0 ? "unknown"
                : probe.driverVersion() + " (supports CUDA " + probe.cudaVersion() + ")";
    }

    /** The name of the card Mnemo's rows run on (-Dmnemo.cuda.device), as PyTorch names it; null without one. */
    static String cardName() {
        List<CudaDevice> devices = CudaProbe.probe().devices();
        int used = CudaBackend.defaultDevice();
        return used < devices.size() ? devices.get(used).name() : null;
    }

    private static TorchResults loadTorch(Path file) throws IOException {
        if (file == null) {
            return TorchResults.none("no --torch file given");
        }
        if (!Files.isRegularFile(file)) {
            return TorchResults.none("torch results file not found: " + file);
        }
        return TorchResults.read(file);
    }

    /** The shapes and the timing policy, for {@code rnn_bench.py}. */
    static String shapesJson(List<BenchShape> shapes, Options options) {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"warmup\": ").append(options.warmup()).append(",\n");
        b.append("  \"min_warmup_ms\": ").append(MIN_WARMUP_MS).append(",\n");
        b.append("  \"max_warmup\": ").append(MAX_WARMUP).append(",\n");
        b.append("  \"repeats_fwd\": ").append(options.forwardRepeats()).append(",\n");
        b.append("  \"repeats_fwd_bwd\": ").append(options.forwardBackwardRepeats()).append(",\n");
        b.append("  \"shapes\": [");
        String sep = "\n";
        for (BenchShape s : shapes) {
            int[] lengths = s.lengths();
            b.append(sep).append(String.format(Locale.ROOT,
                    "    {\"key\": %s, \"cell\": %s, \"shape\": %s, \"T\": %d, \"B\": %d, \"I\": %d, \"H\": %d, \"math\": %s%s}",
                    MiniJson.quote(s.key()), MiniJson.quote(s.cell()), MiniJson.quote(s.shape()), s.steps(),
                    s.batch(), s.input(), s.hidden(), MiniJson.quote(s.math()),
                    (lengths == null ? "" : ", \"lengths\": " + Arrays.toString(lengths))
                            + (s.projSize() == 0 ? "" : ", \"P\": " + s.projSize())));
            sep = ",\n";
        }
        return b.append(shapes.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
    }

    private static SequencedMap<String, String> environment(Options options, TorchResults torch) {
        SequencedMap<String, String> env = new LinkedHashMap<>();
        env.put("date", Instant.now().toString());
        CudaProbe probe = CudaProbe.probe();
        List<CudaDevice> devices = probe.devices();
        int used = CudaBackend.defaultDevice();   // -Dmnemo.cuda.device: the card Mnemo's rows ran on
        if (used < devices.size()) {
            CudaDevice d = devices.get(used);
            env.put("card", d.name() + " (sm_" + d.computeMajor() + d.computeMinor() + ", "
                    + d.multiprocessors() + " SMs" + (devices.size() > 1 ? ", device " + used + " of " + devices.size() : "")
                    + ")");
        } else {
            env.put("card", "none");
        }
        env.put("driver", driver(probe));
        env.put("cuBLAS", probe.cublas().available() ? probe.cublas().version() : "unavailable");
        env.put("java", Runtime.version().toString());
        env.put("policy", String.format(Locale.ROOT,
                "median of %d (fwd) / %d (fwd+bwd) after >= %d warm-up runs and >= %d ms (at most %d runs), the first "
                        + "shape measured once before all and discarded; CUDA events; fwd is inference on both sides "
                        + "(ours: infer, torch: eval() under inference_mode), train fwd keeps what a backward needs "
                        + "(ours: forward, torch: train() with autograd on), fwd+bwd with zero_grad and dL/dx like ours",
                options.forwardRepeats(), options.forwardBackwardRepeats(), options.warmup(), MIN_WARMUP_MS, MAX_WARMUP));
        if (CudaBackend.unavailableReason().isEmpty()) {
            env.put("recurrent path", CudaBackend.float32().recurrentPathDescription());
        }
        env.put("time-loop graphs", System.getProperty(RecurrentLayer.GRAPHS_PROPERTY, " ").isBlank() ? "auto"
                : System.getProperty(RecurrentLayer.GRAPHS_PROPERTY).strip()
                + " (" + RecurrentLayer.GRAPHS_PROPERTY + "; auto records a shape's per-step loops on its second call)");
        // the setting in effect, not the raw property (blank means caching, and was printed as "")
        env.put("allocator", (AllocatorSetting.configuredCaching() ? "caching" : "direct") + " (" + AllocatorSetting.PROPERTY
                + "; caching reuses the blocks of released tensors)");
        env.put("depth-split products", DepthSplits.setting() + " (" + DepthSplits.PROPERTY
                + "; auto splits a projected LSTM's narrow per-step products over their depth)");
        env.put("step product", StepSplits.setting() + " (" + StepSplits.PROPERTY
                + "; partials of the per-step recurrent GEMM)");
        torch.info().forEach((k, v) -> env.put("torch " + k, v));
        return env;
    }

    private static void measureAll(List<BenchShape> shapes, Options options, Map<String, Timing> fwd,
                                   Map<String, Timing> fwdTrain, Map<String, Timing> fwdBwd,
                                   Map<String, String> errors, PrintStream out) {
        CudaBackend.float32();
        try (CudaContext context = BenchDevice.open();
             CudaEvent start = CudaEvent.create(context);
             CudaEvent end = CudaEvent.create(context)) {
            EventTimer timer = EventTimer.onBackendStream(start, end);
            if (!shapes.isEmpty()) {
                discardedPass(shapes.getFirst(), timer, options);
            }
            for (BenchShape s : shapes) {
                try {
                    CudaBackend backend = s.math().equals("tf32") ? CudaBackend.tf32() : CudaBackend.float32();
                    RecurrentBenchCase c = RecurrentBenchCase.build(s, backend);
                    Timing f = timer.time(c::infer, options.warmup(), options.forwardRepeats());
                    fwd.put(s.key(), f);
                    Timing fb = timer.time(c::forwardBackward, options.warmup(), options.forwardBackwardRepeats());
                    fwdBwd.put(s.key(), fb);
                    Timing train = timer.time(c::forward, options.warmup(), options.forwardRepeats());
                    fwdTrain.put(s.key(), train);
                    double host = timer.hostMillis(c::infer, options.forwardRepeats());
                    Timing legacy = timer.onLegacyStream().time(c::infer, options.warmup(), options.forwardRepeats());
                    String path = RecurrentBenchCase.pathOf(s);
                    out.printf(Locale.ROOT, "%-24s %-26s fwd %9.3f ms  fwd+bwd %9.3f ms  (training fwd %.3f ms; fwd "
                                    + "host %.3f ms; fwd timed on the legacy stream as in runs 1-9 %.3f ms; %s)%n",
                            s.key(), s.dims(), f.medianMs(), fb.medianMs(), train.medianMs(), host, legacy.medianMs(),
                            path);
                } catch (RuntimeException e) {
                    errors.put(s.key(), e.getClass().getSimpleName() + ": " + e.getMessage());
                    out.println(s.key() + " failed: " + e);
                }
                System.gc();
            }
        }
    }

    /**
     * The first shape's three measurements, thrown away: the JIT's compilations, the libraries' set-up
     * and the GPU's clocks come before any timed block. Without it the first block timed in a process
     * ran slow (H200 run 7: the RNN pixel-MNIST row's infer 0.978 ms, its forward 0.876, timed third,
     * with identical kernels). A failure here is the real pass's to report.
     */
    private static void discardedPass(BenchShape s, EventTimer timer, Options options) {
        try {
            CudaBackend backend = s.math().equals("tf32") ? CudaBackend.tf32() : CudaBackend.float32();
            RecurrentBenchCase c = RecurrentBenchCase.build(s, backend);
            timer.time(c::infer, options.warmup(), options.forwardRepeats());
            timer.time(c::forwardBackward, options.warmup(), options.forwardBackwardRepeats());
            timer.time(c::forward, options.warmup(), options.forwardRepeats());
        } catch (RuntimeException e) {
            // measured again, and reported, in the pass that counts
        }
    }

    /**
     * Times runs between two events recorded on {@code stream}, the stream the backend queues its work on
     * (see the class comment); null: the legacy default stream, as runs 1–9 timed.
     */
    record EventTimer(CudaEvent start, CudaEvent end, CudaStream stream) {

        /** Events on the backend's own stream, as PyTorch records its events on the stream its kernels run on. */
        static EventTimer onBackendStream(CudaEvent start, CudaEvent end) {
            return new EventTimer(start, end, CudaBackend.float32().stream());
        }

        /** Events on the legacy default stream, which the backend's blocking stream waits for and is waited on by. */
        EventTimer onLegacyStream() {
            return new EventTimer(start, end, null);
        }

        private MemorySegment on() {
            return stream == null ? MemorySegment.NULL : stream.handle();
        }

        Timing time(Runnable op, int warmup, int repeats) {
            reclaim();
            long warmStart = System.nanoTime();
            for (int i = 0; i < MAX_WARMUP
                    && (i < warmup || System.nanoTime() - warmStart < MIN_WARMUP_MS * 1_000_000L); i++) {
                op.run();
                sync();
            }
            double[] ms = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                CudaDriver.eventRecord(start.handle(), on());
                op.run();
                CudaDriver.eventRecord(end.handle(), on());
                ms[i] = end.elapsedMillisSince(start);
            }
            return Timing.of(ms);
        }

        /**
         * The median host time of one call of {@code op} (enqueueing only; the GPU is drained before
         * each run, outside the timing). Near the event time, a run is bound by the host, not the GPU.
         */
        double hostMillis(Runnable op, int repeats) {
            reclaim();
            op.run();
            double[] ms = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                sync();
                long t0 = System.nanoTime();
                op.run();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            sync();
            return Timing.of(ms).medianMs();
        }

        /**
         * Before a block of runs (untimed): a garbage collection returns the blocks of tensors that
         * earlier rows left unreachable to the caching allocator, and an allocation takes them in.
         * Runs release their own results (RecurrentBenchCase), so none is needed between runs, where
         * it would leave the next call's host side cold, as PyTorch's loop is not.
         */
        private void reclaim() {
            System.gc();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            CudaBackend.float32().zeros(1);
            sync();
        }

        private void sync() {
            CudaDriver.eventRecord(end.handle(), on());
            end.synchronize();
        }
    }

    private static void writeFile(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text);
    }

    static String usage() {
        return """
                usage: GpuBenchmarkRunner [--cells RNN,LSTM,GRU] [--shapes NAME,...] [--math fp32,tf32]
                                          [--repeats N] [--warmup N] [--out FILE.json] [--torch FILE.json]
                                          [--emit-shapes FILE.json] [--dims T,B,I,H]
                Times Mnemo's CUDA RNN/LSTM/GRU on gpu-anchors.md's shapes beside PyTorch/cuDNN's results;
                --dims times the selected cells and maths at your own dimensions instead (shape "custom").
                GpuBenchmarkRunner --persistent [...] [--persistent-variant auto|cluster|grid|both]
                                   [--persistent-weights fp32|bf16|both] [--dims T,B,I,H]:
                    persistent (grid or cluster kernel; cluster W_hh in fp32 or bf16) vs per-step rows
                    (see PersistentBenchmark).
                GpuBenchmarkRunner memnet | eigen | stepsplits [...]: the MemNet read, eigenvalues, and the
                    per-step recurrent product whole or in partials (MemnetReadBench, EigenBench, StepSplitsBench).
                GpuBenchmarkRunner depthsplits [--repeats N]: narrow per-step products (the projected LSTM's, the
                    backward's dh) whole or split over their depth (DepthSplitsBench).
                GpuBenchmarkRunner inputgrads [--repeats N]: the input-side gradients at the anchors with few
                    inputs, the narrow kernel against the GEMMs and column sums (InputGradientsBench).
                GpuBenchmarkRunner hostcost [--cells ...] [--shapes ...] [--repeats N]: the host's µs per call
                    with no GPU work, on the emulated driver (-Dmnemo.cuda.libdir=DIR; see HostCostBench).
                GpuBenchmarkRunner profile [--cells ...] [--shapes ...] [--math ...] [--runs N]: forward +
                    backward runs for a profiler to attribute by kernel, timing nothing (see ProfiledRuns).""";
    }
}
