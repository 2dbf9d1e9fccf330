package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.cuda.CudaBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CUDA Graph replay of the recurrent forward loop: bit-identical to the eager launches across several
 * calls, recorded again when the shape changes (see {@link StepGraphsCheck}).
 */
@Tag("gpu")
class StepGraphsGpuTest {
    Backend gpu;

    @BeforeEach
    void assumeCuda() {
        var reason = CudaBackend.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
        gpu = CudaBackend.float32();
    }

    @Test
    void lstmGraphReplayIsBitIdentical() {
        StepGraphsCheck.run(gpu, o -> new Lstm(o, gpu));
    }

    @Test
    void gruGraphReplayIsBitIdentical() {
        StepGraphsCheck.run(gpu, o -> new Gru(o, gpu));
    }

    @Test
    void rnnGraphReplayIsBitIdentical() {
        StepGraphsCheck.run(gpu, o -> new Rnn(o, gpu));
    }
}
