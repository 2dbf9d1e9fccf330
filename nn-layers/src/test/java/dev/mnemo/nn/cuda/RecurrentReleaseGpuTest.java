package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import dev.mnemo.nn.cuda.RecurrentCudaGpuTest.Kind;
import dev.mnemo.nn.layers.RecurrentGradients;
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
 * Released traces and scratch serve the next call with whatever they held (no fill): the results
 * of a loop that releases every pass must equal, bit for bit, those of a first call on fresh memory.
 * Two layers, both directions and batchFirst, so every internal tensor kind is made and released:
 * transposes, inner outputs, per-direction gradients.
 */
@Tag("gpu")
class RecurrentReleaseGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    @ParameterizedTest(name = "{0} path={1}")
    @CsvSource({"LSTM, per-step", "LSTM, persistent", "GRU, per-step", "GRU, persistent", "RNN_TANH, per-step"})
    void aReleasingLoopRepeatsTheFirstCallBitForBit(Kind kind, String path) {
        SystemProperty.with(RecurrentLayer.GRAPHS_PROPERTY, "false",
                () -> PersistentRecurrentGpuTest.withPath(path, "auto", () -> {
                    var options = RecurrentOptions.builder(4, 9).numLayers(2).bidirectional(true).batchFirst(true)
                            .bias(true).seed(RecurrentCudaGpuTest.SEED).build();
                    RecurrentLayer layer = RecurrentCudaGpuTest.layer(kind, options, gpu);
                    Tensor x = gpu.copyOf(RecurrentCudaGpuTest.random(1, 3, 5, 4));
                    Tensor dy = gpu.copyOf(RecurrentCudaGpuTest.random(2, 3, 5, 18));
                    List<float[]> reference = pass(layer, x, dy, false);
                    for (int i = 0; i < 3; i++) {
                        List<float[]> again = pass(layer, x, dy, true);
                        for (int k = 0; k < reference.size(); k++) {
                            assertArrayEquals(reference.get(k), again.get(k), "result " + k + " of pass " + i);
                        }
                    }
                    return null;
                }));
    }

    /**
     * A tensor the backward reads, released too early by the caller, is named as the caller knows it (x, the
     * initial state, the output), not as the internal GEMM operand the backward would have failed on.
     */
    @org.junit.jupiter.api.Test
    void aBackwardAfterReleasingItsInputsNamesThem() {
        var options = RecurrentOptions.builder(3, 4).seed(RecurrentCudaGpuTest.SEED).build();
        RecurrentLayer layer = RecurrentCudaGpuTest.layer(Kind.LSTM, options, gpu);
        Tensor dy = gpu.copyOf(RecurrentCudaGpuTest.random(2, 5, 2, 4));
        String[] expected = {"x given to forward", "the initial state's h given to forward",
            "the output of forward (the backward reads it)"};
        for (int which = 0; which < 3; which++) {
            Tensor x = gpu.copyOf(RecurrentCudaGpuTest.random(1, 5, 2, 3));
            var state = new dev.mnemo.nn.layers.RecurrentState(gpu.copyOf(RecurrentCudaGpuTest.random(3, 1, 2, 4)),
                    gpu.copyOf(RecurrentCudaGpuTest.random(4, 1, 2, 4)));
            RecurrentOutput out = layer.forward(x, state);
            gpu.release(which == 0 ? x : which == 1 ? state.h() : out.output());
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> layer.backward(out.saved(), dy, null));
            org.junit.jupiter.api.Assertions.assertEquals(expected[which] + " was released (Backend.release) before "
                    + "this backward: release it after the last backward that uses its forward", e.getMessage());
        }
    }

    /** Output, h_n, (c_n), dx, dh_0, (dc_0) and the weight gradients of one pass, on the host. */
    List<float[]> pass(RecurrentLayer layer, Tensor x, Tensor dy, boolean release) {
        layer.zeroGradients();
        RecurrentOutput out = layer.forward(x, null);
        RecurrentGradients g = layer.backward(out.saved(), dy, null);
        List<float[]> results = new ArrayList<>();
        for (Tensor t : new Tensor[] {out.output(), out.state().h(), out.state().c(), g.dx(), g.dState().h(),
                g.dState().c(), layer.flatGradients()}) {
            if (t != null) {
                results.add(t.to(Device.CPU).toFloatArray());
            }
        }
        if (release) {
            out.saved().release();
            for (Tensor t : new Tensor[] {out.output(), out.state().h(), out.state().c(), g.dx(), g.dState().h(),
                    g.dState().c()}) {
                if (t != null) {
                    gpu.release(t);
                }
            }
        }
        return results;
    }
}
