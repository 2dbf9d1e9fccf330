package dev.mnemo.bench.readme;

import static java.util.Map.entry;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What each java block of the README needs around it to compile and run: the variables it uses
 * without declaring them, and where it runs. Keyed by the heading the block is under, one entry per
 * block in README order. Every block gets {@link #IMPORTS}, and {@code Path dir}, an empty folder where
 * a file the block names with {@code Path.of("…")} is written.
 */
final class ReadmeScaffolds {
    private ReadmeScaffolds() {}

    /** Where a block runs: the CPU test, the gpu test, or both (a block that uses the GPU when there is one). */
    enum Runs { CPU, GPU, CPU_AND_GPU }

    /** @param prelude declarations, on one line; {@code dir} is the block's own empty folder */
    record Scaffold(String prelude, Runs runs) {
        boolean onCpu() {
            return runs != Runs.GPU;
        }

        boolean onGpu() {
            return runs != Runs.CPU;
        }
    }

    /** The imports every block gets, on one line. */
    static final String IMPORTS = "import dev.mnemo.nn.*; import dev.mnemo.nn.cuda.*; import dev.mnemo.nn.io.*;"
            + " import dev.mnemo.nn.layers.*; import dev.mnemo.nn.linalg.*; import dev.mnemo.nn.optim.*;"
            + " import dev.mnemo.nn.optim.schedule.*; import dev.mnemo.experiments.tasks.babi.*;"
            + " import dev.mnemo.experiments.tasks.symbolic.*; import dev.mnemo.jcuda.*; import jcuda.driver.*;"
            + " import static jcuda.driver.JCudaDriver.*; import static jcuda.driver.CUstream_flags.*;"
            + " import java.nio.file.*; import java.util.*;";

    private static final Map<String, List<Scaffold>> BY_HEADING = Map.ofEntries(
            entry("Symbolic string tasks (`dev.mnemo.experiments.tasks.symbolic`)", List.of(
                    cpu("long seed = 1;"))),
            entry("bAbI question answering (`dev.mnemo.experiments.tasks.babi`)", List.of(
                    cpu(""))),
            entry("Using the library from Java", List.of(
                    cpu("Tensor x = Tensor.zeros(5, 3, 8), dOutput = Tensor.zeros(5, 3, 128);"),
                    cpu("Lstm lstm = new Lstm(RecurrentOptions.of(3, 4)); Linear head = new Linear(LinearOptions.of(4, 2));"))),
            entry("MemNet: a recurrent key-value event memory", List.of(
                    cpuAndGpu("int batch = 2; Backend b = Backend.auto(); Tensor x = b.zeros(6, batch, 1),"
                            + " dLossDy = b.zeros(6, batch, 1), xT = b.zeros(batch, 1), prefix = b.zeros(4, batch, 1);"))),
            entry("Eigenvalues of many small matrices in one call (batched GPU kernel)", List.of(
                    cpuAndGpu("double[] data = new Random(1).doubles(1000 * 16 * 16).toArray();"))),
            entry("Persistent recurrent kernels (CUDA)", List.of(
                    gpu(""))),
            entry("CUDA Graphs for the recurrent time loop (on by default)", List.of(
                    gpu("Tensor x = CudaBackend.float32().zeros(6, 40, 64), x2 = x, x3 = x;"))),
            entry("Device memory: the caching allocator", List.of(
                    gpu(""),
                    gpu("CudaBackend gpu = CudaBackend.float32(); Lstm lstm = new Lstm(RecurrentOptions.of(64, 128), gpu);"
                            + " Tensor x = gpu.zeros(6, 40, 64), dy = gpu.zeros(6, 40, 128);"))),
            entry("Using Mnemo from JCuda (module `mnemo-jcuda`)", List.of(
                    gpu("int T = 5, B = 2, I = 3, H = 4; CUdevice dev = new CUdevice(); CUcontext ctx = new CUcontext();"
                            + " CUstream stream = new CUstream(); CUdeviceptr x = new CUdeviceptr(), y = new CUdeviceptr();"))));

    /** The scaffold of the k-th java block (from 0) under a heading, if there is one. */
    static Optional<Scaffold> of(String heading, int k) {
        List<Scaffold> scaffolds = BY_HEADING.getOrDefault(heading, List.of());
        return k < scaffolds.size() ? Optional.of(scaffolds.get(k)) : Optional.empty();
    }

    private static Scaffold cpu(String prelude) {
        return new Scaffold(prelude, Runs.CPU);
    }

    private static Scaffold gpu(String prelude) {
        return new Scaffold(prelude, Runs.GPU);
    }

    private static Scaffold cpuAndGpu(String prelude) {
        return new Scaffold(prelude, Runs.CPU_AND_GPU);
    }
}
