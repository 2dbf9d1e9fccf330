package dev.mnemo.nn.layers;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MemNet#forward} (the window over the step history) against {@link MemNetReference} (the
 * authors' shifted FIFO matrices, double loops) on random weights large enough that the attention is
 * far from uniform: fewer steps than slots (empty slots), more (wrap-around), masked and unmasked,
 * scale ≠ 1, dropout off and on (the same mask, from the documented hash).
 */
class MemNetReferenceTest {

    static final int B = 3;

    static MemNet layer(Backend be, int slots, boolean masked, double scale, double dropout, boolean batchFirst) {
        var options = MemNetOptions.builder(3, 2).keySize(4).valueSize(3).slots(slots).maskEmptySlots(masked)
                .scale(scale).dropout(dropout).batchFirst(batchFirst).seed(TestData.BASE_SEED).build();
        MemNet layer = new MemNet(options, be);
        // weights of ±0.5 over 17 inputs: scores of a few units, so the softmax is far from uniform
        be.copy(TestData.uniform(be, 7, 0.5, (int) layer.flatParameters().numel()), layer.flatParameters());
        return layer;
    }

    static double maxRelError(Tensor y, double[][][] ref) {
        double err = 0;
        double scale = 1e-30;
        for (int t = 0; t < ref.length; t++) {
            for (int b = 0; b < ref[t].length; b++) {
                for (int i = 0; i < ref[t][b].length; i++) {
                    err = Math.max(err, Math.abs(y.get(t, b, i) - ref[t][b][i]));
                    scale = Math.max(scale, Math.abs(ref[t][b][i]));
                }
            }
        }
        return err / scale;
    }

    @ParameterizedTest(name = "T={0} M={1} masked={2} scale={3} dropout={4}")
    @CsvSource({
            "3, 5, false, 1.0, 0.0",     // empty slots take part with score 0
            "3, 5, true, 1.0, 0.0",      // empty slots masked
            "9, 4, false, 1.0, 0.3",     // wrap-around, dropout
            "9, 4, true, 0.5, 0.3",
            "1, 1, false, 1.0, 0.0",
            "1, 1, true, 1.0, 0.0",      // no slot at all: c = 0
            "6, 1, true, 2.0, 0.0",
            "7, 7, false, 0.25, 0.5",    // exactly full at the end
            "12, 3, false, 1.0, 0.1"})
    void matchesTheShiftedFifoReference(int steps, int slots, boolean masked, double scale, double dropout) {
        for (Backend be : new Backend[] {CpuBackend.float64(), CpuBackend.float32()}) {
            MemNet layer = layer(be, slots, masked, scale, dropout, false);
            Tensor x = TestData.uniform(be, 8, 1.0, steps, B, 3);
            layer.seedDropout(42);
            Tensor y = layer.forward(x).output();
            double[][][] ref = new MemNetReference(layer).forward(x, dropout > 0, 42);
            double tol = be == CpuBackend.float64() ? 1e-12 : 2e-6;
            double err = maxRelError(y, ref);
            assertTrue(err <= tol, be + ": error " + err + " > " + tol + " (seed " + TestData.BASE_SEED + ")");
        }
    }

    @Test
    void evaluationModeHasNoDropout() {
        Backend be = CpuBackend.float64();
        MemNet layer = layer(be, 4, false, 1.0, 0.5, false);
        Tensor x = TestData.uniform(be, 8, 1.0, 7, B, 3);
        layer.setTraining(false);
        double[][][] ref = new MemNetReference(layer).forward(x, false, 0);
        assertTrue(maxRelError(layer.forward(x).output(), ref) <= 1e-12);
    }

    /** Successive forward passes draw fresh masks: the stream advances by T·B·S. */
    @Test
    void dropoutStreamAdvancesBetweenPasses() {
        Backend be = CpuBackend.float64();
        MemNet layer = layer(be, 4, false, 1.0, 0.3, false);
        Tensor x = TestData.uniform(be, 8, 1.0, 5, B, 3);
        layer.seedDropout(42);
        Tensor first = layer.forward(x).output();
        Tensor second = layer.forward(x).output();
        assertTrue(TestData.maxAbsDiff(first, second) > 1e-3, "the second pass reused the first mask");
        layer.seedDropout(42);
        assertTrue(TestData.maxAbsDiff(first, layer.forward(x).output()) == 0.0, "seedDropout restarts the stream");
    }

    @Test
    void batchFirstIsTheTransposedLayout() {
        Backend be = CpuBackend.float64();
        MemNet tm = layer(be, 3, true, 1.0, 0.2, false);
        MemNet bf = layer(be, 3, true, 1.0, 0.2, true);
        Tensor x = TestData.uniform(be, 8, 1.0, 6, B, 3);
        Tensor xb = be.zeros(B, 6, 3);
        be.transpose01(x, xb);
        tm.seedDropout(1);
        bf.seedDropout(1);
        Tensor y = tm.forward(x).output();
        Tensor yb = bf.forward(xb).output();
        Tensor yt = be.zeros(6, B, 2);
        be.transpose01(yb, yt);
        assertTrue(TestData.maxAbsDiff(y, yt) == 0.0);
    }
}
