package dev.mnemo.bench;

import dev.mnemo.nn.linalg.Eigen;
import dev.mnemo.nn.linalg.EigenEngine;
import dev.mnemo.nn.linalg.EigenOptions;
import dev.mnemo.nn.linalg.EigenResult;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
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
 * Eigenvalues of one general n×n matrix on the CPU, float64, values only, side by side:
 * {@code mnemo} is {@code Eigen.of} on the CPU engine (Mnemo's Francis QR, and the invariant
 * checks every result passes), {@code ejml} is EJML's general eigen decomposition alone, which was
 * the CPU engine before. N(0, 1/n) entries, seed 1, as the GPU runner's eigen rows. Milliseconds per call.
 *
 * <pre>
 *   java -cp "bench/target/mnemo-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" org.openjdk.jmh.Main EigenBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class EigenBenchmark {

    @Param({"16", "64", "128", "256", "512"})
    public int n;

    private double[] a;
    private EigenOptions cpu;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(1);
        a = new double[n * n];
        double s = 1 / Math.sqrt(n);
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian() * s;
        }
        cpu = EigenOptions.builder().engine(EigenEngine.CPU).build();
    }

    /** {@code Eigen.of}, CPU engine: the solve and the checks. */
    @Benchmark
    public EigenResult mnemo() {
        return Eigen.of(a, n, cpu);
    }

    /** EJML's double-shift QR alone on a copy (it overwrites its input), no checks. */
    @Benchmark
    public EigenDecomposition_F64<DMatrixRMaj> ejml() {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, false);
        if (!eig.decompose(new DMatrixRMaj(n, n, true, a))) {
            throw new IllegalStateException("EJML did not converge at n = " + n);
        }
        return eig;
    }
}
