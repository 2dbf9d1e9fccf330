package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The narrow input backward ({@code mnemo.cuda.narrowInput}, on by default): {@link Backend#inputGradients}
 * on the CUDA backend against the float64 CPU backend, with the kernel on and off; on the emulated driver,
 * that it is the kernel that ran (and no GEMM); and whole layers with one to four inputs against the
 * float64 CPU reference.
 */
@Tag("gpu")
class NarrowInputGpuTest {
    static final String KERNEL = "launch:mnemo_input_narrow_bwd_f32";

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
    }

    static <T> T narrow(boolean on, Supplier<T> body) {
        return SystemProperty.with(NarrowInputSetting.PROPERTY, on ? "on" : "off", body);
    }

    /** The outputs of one call, on the host in float64: dwIh, dbIh, dbHh (or empty), dIn. */
    static double[][] inputGradients(Backend be, int rows, int gates, int inputs, boolean bias, boolean shared,
                                     double beta) {
        Tensor dWx = be.copyOf(RecurrentCudaGpuTest.random(1, rows, gates));
        Tensor x = be.copyOf(RecurrentCudaGpuTest.random(2, rows, inputs));
        Tensor w = be.copyOf(RecurrentCudaGpuTest.random(3, gates, inputs));
        Tensor dw = be.copyOf(RecurrentCudaGpuTest.random(4, gates, inputs));
        Tensor dbIh = bias ? be.copyOf(RecurrentCudaGpuTest.random(5, gates)) : null;
        Tensor dbHh = bias && shared ? be.copyOf(RecurrentCudaGpuTest.random(6, gates)) : null;
        Tensor dIn = be.copyOf(RecurrentCudaGpuTest.random(7, rows, inputs));
        be.inputGradients(new Backend.InputGradients(dWx, x, w, dw, dbIh, dbHh, dIn, beta));
        return new double[][] {host(dw), dbIh == null ? new double[0] : host(dbIh),
            dbHh == null ? new double[0] : host(dbHh), host(dIn)};
    }

    static double[] host(Tensor t) {
        return CpuBackend.float64().copyOf(t).toDoubleArray();
    }

    @ParameterizedTest(name = "R={0} G={1} I={2} bias={3} shared={4} beta={5}")
    @CsvSource({"1, 1, 1, true, true, 0", "700, 128, 1, true, true, 0", "513, 512, 1, true, true, 1",
            "300, 384, 3, true, false, 0", "200, 1024, 4, false, false, 1", "4000, 96, 2, true, true, 0",
            "129, 20, 4, true, true, 1", "50, 16, 5, true, true, 0", "40, 1028, 1, true, true, 0"})
    void onAndOffMatchTheFloat64Cpu(int rows, int gates, int inputs, boolean bias, boolean shared, double beta) {
        CudaBackend gpu = CudaBackend.float32();
        double[][] want = inputGradients(CpuBackend.float64(), rows, gates, inputs, bias, shared, beta);
        for (boolean on : new boolean[] {true, false}) {
            double[][] got = narrow(on, () -> inputGradients(gpu, rows, gates, inputs, bias, shared, beta));
            String[] names = {"dwIh", "dbIh", "dbHh", "dIn"};
            for (int k = 0; k < names.length; k++) {
                assertEquals(want[k].length, got[k].length, names[k]);
                double scale = 1e-30;
                double err = 0;
                for (int i = 0; i < want[k].length; i++) {
                    scale = Math.max(scale, Math.abs(want[k][i]));
                    err = Math.max(err, Math.abs(got[k][i] - want[k][i]));
                }
                assertTrue(err <= 1e-5 * scale, names[k] + " (narrow " + (on ? "on" : "off") + "): max error " + err
                        + " > 1e-5 of " + scale);
            }
        }
    }

    @Test
    void theResultIsTheSameBitsEveryRun() {
        CudaBackend gpu = CudaBackend.float32();
        double[][] a = narrow(true, () -> inputGradients(gpu, 5000, 512, 1, true, true, 0));
        double[][] b = narrow(true, () -> inputGradients(gpu, 5000, 512, 1, true, true, 0));
        for (int k = 0; k < a.length; k++) {
            assertArrayEquals(a[k], b[k], 0.0);
        }
    }

    /** On the emulated driver: one kernel and one column sum per gradient replace the GEMMs, and off brings them back. */
    @ParameterizedTest(name = "I={0}")
    @CsvSource({"1, true", "4, true", "5, false"})
    void theKernelRunsWhereItFitsAndNoGemmDoes(int inputs, boolean fits) {
        EmulatorCallCensus census = EmulatorCallCensus.assumeOpen();
        CudaBackend gpu = CudaBackend.float32();
        for (boolean on : new boolean[] {true, false}) {
            Map<String, Long> counts = narrow(on, () -> {
                Tensor dWx = gpu.zeros(100, 64);
                Tensor x = gpu.zeros(100, inputs);
                Tensor w = gpu.zeros(64, inputs);
                Tensor dw = gpu.zeros(64, inputs);
                Tensor db = gpu.zeros(64);
                Tensor dIn = gpu.empty(100, inputs);
                gpu.synchronize();
                census.reset();
                gpu.inputGradients(new Backend.InputGradients(dWx, x, w, dw, db, null, dIn, 0.0));
                gpu.synchronize();
                return census.counts();
            });
            boolean kernel = on && fits;
            assertEquals(kernel ? 1L : 0L, counts.getOrDefault(KERNEL, 0L), counts.toString());
            assertEquals(kernel ? 0L : 2L, counts.getOrDefault("cublasSgemm_v2", 0L), counts.toString());
            // on: db's and dW_ih's sums of the partials; off: db's column sum
            assertEquals(kernel ? 2L : 1L, counts.getOrDefault("launch:mnemo_tensor_sum_rows_f32", 0L)
                    + counts.getOrDefault("launch:mnemo_tensor_sum_rows_partial_f32", 0L), counts.toString());
        }
    }

    /** Layers with few inputs (the kernel's) and one with six (the GEMMs'), forward and every gradient. */
    @ParameterizedTest(name = "{0} T={1} B={2} I={3} H={4} bidir={5} bias={6}")
    @CsvSource({"LSTM, 9, 4, 1, 128, false, true", "GRU, 6, 3, 2, 40, true, true", "RNN_TANH, 7, 5, 1, 64, false, false",
            "RNN_RELU, 4, 2, 4, 12, true, true", "LSTM, 3, 2, 3, 256, false, true", "GRU, 5, 2, 6, 16, false, true"})
    void layersMatchTheFloat64CpuReference(Kind kind, int steps, int batch, int input, int hidden, boolean bidirectional,
                                           boolean bias) {
        CudaBackend gpu = CudaBackend.float32();
        narrow(true, () -> {
            RecurrentCudaGpuTest.compare(gpu, kind, steps, batch, input, hidden, bias, 1, bidirectional, false, true,
                    0.0, 1e-5, 2.0);
            return null;
        });
    }
}
