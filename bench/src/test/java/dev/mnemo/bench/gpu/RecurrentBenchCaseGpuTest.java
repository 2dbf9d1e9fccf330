package dev.mnemo.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.PersistentPolicy;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A timed run gives back every block it took, so the timer needs no garbage collection between runs
 * (RecurrentBenchCase): once warm (the cache filled, the per-step loops recorded as graphs), more
 * runs leave the memory in use where it was, on either recurrent path, and for variable-length and
 * projected rows.
 */
@Tag("gpu")
class RecurrentBenchCaseGpuTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"LSTM, per-step, small", "LSTM, persistent, small", "GRU, per-step, small", "RNN, persistent, small",
            "LSTM, per-step, packed", "GRU, per-step, packed", "RNN, persistent, packed", "LSTM, persistent, packed",
            "LSTM, per-step, projected"})
    void runsReleaseWhatTheyMake(String cell, String path, String shapeName) {
        assumeTrue(CudaBackend.isAvailable(), () -> "no GPU: " + CudaBackend.unavailableReason().orElse(""));
        CudaBackend gpu = CudaBackend.float32();
        BenchShape shape = new BenchShape(cell, shapeName, 5, 3, 8, 16, "fp32", Double.NaN, Double.NaN);
        RecurrentBenchCase c = RecurrentBenchCase.build(shape, gpu);
        gpu.reclaimUnreachable();   // earlier cases' layers, before the warm-up takes their blocks back
        withPath(path, () -> {
            for (int i = 0; i < 3; i++) {
                c.infer();
                c.forward();
                c.forwardBackward();
            }
            long before = gpu.memoryStats().inUseBytes();
            for (int i = 0; i < 3; i++) {
                c.infer();
                c.forward();
                c.forwardBackward();
            }
            long after = gpu.memoryStats().inUseBytes();
            assertTrue(after <= before, cell + " " + path + ": memory in use grew from " + before + " to " + after);
            return null;
        });
    }

    private static <T> T withPath(String path, Supplier<T> body) {
        return SystemProperties.with(PersistentPolicy.PROPERTY, path, body);
    }
}
