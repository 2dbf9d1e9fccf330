package dev.mnemo.bench.gpu;

import dev.mnemo.cuda.CudaContext;
import dev.mnemo.cuda.CudaDataType;
import dev.mnemo.cuda.CudaModule;
import dev.mnemo.cuda.CudaStream;
import dev.mnemo.cuda.Cusolver;
import dev.mnemo.cuda.DeviceBuffer;
import dev.mnemo.cuda.KernelModule;
import dev.mnemo.cuda.kernels.EigenKernels;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.linalg.Eigen;
import dev.mnemo.nn.linalg.EigenEngine;
import dev.mnemo.nn.linalg.EigenOptions;
import dev.mnemo.nn.linalg.EigenPrecision;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * {@code GpuBenchmarkRunner eigen [--repeats N] [--torch FILE.json] [--max-order N] [--batch-count N]}:
 * eigenvalue timings beside {@code bench/torch/eigen_bench.py}'s torch.linalg.eigvals, ratio torch / ours per row.
 * <ul>
 *   <li>{@code batch/1000xN/fpXX} (N = 16, 64): the batched kernel alone (launch + synchronize, the
 *       matrices already on the device), and {@code Eigen.ofBatch} end to end (host packing, upload,
 *       launch, download, the invariant checks of every matrix);</li>
 *   <li>{@code single/N/fpXX} (N = 64 … 2048): {@code Eigen.of} on the GPU engine (cuSOLVER Xgeev and
 *       the checks), beside cuSOLVER's Xgeev alone on the device, the two calls alternating; API / bare
 *       is the median of the per-pair ratios (the API's overhead, free of drift between blocks), with
 *       their 25th and 75th percentiles ({@link #pairsFor} pairs per order); for N &lt;=
 *       {@value #CPU_MAX_ORDER} also on the CPU engine (float64, Mnemo's Francis QR), so the
 *       size rule's crossover ({@code mnemo.eigen.gpuMinOrder}) can be read off one run; which
 *       engine the default options pick; and AUTO / bare, the goal's own measure: the default
 *       engine choice (CPU below the crossover) against the bare Xgeev, paired the same way.</li>
 * </ul>
 * Matrices: N(0, 1/n) entries, seed 1. Times: wall clock, median of the repeats after 3 warm-ups.
 * {@code --max-order} drops the rows of larger orders and {@code --batch-count} (default 1000) sizes
 * the batches: a quick run, or the emulated CUDA's smoke test.
 */
final class EigenBench {
    /** Largest order timed on the CPU too (the Francis QR took 0.17 s at 512 on a 2-core VM; EJML took 2 s). */
    static final int CPU_MAX_ORDER = 512;
    /** The CPU side runs at least this long before it is timed, so the JIT has compiled its loops. */
    private static final long CPU_WARM_UP_NANOS = 400_000_000L;

    private EigenBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int repeats = 10;
        int maxOrder = 2048;
        int batchCount = 1000;
        Path torchFile = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null || !List.of("--repeats", "--torch", "--max-order", "--batch-count").contains(args[i])) {
                err.println("gpu-bench eigen: usage: eigen [--repeats N] [--torch FILE.json] [--max-order N]"
                        + " [--batch-count N]");
                return 2;
            }
            if (!args[i].equals("--torch")) {   // a bad count was a NumberFormatException, 0 silently 1
                int n = BenchArgs.atLeastOne(args[i], v, err);
                if (n < 1) {
                    return 2;
                }
                switch (args[i]) {
                    case "--repeats" -> repeats = n;
                    case "--max-order" -> maxOrder = n;
                    default -> batchCount = n;
                }
            } else {
                torchFile = Path.of(v);
            }
        }
        Object doc = null;
        try {
            if (torchFile != null) {
                doc = MiniJson.parse(Files.readString(torchFile));
            }
        } catch (IOException | RuntimeException e) {
            err.println("gpu-bench eigen: cannot read " + torchFile + ": " + e.getMessage());
            return 2;
        }
        if (Eigen.gpuUnavailableReason().isPresent() || !KernelModule.isBuilt()) {
            out.println(GpuBenchmarkRunner.SKIP_PREFIX
                    + Eigen.gpuUnavailableReason().orElse("kernels not built"));
            return 0;
        }
        Map<?, ?> torch = TorchSide.header(out, doc, torchFile, "medians (ours: of " + repeats + " after warm-up "
                + "calls; torch, eigen_bench.py: of its --repeats after 3 warm-up calls for single matrices, of 3 after 1 "
                + "for the batches)");
        out.println("| row | torch.linalg.eigvals ms | Mnemo kernel ms (alone, input on the GPU) | torch call / kernel"
                + " | Mnemo Eigen API ms | torch / API | bare Xgeev ms | API / bare | API / bare p25–p75 | CPU API ms"
                + " | AUTO picks | AUTO / bare |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (int n : new int[] {16, 64}) {
            if (n > maxOrder) {
                break;
            }
            for (EigenPrecision p : EigenPrecision.values()) {
                String key = "batch/" + batchCount + "x" + n + "/" + tag(p);
                double[] a = gaussian(batchCount * n * n, n);
                double kernel = kernelMs(a, n, batchCount, p, repeats);
                Tensor stacked = p == EigenPrecision.FLOAT64 ? Tensor.of(a, batchCount, n, n)
                        : Tensor.of(toFloat(a), batchCount, n, n);
                EigenOptions o = EigenOptions.builder().engine(EigenEngine.GPU).precision(p).build();
                double api = median(repeats, i -> Eigen.ofBatch(stacked, o));
                row(out, key, torchMs(torch, key), kernel, api, Double.NaN, new double[] {Double.NaN, Double.NaN,
                        Double.NaN}, Double.NaN, "", Double.NaN);
            }
        }
        for (int n = 64; n <= Math.min(2048, maxOrder); n *= 2) {
            double[] a = gaussian(n * n, n);
            int order = n;
            // the CPU side of the size rule, on this host (float64), after a warm-up long enough for the JIT
            EigenOptions cpu = EigenOptions.builder().engine(EigenEngine.CPU).build();
            double cpuMs = Double.NaN;
            if (n <= CPU_MAX_ORDER) {
                warmUp(() -> Eigen.of(a, order, cpu));
                cpuMs = median(Math.max(5, repeats / 2), i -> Eigen.of(a, order, cpu));
            }
            EigenEngine auto = Eigen.engineFor(n, false, EigenOptions.defaults());
            for (EigenPrecision p : EigenPrecision.values()) {
                EigenOptions o = EigenOptions.builder().engine(EigenEngine.GPU).precision(p).build();
                try (BareXgeev bare = BareXgeev.open(a, n, p)) {
                    // API and bare calls alternate, so drift between two timed blocks cannot pass for overhead
                    double[] ms = pairedMedians(pairsFor(n, repeats), () -> Eigen.of(a, order, o), bare::run);
                    // AUTO on the GPU is the API row itself; on the CPU it gets pairs of its own
                    double autoOverBare = ms[2];
                    if (auto == EigenEngine.CPU) {
                        EigenOptions defaults = EigenOptions.builder().precision(p).build();
                        autoOverBare = pairedMedians(pairsFor(n, repeats), () -> Eigen.of(a, order, defaults),
                                bare::run)[2];
                    }
                    row(out, "single/" + n + "/" + tag(p), torchMs(torch, "single/" + n + "/" + tag(p)), Double.NaN,
                            ms[0], ms[1], new double[] {ms[2], ms[3], ms[4]}, cpuMs, auto.name(), autoOverBare);
                }
            }
        }
        return 0;
    }

    /** The batched kernel alone: one launch + synchronize on matrices already on the device. */
    private static double kernelMs(double[] a, int n, int count, EigenPrecision p, int repeats) {
        boolean f64 = p == EigenPrecision.FLOAT64;
        int bytes = f64 ? Double.BYTES : Float.BYTES;
        try (CudaContext c = BenchDevice.open();
             CudaStream s = CudaStream.create(c);
             CudaModule m = KernelModule.loadMnemoKernels(c);
             DeviceBuffer in = f64 ? DeviceBuffer.of(c, a) : DeviceBuffer.of(c, toFloat(a));
             DeviceBuffer wr = DeviceBuffer.allocate(c, (long) count * n * bytes);
             DeviceBuffer wi = DeviceBuffer.allocate(c, (long) count * n * bytes);
             DeviceBuffer st = DeviceBuffer.allocate(c, count * 4L)) {
            EigenKernels k = new EigenKernels(m, s);
            return median(repeats, i -> {
                if (f64) {
                    k.hqrF64(in, (long) n * n, n, count, 0, wr, wi, st);
                } else {
                    k.hqr(in, (long) n * n, n, count, 0, wr, wi, st);
                }
                s.synchronize();
                return null;
            });
        }
    }

    /** Runs {@code work} for {@link #CPU_WARM_UP_NANOS}, at least three times. */
    private static void warmUp(Runnable work) {
        long end = System.nanoTime() + CPU_WARM_UP_NANOS;
        for (int i = 0; i < 3 || System.nanoTime() < end; i++) {
            work.run();
        }
    }

    private static double median(int repeats, IntFunction<?> work) {
        for (int i = 0; i < 3; i++) {
            work.apply(i);
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            int call = i;
            ms[i] = millis(() -> work.apply(call));
        }
        return quantile(ms, 0.5);
    }

    /**
     * Timed API / bare pairs at order {@code n}: cuSOLVER's Xgeev varies by ±20 % from call to call
     * (run 4, H200), so the cheap small orders get three times the repeats, and the large ones
     * (0.2–0.7 s a call) half, at least 5.
     */
    static int pairsFor(int n, int repeats) {
        return n <= 256 ? 3 * repeats : n <= 512 ? repeats : Math.max(5, repeats / 2);
    }

    /**
     * {@code a} and {@code b} run alternately (3 warm-up pairs, then {@code repeats} timed pairs):
     * their median milliseconds, and the median, 25th and 75th percentiles of the per-pair ratios a / b.
     * Odd pairs run b first, so an effect of going first or second (the clock ramping after the
     * host's gap, a cache the other call warmed) falls on both sides equally.
     */
    private static double[] pairedMedians(int repeats, Runnable a, Runnable b) {
        return pairedMedians(repeats, a, b, System::nanoTime);
    }

    static double[] pairedMedians(int repeats, Runnable a, Runnable b, LongSupplier nanoClock) {
        for (int i = 0; i < 3; i++) {
            a.run();
            b.run();
        }
        double[] msA = new double[repeats];
        double[] msB = new double[repeats];
        double[] ratio = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            if (i % 2 == 0) {
                msA[i] = millis(a, nanoClock);
                msB[i] = millis(b, nanoClock);
            } else {
                msB[i] = millis(b, nanoClock);
                msA[i] = millis(a, nanoClock);
            }
            ratio[i] = msA[i] / msB[i];
        }
        return new double[] {quantile(msA, 0.5), quantile(msB, 0.5), quantile(ratio, 0.5), quantile(ratio, 0.25),
                quantile(ratio, 0.75)};
    }

    private static double millis(Runnable work) {
        return millis(work, System::nanoTime);
    }

    private static double millis(Runnable work, LongSupplier nanoClock) {
        long t0 = nanoClock.getAsLong();
        work.run();
        return (nanoClock.getAsLong() - t0) / 1e6;
    }

    /** The q-quantile of {@code values} by linear interpolation between order statistics (0.5: the median). */
    static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        double at = q * (v.length - 1);
        int lo = (int) Math.floor(at);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (at - lo) * (v[hi] - v[lo]);
    }

    /** {@code apiOverBare}: median, p25, p75 of the per-pair ratios (NaN where not timed). */
    private static void row(PrintStream out, String key, double torch, double kernel, double api, double bare,
                            double[] apiOverBare, double cpu, String auto, double autoOverBare) {
        String spread = Double.isNaN(apiOverBare[1]) ? "–" : fmt(apiOverBare[1]) + "–" + fmt(apiOverBare[2]);
        out.println(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", key,
                fmt(torch), fmt(kernel), fmt(torch / kernel), fmt(api), fmt(torch / api), fmt(bare),
                fmt(apiOverBare[0]), spread, fmt(cpu), auto.isEmpty() ? "–" : auto, fmt(autoOverBare)));
    }

    /**
     * cuSOLVER's Xgeev alone, values only, on a matrix already on the device (a device-to-device
     * copy restores it before each call, since Xgeev overwrites its input): the "direct Xgeev call"
     * the single-matrix API is held to (within 1.1×).
     */
    private record BareXgeev(CudaContext context, CudaStream stream, Cusolver solver, DeviceBuffer original,
                             DeviceBuffer work, DeviceBuffer values, CudaDataType type, int n) implements AutoCloseable {
        static BareXgeev open(double[] a, int n, EigenPrecision p) {
            boolean f64 = p == EigenPrecision.FLOAT64;
            CudaDataType type = f64 ? CudaDataType.FLOAT64 : CudaDataType.FLOAT32;
            CudaContext c = BenchDevice.open();
            CudaStream s = CudaStream.create(c);
            Cusolver solver = Cusolver.create(s);
            DeviceBuffer original = f64 ? DeviceBuffer.of(c, a) : DeviceBuffer.of(c, toFloat(a));
            return new BareXgeev(c, s, solver, original, DeviceBuffer.allocate(c, original.byteSize()),
                    DeviceBuffer.allocate(c, 2L * n * type.bytes()), type, n);
        }

        void run() {
            work.copyFromDeviceAsync(original, 0, 0, original.byteSize(), stream);
            solver.geev(type, n, work, values, null); // reads info back, which synchronizes
        }

        @Override
        public void close() {
            values.close();
            work.close();
            original.close();
            solver.close();
            stream.close();
            context.close();
        }
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.3g", v);
    }

    private static double torchMs(Map<?, ?> torch, String key) {
        return torch.get(key) instanceof Map<?, ?> r && r.get("median_ms") instanceof Double d ? d : Double.NaN;
    }

    private static String tag(EigenPrecision p) {
        return p == EigenPrecision.FLOAT64 ? "fp64" : "fp32";
    }

    private static double[] gaussian(int size, int n) {
        SplittableRandom r = new SplittableRandom(1);
        double[] a = new double[size];
        double s = 1 / Math.sqrt(n);
        for (int i = 0; i < size; i++) {
            a[i] = r.nextGaussian() * s;
        }
        return a;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
