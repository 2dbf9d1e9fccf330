package dev.mnemo.bench;

import dev.mnemo.bench.gpu.BenchShape;
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

import java.util.concurrent.TimeUnit;

/**
 * A variable-length batch on the CPU backend, run two ways side by side: {@code padded} runs every
 * row all T steps (what a caller without lengths gets), {@code packed} passes the lengths, so each
 * step computes only the rows still running. The batch is the GPU runner's "packed" row: T = 100,
 * B = 64, I = H = 256, lengths from 100 down to 51 ({@link BenchShape#lengths()}), so about a quarter
 * of the padded work is padding. Milliseconds per call.
 *
 * <pre>
 *   java -cp "bench/target/mnemo-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main PackedBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class PackedBenchmark {

    /** Padded (no lengths) or packed (the lengths given). */
    public enum Mode { padded, packed }

    @Param({"LSTM", "GRU"})
    public RecurrentBenchmark.Cell cell;

    @Param({"padded", "packed"})
    public Mode mode;

    private RecurrentLayer layer;
    private Tensor x;
    private Tensor dOutput;
    private int[] lengths;

    @Setup(Level.Trial)
    public void setUp() {
        BenchShape shape = BenchShape.select(java.util.List.of(cell.name()), java.util.List.of(BenchShape.PACKED_SHAPE),
                null).getFirst();
        var options = RecurrentOptions.builder(shape.input(), shape.hidden()).seed(1).build();
        layer = cell == RecurrentBenchmark.Cell.LSTM ? new Lstm(options, Backend.cpu()) : new Gru(options, Backend.cpu());
        x = RecurrentBenchmark.random(2, shape.steps(), shape.batch(), shape.input());
        dOutput = Tensor.zeros(shape.steps(), shape.batch(), shape.hidden());
        dOutput.fill(1.0);
        lengths = mode == Mode.packed ? shape.lengths() : null;
    }

    /** The forward for inference. */
    @Benchmark
    public RecurrentOutput infer() {
        return layer.infer(x, null, lengths);
    }

    /** Forward, then backward to ∂L/∂x and every weight gradient. */
    @Benchmark
    public RecurrentGradients forwardBackward() {
        layer.zeroGradients();
        RecurrentOutput out = layer.forward(x, null, lengths);
        return layer.backward(out.saved(), dOutput, null);
    }
}
