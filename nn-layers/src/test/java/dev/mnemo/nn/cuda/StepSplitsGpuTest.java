package dev.mnemo.nn.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Device;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The per-step recurrent product in partials ({@value StepSplits#PROPERTY}) on a device: the buffer
 * has the partials the setting asks for, they sum to the one GEMM, and the layers on the per-step
 * path match the CPU with them, forward and every gradient.
 */
@Tag("gpu")
class StepSplitsGpuTest {
    CudaBackend gpu;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
    }

    @Test
    void theBufferHoldsThePartialsTheSettingAsksFor() {
        assertArrayEquals(new int[] {6, 48}, SystemProperty.with(StepSplits.PROPERTY, null,
                () -> gpu.recurrentProductBuffer(6, 48, 12).shape()), "auto (the default): one product at gated H 12");
        assertArrayEquals(new int[] {4, 6, 48}, SystemProperty.with(StepSplits.PROPERTY, "4",
                () -> gpu.recurrentProductBuffer(6, 48, 12).shape()));
        assertArrayEquals(new int[] {4, 6, 48}, SystemProperty.with(StepSplits.PROPERTY, "5",
                () -> gpu.recurrentProductBuffer(6, 48, 12).shape()), "the largest divisor of H = 12 up to 5");
        assertArrayEquals(new int[] {4, 6, 48}, SystemProperty.with(StepSplits.PROPERTY, "4",
                () -> CudaBackend.tf32().recurrentProductBuffer(6, 48, 12).shape()), "TF32 GEMMs split too");
    }

    @Test
    void thePartialsSumToTheOneProduct() {
        Tensor h = RecurrentCudaGpuTest.random(1, 6, 12).to(Device.CUDA);
        Tensor w = RecurrentCudaGpuTest.random(2, 48, 12).to(Device.CUDA);
        Tensor whole = gpu.zeros(6, 48);
        gpu.gemm(false, true, 1.0, h, w, 0.0, whole);
        Tensor parts = gpu.zeros(3, 6, 48);
        gpu.recurrentProduct(h, w, parts);
        float[] want = whole.to(Device.CPU).toFloatArray();
        float[] got = parts.to(Device.CPU).toFloatArray();
        for (int i = 0; i < want.length; i++) {
            float sum = got[i] + got[want.length + i] + got[2 * want.length + i];
            assertEquals(want[i], sum, 1e-5f * Math.max(1, Math.abs(want[i])), "element " + i);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> gpu.recurrentProduct(h, w, gpu.zeros(5, 6, 48)));
        assertEquals("a product split into 5 partials needs H divisible by 5, got H 12", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gpu.lstmCellForward(gpu.zeros(6, 48), gpu.zeros(6, 6, 47),
                null, null, gpu.zeros(6, 12), gpu.zeros(6, 48), gpu.zeros(6, 12), gpu.zeros(6, 12)));
        assertTrue(e.getMessage().startsWith("rh must have shape [6, 48] or [S, 6, 48] (S partial products)"),
                e.getMessage());
    }

    @ParameterizedTest(name = "{0} with {1} partials")
    @CsvSource({"RNN_TANH, 3", "RNN_RELU, 4", "LSTM, 3", "LSTM, 12", "GRU, 4", "GRU, 2"})
    void layersWithPartialsMatchTheCpu(RecurrentCudaGpuTest.Kind kind, String splits) {
        SystemProperty.run(PersistentPolicy.PROPERTY, "per-step", () -> SystemProperty.run(StepSplits.PROPERTY, splits,
                () -> RecurrentCudaGpuTest.compare(gpu, kind, 7, 6, 5, 12, true, 2, true, false, true, 0.0, 1e-5, 2.0)));
    }

    @ParameterizedTest(name = "tf32 {0} with 3 partials")
    @CsvSource({"RNN_TANH", "LSTM", "GRU"})
    void tf32LayersWithPartialsStayWithin1e3(RecurrentCudaGpuTest.Kind kind) {
        SystemProperty.run(PersistentPolicy.PROPERTY, "per-step", () -> SystemProperty.run(StepSplits.PROPERTY, "3",
                () -> RecurrentCudaGpuTest.compare(CudaBackend.tf32(), kind, 7, 6, 5, 12, true, 2, true, false, true,
                        0.0, 1e-3, 0.0)));
    }
}
