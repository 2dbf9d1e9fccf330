package dev.mnemo.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;

/**
 * MemNet reads whose scores are all far below zero: every query is (a, a), every key (−a, −a), so each
 * score is −2a² = −800, below where exp(−max) overflows in float32 (−88) and in float64 (−709). The
 * softmax stays uniform over the filled slots: once no slot is empty, c_t is the mean value, 1 (and so is
 * y_t = ½c_t[0] + ½c_t[1]); while zero-score empty slots are left they take all the weight and c_t is 0.
 * A read that adds the empty slots' term empty·exp(−max) when there are none computes 0·∞ = NaN there.
 * Only the biases and W_c are set: h_t = o_t = [q; k; v] whatever x is.
 */
final class MemNetFarScoresCheck {
    private static final double A = 20;

    private MemNetFarScoresCheck() {
    }

    static MemNet layer(Backend backend, int slots, boolean masked) {
        MemNetOptions options = MemNetOptions.builder(1, 1).keySize(2).valueSize(2).slots(slots)
                .maskEmptySlots(masked).seed(3).build();
        MemNet layer = new MemNet(options, backend);
        backend.fill(layer.flatParameters(), 0.0);
        backend.copy(Tensor.of(new float[] {(float) A, (float) A, (float) -A, (float) -A, 1, 1}, 6),
                layer.parameters().get("qkv.bias"));
        backend.fill(layer.parameters().get("read_out.weight"), 0.5);
        return layer;
    }

    /** y_t: 1 once the read sees no empty slot and at least one filled one, else 0. */
    static double expected(int t, int slots, boolean masked) {
        int filled = Math.min(t, slots);
        int empty = masked ? 0 : slots - filled;
        return filled > 0 && empty == 0 ? 1.0 : 0.0;
    }

    /**
     * Forward (y against {@link #expected}, to 1e-4: a float32 log-sum-exp near −800 has an ulp of 6e-5, which the
     * weights exp(s − lse) inherit), backward (every gradient finite) and the streaming step
     * (the forward's y) of a batch of 2 over {@code slots + 3} steps.
     */
    static void run(Backend backend, int slots, boolean masked) {
        int steps = slots + 3;
        MemNet layer = layer(backend, slots, masked);
        Tensor x = backend.copyOf(TestData.uniform(backend, 11, 1.0, steps, 2, 1));
        MemNetOutput out = layer.forward(x);
        assertOutputs(host(out.output()), steps, slots, masked, "forward");
        Tensor dy = backend.copyOf(TestData.uniform(backend, 12, 1.0, steps, 2, 1));
        assertFinite(host(layer.backward(out.saved(), dy)), "dx");
        for (var g : layer.gradients().entrySet()) {
            assertFinite(host(g.getValue()), "d " + g.getKey());
        }
        layer.setTraining(false);
        MemNetState state = layer.initialState(2);
        Tensor streamed = Tensor.zeros(steps, 2, 1);
        for (int t = 0; t < steps; t++) {
            Tensor y = host(layer.step(backend.copyOf(host(x).select(t)), state));
            for (int b = 0; b < 2; b++) {
                streamed.setFlat(2L * t + b, y.getFlat(b));
            }
        }
        assertOutputs(streamed, steps, slots, masked, "step");
    }

    private static void assertOutputs(Tensor y, int steps, int slots, boolean masked, String what) {
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < 2; b++) {
                double v = y.getFlat(2L * t + b);
                String where = what + " y[" + t + ", " + b + "] of " + slots + " slots" + (masked ? ", masked" : "");
                assertEquals(expected(t, slots, masked), v, 1e-4, where);
            }
        }
    }

    private static void assertFinite(Tensor t, String what) {
        for (long i = 0; i < t.numel(); i++) {
            assertTrue(Double.isFinite(t.getFlat(i)), what + "[" + i + "] = " + t.getFlat(i));
        }
    }

    private static Tensor host(Tensor t) {
        return CpuBackend.float64().copyOf(t);
    }
}
