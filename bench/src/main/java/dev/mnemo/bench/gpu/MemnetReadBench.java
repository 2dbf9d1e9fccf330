package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaDriver;
import dev.mnemo.cuda.CudaEvent;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.nn.Backend.MemoryRead;
import dev.mnemo.nn.Backend.Strided;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.MemNetLoopSetting;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * MemNet's key-value read on the GPU through {@link CudaBackend#memoryReadForward} /
 * {@link CudaBackend#memoryReadBackward}, beside PyTorch's paths from
 * {@code bench/torch/memnet_bench.py}:
 * <pre>
 *   java ... dev.mnemo.bench.gpu.GpuBenchmarkRunner memnet [--torch TORCH.json] [--repeats N]
 *       [--shapes BxNxd,...] [--sequence on|off]
 * </pre>
 * {@code --shapes} replaces the rows' shapes and {@code --sequence off} drops the sequence row: a
 * quick run, or the emulated CUDA's smoke test.
 * Rows: the read of gpu-anchors.md's shapes (B, N, d), dense float32 [B, N, d] K and V, GB/s = K+V
 * bytes / median time, with the ratio to each PyTorch path (sdpa_fp32, bmm_fp32, flash_bf16) and
 * the fraction of the copy ceiling, and the same read timed inside a CUDA Graph (the kernels without
 * the host's launch cost, see {@link #perReadInGraph}); then MemNet's read over a whole sequence (T = 64, B = 256,
 * M = 8, d = 32, windows over a [T + M, B, 3d] history, forward then backward per step) against
 * PyTorch's autograd loop of the same math, and the whole MemNet cell (the layer's training forward and
 * backward, {@link MemNetCellCase}, at M = 8 and M = 128) against PyTorch's loop of the same cell. Times: CUDA events around each run on the stream the
 * run's kernels go to (the backend's), as {@code memnet_bench.py} records torch's events on the
 * stream of its kernels; median of N after warm-up. The reads are also timed as runs 1–8 did, with
 * the events on the legacy default stream (the last column): the backend's stream synchronises
 * with that stream, so those times include two cross-stream waits, which torch's do not. The
 * bf16-storage read has no Backend entry point; its numbers come from {@code mnemo_harness memnet}.
 */
final class MemnetReadBench {
    static final long[][] SHAPES = {{64, 128, 64}, {64, 1024, 64}, {256, 1024, 64}, {64, 8192, 64}, {1024, 256, 32},
        {1, 65536, 64}};
    static final int SEQ_T = 64;
    static final int SEQ_B = 256;
    static final int SEQ_M = 8;
    static final int SEQ_D = 32;
    /** The most warm-up runs of one timed operation. */
    static final int MAX_WARMUP_RUNS = 20_000;
    /** Reads per recorded graph in the "graph" columns. */
    static final int GRAPH_READS = 20;

