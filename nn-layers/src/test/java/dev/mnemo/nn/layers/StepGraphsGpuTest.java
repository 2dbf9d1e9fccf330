package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.SystemProperty;
import dev.mnemo.nn.cuda.CudaAssume;
import dev.mnemo.nn.cuda.CudaBackend;
import dev.mnemo.nn.cuda.DepthSplits;
import dev.mnemo.nn.cuda.PersistentPolicy;
import dev.mnemo.nn.cuda.StepSplits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CUDA Graph replay of the recurrent forward loop: bit-identical to the eager launches across several
 * calls, recorded again when the shape changes (see {@link StepGraphsCheck}).
 */
@Tag("gpu")
class StepGraphsGpuTest {
    Backend gpu;

    private String pathBefore;

    @BeforeEach
    void assumeCuda() {
        CudaAssume.available();
        gpu = CudaBackend.float32();
        // these small batches would take the persistent kernels, which have no time loop to record
        pathBefore = System.setProperty(PersistentPolicy.PROPERTY, "per-step");
    }

    @AfterEach
    void restorePath() {
        SystemProperty.set(PersistentPolicy.PROPERTY, pathBefore);
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

    @Test
    void projectedLstmGraphReplayIsBitIdentical() {
        var projected = StepGraphsCheck.projectedOptions();
        StepGraphsCheck.run(gpu, o -> new Lstm(o, gpu), projected);
        StepGraphsCheck.runReleasing(gpu, o -> new Lstm(o, gpu), projected);
        StepGraphsCheck.runAlternating(gpu, o -> new Lstm(o, gpu), projected);
        StepGraphsCheck.runAuto(gpu, o -> new Lstm(o, gpu), projected);
    }

    @Test
    void aReleasingLoopRunsInLentTracesWithTheEagerBits() {
        StepGraphsCheck.runReleasing(gpu, o -> new Lstm(o, gpu));
        StepGraphsCheck.runReleasing(gpu, o -> new Gru(o, gpu));
        StepGraphsCheck.runReleasing(gpu, o -> new Rnn(o, gpu));
    }

    @Test
    void alternatingShapesHoldSteadyMemoryAndKeepLentTraces() {
        StepGraphsCheck.runAlternating(gpu, o -> new Lstm(o, gpu));
        StepGraphsCheck.runAlternating(gpu, o -> new Gru(o, gpu));
        StepGraphsCheck.runAlternating(gpu, o -> new Rnn(o, gpu));
    }

    @Test
    void recordedLoopsWithTheProductInPartialsReplayTheEagerBits() {
        // H = 7 splits into 7 partials of one column each
        SystemProperty.run(StepSplits.PROPERTY, "7", () -> {
            assertEquals(3, gpu.recurrentProductBuffer(2, 28, 7).rank(), "the product is split");
            StepGraphsCheck.run(gpu, o -> new Lstm(o, gpu));
            StepGraphsCheck.run(gpu, o -> new Gru(o, gpu));
            StepGraphsCheck.run(gpu, o -> new Rnn(o, gpu));
        });
        // projected: the product's depth is P = 4, split into 4 partials; its projection and dh products
        // over H = 7 and 4H = 28 in 7 slices
        SystemProperty.run(StepSplits.PROPERTY, "4", () -> SystemProperty.run(DepthSplits.PROPERTY, "7", () -> {
            assertEquals(3, gpu.recurrentProductBuffer(2, 28, 4).rank(), "the product is split");
            assertEquals(7, gpu.depthSplitBuffer(2, 4, 28).dim(0), "the dh product is split");
            StepGraphsCheck.run(gpu, o -> new Lstm(o, gpu), StepGraphsCheck.projectedOptions());
            StepGraphsCheck.runReleasing(gpu, o -> new Lstm(o, gpu), StepGraphsCheck.projectedOptions());
        }));
    }

    @Test
    void cudaLayersStartInTheAutoModeWhichIsBitIdentical() {
        Assumptions.assumeTrue(System.getProperty(RecurrentLayer.GRAPHS_PROPERTY) == null,
                "-Dmnemo.cuda.graphs is set, so the layers do not start in the default mode");
        assertEquals(2, new Lstm(StepGraphsCheck.options(), gpu).stepGraphs().sightings());
        StepGraphsCheck.runAuto(gpu, o -> new Lstm(o, gpu));
        StepGraphsCheck.runAuto(gpu, o -> new Rnn(o, gpu));
    }
}
