package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.Device;
import dev.mnemo.nn.Tensor;

/**
 * The recorded MemNet step loops ({@link MemNetGraphs}) against the eager ones, bit for bit: two layers of one
 * seed, one recording, run the same calls (training with dropout, a shape change and back, a new dropout seed,
 * evaluation) and must give the same outputs, ∂L/∂x and accumulated gradients after every call.
 */
final class MemNetGraphsCheck {
    private MemNetGraphsCheck() {
    }

    /** 300 slots: past every one-launch kernel, so CUDA runs the step loops too. */
    static MemNetOptions options() {
        return MemNetOptions.builder(2, 3).keySize(4).valueSize(5).slots(300).dropout(0.3).seed(5).build();
    }

    /** Runs the calls with a layer recording after {@code sightings} calls; returns its graphs' recordings. */
    static int run(Backend backend, int sightings) {
        MemNet eager = new MemNet(options(), backend);
        eager.useStepGraphs(0);
        MemNet graphed = new MemNet(options(), backend);
        graphed.useStepGraphs(sightings);
        int[][] shapes = {{6, 2}, {6, 2}, {6, 2}, {4, 3}, {6, 2}, {6, 2}, {6, 2}};
        for (int call = 0; call < shapes.length; call++) {
            int steps = shapes[call][0];
            int batch = shapes[call][1];
            if (call == 5) {   // a new stream: the seed is part of the recording's key
                eager.seedDropout(99);
                graphed.seedDropout(99);
            }
            Tensor x = backend.copyOf(TestData.uniform(backend, 100 + call, 1.0, steps, batch, 2));
            Tensor dy = backend.copyOf(TestData.uniform(backend, 200 + call, 1.0, steps, batch, 3));
            String where = "call " + call + " (T " + steps + ", B " + batch + ")";
            MemNetOutput a = eager.forward(x);
            MemNetOutput b = graphed.forward(x);
            assertBits(a.output(), b.output(), "y, " + where);
            assertBits(eager.backward(a.saved(), dy), graphed.backward(b.saved(), dy), "dx, " + where);
            assertBits(eager.flatGradients(), graphed.flatGradients(), "gradients, " + where);
        }
        eager.setTraining(false);
        graphed.setTraining(false);
        for (int call = 0; call < 3; call++) {
            Tensor x = backend.copyOf(TestData.uniform(backend, 300 + call, 1.0, 6, 2, 2));
            assertBits(eager.forward(x).output(), graphed.forward(x).output(), "evaluation call " + call);
        }
        return graphed.stepGraphs().recordings();
    }

    static void assertBits(Tensor expected, Tensor actual, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        assertArrayEquals(expected.to(Device.CPU).toFloatArray(), actual.to(Device.CPU).toFloatArray(), what);
    }
}
