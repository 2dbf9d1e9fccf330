package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.FiniteDifferences;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link MemNet#backward} against central differences in float64 ({@link FiniteDifferences}), for the
 * input and every parameter ({@code h0} and {@code c0} included), on the scalar
 * {@code L = Σ y ⊙ R} with fixed random R. Dropout cases reseed the stream before every evaluation,
 * so each sees the same mask.
 */
class MemNetGradCheckTest {

    static final long DROPOUT_SEED = 99;

    @ParameterizedTest(name = "T={0} B={1} M={2} masked={3} scale={4} dropout={5} batchFirst={6} d_in={7} d_out={8}")
    @CsvSource({
            "1, 2, 1, false, 1.0, 0.0, false, 2, 3",
            "1, 2, 1, true, 1.0, 0.0, false, 2, 3",    // no slot at all
            "4, 2, 6, false, 1.0, 0.0, false, 2, 3",   // empty slots
            "4, 2, 6, true, 0.7, 0.0, false, 2, 3",
            "7, 2, 3, false, 1.0, 0.3, false, 2, 3",   // wrap-around, dropout
            "7, 3, 3, true, 1.3, 0.3, true, 2, 3",
            "7, 2, 3, false, 1.0, 1.0, false, 2, 3",   // dropout 1: zeros fed back, no gradient through them
            "5, 1, 1, true, 1.0, 0.0, false, 1, 1",
            "6, 2, 2, false, 0.5, 0.0, false, 1, 1"})
    void gradientsMatchFiniteDifferences(int steps, int batch, int slots, boolean masked, double scale,
                                         double dropout, boolean batchFirst, int in, int out) {
        Backend be = CpuBackend.float64();
        var options = MemNetOptions.builder(in, out).keySize(3).valueSize(2).slots(slots).maskEmptySlots(masked)
                .scale(scale).dropout(dropout).batchFirst(batchFirst).build();
        MemNet layer = new MemNet(options, be);
        long seed = steps * 1000L + slots * 10L + batch;
        be.copy(TestData.uniform(be, seed, 0.6, (int) layer.flatParameters().numel()), layer.flatParameters());
        int[] xShape = batchFirst ? new int[] {batch, steps, in} : new int[] {steps, batch, in};
        int[] yShape = batchFirst ? new int[] {batch, steps, out} : new int[] {steps, batch, out};
        Tensor x = TestData.uniform(be, seed + 1, 1.0, xShape);
        Tensor r = TestData.uniform(be, seed + 2, 1.0, yShape);

        layer.zeroGradients();
        layer.seedDropout(DROPOUT_SEED);
        Tensor dx = layer.backward(layer.forward(x).saved(), r);
        DoubleSupplier loss = () -> {
            layer.seedDropout(DROPOUT_SEED);
            return TestData.dot(layer.forward(x).output(), r);
        };
        List<String> failures = new ArrayList<>();
        add(failures, FiniteDifferences.compare("x", x, dx, loss));
        for (var e : layer.parameters().entrySet()) {
            add(failures, FiniteDifferences.compare(e.getKey(), e.getValue(), layer.gradients().get(e.getKey()), loss));
        }
        if (!failures.isEmpty()) {
            fail(layer + " seed " + TestData.BASE_SEED + ": gradient mismatch\n" + String.join("\n", failures));
        }
    }

    private static void add(List<String> failures, String failure) {
        if (failure != null) {
            failures.add(failure);
        }
    }

    /** backward accumulates: a second call from the same saved doubles every gradient. */
    @Test
    void backwardAccumulatesAndCanRepeat() {
        Backend be = CpuBackend.float64();
        MemNet layer = new MemNet(MemNetOptions.builder(2, 2).keySize(3).valueSize(2).slots(2).build(), be);
        Tensor x = TestData.uniform(be, 3, 1.0, 5, 2, 2);
        Tensor r = TestData.uniform(be, 4, 1.0, 5, 2, 2);
        MemNetSaved saved = layer.forward(x).saved();
        layer.zeroGradients();
        Tensor dx1 = layer.backward(saved, r);
        Tensor once = layer.flatGradients().copy();
        Tensor dx2 = layer.backward(saved, r);
        assertTrue(TestData.maxAbsDiff(dx1, dx2) == 0.0);
        Tensor twice = layer.flatGradients();
        double worst = 0;
        for (long i = 0; i < once.numel(); i++) {
            worst = Math.max(worst, Math.abs(twice.getFlat(i) - 2 * once.getFlat(i)));
        }
        assertTrue(worst < 1e-12, "second backward added " + worst + " off twice the first");
        assertTrue(TestData.dot(once, once) > 0, "gradients must not be all zero");
    }
}
