package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.NativeLibrary;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.MemNetLoopSetting;
import dev.mnemo.nn.cuda.PersistentPolicy;
import dev.mnemo.nn.layers.RecurrentLayer;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The host's share of each anchor row: the microseconds the JVM spends issuing one forward (an
 * inference, as the runner's "fwd" column times it), and one training forward + backward, when no
 * GPU work runs at all. It runs on Mnemo's emulated driver in host-only
 * mode (stream work accepted and dropped, {@code native/emu-cuda/calls.cpp}), so it needs no GPU:
 *
 * <pre>
 *   bash scripts/emu-cuda.sh build/emu-cuda
 *   MNEMO_EMU_SM_COUNT=132 java -Dmnemo.cuda.libdir=build/emu-cuda ... GpuBenchmarkRunner hostcost
 *       [--cells RNN,LSTM,GRU] [--shapes NAME,...] [--repeats N] [--warmup-ms MS]
 * </pre>
 *
 * <p>Three columns per call: the per-step loop run eagerly, the per-step loop replayed from CUDA
 * Graphs, and what {@code auto} picks ({@code MNEMO_EMU_SM_COUNT=132} makes the emulated device plan
 * like an H100). Each call releases its saved and results, as a training loop would, so the
 * allocator serves every tensor from its cache.
 *
 * <p>What it leaves out: the real driver's and cuBLAS's own host time per call (about 3.6 µs per
 * launch measured from C on an H200, {@code bench/results/2026-11-27-h200/}); the emulator's
 * bookkeeping per call is far cheaper. So the numbers are a floor for the host time on a GPU
 * machine: a row whose floor approaches its GPU time is bound by the host there.
 */
final class HostCostBench {
    static final long DEFAULT_WARMUP_MS = 1000;
    static final int MIN_WARMUP_CALLS = 50;