    private MemnetReadBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path torchFile = null;
        int repeats = 50;
        long[][] shapes = SHAPES;
        boolean sequence = true;
        String usage = "usage: GpuBenchmarkRunner memnet [--torch TORCH.json] [--repeats N>=1] [--shapes BxNxd,...]"
                + " [--sequence on|off]";
        try {
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--torch" -> torchFile = Path.of(args[i + 1]);
                    case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
                    case "--shapes" -> shapes = parseShapes(args[i + 1]);
                    case "--sequence" -> sequence = switch (args[i + 1]) {
                        case "on" -> true;
                        case "off" -> false;
                        default -> throw new IllegalArgumentException("--sequence takes on or off, got " + args[i + 1]);
                    };
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("gpu-bench memnet: " + e.getMessage() + "; " + usage);
            return 2;
        }
        if (args.length % 2 != 0 || repeats < 1) {
            err.println(usage);
            return 2;
        }
        Object doc = null;
        if (torchFile != null) {
            try {
                doc = MiniJson.parse(Files.readString(torchFile));
            } catch (IOException | IllegalArgumentException e) {
                err.println("gpu-bench memnet: cannot read " + torchFile + ": " + e.getMessage());
                return 2;
            }
        }
        if (GpuBenchmarkRunner.skippedWithoutCuda(out)) {
            return 0;
        }
        Map<?, ?> torch = TorchSide.header(out, doc, torchFile, "median of " + repeats + " after >= 10 warm-up runs and "
                + ">= " + GpuBenchmarkRunner.MIN_WARMUP_MS + " ms on both sides; CUDA events; µs per read");
        measure(out, torch, repeats, shapes, sequence);
        return 0;
    }

    /** The tables, once the options are read: each read shape, then (unless {@code sequence} is off) the cells. */
    private static void measure(PrintStream out, Map<?, ?> torch, int repeats, long[][] shapes, boolean sequence) {
        CudaBackend gpu = CudaBackend.float32();
        try (CudaContext context = BenchDevice.open();
             CudaEvent start = CudaEvent.create(context);
             CudaEvent end = CudaEvent.create(context)) {
            CudaStream stream = gpu.stream();
            out.println("| B | N | d | ours µs | ours GB/s | sdpa_fp32 µs | bmm_fp32 µs | flash_bf16 µs | copy GB/s |"
                    + " best fp32 torch / ours | ours / copy | ours graph µs | graph GB/s | graph / graph copy |"
                    + " ours µs, legacy-stream events |");
            out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (long[] s : shapes) {
                int b = (int) s[0];
                int n = (int) s[1];
                int d = (int) s[2];
                ReadCase c = ReadCase.build(gpu, b, n, d);
                double ms = time(start, end, stream, c::forward, repeats);
                double legacyMs = time(start, end, null, c::forward, repeats);
                double bytes = 8.0 * b * n * d;
                String tag = b + "x" + n + "x" + d;
                double sdpa = torchMs(torch, "sdpa_fp32/" + tag);
                double bmm = torchMs(torch, "bmm_fp32/" + tag);
                double flash = torchMs(torch, "flash_bf16/" + tag);
                double copyMs = torchMs(torch, "copy/" + tag);
                double copyGbps = 2 * bytes / (copyMs * 1e-3) / 1e9;
                // the read in a graph against the copy in a graph (older torch results: the eager copy)
                double graphCopyMs = torchMs(torch, "copy_graph/" + tag);
                double graphCopyGbps = Double.isFinite(graphCopyMs) ? 2 * bytes / (graphCopyMs * 1e-3) / 1e9
                        : copyGbps;
                double bestFp32 = Math.min(sdpa, bmm);
                double gbps = bytes / (ms * 1e-3) / 1e9;
                double graphMs = perReadInGraph(gpu, start, end, c::forward, repeats);
                double graphGbps = bytes / (graphMs * 1e-3) / 1e9;
                out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.0f | %s | %s | %s | %s | %s | %s | %.1f | %.0f | %s |"
                        + " %.1f |%n", b, n, d, ms * 1e3, gbps, us(sdpa), us(bmm), us(flash), num(copyGbps, "%.0f"),
                        num(bestFp32 / ms, "%.2f×"), num(gbps / copyGbps, "%.0f %%", 100), graphMs * 1e3, graphGbps,
                        num(graphGbps / graphCopyGbps, "%.0f %%", 100), legacyMs * 1e3);
                c.release();
                System.gc();
            }
            if (!sequence) {
                return;
            }
            SequenceCase seq = SequenceCase.build(gpu);
            double ms = time(start, end, stream, seq::forwardBackward, Math.max(5, repeats / 5));
            double loop = torchMs(torch, "seq_loop_fwd_bwd/T" + SEQ_T + "xB" + SEQ_B + "xM" + SEQ_M + "xd" + SEQ_D);
            out.printf(Locale.ROOT, "%nMemNet read over a sequence, T=%d B=%d M=%d d=%d, forward+backward: ours %.3f ms,"
                    + " PyTorch loop %s ms, speed-up %s%n", SEQ_T, SEQ_B, SEQ_M, SEQ_D, ms,
                    num(loop, "%.3f"), num(loop / ms, "%.1f×"));
            MemNetCellCase cell = MemNetCellCase.build(gpu);
            MemNetStreamCase streaming = MemNetStreamCase.build(gpu, cell.net());
            double stepMs = time(start, end, stream, streaming::step, repeats);
            cell.net().setStepGraphs(false);
            double stepLoopMs = withStepLoops(() -> time(start, end, stream, streaming::step, repeats));
            cell.net().setStepGraphs(true);
            double stepGraphMs = withStepLoops(() -> time(start, end, stream, streaming::step, repeats));
            timeCell(out, torch, start, end, stream, repeats, cell);
            out.printf(Locale.ROOT, "MemNet streaming step (inference, a full ring), B=%d M=%d d=%d: one launch %.1f µs,"
                    + " the layer's step loop %.1f µs eager, %.1f µs in a CUDA Graph; the one launch %.2f× faster than"
                    + " the eager and %.2f× than the recorded step%n", SEQ_B, SEQ_M, SEQ_D, stepMs * 1e3,
                    stepLoopMs * 1e3, stepGraphMs * 1e3, stepLoopMs / stepMs, stepGraphMs / stepMs);
            timeCell(out, torch, start, end, stream, repeats, MemNetCellCase.wideMemory(gpu));
        }
    }

    /**
     * The cell's training step with the one-launch loops and with the layer's step loops ({@link MemNetLoopSetting}
     * off), eager and recorded in CUDA Graphs, in the same run, beside PyTorch's loop of the same cell.
     */
    private static void timeCell(PrintStream out, Map<?, ?> torch, CudaEvent start, CudaEvent end, CudaStream stream,
                                 int repeats, MemNetCellCase cell) {
        int runs = Math.max(5, repeats / 5);
        double cellMs = time(start, end, stream, cell::forwardBackward, runs);
        cell.net().setStepGraphs(false);
        double stepsMs = withStepLoops(() -> time(start, end, stream, cell::forwardBackward, runs));
        cell.net().setStepGraphs(true);
        double graphStepsMs = withStepLoops(() -> time(start, end, stream, cell::forwardBackward, runs));
        double cellLoop = torchMs(torch, cell.torchKey());
        out.printf(Locale.ROOT, "MemNet cell over a sequence (the layer: projections, read, write, output), T=%d B=%d"
                + " M=%d d=%d d_in=d_out=1, training forward+backward: ours %.3f ms, PyTorch loop %s ms, speed-up %s;"
                + " the layer's step loop (%s=off) %.3f ms eager, %.3f ms in CUDA Graphs; the one-launch loop %.2f×"
                + " faster than the eager and %.2f× than the recorded step loop%n",
                cell.steps(), SEQ_B, cell.slots(), SEQ_D, cellMs, num(cellLoop, "%.3f"), num(cellLoop / cellMs, "%.1f×"),
                MemNetLoopSetting.PROPERTY, stepsMs, graphStepsMs, stepsMs / cellMs, graphStepsMs / cellMs);
    }

    /** {@code timed} with the MemNet layer's step loops ({@link MemNetLoopSetting} off). */
    private static double withStepLoops(Supplier<Double> timed) {
        return SystemProperties.with(MemNetLoopSetting.PROPERTY, "off", timed);
    }

    /** {@code 64x128x64,1x65536x64}: rows of (B, N, d), each at least 1. */
    static long[][] parseShapes(String list) {
        String[] items = list.split(",");
        long[][] shapes = new long[items.length][];
        for (int i = 0; i < items.length; i++) {
            String[] dims = items[i].strip().split("x");
            if (dims.length != 3) {
                throw new IllegalArgumentException("--shapes wants BxNxd items, got '" + items[i] + "'");
            }
            shapes[i] = new long[3];
            for (int k = 0; k < 3; k++) {
                long v;
                try {
                    v = Long.parseLong(dims[k]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--shapes wants BxNxd items, got '" + items[i] + "'");
                }
                if (v < 1 || v > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("--shapes: each of B, N, d must be in [1, 2^31), got '"
                            + items[i] + "'");
                }
                shapes[i][k] = v;
            }
        }
        return shapes;
    }

    private static String us(double ms) {
        return num(ms * 1e3, "%.1f");
    }

    private static String num(double v, String format) {
        return num(v, format, 1);
    }

    private static String num(double v, String format, double factor) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v * factor) : "–";
    }

    private static double torchMs(Map<?, ?> torch, String key) {
        if (torch.get(key) instanceof Map<?, ?> row && row.get("median_ms") instanceof Number n) {
            return n.doubleValue();
        }
        return Double.NaN;
    }

    /**
     * The GPU's own time per read: {@value #GRAPH_READS} reads recorded into one CUDA Graph, the
     * replay's median time divided by {@value #GRAPH_READS}. A single eager read from Java is bound by
     * its launch on the host at small sizes (so is PyTorch's); this column is the kernels alone.
     */
    private static double perReadInGraph(CudaBackend gpu, CudaEvent start, CudaEvent end, Runnable read, int repeats) {
        try (var recording = gpu.record(() -> {
            for (int i = 0; i < GRAPH_READS; i++) {
                read.run();
            }
        })) {
            return time(start, end, gpu.stream(), recording::replay, Math.max(5, repeats / 5)) / GRAPH_READS;
        }
    }

    /**
     * Median milliseconds of {@code repeats} runs between events recorded on {@code stream} (null: the
     * legacy default stream), after warm-up runs for at least
     * {@link GpuBenchmarkRunner#MIN_WARMUP_MS} ms (and 10 runs, at most {@value #MAX_WARMUP_RUNS}): a
     * read takes tens of microseconds, and the JIT compiles its Java side only after thousands of calls
     * (10 warm-up runs left the first H200 run timing interpreted code).
     */
    static double time(CudaEvent start, CudaEvent end, CudaStream stream, Runnable op, int repeats) {
        MemorySegment on = stream == null ? MemorySegment.NULL : stream.handle();
        long warmStart = System.nanoTime();
        for (int i = 0; i < MAX_WARMUP_RUNS
                && (i < 10 || System.nanoTime() - warmStart < GpuBenchmarkRunner.MIN_WARMUP_MS * 1_000_000L); i++) {
            op.run();
            if (i % 256 == 255) {        // keep the queue short
                CudaDriver.eventRecord(end.handle(), on);
                end.synchronize();
            }
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            CudaDriver.eventRecord(start.handle(), on);
            op.run();
            CudaDriver.eventRecord(end.handle(), on);
            ms[i] = end.elapsedMillisSince(start);
        }
        return Timing.of(ms).medianMs();
    }

    static Tensor uniform(int n, long seed) {
        var rnd = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 2 * rnd.nextDouble() - 1;
        }
        return Tensor.of(x, n).to(Device.CUDA);
    }

    /** One read of a dense [B, N, d] memory, outputs preallocated (nothing is allocated per run). */
    private record ReadCase(CudaBackend gpu, MemoryRead read, Tensor c, Tensor lse) {
        static ReadCase build(CudaBackend gpu, int b, int n, int d) {
            Tensor q = uniform(b * d, 1);
            Tensor k = uniform(Math.multiplyExact(b, n * d), 2);
            Tensor v = uniform(Math.multiplyExact(b, n * d), 3);
            MemoryRead read = new MemoryRead(b, n, 0, d, d, 1 / Math.sqrt(d), new Strided(q, 0, d, 0),
                    new Strided(k, 0, (long) n * d, d), new Strided(v, 0, (long) n * d, d));
            return new ReadCase(gpu, read, gpu.zeros(b, d), gpu.zeros(b));
        }

        void forward() {
            gpu.memoryReadForward(read, c, lse);
        }

        void release() {
            gpu.synchronize();
        }
    }

    /**
     * MemNet's reads over a sequence: step t reads the last min(t, M) steps of the [T + M, B, 3d]
     * history (rows M .. M+T−1 are the steps; q | k | v columns) plus M − min(t, M) empty slots;
     * then the backward, reverse time, accumulating into the history's gradient.
     */
    private record SequenceCase(CudaBackend gpu, Tensor h, Tensor dh, List<MemoryRead> reads, List<Tensor> cs,
                                List<Tensor> lses, Tensor dc) {
        static SequenceCase build(CudaBackend gpu) {
            int s = 3 * SEQ_D;
            int rows = SEQ_T + SEQ_M;
            Tensor h = uniform(rows * SEQ_B * s, 4);
            List<MemoryRead> reads = new ArrayList<>();
            List<Tensor> cs = new ArrayList<>();
            List<Tensor> lses = new ArrayList<>();
            for (int t = 0; t < SEQ_T; t++) {
                int r = t + SEQ_M;
                int filled = Math.min(t, SEQ_M);
                long first = (long) (r - filled) * SEQ_B * s;
                reads.add(new MemoryRead(SEQ_B, filled, SEQ_M - filled, SEQ_D, SEQ_D, 1.0,
                        new Strided(h, (long) r * SEQ_B * s, s, 0), new Strided(h, first + SEQ_D, s, (long) SEQ_B * s),
                        new Strided(h, first + 2L * SEQ_D, s, (long) SEQ_B * s)));
                cs.add(gpu.zeros(SEQ_B, SEQ_D));
                lses.add(gpu.zeros(SEQ_B));
            }
            Tensor dc = gpu.zeros(SEQ_B, SEQ_D);
            gpu.fill(dc, 1.0);
            return new SequenceCase(gpu, h, gpu.zeros(rows * SEQ_B * s), reads, cs, lses, dc);
        }

        void forwardBackward() {
            for (int t = 0; t < SEQ_T; t++) {
                gpu.memoryReadForward(reads.get(t), cs.get(t), lses.get(t));
            }
            int s = 3 * SEQ_D;
            for (int t = SEQ_T - 1; t >= 0; t--) {
                MemoryRead rd = reads.get(t);
                int r = t + SEQ_M;
                long first = (long) (r - rd.slots()) * SEQ_B * s;
                gpu.memoryReadBackward(rd, cs.get(t), lses.get(t), dc, new Strided(dh, (long) r * SEQ_B * s, s, 0),
                        new Strided(dh, first + SEQ_D, s, (long) SEQ_B * s),
                        new Strided(dh, first + 2L * SEQ_D, s, (long) SEQ_B * s));
            }
        }
    }
}
