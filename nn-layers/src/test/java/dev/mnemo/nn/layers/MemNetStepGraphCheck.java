package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Tensor;

/**
 * The recorded streaming step ({@link MemNetStepGraph}) against the eager one, bit for bit: two layers of one
 * seed, one recording, stream the same inputs past the point where the ring is full (260 slots: past the
 * one-launch kernels, so CUDA runs the step loop too), and then generate from a prefix longer than the ring.
 */
final class MemNetStepGraphCheck {
    static final int SLOTS = 260;

    private MemNetStepGraphCheck() {
    }

    static MemNetOptions options() {
        return MemNetOptions.builder(2, 2).keySize(4).valueSize(5).slots(SLOTS).seed(7).build();
    }

    /** Streams and generates with a layer recording after {@code sightings} full steps; asserts it recorded. */
    static void run(Backend backend, int sightings) {
        MemNet eager = new MemNet(options(), backend);
        eager.useStepGraphs(0);
        MemNet graphed = new MemNet(options(), backend);
        graphed.useStepGraphs(sightings);
        MemNetState a = eager.initialState(2);
        MemNetState b = graphed.initialState(2);
        for (int t = 0; t < SLOTS + 12; t++) {
            Tensor x = backend.copyOf(TestData.uniform(backend, 400 + t, 1.0, 2, 2));
            MemNetGraphsCheck.assertBits(eager.step(x, a), graphed.step(x, b), "step " + t);
        }
        assertEquals(a.steps(), b.steps());
        MemNetGraphsCheck.assertBits(a.h(), b.h(), "h after the steps");
        assertTrue(b.stepGraph.recorded(), "the full ring's steps were recorded");
        Tensor prefix = backend.copyOf(TestData.uniform(backend, 900, 1.0, SLOTS + 3, 2, 2));
        MemNetGraphsCheck.assertBits(eager.generate(prefix, 6), graphed.generate(prefix, 6), "generate");
    }
}
