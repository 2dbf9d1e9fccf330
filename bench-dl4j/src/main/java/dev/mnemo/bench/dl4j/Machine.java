package dev.mnemo.bench.dl4j;

import dev.mnemo.nn.CpuBackend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the numbers were measured on: CPU model and vector extensions, cores, JVM, and Mnemo's GEMM.
 *
 * @param simd the {@code fma} and {@code avx*} flags of /proc/cpuinfo (the GEMM kernels depend on them)
 */
record Machine(String cpuModel, String simd, int availableProcessors, String java, String mnemoGemm, String os) {

    static Machine current() {
        List<String> cpuinfo = cpuinfo();
        return new Machine(
                firstValue(cpuinfo, "model name").orElse("unknown (no model name in /proc/cpuinfo)"),
                firstValue(cpuinfo, "flags").map(Machine::vectorFlags).orElse("unknown"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + Runtime.version() + " (" + System.getProperty("java.vendor")
                        + ")",
                CpuBackend.gemmImplementation(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The value of the first {@code key : value} line with that key. */
    private static Optional<String> firstValue(List<String> lines, String key) {
        return lines.stream()
                .filter(l -> l.startsWith(key) && l.indexOf(':') > 0
                        && l.substring(0, l.indexOf(':')).trim().equals(key))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst();
    }

    private static String vectorFlags(String flags) {
        String picked = Arrays.stream(flags.split("\\s+"))
                .filter(f -> f.equals("fma") || f.startsWith("avx"))
                .collect(Collectors.joining(" "));
        return picked.isEmpty() ? "none of fma/avx*" : picked;
    }
}
