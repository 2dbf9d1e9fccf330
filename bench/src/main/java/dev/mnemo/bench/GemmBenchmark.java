package dev.mnemo.bench;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The CPU backend's float32 GEMM ({@link Backend#gemm}, pure Java) at 64×512 · 512×1024 → 64×1024:
 * 2·64·512·1024 ≈ 67.1 MFLOP per call, so GFLOP/s = 67.1 / (µs per op) · 1000. {@code nn} multiplies
 * plain row-major matrices; {@code nt} uses the transposed second operand, the layout of
 * {@code x · Wᵀ} in every layer. Run as described in {@link RecurrentBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class GemmBenchmark {

    public static final int M = 64;
    public static final int K = 512;
    public static final int N = 1024;

    private final Backend backend = Backend.cpu();
    private Tensor a;
    private Tensor b;
    private Tensor bT;
    private Tensor c;

    @Setup(Level.Trial)
    public void setUp() {
        a = RecurrentBenchmark.random(1, M, K);
        b = RecurrentBenchmark.random(2, K, N);
        bT = RecurrentBenchmark.random(3, N, K);
        c = Tensor.zeros(M, N);
    }

    /** {@code C = A · B}, A [64, 512], B [512, 1024]. */
    @Benchmark
    public Tensor nn() {
        backend.gemm(false, false, 1.0, a, b, 0.0, c);
        return c;
    }

    /** {@code C = A · Bᵀ}, A [64, 512], B [1024, 512]. */
    @Benchmark
    public Tensor nt() {
        backend.gemm(false, true, 1.0, a, bT, 0.0, c);
        return c;
    }
}
