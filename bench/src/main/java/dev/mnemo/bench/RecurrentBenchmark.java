package dev.mnemo.bench;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.layers.Gru;
import dev.mnemo.nn.layers.Lstm;
import dev.mnemo.nn.layers.RecurrentGradients;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The CPU backend's recurrent layers, issue 3's shapes: {@link Lstm} and {@link Gru}, one layer,
 * unidirectional, float32, T = {@value #STEPS} steps, input width I = H, at H ∈ {128, 256} and
 * B ∈ {32, 64}; {@code forward} runs the whole sequence, {@code forwardBackward} adds the backward
 * pass (all gradients, ∂L/∂output = 1 everywhere). Milliseconds per sequence.
 *
 * <h2>Running</h2>
 * Build from the repository root, then run JMH's main class from the class path:
 * <pre>
 *   mvn -q -DskipTests package          (or: mvn -q -pl bench -am -DskipTests package)
 *   java -cp "bench/target/mnemo-bench-*.jar:bench/target/lib/*" org.openjdk.jmh.Main RecurrentBenchmark
 *   java -cp … org.openjdk.jmh.Main RecurrentBenchmark.forward -p cell=LSTM -p hidden=256 -p batch=64
 *   java -cp … org.openjdk.jmh.Main GemmBenchmark -f 1 -wi 1 -i 3         (the CPU SGEMM alone)
 *   java -cp … org.openjdk.jmh.Main -h                                     (JMH's options)
 * </pre>
 * (quote the class path so the shell passes {@code *} to Java, which expands {@code lib/*}; the jar
 * glob needs the shell, so write the jar's name out if the shell does not expand it inside quotes).
 * The defaults (1 fork, 2 warm-up and 3 measured iterations of 2 s) suit a quiet machine; the
 * parallel parts use the common fork-join pool, so the numbers scale with the cores given to it
 * ({@code -jvmArgs -Djava.util.concurrent.ForkJoinPool.common.parallelism=N}). Benchmarks, not tests:
 * nothing here asserts a time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RecurrentBenchmark {

    /** Sequence length of every case (issue 3). */
    public static final int STEPS = 100;

    /** Which recurrent layer. */
    public enum Cell { LSTM, GRU }

    @Param({"LSTM", "GRU"})
    public Cell cell;

    @Param({"128", "256"})
    public int hidden;

    @Param({"32", "64"})
    public int batch;

    private RecurrentLayer layer;
    private Tensor x;
    private Tensor dOutput;

    @Setup(Level.Trial)
    public void setUp() {
        var options = RecurrentOptions.builder(hidden, hidden).seed(1).build();
        layer = cell == Cell.LSTM ? new Lstm(options, Backend.cpu()) : new Gru(options, Backend.cpu());
        x = random(2, STEPS, batch, hidden);
        dOutput = Tensor.zeros(STEPS, batch, hidden);
        dOutput.fill(1.0);
    }

    /** The whole sequence forward, from a zero state. */
    @Benchmark
    public RecurrentOutput forward() {
        return layer.forward(x, null);
    }

    /** The whole sequence for inference (nothing kept for a backward; DL4J's {@code output()}), from a zero state. */
    @Benchmark
    public RecurrentOutput infer() {
        return layer.infer(x, null);
    }

    /** Forward, then backward to ∂L/∂x, ∂L/∂h₀ and every weight gradient. */
    @Benchmark
    public RecurrentGradients forwardBackward() {
        layer.zeroGradients();
        RecurrentOutput out = layer.forward(x, null);
        return layer.backward(out.saved(), dOutput, null);
    }

    /** U(−1, 1) float32 values from {@code seed}. */
    static Tensor random(long seed, int... shape) {
        var rnd = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, 2 * rnd.nextDouble() - 1);
        }
        return t;
    }
}
