package dev.mnemo.nn.loss;

import dev.mnemo.nn.Backend;
import dev.mnemo.nn.CpuBackend;
import dev.mnemo.nn.FiniteDifferences;
import dev.mnemo.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LossTest {

    static final Backend F64 = CpuBackend.float64();

    static Tensor random(long seed, double scale, int... shape) {
        var rnd = new SplittableRandom(seed);
        Tensor t = F64.zeros(shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setFlat(i, (2 * rnd.nextDouble() - 1) * scale);
        }
        return t;
    }

    /** Logits [0, 0], target 0: loss = ln 2, gradient = softmax − onehot = [−0.5, 0.5]. */
    @Test
    void crossEntropyKnownAnswer() {
        Loss l = new SoftmaxCrossEntropy(Backend.cpu()).perStep(Tensor.zeros(1, 2), new int[]{0});
        assertEquals(Math.log(2), l.value(), 1e-7);
        assertArrayEquals(new float[]{-0.5f, 0.5f}, l.gradient().toFloatArray());
    }

    /** Logits [1000, −1000], target 1: loss = 2000 exactly in exact arithmetic, no overflow. */
    @Test
    void crossEntropyIsStableForLargeLogits() {
        Loss l = new SoftmaxCrossEntropy(Backend.cpu()).perStep(Tensor.of(new float[]{1000, -1000}, 2), new int[]{1});
        assertEquals(2000, l.value(), 1e-9);
        assertArrayEquals(new float[]{1, -1}, l.gradient().toFloatArray());
    }

    @Test
    void crossEntropyPerStepGradient() {
        var ce = new SoftmaxCrossEntropy(F64);
        Tensor logits = random(1, 3.0, 3, 2, 5);
        int[] targets = {0, 4, 2, 2, 1, 3};
        Loss l = ce.perStep(logits, targets);
        assertNull(FiniteDifferences.compare("logits", logits, l.gradient(), () -> ce.perStep(logits, targets).value()));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void crossEntropyLastStepGradientAndSelection(boolean batchFirst) {
        var ce = new SoftmaxCrossEntropy(F64);
        int steps = 4;
        int batch = 3;
        Tensor logits = random(2, 3.0, batchFirst ? new int[]{batch, steps, 5} : new int[]{steps, batch, 5});
        int[] targets = {1, 4, 0};
        Loss l = ce.lastStep(logits, targets, batchFirst);
        assertNull(FiniteDifferences.compare("logits", logits, l.gradient(),
                () -> ce.lastStep(logits, targets, batchFirst).value()));
        // the same as perStep on the last step's [B, C] logits
        Tensor last = F64.zeros(batch, 5);
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < 5; c++) {
                last.set(batchFirst ? logits.get(b, steps - 1, c) : logits.get(steps - 1, b, c), b, c);
            }
        }
        assertEquals(ce.perStep(last, targets).value(), l.value(), 1e-15);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void crossEntropyAtEachSequencesOwnLastStep(boolean batchFirst) {
        var ce = new SoftmaxCrossEntropy(F64);
        int steps = 4;
        int batch = 3;
        int[] lengths = {2, 4, 1};
        Tensor logits = random(5, 3.0, batchFirst ? new int[]{batch, steps, 5} : new int[]{steps, batch, 5});
        int[] targets = {3, 0, 2};
        Loss l = ce.lastStep(logits, targets, lengths, batchFirst);
        assertNull(FiniteDifferences.compare("logits", logits, l.gradient(),
                () -> ce.lastStep(logits, targets, lengths, batchFirst).value()));
        Tensor last = F64.zeros(batch, 5);
        for (int b = 0; b < batch; b++) {
            int t = lengths[b] - 1;
            for (int c = 0; c < 5; c++) {
                last.set(batchFirst ? logits.get(b, t, c) : logits.get(t, b, c), b, c);
            }
        }
        assertEquals(ce.perStep(last, targets).value(), l.value(), 1e-15);
        // padding never reaches the loss: another value there changes nothing
        Tensor padded = logits.copy();
        padded.set(Double.NaN, batchFirst ? new int[]{2, 3, 1} : new int[]{3, 2, 1});
        assertEquals(l.value(), ce.lastStep(padded, targets, lengths, batchFirst).value(), 0.0);
        assertArrayEquals(batchFirst ? new int[]{1, 7, 8} : new int[]{3, 10, 2},
                SoftmaxCrossEntropy.lastStepRows(steps, batch, lengths, batchFirst));
        assertArrayEquals(ce.lastStep(logits, targets, batchFirst).gradient().toDoubleArray(),
                ce.lastStep(logits, targets, null, batchFirst).gradient().toDoubleArray());
    }

    @Test
    void lastStepLengthsAreChecked() {
        var ce = new SoftmaxCrossEntropy(Backend.cpu());
        var e = assertThrows(IllegalArgumentException.class,
                () -> ce.lastStep(Tensor.zeros(4, 2, 3), new int[]{0, 1}, new int[]{2, 5}, false));
        assertEquals("lengths[1] must be in [1, 4] (T), got 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ce.lastStep(Tensor.zeros(4, 2, 3), new int[]{0, 1}, new int[]{0, 1}, false));
        assertEquals("lengths[0] must be in [1, 4] (T), got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ce.lastStep(Tensor.zeros(4, 2, 3), new int[]{0, 1}, new int[]{2}, false));
        assertEquals("lengths must have 2 elements (one per sequence), got 1", e.getMessage());
    }

    @Test
    void meanSquaredErrorKnownAnswerAndGradient() {
        var mse = new MeanSquaredError(F64);
        Loss l = mse.compute(Tensor.of(new double[]{1, 2}, 2), Tensor.of(new double[]{0, 4}, 2));
        assertEquals((1 + 4) / 2.0, l.value());
        assertArrayEquals(new double[]{1, -2}, l.gradient().toDoubleArray());   // 2(p − t)/N
        Tensor p = random(3, 1.0, 4, 3);
        Tensor t = random(4, 1.0, 4, 3);
        assertNull(FiniteDifferences.compare("pred", p, mse.compute(p, t).gradient(), () -> mse.compute(p, t).value()));
    }

    @Test
    void badTargetsAndShapesAreNamed() {
        var ce = new SoftmaxCrossEntropy(Backend.cpu());
        var e = assertThrows(IllegalArgumentException.class, () -> ce.perStep(Tensor.zeros(2, 3), new int[]{0, 3}));
        assertEquals("targets[1] must be in [0, 3) (classes), got 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ce.lastStep(Tensor.zeros(4, 2, 3), new int[]{0}, false));
        assertEquals("targets must have 2 elements (one per sequences (B)), got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ce.lastStep(Tensor.zeros(4, 3), new int[]{0}, false));
        assertEquals("logits must have shape [T, B, C] with at least one row, got [4, 3]", e.getMessage());
        var mse = new MeanSquaredError(Backend.cpu());
        e = assertThrows(IllegalArgumentException.class, () -> mse.compute(Tensor.zeros(5, 3), Tensor.zeros(5, 4)));
        assertEquals("target must have shape [5, 3] like pred, got [5, 4]", e.getMessage());
    }
}