    private HostCostBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> cells = null;
        List<String> shapes = null;
        int repeats = 20;
        long warmupMs = DEFAULT_WARMUP_MS;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 == args.length) {
                err.println("gpu-bench: " + a + " needs a value; usage: hostcost [--cells ...] [--shapes ...] "
                        + "[--repeats N] [--warmup-ms MS]");
                return 2;
            }
            switch (a) {
                case "--cells" -> cells = List.of(args[++i].split(","));
                case "--shapes" -> shapes = List.of(args[++i].split(","));
                case "--repeats", "--warmup-ms" -> {
                    long value;
                    try {
                        value = Long.parseLong(args[++i]);
                    } catch (NumberFormatException e) {
                        value = -1;
                    }
                    if (value < (a.equals("--repeats") ? 1 : 0) || value > Integer.MAX_VALUE) {
                        err.println("gpu-bench: " + a + " must be an integer >= " + (a.equals("--repeats") ? 1 : 0)
                                + ", got " + args[i]);
                        return 2;
                    }
                    if (a.equals("--repeats")) {
                        repeats = (int) value;
                    } else {
                        warmupMs = value;
                    }
                }
                default -> {
                    err.println("gpu-bench: unknown hostcost option " + a);
                    return 2;
                }
            }
        }
        List<BenchShape> rows;
        try {
            rows = BenchShape.select(cells, shapes, List.of("fp32"));
        } catch (IllegalArgumentException e) {
            err.println("gpu-bench: " + e.getMessage());
            return 2;
        }
        if (GpuBenchmarkRunner.skippedWithoutCuda(out)) {
            return 0;
        }
        Optional<MethodHandle> hostOnly = hostOnlySwitch();
        if (hostOnly.isEmpty()) {
            out.println("hostcost needs Mnemo's emulated driver (scripts/emu-cuda.sh DIR, then -Dmnemo.cuda.libdir=DIR):"
                    + " on a GPU machine the runner's \"fwd host\" column times the host instead");
            return 0;
        }
        out.println("# Host cost per call, no GPU work (emulated driver, host-only mode)");
        out.println();
        out.println("µs of host time per call, median of " + repeats + "; the per-step columns are the eager loop and "
                + "the loop replayed from CUDA Graphs; auto is the path the policy picks on the emulated device.");
        out.println();
        out.println("| cell | shape | T | B | H | eager fwd | eager fwd+bwd | graphs fwd | graphs fwd+bwd | auto path | "
                + "auto fwd | auto fwd+bwd |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        setHostOnly(hostOnly.get(), true);
        try {
            // The first row's columns once, discarded: the JIT compiles the shared code paths there.
            time(rows.getFirst(), "per-step", "false", repeats, warmupMs);
            time(rows.getFirst(), "auto", "auto", repeats, warmupMs);
            for (BenchShape s : rows) {
                double[] eager = time(s, "per-step", "false", repeats, warmupMs);
                double[] graphs = time(s, "per-step", "auto", repeats, warmupMs);
                double[] auto = time(s, "auto", "auto", repeats, warmupMs);
                // a packed row's auto column may be a persistent kernel (with the lengths)
                String path = RecurrentBenchCase.pathOf(s);
                out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %.0f | %.0f | %.0f | %.0f | %s | %.0f | %.0f |%n",
                        s.cell(), s.shape(), s.steps(), s.batch(), s.hidden(), eager[0], eager[1], graphs[0], graphs[1],
                        path, auto[0], auto[1]);
            }
            memNetCell(out, repeats, warmupMs);
        } finally {
            setHostOnly(hostOnly.get(), false);
        }
        return 0;
    }

    /**
     * The MemNet cells of the bench ({@link MemNetCellCase}: M 8 over T 64 and M 128 over T 160, B 256, training
     * forward + backward) and a streaming step (M 8), with the layer's step loops, eager and recorded in CUDA
     * Graphs, and with the one-launch loops ({@link MemNetLoopSetting}).
     */
    private static void memNetCell(PrintStream out, int repeats, long warmupMs) {
        MemNetCellCase cell = MemNetCellCase.build(CudaBackend.float32());
        MemNetCellCase wide = MemNetCellCase.wideMemory(CudaBackend.float32());
        MemNetStreamCase stream = MemNetStreamCase.build(CudaBackend.float32(), cell.net());
        String[] settings = {"off", "off", "on"};
        boolean[] graphs = {false, true, true};
        double[][] us = new double[settings.length][];
        for (int k = 0; k < settings.length; k++) {
            cell.net().setStepGraphs(graphs[k]);
            wide.net().setStepGraphs(graphs[k]);
            us[k] = SystemProperties.with(MemNetLoopSetting.PROPERTY, settings[k], () -> new double[] {
                medianMicros(cell::forwardBackward, repeats, warmupMs),
                medianMicros(wide::forwardBackward, repeats, warmupMs),
                medianMicros(stream::step, repeats, warmupMs)});
        }
        out.println();
        out.printf(Locale.ROOT, "| MemNet (d_k = d_v = 32), B %d | training fwd+bwd, M %d, T %d, µs | training fwd+bwd, "
                + "M %d, T %d, µs | a streaming step, M %d, µs |%n", MemNetCellCase.B, cell.slots(), cell.steps(),
                wide.slots(), wide.steps(), cell.slots());
        out.println("|---|---|---|---|");
        out.printf(Locale.ROOT, "| the layer's step loops (%s=off), eager | %.0f | %.0f | %.0f |%n",
                MemNetLoopSetting.PROPERTY, us[0][0], us[0][1], us[0][2]);
        out.printf(Locale.ROOT, "| the step loops recorded in CUDA Graphs | %.0f | %.0f | %.0f |%n", us[1][0], us[1][1],
                us[1][2]);
        out.printf(Locale.ROOT, "| one launch a call (on, the default) | %.0f | %.0f | %.0f |%n", us[2][0], us[2][1],
                us[2][2]);
    }

    /** Median µs per forward and per forward + backward of {@code s} with these path and graph settings. */
    private static double[] time(BenchShape s, String path, String graphs, int repeats, long warmupMs) {
        String pathBefore = System.setProperty(PersistentPolicy.PROPERTY, path);
        String graphsBefore = System.setProperty(RecurrentLayer.GRAPHS_PROPERTY, graphs);
        try {
            RecurrentBenchCase c = RecurrentBenchCase.build(s, CudaBackend.float32());
            Runnable forward = c::infer;
            Runnable forwardBackward = c::forwardBackward;
            return new double[] {medianMicros(forward, repeats, warmupMs),
                    medianMicros(forwardBackward, repeats, warmupMs)};
        } finally {
            SystemProperties.restore(PersistentPolicy.PROPERTY, pathBefore);
            SystemProperties.restore(RecurrentLayer.GRAPHS_PROPERTY, graphsBefore);
        }
    }


    /** The median of {@code repeats} timed calls, after warm-up calls for {@code warmupMs} (and at least 50). */
    private static double medianMicros(Runnable call, int repeats, long warmupMs) {
        long start = System.nanoTime();
        for (int i = 0; i < MIN_WARMUP_CALLS || System.nanoTime() - start < warmupMs * 1_000_000L; i++) {
            call.run();
        }
        double[] us = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            call.run();
            us[i] = (System.nanoTime() - t0) / 1e3;
        }
        Arrays.sort(us);
        return us[repeats / 2];
    }

    /** {@code mnemo_emu_set_host_only} of the loaded libcuda.so.1, when it is Mnemo's emulator. */
    @SuppressWarnings("restricted")
    static Optional<MethodHandle> hostOnlySwitch() {
        Optional<String> source = NativeLibrary.cuda().source();
        if (source.isEmpty() || !source.get().startsWith("/")) {
            return Optional.empty();
        }
        return SymbolLookup.libraryLookup(Path.of(source.get()), Arena.global()).find("mnemo_emu_set_host_only")
                .map(address -> Linker.nativeLinker().downcallHandle(address,
                        FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT)));
    }

    private static void setHostOnly(MethodHandle handle, boolean on) {
        try {
            handle.invokeExact(on ? 1 : 0);
        } catch (Throwable e) {
            throw new IllegalStateException("mnemo_emu_set_host_only failed", e);
        }
    }
}
