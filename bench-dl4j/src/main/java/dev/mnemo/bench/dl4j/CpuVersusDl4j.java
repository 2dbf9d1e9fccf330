package dev.mnemo.bench.dl4j;

import dev.mnemo.nn.CpuBackend;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Mnemo's CPU backend against Deeplearning4j, side by side in one JVM on the shapes of
 * {@code cpu-anchors.md}: median forward and training-step times and their ratio (DL4J / Mnemo)
 * per shape. Run it with {@code scripts/cpu-vs-dl4j.sh} (which builds with {@code -Pdl4j} and
 * sets the JVM flags and {@code OMP_NUM_THREADS}); {@code --help} lists the options.
 */
public final class CpuVersusDl4j {

    private CpuVersusDl4j() {
    }

    public static void main(String[] args) throws IOException {
        RunSettings settings;
        try {
            settings = RunSettings.parse(args);
        } catch (RunSettings.HelpRequested e) {
            System.out.print(RunSettings.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("cpu-vs-dl4j: " + e.getMessage());
            System.err.print(RunSettings.USAGE);
            System.exit(2);
            return;
        }
        List<String> setup = configure(settings);
        setup.forEach(line -> System.err.println("  " + line));

        var bench = new SideBySide(settings, System.err);
        List<ShapeResult> results = new ArrayList<>();
        for (BenchShape shape : settings.shapes()) {
            System.err.println("shape " + shape);
            results.add(bench.run(shape));
        }
        String when = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String report = Report.markdown(settings, setup, results, when);
        System.out.print(report);
        if (settings.out() != null) {
            Path md = settings.out().toAbsolutePath();
            Files.createDirectories(md.getParent());
            Files.writeString(md, report);
            Path csv = md.resolveSibling(stripExtension(md.getFileName().toString()) + ".csv");
            Files.writeString(csv, Report.csv(results));
            System.err.println("wrote " + md + " and " + csv);
        }
    }

    /** Applies the thread settings and returns what the report says about the setup. */
    static List<String> configure(RunSettings settings) {
        boolean mnemoBlasThreads = CpuBackend.setGemmThreads(settings.mnemoThreads());
        Dl4jRuntime.setThreads(settings.dl4jThreads());
        Machine m = Machine.current();
        List<String> setup = new ArrayList<>();
        setup.add("CPU: " + m.cpuModel() + " (" + m.simd() + "); " + m.availableProcessors() + " available processors; "
                + m.os());
        setup.add("Java: " + m.java());
        setup.add("JVM flags: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        setup.add("Mnemo: GEMM " + m.mnemoGemm() + "; GEMM threads " + (mnemoBlasThreads
                ? settings.mnemoThreads() + " (--mnemo-threads)" : "n/a (no system BLAS thread setter)")
                + "; fork-join common-pool parallelism " + ForkJoinPool.getCommonPoolParallelism());
        setup.add("DL4J: deeplearning4j-nn with " + Dl4jRuntime.describe() + "; --dl4j-threads "
                + settings.dl4jThreads());
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp == null || !omp.trim().equals(Integer.toString(settings.dl4jThreads()))) {
            setup.add("Warning: OMP_NUM_THREADS (" + Dl4jRuntime.envOrUnset("OMP_NUM_THREADS") + ") differs from"
                    + " --dl4j-threads " + settings.dl4jThreads() + ": libgomp and OpenBLAS size their pools from the"
                    + " variable at load; the flag was applied at run time");
        }
        setup.add("Optimizer: " + settings.optimizer().describe() + "; seed " + settings.seed() + "; rounds "
                + settings.rounds() + ", warm-up " + settings.warmup());
        return setup;
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
