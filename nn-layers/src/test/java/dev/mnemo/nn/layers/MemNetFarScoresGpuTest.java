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
}
