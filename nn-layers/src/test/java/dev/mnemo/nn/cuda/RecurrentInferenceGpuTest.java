package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import dev.mnemo.nn.layers.RecurrentLayer;
import dev.mnemo.nn.layers.RecurrentOptions;
import dev.mnemo.nn.layers.RecurrentOutput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link RecurrentLayer#infer} on CUDA, on each forward path: the per-step loop eager and through
 * its recorded graph (a projected LSTM too), and the persistent grid and cluster kernels. Its output and final state equal
 * the training forward's bit for bit (the inference kernels compute the same expressions, they only
 * skip the saved gates and hn), and once its results are released the memory in use is what it was
 * before the call.
 */
@Tag("gpu")
class RecurrentInferenceGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    @ParameterizedTest(name = "{0} path={1} variant={2} graphs={3} bidir={4} proj={5}")
    @CsvSource({"LSTM, per-step, auto, false, true, 0", "GRU, per-step, auto, false, false, 0",
            "RNN_TANH, per-step, auto, false, true, 0",
            "LSTM, per-step, auto, true, false, 0", "GRU, per-step, auto, true, true, 0",
            "RNN_RELU, per-step, auto, true, false, 0",
            "LSTM, per-step, auto, false, true, 5", "LSTM, per-step, auto, true, true, 5",
            "LSTM, persistent, grid, false, false, 0", "GRU, persistent, grid, false, true, 0",
            "LSTM, persistent, cluster, false, true, 0", "GRU, persistent, cluster, false, false, 0",
            "RNN_TANH, persistent, cluster, false, false, 0"})
    void inferMatchesTheForwardAndKeepsNothing(Kind kind, String path, String variant, boolean graphs,
                                               boolean bidirectional, int proj) {
        int steps = 7;
        int batch = 3;
        int hidden = 24;
        if (path.equals("persistent")) {
            PersistentRecurrentGpuTest.assumeRoom(gpu, kind, steps, batch, hidden, variant);
        }
        SystemProperty.with(RecurrentLayer.GRAPHS_PROPERTY, graphs ? "true" : "false",
                () -> PersistentRecurrentGpuTest.withPath(path, variant, () -> {
                    var options = RecurrentOptions.builder(5, hidden).numLayers(2).bidirectional(bidirectional)
                            .projSize(proj).bias(true).seed(RecurrentCudaGpuTest.SEED).build();
                    RecurrentLayer layer = RecurrentCudaGpuTest.layer(kind, options, gpu);
                    Tensor x = gpu.copyOf(RecurrentCudaGpuTest.random(1, steps, batch, 5));
                    RecurrentOutput trained = layer.forward(x, null);
                    List<float[]> expected = results(trained);
                    trained.saved().release();
                    release(trained);
                    // graphs: the first inference records its loops, the later ones replay them
                    for (int call = 0; call < 3; call++) {
                        gpu.reclaimUnreachable();   // earlier calls' garbage, so it cannot drop mid-measurement
                        long before = DeviceMemoryInUse.bytes(gpu);
                        RecurrentOutput inferred = layer.infer(x, null);
                        List<float[]> got = results(inferred);
                        for (int k = 0; k < expected.size(); k++) {
                            assertArrayEquals(expected.get(k), got.get(k), "result " + k + " of inference " + call);
                        }
                        release(inferred);
                        if (call > 0) {   // the first may record graphs, whose buffers stay with the layer
                            assertEquals(before, DeviceMemoryInUse.bytes(gpu), "memory in use after inference "
                                    + call);
                        }
                    }
                    if (graphs) {
                        assertTrue(layer.usesStepGraphs());
                    }
                    return null;
                }));
    }



    /** Output, h_n and (c_n) on the host. */
    private static List<float[]> results(RecurrentOutput o) {
        List<float[]> r = new ArrayList<>();
        for (Tensor t : new Tensor[] {o.output(), o.state().h(), o.state().c()}) {
            if (t != null) {
                r.add(t.to(Device.CPU).toFloatArray());
            }
        }
        return r;
    }

    private void release(RecurrentOutput o) {
        for (Tensor t : new Tensor[] {o.output(), o.state().h(), o.state().c()}) {
            if (t != null) {
                gpu.release(t);
            }
        }
    }
}
