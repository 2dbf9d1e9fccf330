package dev.mnemo.nn.layers;

import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.cuda.CudaAssume;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.MemNetLoopSetting;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link MemNetFarScoresCheck} on CUDA: every score −800, far below float32's −88, through the one-launch
 * loops and streaming kernel (4 slots, loop on; their read added 0·expf(800) = NaN once no slot was empty),
 * the step loops' read kernels (loop off, and 260 slots, past the one-launch kernels).
 */
@Tag("gpu")
class MemNetFarScoresGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    @ParameterizedTest(name = "M={0} masked={1} loop={2}")
    @CsvSource({"4, false, on", "4, true, on", "4, false, off", "4, true, off", "260, false, on", "260, true, on"})
    void scoresFarBelowZeroReadTheMeanValueOnceNoSlotIsEmpty(int slots, boolean masked, String loop) {
        SystemProperty.run(MemNetLoopSetting.PROPERTY, loop, () -> MemNetFarScoresCheck.run(gpu, slots, masked));
    }

    /**
     * Scores far above float's range (scale 1e30 on dots of order 1e9): on CUDA they were +∞, every weight
     * exp(∞ − ∞) NaN, and y NaN from the second step, through the one-launch loops, the step loops' read
     * kernels and the streaming kernel alike. Now finite everywhere, forward, backward and step.
     */
    @ParameterizedTest(name = "loop={0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"on", "off"})
    void scoresPastFloatRangeStayFinite(String loop) {
        SystemProperty.run(MemNetLoopSetting.PROPERTY, loop, () -> {
            MemNetOptions o = MemNetOptions.builder(1, 1).keySize(1).valueSize(1).slots(2).scale(1e30).seed(1).build();
            MemNet layer = new MemNet(o, gpu);
            dev.mnemo.nn.Tensor x = gpu.copyOf(dev.mnemo.nn.Tensor.of(new float[] {1e5f, -2e5f, 3e5f, 1e5f}, 4, 1, 1));
            MemNetOutput out = layer.forward(x);
            assertFinite(out.output(), "y");
            assertFinite(layer.backward(out.saved(), gpu.copyOf(dev.mnemo.nn.Tensor.of(new float[] {1, 1, 1, 1}, 4, 1,
                    1))), "dx");
            for (var g : layer.gradients().entrySet()) {
                assertFinite(g.getValue(), "d " + g.getKey());
            }
            layer.setTraining(false);
            MemNetState state = layer.initialState(1);
            for (int t = 0; t < 4; t++) {
                assertFinite(layer.step(gpu.copyOf(dev.mnemo.nn.Tensor.of(new float[] {(float) (1e5 * (t + 1))}, 1, 1)),
                        state), "step " + t);
            }
        });
    }

    private static void assertFinite(dev.mnemo.nn.Tensor t, String what) {
        dev.mnemo.nn.Tensor h = t.to(dev.mnemo.nn.Device.CPU);
        for (long i = 0; i < h.numel(); i++) {
            org.junit.jupiter.api.Assertions.assertTrue(Double.isFinite(h.getFlat(i)), what + "[" + i + "] = "
                    + h.getFlat(i));
        }
    }
}
